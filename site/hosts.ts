/**
 * The Proxmox hosts of a site: proxmox.node first (the report's pve01, where the LXC path and the
 * assessment's figures live), then proxmox.additionalHosts. Renderers read hosts only through
 * these functions, so a single-host site derives exactly the values it always had.
 */
import type { Site } from './schema';

export interface ProxmoxHost {
  /** Proxmox node name; the topology zone of the Talos nodes on it. */
  readonly node: string;
  /** Host address: node_exporter target, syslog source. */
  readonly address: string;
  /** Proxmox API URL of this host (pve_exporter target, API probe). */
  readonly apiUrl: string;
  /** Proxmox storage for the Talos VM disks on this host. */
  readonly storage: string;
  /** Bridge of the Talos VMs on this host. */
  readonly bridge: string;
  /** Where the host is set in the site file, for messages ("proxmox", "proxmox.additionalHosts.0"). */
  readonly path: string;
  /** Physical capacity in the report's GB (proxmox.capacity, additionalHosts[].capacity); undefined: not given. */
  readonly capacity?: { readonly vcpu?: number; readonly memoryGB?: number; readonly diskGB?: number };
}

type TalosNode = Site['talos']['nodes'][number];

/** Every Proxmox host, proxmox.node first. */
export function proxmoxHosts(site: Site): ProxmoxHost[] {
  const { proxmox } = site;
  return [
    { node: proxmox.node, address: proxmox.hostAddress, apiUrl: proxmox.apiUrl, storage: proxmox.storage, bridge: proxmox.bridge, path: 'proxmox', capacity: proxmox.capacity },
    ...proxmox.additionalHosts.map((h, i) => ({
      node: h.node,
      address: h.address,
      apiUrl: h.apiUrl ?? `https://${h.address}:8006`,
      storage: h.storage ?? proxmox.storage,
      bridge: h.bridge ?? proxmox.bridge,
      path: `proxmox.additionalHosts.${i}`,
      capacity: h.capacity,
    })),
  ];
}

/** True when the Talos VMs may run on more than one Proxmox host. */
export function isMultiHost(site: Site): boolean {
  return site.proxmox.additionalHosts.length > 0;
}

/** The Proxmox node a Talos VM runs on. */
export function talosNodeHost(site: Site, node: TalosNode): string {
  return node.host ?? site.proxmox.node;
}

/** The Talos nodes on Proxmox node `host`, in site order. */
export function talosNodesOn(site: Site, host: string): TalosNode[] {
  return site.talos.nodes.filter((n) => talosNodeHost(site, n) === host);
}

/** The etcd members and API servers, in site order (the first bootstraps etcd and serves the snapshot job). */
export function controlPlanes(site: Site): TalosNode[] {
  return site.talos.nodes.filter((n) => n.role === 'controlplane');
}

/** The Talos nodes that run kubelet only, in site order. */
export function workers(site: Site): TalosNode[] {
  return site.talos.nodes.filter((n) => n.role === 'worker');
}

/**
 * Topology labels (region = the Proxmox cluster, zone = the Proxmox host) for a Talos node, or
 * none: a single-host site without proxmox.cluster has one zone, and labels would only change
 * its machine configs.
 */
export function topologyLabels(site: Site, node: TalosNode): Record<string, string> {
  // The Proxmox CSI plugin finds a node's VM by these two labels: it needs them on one host too.
  if (!isMultiHost(site) && site.proxmox.cluster === undefined && !usesProxmoxCsi(site)) return {};
  return {
    'topology.kubernetes.io/region': proxmoxCsiRegion(site),
    'topology.kubernetes.io/zone': talosNodeHost(site, node),
  };
}

/** True when the Proxmox CSI plugin provides the volumes (kubernetes.storage: proxmox-csi). */
export function usesProxmoxCsi(site: Site): boolean {
  return site.kubernetes.storage === 'proxmox-csi';
}

/** The Proxmox storage behind the claims' StorageClass with the CSI plugin; undefined with local-path. */
export function claimStorage(site: Site): NonNullable<Site['kubernetes']['proxmoxCsi']>['storages'][number] | undefined {
  // The site rules allow kubernetes.proxmoxCsi only with storage proxmox-csi (and require it there).
  return site.kubernetes.proxmoxCsi?.storages.find((x) => x.storageClass === site.kubernetes.storageClass);
}

/**
 * The topology region: the Proxmox cluster's name, else the site's. The CSI plugin's config names
 * the same region, and finds a volume's host by region and zone.
 */
export function proxmoxCsiRegion(site: Site): string {
  return site.proxmox.cluster ?? site.name;
}

/** Votes etcd needs to commit: a majority of the control planes. */
export function etcdQuorum(controlPlanes: number): number {
  return Math.floor(controlPlanes / 2) + 1;
}

/**
 * The failure domains replicas spread over, each a list of Talos node hostnames in site order:
 * one per Proxmox host that carries a node when there are several hosts (the topology zone),
 * otherwise one per node (on one host a node is all that can fail alone).
 */
export function replicaDomains(site: Site): string[][] {
  if (!isMultiHost(site)) return site.talos.nodes.map((n) => [n.hostname]);
  return proxmoxHosts(site).map((h) => talosNodesOn(site, h.node).map((n) => n.hostname)).filter((nodes) => nodes.length > 0);
}
