/**
 * "Hosts": node_exporter (v1.12.1) on the guests, on pve01 and on the Talos nodes: CPU, load,
 * memory, filesystems, network, disk I/O and clock, per job and instance. Jobs are those of
 * charts/prometheus/prometheus-config.ts: `node` (static targets, plus the stack's own containers
 * on LXC) and `talos-nodes` (Kubernetes only); every target carries a `name` label, used in legends.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Site } from '../../../site';
import {
  CLOCK_OFFSET_SECONDS_WARNING, CPU_BUSY_RATIO_WARNING, DISK_FREE_RATIO_WARNING, MEMORY_AVAILABLE_RATIO_WARNING,
  WATCHED_FILESYSTEMS, WATCHED_INTERFACES,
} from '../../common/thresholds';
import { DASHBOARD_UIDS } from './catalog';
import { barGauge, buildDashboard, graph, queryVariable, redBelow, redFrom, statPanel, UP_DOWN } from './kit';

const SEL = 'job=~"$job", instance=~"$instance"';
/** The filesystems the hosts alerts watch (charts/prometheus/rules.ts): not the in-memory and image ones. */
const FS = `${WATCHED_FILESYSTEMS}, ${SEL}`;
/** Interfaces of containers and the cluster network: the host's own traffic is on the rest. */
const NIC = `${WATCHED_INTERFACES}, ${SEL}`;
const HOST = '{{name}}';

