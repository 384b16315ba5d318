/**
 * Where the four sized services run. The Talos VMs are sized for one planned placement (groups
 * of services, one group per node); scheduling must then follow that plan, or an arrival order
 * such as Grafana, Alertmanager, Loki, Prometheus strands Prometheus without a node that has
 * 8 GiB free, and local-path pins each volume to its first node for good. Pod affinity keeps a
 * group's members together and anti-affinity keeps groups apart, whatever the arrival order.
 */
import type { k8s } from 'cdk8s-plus-28';
import { isMultiHost, proxmoxHosts, replicaDomains, stackWorkload, stackWorkloads, talosNodesOn, usesProxmoxCsi, type Site } from '../../site';
import { selectorLabels } from './labels';

/** A sized workload's component name (site/workloads.ts): a service, or a simple-scalable Loki target. */
type SizedService = string;

/** Pod label carrying the placement group; selectors never use it, so it may change freely. */
export const PLACEMENT_LABEL = 'monitoring-stack/placement-group';
const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';
const ZONE_TOPOLOGY = 'topology.kubernetes.io/zone';

export interface PlacementGroup {
  /** "1", "2", …: stable for a given site. */
  readonly id: string;
  readonly services: readonly SizedService[];
  readonly cpu: number;
  readonly memoryGiB: number;
  /** The Talos node (hostname = Kubernetes node name) the plan puts the group on. */
  readonly node: string;
}

/**
 * The order groups are handed to nodes: site order on one host; with several, one node of each
 * host in turn (first nodes of every host, then second nodes, ...), so the groups spread over as
 * many hosts as there are and losing one host stops as few services as it can.
 */
function nodeOrder(site: Site): string[] {
  if (!isMultiHost(site)) return site.talos.nodes.map((n) => n.hostname);
  const perHost = proxmoxHosts(site).map((h) => talosNodesOn(site, h.node).map((n) => n.hostname));
  const rounds = Math.max(...perHost.map((nodes) => nodes.length));
  return Array.from({ length: rounds }, (_, i) => perHost.flatMap((nodes) => (i < nodes.length ? [nodes[i]] : []))).flat();
}

/** What the plan puts on one Talos node: a group of single-pod services and replicas of the replicated ones. */
interface NodeLoad { node: string; services: SizedService[]; replicas: SizedService[]; cpu: number; memoryGiB: number }

/** The less loaded of two nodes (memory, then CPU); the earlier wins a tie. */
const lighter = (a: NodeLoad, b: NodeLoad): NodeLoad =>
  (b.memoryGiB < a.memoryGiB || (b.memoryGiB === a.memoryGiB && b.cpu < a.cpu) ? b : a);

/** One plan per validated site: every chart, the VM sizing and the comparison ask for it. */
const plans = new WeakMap<Site, readonly NodeLoad[]>();

function plan(site: Site): readonly NodeLoad[] {
  let loads = plans.get(site);
  if (!loads) {
    loads = computePlan(site);
    plans.set(site, loads);
  }
  return loads;
}

/**
 * Balanced greedy plan over the sized workloads (site/workloads.ts), biggest memory first. A
 * single-pod workload goes onto the least-loaded node; a replicated one (prometheus.replicas,
 * the simple-scalable Loki targets, …) onto the least-loaded node of each of the least-loaded
 * failure domains (site/hosts.ts replicaDomains), one pod per domain.
 */
function computePlan(site: Site): NodeLoad[] {
  const order = nodeOrder(site);
  const loads: NodeLoad[] = order.map((node) => ({ node, services: [], replicas: [], cpu: 0, memoryGiB: 0 }));
  const byNode = new Map(loads.map((l) => [l.node, l]));
  const sorted = stackWorkloads(site).sort((a, b) =>
    b.memoryGiB - a.memoryGiB || b.cpu - a.cpu || a.name.localeCompare(b.name));
  for (const workload of sorted) {
    const add = (load: NodeLoad, list: SizedService[]) => {
      list.push(workload.name);
      load.cpu += workload.cpu;
      load.memoryGiB += workload.memoryGiB;
    };
    if (workload.replicas === 1) {
      const target = loads.reduce(lighter, loads[0]);
      add(target, target.services);
      continue;
    }
    const candidates = replicaDomains(site).map((nodes) => nodes.map((n) => byNode.get(n)!).reduce(lighter));
    // A stable sort: among equally loaded domains the earlier (site order) wins.
    const chosen = [...candidates].sort((a, b) => a.memoryGiB - b.memoryGiB || a.cpu - b.cpu).slice(0, workload.replicas);
    for (const target of chosen) add(target, target.replicas);
  }
  return loads;
}

