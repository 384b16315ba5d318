/**
 * talos/vm-sizing.ts pinned in-process (mutation testing, issue 18): the notes a reader gets for
 * each kind of site, the Proxmox CSI volume sums per host, the rounding at an exact step, and the
 * one-node-down answer against a brute-force oracle over generated sites. Every sizing is computed
 * inside its test, so Stryker's per-test coverage attributes the code to these assertions.
 */
import { parseSite, type SiteInput } from '../../site';
import { talosVmSizing, type StackService, type TalosVmSizing } from '../../talos/vm-sizing';
import { CSI_SITE_INPUT } from '../support/csi-site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';

const sizing = (input: SiteInput) => talosVmSizing(parseSite(input).site);
const sized = (cpu: number, memoryGiB: number, storageGiB: number) => ({ cpu, memoryGiB, storageGiB });
const SMALL: SiteInput = { prometheus: sized(1, 1, 10), grafana: sized(1, 1, 10), loki: sized(1, 1, 10), alertmanager: sized(1, 1, 10) };
const withClass = (storageClass: string): SiteInput => ({ ...CSI_SITE_INPUT, kubernetes: { ...CSI_SITE_INPUT.kubernetes, storageClass } });

const LOCAL_PATH_NOTE = 'local-path volumes live on one node\'s data disk and the placement keeps groups apart: a service whose node is down waits for that node whatever the CPU/memory headroom';
const WORKERS_NOTE = 'workers get the control-plane size: any node may carry any placement group, and what a worker does not run (API server, controller manager, scheduler, etcd) stays as headroom';

describe('the notes say why, for each kind of site', () => {
  test('the report site: does not fit on two nodes, says what would, and the data disk sum', () => {
    expect(sizing({}).notes).toEqual([
      'each node: the largest placement group (4 CPU, 8 GiB) plus 1.33 CPU / 2.906 GiB for Talos/Kubernetes and the add-on pods, rounded up',
      'with one node down the stack\'s requests do not fit on the other two; nodes of 8 cores / 15 GiB would',
      LOCAL_PATH_NOTE,
      'data disk: the largest placement group\'s volumes (100 GiB) and the etcd snapshot volume (16 GiB), plus 10 %',
    ]);
  });

  test('a small single-host stack can be rescheduled with one node down', () => {
    expect(sizing(SMALL).notes).toEqual([
      'each node: the largest placement group (2 CPU, 2 GiB) plus 1.33 CPU / 2.906 GiB for Talos/Kubernetes and the add-on pods, rounded up',
      'the stack\'s requests fit on two nodes, so it can be rescheduled when one node is down',
      LOCAL_PATH_NOTE,
      'data disk: the largest placement group\'s volumes (20 GiB) and the etcd snapshot volume (16 GiB), plus 10 %',
    ]);
  });

  test('replicas on one host pin the groups and name each replicated service\'s nodes', () => {
    const notes = sizing({ ...SMALL, prometheus: { ...sized(1, 1, 10), replicas: 2 }, alertmanager: { ...sized(1, 1, 10), replicas: 3 } }).notes;
    expect(notes[1]).toBe('the stack\'s requests fit on two nodes, but the placement pins each service group to its VM (replicas), so a group whose VM is down waits for it');
    expect(notes.filter((n) => n.includes(' runs '))).toEqual([
      expect.stringMatching(/^prometheus runs 2 pods, on talos-cp-\d and talos-cp-\d: one per node, each with its own 10 GiB volume, so losing one leaves one$/),
      'alertmanager runs 3 pods, on talos-cp-1, talos-cp-2 and talos-cp-3: one per node, each with its own 10 GiB volume, so losing one leaves two',
    ]);
  });

  test('several hosts with workers: pinned by the hosts, and the worker note', () => {
    const { notes, nodes } = sizing(WORKERS_SITE_INPUT);
    expect(notes).toEqual([
      'each node: the largest placement group (4 CPU, 8 GiB) plus 1.33 CPU / 2.906 GiB for Talos/Kubernetes and the add-on pods, rounded up',
      'the stack\'s requests fit on four nodes, but the placement pins each service group to its VM (several hosts), so a group whose VM is down waits for it',
      LOCAL_PATH_NOTE,
      WORKERS_NOTE,
      'data disk: the largest placement group\'s volumes (100 GiB) and the etcd snapshot volume (16 GiB), plus 10 %',
    ]);
    // Four single-pod services on five nodes: one node is planned nothing, and says so.
    expect(nodes.map((n) => n.plannedServices)).toEqual([['loki'], ['prometheus'], ['alertmanager'], ['grafana'], []]);
  });

  test('Proxmox CSI: no data disk, every replicated workload and its volume, the claims in all', () => {
    const { notes, perNode } = sizing(withClass('proxmox-local'));
    expect(perNode.dataDiskGiB).toBe(0);
    expect(notes).toEqual([
      'each node: the largest placement group (7 CPU, 14 GiB) plus 1.39 CPU / 2.984 GiB for Talos/Kubernetes and the add-on pods, rounded up',
      'the stack\'s requests fit on four nodes, but the placement pins each service group to its VM (several hosts), so a group whose VM is down waits for it',
      'Proxmox CSI volumes are disks of the Proxmox storage, attached to the VM the pod runs on; the placement still holds each pod to its planned VM, so a service whose VM is down waits for it',
      'prometheus runs 2 pods, on talos-cp-1 and talos-cp-2: one per Proxmox host, each with its own 100 GiB volume, so losing one leaves one',
      'grafana runs 2 pods, on talos-cp-1 and talos-cp-2: one per Proxmox host, without a volume, so losing one leaves one',
      'loki-write runs 3 pods, on talos-cp-3, talos-w-1 and talos-w-2: one per Proxmox host, each with its own 10 GiB volume, so losing one leaves two',
      'loki-read runs 2 pods, on talos-cp-1 and talos-cp-2: one per Proxmox host, without a volume, so losing one leaves one',
      'loki-backend runs 3 pods, on talos-cp-3, talos-w-1 and talos-w-2: one per Proxmox host, each with its own 10 GiB volume, so losing one leaves two',
      'alertmanager runs 3 pods, on talos-cp-3, talos-w-1 and talos-w-2: one per Proxmox host, each with its own 50 GiB volume, so losing one leaves two',
      WORKERS_NOTE,
      // 2 x 100 (Prometheus) + 3 x 10 (write) + 3 x 10 (backend) + 3 x 50 (Alertmanager) + 16 (etcd snapshots).
      'no data disk: each claim is a Proxmox disk the CSI plugin creates (426 GiB in all, the etcd snapshot volume\'s 16 GiB included), on the storages of kubernetes.proxmoxCsi',
    ]);
  });
});

