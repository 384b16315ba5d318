/**
 * The VMs are sized for one placement of the four sized services; the emitted affinity must make
 * every arrival order end in that placement. A small scheduler simulation reads the pods'
 * requests, labels and affinity from dist/ and tries every order and every node choice the
 * rules allow: no pod may ever be left without a node. Losing a Proxmox host is simulated from
 * the same pods (servicesLostWith) and must agree with what the comparison says it stops.
 */
import * as YAML from 'yaml';
import { readObjects, DistObject } from './support/dist-tree';
import { synthToTemp, tempDir, writeSiteFile } from './support/synth-once';
import { SECOND_SITE } from './support/second-site';
import { loadSite, parseSite, talosNodeHost, type SiteInput } from '../site';
import { talosVmSizing } from '../talos/vm-sizing';
import { cpuCores, memoryGiB } from '../charts/addon-requests';
import { PLACEMENT_LABEL } from '../charts/common/placement';
import { hostFailures } from '../lxc/comparison/host-failures';
import { CSI_SITE_INPUT } from './support/csi-site';

interface Pod { name: string; service: string; kind: string; cpu: number; mem: number; labels: Record<string, string>; affinity: any }

/** One entry per pod: a StatefulSet with replicas gives several pods with the same template. */
function podsOf(objects: DistObject[]): Pod[] {
  // The sized workloads: a service each, simple-scalable Loki's three targets instead of loki.
  const workload = (name: string) => objects.find((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && o.metadata.name === name) as any;
  const names = ['prometheus', 'grafana', 'loki', 'loki-write', 'loki-read', 'loki-backend', 'alertmanager'].filter((name) => workload(name));
  // A renamed or missing workload would otherwise drop out of the simulation unnoticed.
  expect([
    ['prometheus', 'grafana', 'loki', 'alertmanager'],
    ['prometheus', 'grafana', 'loki-write', 'loki-read', 'loki-backend', 'alertmanager'],
  ]).toContainEqual(names);
  return names.flatMap((service) => {
    const w = workload(service);
    const t = w.spec.template;
    const req = t.spec.containers[0].resources.requests;
    const replicas: number = w.spec.replicas ?? 1;
    return Array.from({ length: replicas }, (_, i) => ({
      name: replicas === 1 ? service : `${service}-${i}`, service, kind: w.kind as string,
      cpu: cpuCores(String(req.cpu)), mem: memoryGiB(String(req.memory)), labels: t.metadata.labels, affinity: t.spec.affinity ?? {},
    }));
  });
}

const matches = (labels: Record<string, string>, sel: any): boolean =>
  Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
  && (sel.matchExpressions ?? []).every((e: any) => e.operator === 'In' && e.values.includes(labels[e.key]));

/** Whether node `name` (its kubernetes.io/hostname) satisfies the pod's required node affinity. */
function nodeAllows(pod: Pod, name: string): boolean {
  const terms = pod.affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.some((t: any) => t.matchExpressions.every((e: any) =>
    e.key === 'kubernetes.io/hostname' && e.operator === 'In' && e.values.includes(name)));
}

/** The nodes in the same topology domain as node i: itself for the hostname key, its zone's nodes for the zone key. */
function domainOf(i: number, topologyKey: string, zones: string[]): number[] {
  if (topologyKey === 'kubernetes.io/hostname') return [i];
  // A plain check, not expect(): this runs for every state the exploration visits.
  if (topologyKey !== 'topology.kubernetes.io/zone') throw new Error(`unexpected topology key ${topologyKey}`);
  return zones.flatMap((z, j) => (z === zones[i] ? [j] : []));
}

/** Nodes a pod may go to, given what runs where (required terms, both directions for anti-affinity). */
function allowedNodes(pod: Pod, nodes: Pod[][], room: { cpu: number; mem: number }, names: string[] = [], zones: string[] = []): number[] {
  const placed = nodes.flat();
  const near = (i: number, key: string) => domainOf(i, key, zones).flatMap((j) => nodes[j]);
  return nodes.map((_, i) => i).filter((i) => {
    const here = nodes[i];
    if (!nodeAllows(pod, names[i] ?? `node-${i}`)) return false;
    if (here.reduce((n, p) => n + p.cpu, pod.cpu) > room.cpu + 1e-9 || here.reduce((n, p) => n + p.mem, pod.mem) > room.mem + 1e-9) return false;
    for (const term of pod.affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const anywhere = placed.some((p) => matches(p.labels, term.labelSelector));
      if (anywhere && !near(i, term.topologyKey).some((p) => matches(p.labels, term.labelSelector))) return false;
      if (!anywhere && !matches(pod.labels, term.labelSelector)) return false;
    }
    for (const term of pod.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (near(i, term.topologyKey).some((p) => matches(p.labels, term.labelSelector))) return false;
    }
    return !placed.some((p) => (p.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
      .some((t: any) => matches(pod.labels, t.labelSelector) && domainOf(i, t.topologyKey, zones).some((j) => nodes[j].includes(p))));
  });
}

/**
 * Every state the scheduler can reach, whatever the arrival order and the node chosen each time:
 * from each state any pod still waiting may come next and go to any node its rules allow.
 * Replicas of one service are interchangeable, so a state is what runs where plus what waits.
 * Returns the final placements (service -> its pods' node indices, sorted) and the dead ends
 * (a waiting pod that fits nowhere).
 */
function explore(pods: Pod[], room: { cpu: number; mem: number }, names: string[], zones: string[] = []): { endings: Record<string, number[]>[]; deadEnds: string[] } {
  const seen = new Set<string>();
  const endings = new Map<string, Record<string, number[]>>();
  const deadEnds = new Set<string>();
  const visit = (nodes: Pod[][], waiting: Pod[]) => {
    const key = JSON.stringify([nodes.map((n) => n.map((p) => p.service).sort()), waiting.map((p) => p.service).sort()]);
    if (seen.has(key)) return;
    seen.add(key);
    if (waiting.length === 0) {
      const out: Record<string, number[]> = {};
      nodes.forEach((n, i) => n.forEach((p) => { out[p.service] = [...(out[p.service] ?? []), i].sort(); }));
      endings.set(JSON.stringify(out), out);
      return;
    }
    for (const service of [...new Set(waiting.map((p) => p.service))]) {
      const index = waiting.findIndex((p) => p.service === service);
      const pod = waiting[index];
      const rest = [...waiting.slice(0, index), ...waiting.slice(index + 1)];
      const options = allowedNodes(pod, nodes, room, names, zones);
      if (options.length === 0) deadEnds.add(`${pod.name} fits nowhere after ${nodes.map((n) => `[${n.map((p) => p.name).join(',')}]`).join(' ')}`);
      for (const i of options) visit(nodes.map((n, j) => (j === i ? [...n, pod] : n)), rest);
    }
  };
  visit((names.length ? names : zones).map(() => []), pods);
  return { endings: [...endings.values()], deadEnds: [...deadEnds] };
}

/**
 * Losing Proxmox host `host`: its nodes vanish with their pods. A StatefulSet's pod on a lost node
 * is not replaced (at-most-one: Kubernetes waits for the node); a Deployment's comes back (after
 * the eviction timeout) where its required rules allow among the surviving nodes (its planned
 * nodes, capacity, anti-affinity against what still runs). Returns the services left without a
 * running pod.
 */
function servicesLostWith(host: string, placedOn: Record<string, number[]>, pods: Pod[], room: { cpu: number; mem: number }, names: string[], zones: string[]): string[] {
  const nodes: Pod[][] = names.map(() => []);
  const lost: Pod[] = [];
  for (const [service, indices] of Object.entries(placedOn)) {
    const replicas = pods.filter((p) => p.service === service);
    indices.forEach((i, k) => (zones[i] === host ? lost : nodes[i]).push(replicas[k]));
  }
  const surviving = nodes.map((n, i) => (zones[i] === host ? null : n));
  for (const pod of lost.filter((p) => p.kind === 'Deployment')) {
    const options = allowedNodes(pod, nodes, room, names, zones).filter((i) => surviving[i] !== null);
    if (options.length > 0) nodes[options[0]].push(pod);
  }
  const running = new Set(nodes.filter((_, i) => zones[i] !== host).flat().map((p) => p.service));
  return [...new Set(pods.map((p) => p.service))].filter((service) => !running.has(service));
}

/** A site synthesized whole, with what the simulation needs: its sizing, the room per node, the pods, node names and zones. */
function simulated(input: SiteInput, prefix: string) {
  const site = parseSite(input).site;
  const sizing = talosVmSizing(site);
  const room = { cpu: sizing.perNode.cores - sizing.overheadPerNode.cpu, mem: sizing.perNode.memoryGiB - sizing.overheadPerNode.memoryGiB };
  const pods = podsOf(readObjects(synthToTemp(writeSiteFile(tempDir(prefix), YAML.stringify(input))).outDir));
  return { site, sizing, room, pods, names: site.talos.nodes.map((n) => n.hostname), zones: site.talos.nodes.map((n) => talosNodeHost(site, n)) };
}

describe('placement of the sized services', () => {
  const site = loadSite().site;
  const sizing = talosVmSizing(site);
  const room = { cpu: sizing.perNode.cores - sizing.overheadPerNode.cpu, mem: sizing.perNode.memoryGiB - sizing.overheadPerNode.memoryGiB };
  const pods = podsOf(readObjects(synthToTemp().outDir));

  test('every arrival order and every node choice the affinity allows places all four on the sized VMs', () => {
    expect(explore(pods, room, site.talos.nodes.map((_, i) => `node-${i}`)).deadEnds).toEqual([]);
  });

  test('the groups in the pods are the plan the VMs were sized for', () => {
    const byGroup = new Map<string, string[]>();
    for (const p of pods) byGroup.set(p.labels[PLACEMENT_LABEL], [...(byGroup.get(p.labels[PLACEMENT_LABEL]) ?? []), p.name]);
    expect([...byGroup.values()].map((g) => g.sort()).sort()).toEqual(sizing.nodes.map((n) => [...n.plannedServices].sort()).sort());
  });

  test('fails without the affinity (the simulation bites): an order exists that strands a pod', () => {
    const bare = pods.map((p) => ({ ...p, affinity: {} }));
    expect(explore(bare, room, site.talos.nodes.map((_, i) => `node-${i}`)).deadEnds.length).toBeGreaterThan(0);
  });
});

describe('placement on several Proxmox hosts', () => {
  const { site, sizing, room, pods, names, zones } = simulated(SECOND_SITE, 'placement-hosts-');
  const planned = plannedIndices(sizing);

  test('every arrival order ends with each service (each replica) on the nodes the plan (and the comparison) names, so its host is known', () => {
    const { endings, deadEnds } = explore(pods, room, names, zones);
    expect(endings).toEqual([planned]);
    expect(deadEnds).toEqual([]);
  });

  test('the replicas of a service sit in different zones, one pod per Proxmox host', () => {
    expect(planned.prometheus).toHaveLength(2);
    expect(planned.alertmanager).toHaveLength(3);
    for (const service of ['prometheus', 'alertmanager']) expect(new Set(planned[service].map((i) => zones[i])).size).toBe(planned[service].length);
    for (const p of pods.filter((pod) => pod.service === 'alertmanager')) {
      expect(p.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        { labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/part-of': 'monitoring-stack' } }, topologyKey: 'topology.kubernetes.io/zone' },
      ]);
    }
  });

  test('without the replicas\' affinity an order exists that puts them elsewhere (the simulation bites)', () => {
    const bare = pods.map((p) => (p.service === 'alertmanager' ? { ...p, affinity: {} } : p));
    expect(explore(bare, room, names, zones).endings.some((ending) => JSON.stringify(ending) !== JSON.stringify(planned))).toBe(true);
  });

  test('losing each host stops exactly the services the comparison says (simulated from the pods\' own rules)', () => {
    for (const host of [...new Set(zones)]) {
      const simulated = servicesLostWith(host, planned, pods, room, names, zones).sort();
      expect({ host, lost: simulated }).toEqual({ host, lost: [...hostFailures(site).find((f) => f.node === host)!.servicesDown].sort() });
    }
  });

  test('the groups sit on nodes of different hosts here, one zone each', () => {
    const hosts = sizing.nodes.filter((n) => n.plannedServices.length > 0).map((n) => talosNodeHost(site, site.talos.nodes.find((t) => t.hostname === n.hostname)!));
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  test('the single-host default pins no service to a node (any node will do)', () => {
    const single = podsOf(readObjects(synthToTemp().outDir));
    expect(single.map((p) => p.affinity.nodeAffinity)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('replicas on one Proxmox host', () => {
  const input = {
    ...SECOND_SITE,
    proxmox: { ...SECOND_SITE.proxmox, additionalHosts: [] },
    talos: { ...SECOND_SITE.talos, nodes: SECOND_SITE.talos!.nodes!.map(({ host: _host, ...n }) => n) },
  };
  const { sizing, room, pods, names } = simulated(input, 'placement-replicas-');

  test('every arrival order ends in the plan: each pod pinned, replicas one per node (hostname anti-affinity)', () => {
    const planned = plannedIndices(sizing);
    expect(planned.alertmanager).toEqual([0, 1, 2]);
    const { endings, deadEnds } = explore(pods, room, names);
    expect(endings).toEqual([planned]);
    expect(deadEnds).toEqual([]);
    expect(pods.find((p) => p.service === 'prometheus')!.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
  });
});

/** The plan as service -> sorted node indices, the shape explore() returns. */
function plannedIndices(sizing: ReturnType<typeof talosVmSizing>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  sizing.nodes.forEach((n, i) => n.plannedServices.forEach((s) => { out[s] = [...(out[s] ?? []), i].sort(); }));
  return out;
}

describe('issue 14\'s topology: three hosts, three control planes and two workers, Proxmox CSI, replicas', () => {
  const { site, sizing, room, pods, names, zones } = simulated(CSI_SITE_INPUT, 'placement-csi-');
  const planned = plannedIndices(sizing);

  test('every arrival order ends in the plan, with no dead end', () => {
    const { endings, deadEnds } = explore(pods, room, names, zones);
    expect(endings).toEqual([planned]);
    expect(deadEnds).toEqual([]);
  });

  test('losing any one host stops no service: every workload (Loki\'s write, read and backend too) keeps a pod on the other hosts, and the comparison says so', () => {
    expect(pods.filter((p) => p.service.startsWith('loki')).map((p) => p.name)).toEqual([
      'loki-write-0', 'loki-write-1', 'loki-write-2', 'loki-read-0', 'loki-read-1', 'loki-backend-0', 'loki-backend-1', 'loki-backend-2',
    ]);
    const lost = Object.fromEntries([...new Set(zones)].map((host) => [host, servicesLostWith(host, planned, pods, room, names, zones)]));
    expect(lost).toEqual({ pve01: [], pve02: [], pve03: [] });
    for (const f of hostFailures(site)) {
      expect(f.servicesDown).toEqual([]);
      expect(f.talosSurvives).toBe(true);
    }
    // Loki's three write pods on three hosts: any host lost leaves two copies of every stream (the quorum).
    expect(new Set(planned['loki-write'].map((i) => zones[i]))).toEqual(new Set(['pve01', 'pve02', 'pve03']));
  });

  test('the simulation bites: Prometheus\' two pods on the two VMs of one host are lost with it', () => {
    const onPve01 = names.flatMap((_, i) => (zones[i] === 'pve01' ? [i] : []));
    expect(onPve01).toHaveLength(2);
    expect(servicesLostWith('pve01', { ...planned, prometheus: onPve01 }, pods, room, names, zones)).toContain('prometheus');
  });
});
