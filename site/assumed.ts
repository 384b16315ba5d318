/**
 * Defaults the assessment report does not give. Each is printed as one warning line at synth
 * unless the site file sets it, so nobody mistakes a guess for a measured fact.
 */
import type { Site } from './schema';
import { controlPlanes, etcdQuorum, isMultiHost, proxmoxHosts, talosNodesOn } from './hosts';

export interface AssumedDefault {
  /** Dotted path in the site file. */
  readonly path: string;
  /** Why this value, and what to set instead. */
  readonly reason: string;
}

export const ASSUMED_DEFAULTS: readonly AssumedDefault[] = [
  { path: 'proxmox.guests', reason: 'guest addresses 10.88.140.<vmid> are guessed (the report lists no guest IPs) and only 5 of the 9 guests are named' },
  { path: 'proxmox.storage', reason: 'Proxmox storage "local-lvm" (the installer default) is assumed' },
  { path: 'proxmox.bridge', reason: 'bridge vmbr0 (VLAN-aware) is assumed' },
  { path: 'network.managementCidr', reason: 'management VLAN 10.88.140.0/24 is inferred from the Proxmox API address' },
  { path: 'network.dnsServers', reason: 'DNS server 10.70.0.1 (the VLAN gateway) is assumed' },
  { path: 'network.ntpServers', reason: 'NTP server time.cloudflare.com (the Talos default) is assumed' },
  { path: 'kubernetes.version', reason: 'Kubernetes 1.36.3 (the Talos v1.13 default) is assumed' },
  { path: 'kubernetes.storageClass', reason: 'StorageClass local-path (local-path-provisioner on the Talos data disk) is assumed' },
  { path: 'talos.nodes', reason: 'Talos node addresses 10.70.0.21-23 and VMIDs 211-213 are assumed' },
  { path: 'talos.vip', reason: 'Kubernetes API VIP 10.70.0.20 is assumed' },
  { path: 'gitops.repoUrl', reason: 'the Git repository URL is a placeholder: set gitops.repoUrl to the repository Argo CD or Flux reads' },
];

/**
 * The warning about a host whose loss would take etcd below quorum, when the nodes are spread over
 * several hosts but one holds too many; undefined otherwise.
 */
function quorumHostAdvice(site: Site): string | undefined {
  if (!isMultiHost(site)) return undefined;
  const n = controlPlanes(site).length;
  const quorum = etcdQuorum(n);
  const hosts = proxmoxHosts(site);
  const h = hosts.map((x) => ({ node: x.node, count: talosNodesOn(site, x.node).filter((t) => t.role === 'controlplane').length })).find((x) => n - x.count < quorum);
  if (!h) return undefined;
  const most = n - quorum;
  const hostsNeeded = Math.ceil(n / most);
  return `talos.nodes[].host: ${h.node} carries ${h.count} of the ${n} control planes; losing it leaves ${n - h.count} etcd member${n - h.count === 1 ? '' : 's'}, below the quorum of ${quorum}, and the cluster stops. Put at most ${most} on each host`
    + (hosts.length < hostsNeeded ? ` (that takes ${hostsNeeded} hosts; the site has ${hosts.length}: add a host to survive losing one)` : '');
}

/** Settings that are valid but probably not what an operator wants: each gives its warning line, or undefined. */
export const SITE_ADVICE: readonly ((site: Site) => string | undefined)[] = [
  (site) => (site.alertmanager.receivers.webhooks.length + site.alertmanager.receivers.emails.length === 0
    ? 'alertmanager.receivers: none configured; alerts reach only the built-in "default" receiver (Alertmanager UI and API). Add a webhook or email receiver to be notified'
    : undefined),
  ...(['vcpu', 'diskGB'] as const).map((k) => (site: Site) => (site.proxmox.capacity[k] !== undefined && site.proxmox.capacity[k]! < site.proxmox.allocated[k]
    ? `proxmox.capacity.${k}: below proxmox.allocated.${k}; the host is overcommitted (normal for ${k === 'vcpu' ? 'vCPUs' : 'thin-provisioned disks'}), so the comparison's shares of the host exceed 100 %`
    : undefined)),
  (site) => (site.alertmanager.heartbeat === undefined
    ? 'alertmanager.heartbeat: unset; nobody is told when Prometheus or Alertmanager itself is down. Point heartbeat.urlSecret at a dead man\'s switch (healthchecks.io, Dead Man\'s Snitch) that the always-firing Watchdog alert pings'
    : undefined),
  quorumHostAdvice,
];
