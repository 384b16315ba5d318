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
      expect.stringMatching(/^prometheus runs 2 pods, on (talos-cp-1 and talos-cp-2|talos-cp-1 and talos-cp-3|talos-cp-2 and talos-cp-3): one per node, each with its own 10 GiB volume, so losing one leaves one$/),
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
 * The oracle, by brute force over node sizes rather than over the production search's
 * candidates: a size fits a lost node when some way of putting the single-pod workloads on the
 * survivors (beside the replicas planned there) keeps every survivor within the size minus the
 * overhead. The size for one node down is the least memory, then the fewest cores, at or above
 * the planned size, that fits every lost node. `strict` makes "within" a strict < (to find the
 * sites where the boundary decides).
 */
function oracle(s: TalosVmSizing, strict = false): { fits: boolean; size: { cores: number; memoryGiB: number } } {
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  const byName = new Map<string, StackService>(s.workload.services.map((w) => [w.name, w]));
  const singles = s.workload.services.filter((w) => w.replicas === 1);
  const within = (load: number, limit: number) => (strict ? r3(load) < r3(limit) : r3(load) <= r3(limit));
  const fitsAt = (cores: number, memoryGiB: number) => s.nodes.every((_, lost) => {
    const survivors = s.nodes.filter((_n, i) => i !== lost).map((n) => n.plannedServices.map((x) => byName.get(x)!).filter((w) => w.replicas > 1)
      .reduce((l, w) => ({ cpu: l.cpu + w.cpu, mem: l.mem + w.memoryGiB }), { cpu: 0, mem: 0 }));
    const place = (k: number, loads: { cpu: number; mem: number }[]): boolean => (k === singles.length
      ? loads.every((l) => within(l.cpu, cores - s.overheadPerNode.cpu) && within(l.mem, memoryGiB - s.overheadPerNode.memoryGiB))
      : loads.some((_l, j) => place(k + 1, loads.map((l, i) => (i === j ? { cpu: l.cpu + singles[k].cpu, mem: l.mem + singles[k].memoryGiB } : l)))));
    return place(0, survivors);
  });
  const LIMIT = 64;
  for (let memoryGiB = s.perNode.memoryGiB; memoryGiB <= s.perNode.memoryGiB + LIMIT; memoryGiB++) {
    if (!fitsAt(s.perNode.cores + LIMIT, memoryGiB)) continue;
    for (let cores = s.perNode.cores; ; cores++) {
      if (fitsAt(cores, memoryGiB)) return { fits: fitsAt(s.perNode.cores, s.perNode.memoryGiB), size: { cores, memoryGiB } };
    }
  }
  throw new Error('no node size up to the search limit holds the stack with one node down');
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
  const CPUS = [0.25, 0.67, 1, 1.67, 2, 2.67, 3, 3.67, 4.67];
  const MEMS = [0.094, 0.5, 0.6, 1, 1.094, 2, 2.094, 3, 4.094, 6];

  test('fits and the size for one node down agree with the oracle on 60 generated sites', () => {
    const next = random(18);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const svc = () => ({ cpu: pick(CPUS), memoryGiB: pick(MEMS), storageGiB: 10 });
    let boundary = 0;
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
      if (oracle(s, true).fits !== expected.fits) boundary++;
      if (expected.fits) fitting++;
      else failing++;
    }
    // The generator must reach both answers and sites where a load exactly at the limit decides,
    // or this test proves less than it says.
    expect({ boundary: boundary > 0, fitting: fitting > 5, failing: failing > 5 }).toEqual({ boundary: true, fitting: true, failing: true });
  });

  test('the smallest size is found by memory first, then cores, not from the assignment with the least memory', () => {
    // Losing any node leaves two for four pods. Least memory per survivor: 5 GiB (room 2.094);
    // within it, Prometheus + Loki (4.67 CPU, 1.694 GiB) and Alertmanager + Grafana (3.92, 0.694)
    // need 6 cores. The assignment with the least peak memory puts both 3.67-CPU pods together.
    const s = sizing({ prometheus: sized(3.67, 0.6, 10), alertmanager: sized(3.67, 0.6, 10), grafana: sized(0.25, 0.094, 10), loki: sized(1, 1.094, 10) });
    expect(s.perNode).toMatchObject({ cores: 6, memoryGiB: 4 });
    expect(s.fitsWithOneNodeDown).toBe(false);
    expect(s.sizeForOneNodeDown).toEqual({ cores: 6, memoryGiB: 5 });
  });

  test('a lost node with a choice of sizes within the needed memory takes the one with the fewest cores', () => {
    // Replicas make the survivors differ, so one lost node can be served by several sizes that
    // trade cores for memory; once another lost node has set the memory, the fewest cores win.
    // Found by searching 3,000 generated sites for ones where taking the most cores would differ.
    const a = sizing({
      prometheus: { ...sized(0.5, 0.5, 10), replicas: 2 }, alertmanager: sized(3, 4.094, 10),
      grafana: { ...sized(0.5, 2, 10), replicas: 2, storage: 'ephemeral' }, loki: sized(0.25, 5.2, 10),
    });
    expect([a.perNode.cores, a.perNode.memoryGiB, a.sizeForOneNodeDown]).toEqual([5, 9, { cores: 5, memoryGiB: 11 }]);
    expect(a.sizeForOneNodeDown).toEqual(oracle(a).size);
    const b = sizing({
      prometheus: sized(3.67, 0.094, 10), alertmanager: sized(0.25, 2, 10),
      grafana: { ...sized(1, 2.094, 10), replicas: 2, storage: 'ephemeral' }, loki: sized(3, 3, 10),
    });
    expect([b.perNode.cores, b.perNode.memoryGiB, b.sizeForOneNodeDown]).toEqual([6, 7, { cores: 7, memoryGiB: 8 }]);
    expect(b.sizeForOneNodeDown).toEqual(oracle(b).size);
  });

  test('when the stack fits with one node down, the size for it is the planned size', () => {
    // Review case: the least-memory assignment needed 8 cores although 7 (the planned size) hold it.
    const s = sizing({ prometheus: sized(1, 3, 10), alertmanager: sized(2, 0.094, 10), grafana: sized(3.67, 0.6, 10), loki: sized(3, 6, 10) });
    expect(s.fitsWithOneNodeDown).toBe(true);
    expect(s.sizeForOneNodeDown).toEqual({ cores: s.perNode.cores, memoryGiB: s.perNode.memoryGiB });
  });
});