describe('Proxmox CSI volumes per host', () => {
  test('on a host-local storage each VM counts the disks of the claims planned on it', () => {
    const s = sizing(withClass('proxmox-local'));
    // cp-1, cp-2: a Prometheus volume each; cp-3 and the workers: write 10 + backend 10 + Alertmanager 50.
    expect(s.nodes.map((n) => n.volumesGiB)).toEqual([100, 100, 70, 70, 70]);
    expect(s.volumesGiB).toBe(426);
  });

  test('on shared storage (Ceph) the disks are in the pool, not on any VM\'s host', () => {
    const s = sizing(withClass('proxmox-ceph'));
    expect(s.nodes.map((n) => n.volumesGiB)).toEqual([0, 0, 0, 0, 0]);
    expect(s.volumesGiB).toBe(426);
  });

  test('local-path has no Proxmox volumes at all', () => {
    const s = sizing(WORKERS_SITE_INPUT);
    expect(s.nodes.map((n) => n.volumesGiB)).toEqual([0, 0, 0, 0, 0]);
    expect(s.volumesGiB).toBe(0);
  });
});

describe('rounding and the overhead list', () => {
  test('a data disk that is exactly a 10 GiB step is not rounded up once more', () => {
    // (84 + 16 etcd snapshots) x 1.1 = 110.00000000000001 in floating point: 110, not 120.
    const s = sizing({ prometheus: sized(4, 8, 84), loki: sized(4, 8, 84), grafana: sized(2, 4, 42), alertmanager: sized(2, 4, 42) });
    expect(s.perNode.dataDiskGiB).toBe(110);
  });

  test('the add-on pods are listed as read from the charts', () => {
    const items = sizing({}).overheadPerNode.items;
    const addOns = items.filter((i) => i.name.includes('/'));
    expect(addOns.length).toBeGreaterThan(5);
    for (const item of addOns) expect(item.source).toBe('requests in the synthesized charts (may run on any node)');
  });
});

/**
 * The oracle: for each node lost, every way to put the single-pod workloads on the survivors
 * (recursively), beside the replicas planned on each; the need is the assignment whose busiest
 * survivor has the least memory, then the least CPU. Written apart from the production search
 * (which enumerates base-n codes and caches by survivor loads).
 */