export function hostsDashboard(site: Site): dashboard.Dashboard {
  return buildDashboard({
    uid: DASHBOARD_UIDS.hosts,
    title: 'Hosts',
    description: `Host metrics from node_exporter on the guests, the Proxmox host and the cluster nodes of site ${site.name}. The dashed lines are the alert thresholds of the hosts rules.`,
    tags: ['hosts', 'infrastructure'],
    variables: [
      queryVariable({ name: 'job', label: 'Job', query: 'label_values(node_uname_info, job)' }),
      queryVariable({ name: 'instance', label: 'Instance', query: 'label_values(node_uname_info{job=~"$job"}, instance)' }),
    ],
    related: [
      { title: 'Proxmox host and guests', uid: DASHBOARD_UIDS.proxmox },
      { title: 'Logs', uid: DASHBOARD_UIDS.logs },
    ],
    sections: [
      {
        title: 'Overview',
        panels: [
          statPanel({
            title: 'Scraped', unit: units.NoUnit, mappings: UP_DOWN, span: 12,
            description: 'Whether Prometheus reached node_exporter at the last scrape (alert TargetDown after 5 minutes).',
            queries: [{ expr: `up{${SEL}}`, legend: HOST, instant: true }],
          }),
          statPanel({
            title: 'Uptime', unit: units.Seconds, span: 12,
            description: 'Time since each host booted (an LXC container shows the Proxmox host\'s boot).',
            queries: [{ expr: `node_time_seconds{${SEL}} - node_boot_time_seconds{${SEL}}`, legend: HOST, instant: true }],
          }),
        ],
      },
      {
        title: 'CPU and memory',
        panels: [
          graph({
            title: 'CPU busy', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(CPU_BUSY_RATIO_WARNING),
            description: 'Share of all CPUs not idle. Dashed: HostHighCpu fires after 30 minutes above it. In an LXC container this is the host\'s CPU.',
            queries: [{ expr: `1 - avg by (instance, name) (rate(node_cpu_seconds_total{mode="idle", ${SEL}}[$__rate_interval]))`, legend: HOST }],
          }),
          graph({
            title: 'Load average per CPU', unit: units.Short, min: 0,
            description: '1- and 15-minute load divided by the number of CPUs: above 1 means runnable tasks wait for a CPU.',
            queries: [
              { expr: `node_load1{${SEL}} / on (instance) group_left () count by (instance) (node_cpu_seconds_total{mode="idle", ${SEL}})`, legend: `${HOST} 1m` },
              { expr: `node_load15{${SEL}} / on (instance) group_left () count by (instance) (node_cpu_seconds_total{mode="idle", ${SEL}})`, legend: `${HOST} 15m` },
            ],
          }),
          graph({
            title: 'Memory available', unit: units.PercentUnit, min: 0, max: 1, thresholds: redBelow(MEMORY_AVAILABLE_RATIO_WARNING),
            description: 'Share of memory the kernel could hand out without swapping. Dashed: HostMemoryPressure fires after 15 minutes below it.',
            queries: [{ expr: `node_memory_MemAvailable_bytes{${SEL}} / node_memory_MemTotal_bytes{${SEL}}`, legend: HOST }],
          }),
          graph({
            title: 'Memory used', unit: units.BytesIEC, min: 0,
            description: 'Memory in use (total less available), in bytes.',
            queries: [{ expr: `node_memory_MemTotal_bytes{${SEL}} - node_memory_MemAvailable_bytes{${SEL}}`, legend: HOST }],
          }),
          graph({
            title: 'Clock offset', unit: units.Seconds, thresholds: redFrom(CLOCK_OFFSET_SECONDS_WARNING),
            description: 'Offset from NTP time as the kernel reports it. Dashed: HostClockSkew fires after 10 minutes beyond it either way.',
            queries: [{ expr: `node_timex_offset_seconds{${SEL}}`, legend: HOST }],
          }),
        ],
      },
      {
        title: 'Filesystems',
        panels: [
          barGauge({
            title: 'Filesystem free now', unit: units.PercentUnit, min: 0, max: 1, span: 12, height: 10, thresholds: redBelow(DISK_FREE_RATIO_WARNING),
            description: 'Free space per filesystem. Red below the HostFilesystemAlmostFull threshold (read-only filesystems never fire it).',
            queries: [{ expr: `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`, legend: `${HOST} {{mountpoint}}`, instant: true }],
          }),
          graph({
            title: 'Filesystem free', unit: units.PercentUnit, min: 0, max: 1, span: 12, height: 10, thresholds: redBelow(DISK_FREE_RATIO_WARNING),
            description: 'Free space over time: a steady fall predicts HostFilesystemFillingUp.',
            queries: [{ expr: `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`, legend: `${HOST} {{mountpoint}}` }],
          }),
        ],
      },
      {
        title: 'Network and disks',
        panels: [
          graph({
            title: 'Network traffic', unit: units.BytesPerSecondSI, span: 12,
            description: 'Bytes per second received (positive) and sent (negative) per physical or virtual NIC.',
            queries: [
              { expr: `rate(node_network_receive_bytes_total{${NIC}}[$__rate_interval])`, legend: `${HOST} {{device}} in` },
              { expr: `-rate(node_network_transmit_bytes_total{${NIC}}[$__rate_interval])`, legend: `${HOST} {{device}} out` },
            ],
          }),
          graph({
            title: 'Network errors', unit: units.PacketsPerSecond, span: 12,
            description: 'Receive and transmit errors per second: should stay at zero.',
            queries: [
              { expr: `rate(node_network_receive_errs_total{${NIC}}[$__rate_interval]) > 0`, legend: `${HOST} {{device}} rx errors` },
              { expr: `rate(node_network_transmit_errs_total{${NIC}}[$__rate_interval]) > 0`, legend: `${HOST} {{device}} tx errors` },
            ],
          }),
          graph({
            title: 'Disk throughput', unit: units.BytesPerSecondSI, span: 12,
            description: 'Bytes per second read (positive) and written (negative) per block device.',
            queries: [
              { expr: `rate(node_disk_read_bytes_total{${SEL}}[$__rate_interval])`, legend: `${HOST} {{device}} read` },
              { expr: `-rate(node_disk_written_bytes_total{${SEL}}[$__rate_interval])`, legend: `${HOST} {{device}} written` },
            ],
          }),
          graph({
            title: 'Disk busy', unit: units.PercentUnit, min: 0, max: 1, span: 12,
            description: 'Share of time each block device had I/O in flight: near 100% the disk is the bottleneck (etcd on the Talos nodes is sensitive to it).',
            queries: [{ expr: `rate(node_disk_io_time_seconds_total{${SEL}}[$__rate_interval])`, legend: `${HOST} {{device}}` }],
          }),
        ],
      },
    ],
  });
}
