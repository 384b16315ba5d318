/**
 * The Proxmox hosts through pve_exporter (job pve, both platforms). Metric names as
 * prometheus-pve-exporter 3.10.0 exposes them (src/pve_exporter/collector/cluster.py: pve_up for
 * nodes, guests and storages, pve_disk_*, pve_not_backed_up_info; node.py: pve_onboot_status).
 *
 * The cluster collectors are scraped from proxmox.node alone, the node collectors from every host
 * (charts/prometheus/prometheus-config.ts, pveJob): pve_up and pve_not_backed_up_info come once
 * per guest, labelled with proxmox.node's target, and pve_onboot_status from the host the guest is
 * on, with its `node`. On several hosts the guest alerts take that `node` over, so they name the
 * host to go to.
 */
import { isMultiHost, proxmoxHosts, talosNodeHost, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import { PVE_STORAGE_USED_RATIO_WARNING } from '../../common/thresholds';
import type { AlertDefinitionGroup } from './alert';

/** The Proxmox hosts' node names, proxmox.node first ("pve01"; "hv-east, hv-west, hv-north"). */
export function proxmoxHostNames(site: Site): string {
  return proxmoxHosts(site).map((h) => h.node).join(', ');
}

/** Each Talos VM with its vmid and host ("kube-a is VM 441 on hv-east, kube-b is VM 442 on hv-west"). */
export function talosVmPlacement(site: Site, nodes: readonly Site['talos']['nodes'][number][] = site.talos.nodes): string {
  return nodes.map((n) => `${n.hostname} is VM ${n.vmid} on ${talosNodeHost(site, n)}`).join(', ');
}

/**
 * Where the Talos VMs run, for "On <where>: `qm status <vmid>`": the one host that carries them
 * all, or each VM with its vmid and host.
 */
export function talosVmHosts(site: Site): string {
  const hosts = new Set(site.talos.nodes.map((n) => talosNodeHost(site, n)));
  return hosts.size === 1 ? [...hosts][0] : `the Talos VM's host (${talosVmPlacement(site)})`;
}

/**
 * A guest series joined to the onboot status of the guest's own host. On one host a set
 * operation (`and`) keeps the labels as they are; on several, `group_left (node)` adds the
 * node the guest runs on. A guest can have two onboot series at once (a live migration seen by
 * both hosts' scrapes, two pve targets asking the same host): `group_left` would then fail with
 * "many-to-many matching not allowed" and silence the alert for every guest, so `topk by (id)`
 * keeps one series per id, with its `node`.
 */
function onBoot(site: Site, guests: string): string {
  return isMultiHost(site)
    ? `(${guests}) * on (id) group_left (node) topk by (id) (1, pve_onboot_status == 1)`
    : `${guests} and on (id) pve_onboot_status == 1`;
}

export function proxmoxRules(site: Site): AlertDefinitionGroup {
  const node = site.proxmox.node;
  const multi = isMultiHost(site);
  const hosts = proxmoxHosts(site);
  /** The host of a guest alert: proxmox.node, or (several hosts) the `node` label onBoot adds. */
  const guestHost = multi ? '{{ $labels.node }}' : node;
  /** Where a storage alert sends the operator: its id names the node (storage/<node>/<storage>). */
  const storageHost = multi ? `the host its id names (storage/<node>/<storage>; one of ${proxmoxHostNames(site)})` : node;
  const dashboard = DASHBOARD_UIDS.proxmox;
  return {
    name: 'proxmox',
    rules: [
      {
        alert: 'ProxmoxGuestDown', expr: onBoot(site, 'pve_up{id=~"(lxc|qemu)/.+"} == 0'), for: '5m', severity: 'critical',
        summary: 'Proxmox guest {{ $labels.id }} is not running',
        description: `A guest of ${guestHost} set to start on boot has been stopped for 5 minutes (pve_up = {{ $value }}).`,
        dashboard,
        runbook: {
          meaning: 'A container or VM marked "start at boot" is not running: its service (Wazuh, CheckMK, the reverse proxy…) is down.',
          check: [`On ${multi ? `the host in the alert's \`node\` label (${proxmoxHostNames(site)})` : node}: \`pct status <vmid>\` / \`qm status <vmid>\`; the guest's task log in the Proxmox UI; \`journalctl -u pve-container@<vmid> -n 50\`.`],
          fix: ['`pct start <vmid>` (VM: `qm start <vmid>`); if it fails at once, `pct start <vmid> --debug` shows why (a full storage, a missing mount point).'],
        },
      },
      {
        alert: 'ProxmoxStorageAlmostFull', expr: `pve_disk_usage_bytes{id=~"storage/.+"} / pve_disk_size_bytes{id=~"storage/.+"} > ${PVE_STORAGE_USED_RATIO_WARNING}`, for: '30m', severity: 'warning',
        summary: `Proxmox storage {{ $labels.id }} is above ${PVE_STORAGE_USED_RATIO_WARNING * 100}%`,
        description: 'Used {{ $value | humanizePercentage }}: backups and thin-provisioned disks fail when it fills.',
        dashboard,
        runbook: {
          meaning: 'A Proxmox storage is more than 85% used. A full thin pool stops every guest on it with I/O errors.',
          check: [`On ${storageHost}: \`pvesm status\`; for LVM-thin \`lvs -a\` (data% and meta%).`],
          fix: ['Remove old backups and snapshots (`pct listsnapshot <vmid>`, `pct delsnapshot`), trim guests (`pct fstrim <vmid>`), or add disk space to the pool.'],
        },
      },
      {
        alert: 'ProxmoxStorageUnavailable', expr: 'pve_up{id=~"storage/.+"} == 0', for: '10m', severity: 'critical',
        summary: 'Proxmox storage {{ $labels.id }} is not available',
        description: 'The storage has been offline for 10 minutes (pve_up = {{ $value }}): guests on it cannot start or write.',
        dashboard,
        runbook: {
          meaning: 'Proxmox reports the storage as not available: a network share that cannot be mounted, a missing disk or pool.',
          check: [`On ${storageHost}: \`pvesm status\`; \`journalctl -u pvestatd -n 50\`; for NFS/CIFS \`mount | grep /mnt/pve\`.`],
          fix: ['Bring the share or disk back; a storage no longer used: disable it (`pvesm set <storage> --disable 1`).'],
        },
      },
      {
        alert: 'ProxmoxExporterDown', expr: 'up{job="pve"} == 0', for: '5m', severity: 'critical',
        summary: 'pve_exporter cannot reach the Proxmox API',
        description: multi
          ? `The Proxmox scrape of {{ $labels.name }} ({{ $labels.instance }}) has failed for 5 minutes (up = {{ $value }}): on ${node} no guest or storage alert can fire meanwhile, on another host ProxmoxGuestDown and ProxmoxGuestNotBackedUp miss its guests.`
          : `The Proxmox scrape of ${site.proxmox.apiUrl} has failed for 5 minutes (up = {{ $value }}): no guest or storage alert can fire meanwhile.`,
        dashboard,
        runbook: {
          meaning: 'Prometheus gets no Proxmox metrics: pve_exporter is down, the API token is wrong or lacks PVEAuditor, or the API hangs (the report\'s known issue).',
          check: ['`kubectl -n ' + site.kubernetes.namespace + ' logs deploy/pve-exporter --tail=50` (403: permissions, 401: token).', `${hosts.map((h) => `\`curl -k ${h.apiUrl}/api2/json/version\`${multi ? ` (${h.node})` : ''}`).join(', ')} from the monitoring network.`],
          fix: ['Grant the role to user and token: `pveum acl modify / --users prometheus@pve --roles PVEAuditor` and the same with `--tokens \'prometheus@pve!<token>\'`; a hanging API: `systemctl restart pveproxy pvedaemon` on the host.'],
        },
      },
      {
        alert: 'ProxmoxGuestNotBackedUp', expr: onBoot(site, 'pve_not_backed_up_info == 1'), for: '1h', severity: 'warning',
        summary: 'Proxmox guest {{ $labels.id }} is in no backup job',
        description: `A guest of ${guestHost} that starts on boot is selected by no backup job (not_backed_up = {{ $value }}).`,
        dashboard,
        runbook: {
          meaning: 'No vzdump job covers this guest: it cannot be restored after a disk loss. (It says nothing about whether the jobs succeed.)',
          check: ['Proxmox UI → Datacenter → Backup → "Show guests without backup job"; `pvesh get /cluster/backup-info/not-backed-up`.'],
          fix: ['Add the guest to a backup job (Datacenter → Backup → Edit → Selection), or select "all" with exclusions.'],
        },
      },
    ],
  };
}
