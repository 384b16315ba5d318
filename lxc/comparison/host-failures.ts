/**
 * What losing each Proxmox host does to the two paths. The LXC path lives on proxmox.node alone;
 * the Talos VMs follow talos.nodes[].host. A lost host takes the etcd members of its control
 * planes with it; the cluster keeps working while the rest hold a majority.
 * The four stack services keep the VM the placement plan gives them (talos/vm-sizing.ts
 * plannedServices; with several hosts charts/common/placement.ts pins each group to its VM by
 * node affinity, so the plan is where they run): their volumes are local-path volumes on that VM's data disk (the tool always
 * provisions the StorageClass with local-path-provisioner), so a service on a lost host waits for
 * it, while the add-on pods are rescheduled on the remaining VMs.
 */
import { controlPlanes, etcdQuorum, proxmoxHosts, talosNodesOn, type Site } from '../../site';
import { wordList } from '../../site/words';

export { wordList };
import { talosVmSizing } from '../../talos/vm-sizing';

export interface HostFailure {
  /** The Proxmox node. */
  readonly node: string;
  /** The Talos VMs on it (hostnames, in site order). */
  readonly talosVms: readonly string[];
  /** Talos VMs of the whole site, on every host. */
  readonly allVms: number;
  /** etcd members (one per control plane), those left with this host down, and the majority etcd needs. */
  readonly etcd: { readonly members: number; readonly left: number; readonly quorum: number; readonly keepsQuorum: boolean };
  /** Stack services the placement plan puts only on its VMs (every replica): down until the host is back. */
  readonly servicesDown: readonly string[];
  /** Replicated services with pods here and elsewhere: they keep running on `left`, `left.length` of `replicas` pods. */
  readonly servicesDegraded: readonly { readonly service: string; readonly left: readonly string[]; readonly replicas: number }[];
  /** The VMs among talosVms that carry those services. */
  readonly serviceVms: readonly string[];
  /** The first control plane when it runs here: the etcd snapshot job reads etcd through it. */
  readonly snapshotNode?: string;
  /** False only for proxmox.node, where the containers run. */
  readonly lxcSurvives: boolean;
  /** etcd keeps quorum and no stack service stops. */
  readonly talosSurvives: boolean;
}

/** One entry per Proxmox host, proxmox.node first. */
export function hostFailures(site: Site): HostFailure[] {
  const planned = new Map(talosVmSizing(site).nodes.map((n) => [n.hostname, n.plannedServices]));
  const members = controlPlanes(site).length;
  const quorum = etcdQuorum(members);
  const snapshotSource = controlPlanes(site)[0].hostname;
  return proxmoxHosts(site).map(({ node }) => {
    const onHost = talosNodesOn(site, node);
    const talosVms = onHost.map((n) => n.hostname);
    const left = members - onHost.filter((n) => n.role === 'controlplane').length;
    // A replicated service stops only when every VM planned for it is here; one replica elsewhere keeps it.
    const servicesDown = [...new Set(talosVms.flatMap((vm) => planned.get(vm) ?? []))]
      .filter((service) => [...planned].every(([vm, services]) => !services.includes(service) || talosVms.includes(vm)));
    const servicesDegraded = [...new Set(talosVms.flatMap((vm) => planned.get(vm) ?? []))].filter((service) => !servicesDown.includes(service))
      .map((service) => {
        const all = [...planned].filter(([, services]) => services.includes(service)).map(([vm]) => vm);
        return { service, left: all.filter((vm) => !talosVms.includes(vm)), replicas: all.length };
      });
    const serviceVms = talosVms.filter((vm) => (planned.get(vm) ?? []).some((service) => servicesDown.includes(service)));
    const keepsQuorum = left >= quorum;
    return {
      node,
      talosVms,
      allVms: site.talos.nodes.length,
      etcd: { members, left, quorum, keepsQuorum },
      servicesDown,
      servicesDegraded,
      serviceVms,
      snapshotNode: talosVms.find((vm) => vm === snapshotSource),
      lxcSurvives: node !== site.proxmox.node,
      talosSurvives: keepsQuorum && servicesDown.length === 0,
    };
  });
}

