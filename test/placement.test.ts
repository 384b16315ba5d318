/**
 * The VMs are sized for one placement of the four sized services; the emitted affinity must make
 * every arrival order end in that placement. A small scheduler simulation reads the pods'
 * requests, labels and affinity from dist/ and tries every order and every node choice the
 * rules allow: no pod may ever be left without a node.
 */
import * as YAML from 'yaml';
import { readObjects, DistObject } from './support/dist-tree';
import { synthToTemp, tempDir, writeSiteFile } from './support/synth-once';
import { SECOND_SITE } from './support/second-site';
import { loadSite, parseSite, talosNodeHost } from '../site';
import { talosVmSizing } from '../talos/vm-sizing';
import { cpuCores, memoryGiB } from '../charts/addon-requests';
import { PLACEMENT_LABEL } from '../charts/common/placement';

interface Pod { name: string; cpu: number; mem: number; labels: Record<string, string>; affinity: any }

function podsOf(objects: DistObject[]): Pod[] {
  return ['prometheus', 'grafana', 'loki', 'alertmanager'].map((name) => {
    const w = objects.find((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && o.metadata.name === name) as any;
    const t = w.spec.template;
    const req = t.spec.containers[0].resources.requests;
    return { name, cpu: cpuCores(String(req.cpu)), mem: memoryGiB(String(req.memory)), labels: t.metadata.labels, affinity: t.spec.affinity ?? {} };
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

/** Nodes a pod may go to, given what runs where (required terms, both directions for anti-affinity). */
function allowedNodes(pod: Pod, nodes: Pod[][], room: { cpu: number; mem: number }, names: string[] = []): number[] {
  const placed = nodes.flat();
  return nodes.map((_, i) => i).filter((i) => {
    const here = nodes[i];
    if (!nodeAllows(pod, names[i] ?? `node-${i}`)) return false;
    if (here.reduce((n, p) => n + p.cpu, pod.cpu) > room.cpu + 1e-9 || here.reduce((n, p) => n + p.mem, pod.mem) > room.mem + 1e-9) return false;
    for (const term of pod.affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const anywhere = placed.some((p) => matches(p.labels, term.labelSelector));
      if (anywhere && !here.some((p) => matches(p.labels, term.labelSelector))) return false;
      if (!anywhere && !matches(pod.labels, term.labelSelector)) return false;
    }
    for (const term of pod.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (here.some((p) => matches(p.labels, term.labelSelector))) return false;
    }
    return !here.some((p) => (p.affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t: any) => matches(pod.labels, t.labelSelector)));
  });
}

function permutations<T>(items: T[]): T[][] {
  return items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Every dead end reachable: an order and choices after which some pod fits nowhere. */
function deadEnds(order: Pod[], nodes: Pod[][], room: { cpu: number; mem: number }, names: string[] = []): string[] {
  if (order.length === 0) return [];
  const [pod, ...rest] = order;
  const options = allowedNodes(pod, nodes, room, names);
  if (options.length === 0) return [`${pod.name} fits nowhere after ${nodes.map((n) => `[${n.map((p) => p.name).join(',')}]`).join(' ')}`];
  return options.flatMap((i) => deadEnds(rest, nodes.map((n, j) => (j === i ? [...n, pod] : n)), room, names));
}

/** Every final placement (pod name -> node index) reachable in some order and choice. */
function endings(order: Pod[], nodes: Pod[][], room: { cpu: number; mem: number }, names: string[]): Map<string, number>[] {
  if (order.length === 0) return [new Map(nodes.flatMap((n, i) => n.map((p) => [p.name, i] as const)))];
  const [pod, ...rest] = order;
  return allowedNodes(pod, nodes, room, names).flatMap((i) => endings(rest, nodes.map((n, j) => (j === i ? [...n, pod] : n)), room, names));
}

describe('placement of the sized services', () => {
  const site = loadSite().site;
  const sizing = talosVmSizing(site);
  const room = { cpu: sizing.perNode.cores - sizing.overheadPerNode.cpu, mem: sizing.perNode.memoryGiB - sizing.overheadPerNode.memoryGiB };
  const pods = podsOf(readObjects(synthToTemp().outDir));

  test('every arrival order and every node choice the affinity allows places all four on the sized VMs', () => {
    const failures = permutations(pods).flatMap((order) => deadEnds(order, site.talos.nodes.map(() => []), room));
    expect(failures).toEqual([]);
  });

  test('the groups in the pods are the plan the VMs were sized for', () => {
    const byGroup = new Map<string, string[]>();
    for (const p of pods) byGroup.set(p.labels[PLACEMENT_LABEL], [...(byGroup.get(p.labels[PLACEMENT_LABEL]) ?? []), p.name]);
    expect([...byGroup.values()].map((g) => g.sort()).sort()).toEqual(sizing.nodes.map((n) => [...n.plannedServices].sort()).sort());
  });

  test('fails without the affinity (the simulation bites): an order exists that strands a pod', () => {
    const bare = pods.map((p) => ({ ...p, affinity: {} }));
    const failures = permutations(bare).flatMap((order) => deadEnds(order, site.talos.nodes.map(() => []), room));
    expect(failures.length).toBeGreaterThan(0);
  });
});

describe('placement on several Proxmox hosts', () => {
  const site = parseSite(SECOND_SITE).site;
  const sizing = talosVmSizing(site);
  const room = { cpu: sizing.perNode.cores - sizing.overheadPerNode.cpu, mem: sizing.perNode.memoryGiB - sizing.overheadPerNode.memoryGiB };
  const pods = podsOf(readObjects(synthToTemp(writeSiteFile(tempDir('placement-hosts-'), YAML.stringify(SECOND_SITE))).outDir));
  const names = site.talos.nodes.map((n) => n.hostname);

  test('every arrival order ends with each service on the node the plan (and the comparison) names, so its host is known', () => {
    const planned = new Map(sizing.nodes.flatMap((n, i) => n.plannedServices.map((s) => [s, i] as const)));
    const all = permutations(pods).flatMap((order) => endings(order, names.map(() => []), room, names));
    expect(all.length).toBeGreaterThan(0);
    for (const ending of all) expect(Object.fromEntries(ending)).toEqual(Object.fromEntries(planned));
    expect(permutations(pods).flatMap((order) => deadEnds(order, names.map(() => []), room, names))).toEqual([]);
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
