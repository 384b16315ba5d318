/**
 * Where the four sized services run. The Talos VMs are sized for one planned placement (groups
 * of services, one group per node); scheduling must then follow that plan, or an arrival order
 * such as Grafana, Alertmanager, Loki, Prometheus strands Prometheus without a node that has
 * 8 GiB free, and local-path pins each volume to its first node for good. Pod affinity keeps a
 * group's members together and anti-affinity keeps groups apart, whatever the arrival order.
 */
import type { k8s } from 'cdk8s-plus-28';
import { isMultiHost, proxmoxHosts, STACK_SERVICES, talosNodesOn, type Site, type StackServiceName } from '../../site';

type SizedService = StackServiceName;

/** Pod label carrying the placement group; selectors never use it, so it may change freely. */
export const PLACEMENT_LABEL = 'monitoring-stack/placement-group';
const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';

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

/**
 * Balanced greedy placement: biggest memory first, onto the least-loaded group; one group per
 * node. Empty groups are dropped.
 */
export function stackPlacement(site: Site): PlacementGroup[] {
  const order = nodeOrder(site);
  const bins: { services: SizedService[]; cpu: number; memoryGiB: number }[] =
    order.map(() => ({ services: [], cpu: 0, memoryGiB: 0 }));
  const sorted = [...STACK_SERVICES].sort((a, b) =>
    site[b].memoryGiB - site[a].memoryGiB || site[b].cpu - site[a].cpu || a.localeCompare(b));
  for (const service of sorted) {
    const target = bins.reduce((best, bin) =>
      (bin.memoryGiB < best.memoryGiB || (bin.memoryGiB === best.memoryGiB && bin.cpu < best.cpu) ? bin : best), bins[0]);
    target.services.push(service);
    target.cpu += site[service].cpu;
    target.memoryGiB += site[service].memoryGiB;
  }
  return bins.flatMap((b, i) => (b.services.length > 0 ? [{ ...b, node: order[i] }] : []))
    .map((b, i) => ({ id: String(i + 1), ...b }));
}

/** The pod-template label and affinity that hold `service` to its placement group. */
export function placementFor(site: Site, service: SizedService): { labels: Record<string, string>; affinity: k8s.Affinity } {
  const groups = stackPlacement(site);
  const own = groups.find((g) => g.services.includes(service))!;
  const others = groups.filter((g) => g !== own).map((g) => g.id);
  const term = (selector: k8s.LabelSelector): k8s.PodAffinityTerm => ({ labelSelector: selector, topologyKey: HOSTNAME_TOPOLOGY });
  return {
    labels: { [PLACEMENT_LABEL]: own.id },
    affinity: {
      // Several Proxmox hosts: each group is held to its planned node, so what losing a host stops
      // is known in advance (the comparison states it); with one host any node will do.
      ...(isMultiHost(site) ? {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_TOPOLOGY, operator: 'In', values: [own.node] }] }] } },
      } : {}),
      // The first pod of a group matches its own term, which the scheduler accepts on any node.
      ...(own.services.length > 1 ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { [PLACEMENT_LABEL]: own.id } })] } } : {}),
      ...(others.length > 0 ? {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchExpressions: [{ key: PLACEMENT_LABEL, operator: 'In', values: others }] })] },
      } : {}),
    },
  };
}
