/**
 * node_exporter on the guests, the Proxmox hosts and the Talos nodes (jobs node and talos-nodes),
 * after node-mixin's alerts (prometheus/node_exporter docs/node-mixin): its thresholds and
 * horizons, our names. Metric names as node_exporter 1.12.1 exposes them with its default
 * collectors (filesystem, meminfo, cpu, timex, netdev, conntrack, stat).
 */
import { isMultiHost, proxmoxHosts, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import {
  CLOCK_OFFSET_SECONDS_WARNING, CONNTRACK_USED_RATIO_WARNING, CPU_BUSY_RATIO_WARNING, DISK_FREE_RATIO_WARNING, INODES_FREE_RATIO_WARNING,
  MEMORY_AVAILABLE_RATIO_WARNING, NETWORK_ERROR_RATIO_WARNING, WATCHED_FILESYSTEMS, WATCHED_INTERFACES,
} from '../../common/thresholds';
import type { AlertDefinition, AlertDefinitionGroup, Runbook } from './alert';
import { proxmoxHostNames } from './proxmox';

/** Filesystems node_exporter reports that cannot fill from the guest's own writes. */
export const FS = WATCHED_FILESYSTEMS;
const FS_AVAIL = `node_filesystem_avail_bytes{${FS}}`;
const FS_FREE_RATIO = `${FS_AVAIL} / node_filesystem_size_bytes{${FS}}`;
/** A read-only filesystem cannot fill (and its free space is frozen): node-mixin leaves it out. */
const FS_WRITABLE = `node_filesystem_readonly{${FS}} == 0`;
/** Container-only and virtual interfaces whose counters say nothing about the wire. */
const NIC = WATCHED_INTERFACES;

const dashboard = DASHBOARD_UIDS.hosts;

function whereIsIt(site: Site): string {
  const host = isMultiHost(site) ? `a Proxmox host (${proxmoxHostNames(site)})` : `${site.proxmox.node} itself`;
  return `The \`name\` label says which: a guest (\`pct enter <vmid>\` on ${site.proxmox.node}), ${host}, or a Talos node (job talos-nodes: \`talosctl -n <node>\`).`;
}

/** The bridge a virtual NIC hangs on: the one all hosts share, or each host's. */
function bridges(site: Site): string {
  const hosts = proxmoxHosts(site);
  return new Set(hosts.map((h) => h.bridge)).size === 1
    ? `the bridge ${site.proxmox.bridge}`
    : `its host's bridge (${hosts.map((h) => `${h.node}: ${h.bridge}`).join(', ')})`;
}

function diskRunbook(site: Site): Runbook {
  return {
    meaning: 'A filesystem is running out of space. Services on it fail to write when it is full (databases, logs, package updates).',
    check: [whereIsIt(site), 'In a guest: `df -h <mountpoint>`; `du -xh --max-depth=2 <mountpoint> | sort -h | tail`.', `Grafana dashboard "Hosts" (/d/${dashboard}), panel "Filesystem free".`],
    fix: ['Remove what grew (old logs: `journalctl --vacuum-size=200M`, package caches: `apt-get clean`), or grow the disk: `pct resize <vmid> rootfs +5G` (a VM: `qm resize <vmid> scsi0 +5G`, then grow the partition inside).', 'A Talos node\'s data disk (local-path volumes): find the claim that grows with `kubectl get pvc -A`, shorten that service\'s retention.'],
  };
}

/**
 * node-mixin's NodeFilesystemSpaceFillingUp: little space left now AND the 6h trend reaches zero
 * within the horizon AND writable. The free-space condition keeps a large, slowly filling disk
 * quiet; the prediction keeps a full but stable one quiet.
 */
function filesystemFillingUp(site: Site, freeBelow: number, horizonHours: number, severity: 'warning' | 'critical'): AlertDefinition {
  return {
    alert: 'HostFilesystemFillingUp',
    expr: `(${FS_FREE_RATIO} < ${freeBelow} and predict_linear(${FS_AVAIL}[6h], ${horizonHours} * 3600) < 0 and ${FS_WRITABLE})`,
    for: '1h', severity,
    summary: `{{ $labels.name }} {{ $labels.mountpoint }} will fill within ${horizonHours}h`,
    description: 'Free {{ $value | humanizePercentage }} and falling (linear prediction over the last 6 hours).',
    dashboard, runbook: diskRunbook(site),
  };
}

export function hostRules(site: Site): AlertDefinitionGroup {
  const nodeStatus = isMultiHost(site)
    ? `\`pvesh get /nodes/<node>/status\` (<node>: ${proxmoxHostNames(site)})`
    : `\`pvesh get /nodes/${site.proxmox.node}/status\``;
  const network = (direction: 'receive' | 'transmit'): AlertDefinition => ({
    alert: direction === 'receive' ? 'HostNetworkReceiveErrors' : 'HostNetworkTransmitErrors',
    expr: `rate(node_network_${direction}_errs_total{${NIC}}[5m]) / rate(node_network_${direction}_packets_total{${NIC}}[5m]) > ${NETWORK_ERROR_RATIO_WARNING}`,
    for: '1h', severity: 'warning',
    summary: `{{ $labels.name }} interface {{ $labels.device }} has ${direction} errors`,
    description: `{{ $value | humanizePercentage }} of the packets ${direction === 'receive' ? 'received' : 'sent'} on {{ $labels.device }} failed over 5 minutes, for an hour.`,
    dashboard,
    runbook: {
      meaning: `The interface counts ${direction} errors for more than 1% of its packets: a bad cable or port, a duplex mismatch, or a driver problem on the bridge.`,
      check: [whereIsIt(site), '`ip -s link show <device>`; on the Proxmox host also `ethtool -S <nic> | grep -i err`.'],
      fix: [`Replace the cable or switch port of ${isMultiHost(site) ? 'the Proxmox host in `name`' : site.proxmox.node}; for a guest's virtual NIC, restart the guest (\`pct reboot <vmid>\`) and check ${bridges(site)}.`],
    },
  });
  return {
    name: 'hosts',
    rules: [
      {
        alert: 'HostFilesystemAlmostFull', expr: `(${FS_FREE_RATIO} < ${DISK_FREE_RATIO_WARNING.toFixed(2)} and ${FS_WRITABLE})`, for: '15m', severity: 'warning',
        summary: `{{ $labels.name }} {{ $labels.mountpoint }} has less than ${DISK_FREE_RATIO_WARNING * 100}% free`, description: 'Free {{ $value | humanizePercentage }}.',
        dashboard, runbook: diskRunbook(site),
      },
      // node-mixin's thresholds and horizons: 40% free and full within a day, 20% and within 4 hours.
      filesystemFillingUp(site, 0.40, 24, 'warning'),
      filesystemFillingUp(site, 0.20, 4, 'critical'),
      {
        alert: 'HostInodesAlmostExhausted',
        expr: `(node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}} < ${INODES_FREE_RATIO_WARNING} and ${FS_WRITABLE})`, for: '1h', severity: 'warning',
        summary: '{{ $labels.name }} {{ $labels.mountpoint }} is running out of inodes',
        description: 'Free inodes {{ $value | humanizePercentage }}: new files cannot be created once they are gone, whatever the free space.',
        dashboard,
        runbook: {
          meaning: 'Almost no inodes are left: millions of small files (mail queues, session files, a cache). Writes fail with "No space left on device" while `df -h` still shows space.',
          check: [whereIsIt(site), '`df -i <mountpoint>`; `find <mountpoint> -xdev -type d -size +1M` finds huge directories.'],
          fix: ['Delete the small files at their source (a cron that never cleans up); a filesystem made with too few inodes must be recreated.'],
        },
      },
      {
        alert: 'HostMemoryPressure', expr: `node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < ${MEMORY_AVAILABLE_RATIO_WARNING.toFixed(2)}`, for: '15m', severity: 'warning',
        summary: `{{ $labels.name }} has less than ${MEMORY_AVAILABLE_RATIO_WARNING * 100}% memory available`, description: 'Available {{ $value | humanizePercentage }}.',
        dashboard,
        runbook: {
          meaning: 'Available memory (free plus reclaimable cache) is below 10%; the OOM killer comes next.',
          check: [whereIsIt(site), '`free -m`; `ps aux --sort=-rss | head`.'],
          fix: ['Give the guest more memory: `pct set <vmid> --memory <MiB>` (VM: `qm set <vmid> --memory <MiB>`), or tame the process that grew.'],
        },
      },
      {
        alert: 'HostHighCpu', expr: `1 - avg by (job, instance, name) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > ${CPU_BUSY_RATIO_WARNING.toFixed(2)}`, for: '30m', severity: 'warning',
        summary: `{{ $labels.name }} CPU above ${CPU_BUSY_RATIO_WARNING * 100}% for 30 minutes`, description: 'CPU busy {{ $value | humanizePercentage }}.',
        dashboard,
        runbook: {
          meaning: 'All CPUs are busy for half an hour: services slow down, and on the Proxmox host every guest suffers.',
          check: [whereIsIt(site), `\`top -o %CPU\`; on the Proxmox host ${nodeStatus} and the Proxmox dashboard's guest CPU panel.`],
          fix: ['Stop or limit the runaway process; give the guest more cores (`pct set <vmid> --cores <n>`) or move load off the host.'],
        },
      },
      {
        alert: 'HostClockSkew', expr: `abs(node_timex_offset_seconds) > ${CLOCK_OFFSET_SECONDS_WARNING}`, for: '10m', severity: 'warning',
        summary: `{{ $labels.name }} clock is off by more than ${CLOCK_OFFSET_SECONDS_WARNING * 1000} ms`, description: 'Offset {{ $value | humanizeDuration }}.',
        dashboard,
        runbook: {
          meaning: 'The clock is off by more than 50 ms: TLS, Kerberos, etcd and log ordering suffer; Loki rejects lines too far in the past.',
          check: [whereIsIt(site), '`timedatectl` / `chronyc tracking` in a guest; `talosctl -n <node> time` on a Talos node.'],
          fix: [`Make the NTP servers reachable (site \`network.ntpServers\`: ${site.network.ntpServers.join(', ')}); LXC guests take the host's clock: fix it on ${site.proxmox.node}.`],
        },
      },
      {
        alert: 'HostClockNotSynchronising', expr: 'min_over_time(node_timex_sync_status[5m]) == 0 and node_timex_maxerror_seconds >= 16', for: '10m', severity: 'warning',
        summary: '{{ $labels.name }} clock is not synchronising',
        description: 'The kernel reports the clock unsynchronised (sync status {{ $value }}) with a maximum error of 16 s or more.',
        dashboard,
        runbook: {
          meaning: 'No NTP daemon disciplines the clock (node-mixin\'s NodeClockNotSynchronising); it drifts from here on.',
          check: [whereIsIt(site), '`timedatectl show -p NTPSynchronized`; `chronyc sources`; on Talos `talosctl -n <node> get timestatus` (and `talosctl -n <node> time` against the NTP server).'],
          fix: ['Start chrony/systemd-timesyncd, or open UDP 123 to the NTP servers of the site.'],
        },
      },
      network('receive'),
      network('transmit'),
      {
        alert: 'HostConntrackNearLimit', expr: `node_nf_conntrack_entries / node_nf_conntrack_entries_limit > ${CONNTRACK_USED_RATIO_WARNING}`, for: '15m', severity: 'warning',
        summary: '{{ $labels.name }} connection tracking table is filling up',
        description: '{{ $value | humanizePercentage }} of the conntrack table is in use; new connections are dropped when it is full.',
        dashboard,
        runbook: {
          meaning: 'The kernel tracks almost as many connections as it can; beyond the limit new connections are dropped ("nf_conntrack: table full").',
          check: [whereIsIt(site), '`conntrack -C`; `sysctl net.netfilter.nf_conntrack_max`; `conntrack -L | awk \'{print $5}\' | sort | uniq -c | sort -n | tail` finds the peer.'],
          fix: ['Raise `net.netfilter.nf_conntrack_max` (Talos: machine config `sysctls`), or stop the connection flood at its source.'],
        },
      },
      {
        alert: 'HostRebooted', expr: 'time() - node_boot_time_seconds < 600', for: '0m', severity: 'info',
        summary: '{{ $labels.name }} rebooted',
        description: 'Up for {{ $value | humanizeDuration }} only.',
        dashboard,
        runbook: {
          meaning: 'The host booted less than 10 minutes ago. Expected after updates; otherwise a crash or a power loss.',
          check: [whereIsIt(site), '`journalctl --list-boots` and `journalctl -b -1 -e` in a guest; `talosctl -n <node> dmesg` on Talos; Proxmox task log of the guest.'],
          fix: ['Nothing if planned. An unplanned reboot: read the previous boot\'s last lines for OOM, panic or watchdog.'],
        },
      },
    ],
  };
}