/**
 * The groups of single-pod services, one group per node; empty groups are dropped. Replicated
 * services are not in a group: their pods go to replicaNodes().
 */
export function stackPlacement(site: Site): PlacementGroup[] {
  return plan(site).flatMap((l) => (l.services.length > 0 ? [{ services: [...l.services], cpu: sum(site, l.services, 'cpu'), memoryGiB: sum(site, l.services, 'memoryGiB'), node: l.node }] : []))
    .map((g, i) => ({ id: String(i + 1), ...g }));
}

/** The nodes a replicated service's pods are planned on, one per failure domain (empty for a single-pod service). */
export function replicaNodes(site: Site, service: SizedService): string[] {
  return plan(site).filter((l) => l.replicas.includes(service)).map((l) => l.node);
}

/** Every sized service the plan puts on each Talos node (groups and replicas), in node order. */
export function plannedServices(site: Site): Map<string, SizedService[]> {
  return new Map(plan(site).map((l) => [l.node, [...l.services, ...l.replicas]]));
}

function sum(site: Site, services: readonly SizedService[], key: 'cpu' | 'memoryGiB'): number {
  return services.reduce((n, s) => n + stackWorkload(site, s)[key], 0);
}

/**
 * Whether pods are held to their planned nodes: with several Proxmox hosts (what losing a host
 * stops is then known in advance, and the comparison states it), and whenever a service runs
 * replicas (each node is sized for its planned share; a pod elsewhere could overfill it), and with
 * Proxmox CSI volumes (a disk could follow a pod onto a VM sized for another group).
 * With one host and single pods any node will do, kept apart by anti-affinity.
 */
function pinned(site: Site): boolean {
  return isMultiHost(site) || usesProxmoxCsi(site) || stackWorkloads(site).some((w) => w.replicas > 1);
}

const onNodes = (nodes: string[]): k8s.NodeAffinity => ({
  requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_TOPOLOGY, operator: 'In', values: nodes }] }] },
});

/** The pod-template label and affinity that hold a sized workload (by component name) to its placement group, or spread its replicas. */
export function placementFor(site: Site, service: SizedService): { labels: Record<string, string>; affinity: k8s.Affinity } {
  if (stackWorkload(site, service).replicas > 1) {
    // One pod per failure domain: zones (Proxmox hosts) on several hosts, nodes on one.
    const topologyKey = isMultiHost(site) ? ZONE_TOPOLOGY : HOSTNAME_TOPOLOGY;
    return {
      labels: {},
      affinity: {
        nodeAffinity: onNodes(replicaNodes(site, service)),
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: selectorLabels(service) }, topologyKey }] },
      },
    };
  }
  const groups = stackPlacement(site);
  const own = groups.find((g) => g.services.includes(service))!;
  const others = groups.filter((g) => g !== own).map((g) => g.id);
  const term = (selector: k8s.LabelSelector): k8s.PodAffinityTerm => ({ labelSelector: selector, topologyKey: HOSTNAME_TOPOLOGY });
  return {
    labels: { [PLACEMENT_LABEL]: own.id },
    affinity: {
      ...(pinned(site) ? { nodeAffinity: onNodes([own.node]) } : {}),
      // The first pod of a group matches its own term, which the scheduler accepts on any node.
      ...(own.services.length > 1 ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { [PLACEMENT_LABEL]: own.id } })] } } : {}),
      ...(others.length > 0 ? {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchExpressions: [{ key: PLACEMENT_LABEL, operator: 'In', values: others }] })] },
      } : {}),
    },
  };
}