function oracle(s: TalosVmSizing): { fits: boolean; size: { cores: number; memoryGiB: number }; tight: boolean } {
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  const byName = new Map<string, StackService>(s.workload.services.map((w) => [w.name, w]));
  const room = { cpu: s.perNode.cores - s.overheadPerNode.cpu, mem: s.perNode.memoryGiB - s.overheadPerNode.memoryGiB };
  const singles = s.workload.services.filter((w) => w.replicas === 1);
  let fits = true;
  let tight = false;
  let worst = { cpu: 0, mem: 0 };
  s.nodes.forEach((_, lost) => {
    const survivors = s.nodes.filter((_n, i) => i !== lost).map((n) => n.plannedServices.map((x) => byName.get(x)!).filter((w) => w.replicas > 1)
      .reduce((l, w) => ({ cpu: l.cpu + w.cpu, mem: l.mem + w.memoryGiB }), { cpu: 0, mem: 0 }));
    let best: { cpu: number; mem: number } | undefined;
    let anyFits = false;
    const place = (k: number, loads: { cpu: number; mem: number }[]): void => {
      if (k === singles.length) {
        const peak = { cpu: r3(Math.max(...loads.map((l) => l.cpu))), mem: r3(Math.max(...loads.map((l) => l.mem))) };
        const inRoom = loads.every((l) => r3(l.cpu) <= r3(room.cpu) && r3(l.mem) <= r3(room.mem));
        if (inRoom && loads.some((l) => r3(l.cpu) === r3(room.cpu) || r3(l.mem) === r3(room.mem))) tight = true;
        anyFits ||= inRoom;
        if (!best || peak.mem < best.mem || (peak.mem === best.mem && peak.cpu < best.cpu)) best = peak;
        return;
      }
      loads.forEach((_l, j) => place(k + 1, loads.map((l, i) => (i === j ? { cpu: l.cpu + singles[k].cpu, mem: l.mem + singles[k].memoryGiB } : l))));
    };
    place(0, survivors);
    fits &&= anyFits;
    worst = { cpu: Math.max(worst.cpu, best!.cpu), mem: Math.max(worst.mem, best!.mem) };
  });
  const up = (n: number) => Math.ceil(r3(n) - 1e-9);
  return {
    fits,
    tight,
    size: { cores: Math.max(s.perNode.cores, up(worst.cpu + s.overheadPerNode.cpu)), memoryGiB: Math.max(s.perNode.memoryGiB, up(worst.mem + s.overheadPerNode.memoryGiB)) },
  };
}

describe('one node down, against the brute-force oracle', () => {
  /** Deterministic generator (mulberry32), so a failure names a site that can be rebuilt. */
  function random(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // CPU in thirds and memory around the overhead's fractions, so loads often land exactly on the
  // room left beside the overhead (1.33 CPU, 2.906 GiB): the <= of the fit check is exercised.
  const CPUS = [0.67, 1, 1.67, 2, 2.67, 3, 3.67, 4.67];
  const MEMS = [0.094, 0.5, 1, 1.094, 2, 2.094, 3, 4.094, 6];

  test('fits and the size for one node down agree with the oracle on 60 generated sites', () => {
    const next = random(18);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const svc = () => ({ cpu: pick(CPUS), memoryGiB: pick(MEMS), storageGiB: 10 });
    let tight = 0;
    let fitting = 0;
    let failing = 0;
    for (let i = 0; i < 60; i++) {
      const base: SiteInput = i % 3 === 2 ? WORKERS_SITE_INPUT : {};
      const input: SiteInput = {
        ...base,
        prometheus: { ...svc(), replicas: next() < 0.3 ? 2 : 1 },
        alertmanager: { ...svc(), replicas: next() < 0.3 ? 3 : 1 },
        grafana: next() < 0.3 ? { ...svc(), replicas: 2, storage: 'ephemeral' } : svc(),
        loki: svc(),
      };
      const s = sizing(input);
      const expected = oracle(s);
      expect({ site: i, fits: s.fitsWithOneNodeDown, size: s.sizeForOneNodeDown }).toEqual({ site: i, fits: expected.fits, size: expected.size });
      if (expected.tight) tight++;
      if (expected.fits) fitting++;
      else failing++;
    }
    // The generator must reach every branch, or this test proves less than it says.
    expect({ tight: tight > 2, fitting: fitting > 5, failing: failing > 5 }).toEqual({ tight: true, fitting: true, failing: true });
  });

  test('a node lost with different survivors gives each its own answer (not one cached for all)', () => {
    // Prometheus' two replicas sit on two nodes; Loki, alone, must move beside one of them when
    // its own node goes, but when a Prometheus node goes it may stay. Sizes differ per lost node.
    const s = sizing({ ...SMALL, prometheus: { ...sized(3, 6, 10), replicas: 2 }, loki: sized(3, 6, 10) });
    const expected = oracle(s);
    expect({ fits: s.fitsWithOneNodeDown, size: s.sizeForOneNodeDown }).toEqual({ fits: expected.fits, size: expected.size });
    expect(s.fitsWithOneNodeDown).toBe(false);
  });
});
