/**
 * "Proxmox host and guests": the Proxmox nodes, their storages and every VM and container, from
 * pve_exporter (prometheus-pve-exporter v3.10.0, job `pve`). Metric names as its collectors emit
 * them (src/pve_exporter/collector/cluster.py): pve_up, pve_cpu_usage_ratio, pve_memory_*_bytes,
 * pve_disk_*_bytes, pve_network_*_bytes_total, pve_disk_{read,written}_bytes_total, pve_uptime_seconds,
 * pve_guest_info, pve_node_info, pve_storage_info; every series is keyed by `id`
 * ("node/<n>", "qemu/<vmid>", "lxc/<vmid>", "storage/<n>/<storage>").
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { isMultiHost, type Site } from '../../../site';
import { proxmoxHostNames } from '../../prometheus/rules/proxmox';
import {
  CPU_BUSY_RATIO_WARNING, DISK_FREE_RATIO_WARNING, MEMORY_AVAILABLE_RATIO_WARNING, PVE_STORAGE_USED_RATIO_WARNING,
} from '../../common/thresholds';
import { DASHBOARD_UIDS } from './catalog';
import { barGauge, buildDashboard, graph, queryVariable, redFrom, statPanel, UP_DOWN } from './kit';

/**
 * The guest's name in pve_guest_info. The `pve` job gives its target a `name` label (the Proxmox
 * node, like every other job's `name`), so Prometheus renames the exporter's own `name` label
 * to `exported_name` (honor_labels is off). A test pins this against the scrape config.
 */
export const PVE_GUEST_NAME_LABEL = 'exported_name';

const NODE = 'id=~"node/.+"';
const GUESTS = 'id=~"(qemu|lxc)/.+"';
const STORAGE = 'id=~"storage/.+"';
/** Guests of the selected names, templates left out (they never run; for other guests the API omits `template`, so the label is empty, not "0"). */
const GUEST_INFO = `pve_guest_info{template!="1", ${PVE_GUEST_NAME_LABEL}=~"$guest"}`;
const GUEST_LEGEND = `{{${PVE_GUEST_NAME_LABEL}}} ({{id}})`;

/** A per-guest series joined to its name (and filtered by the guest variable). */
const perGuest = (expr: string) => `${expr} * on (id) group_left (${PVE_GUEST_NAME_LABEL}) ${GUEST_INFO}`;
const guestRate = (metric: string) => perGuest(`rate(${metric}{${GUESTS}}[$__rate_interval])`);
const perStorage = (expr: string) => `${expr} * on (id) group_left (storage, plugintype) pve_storage_info`;

export function proxmoxDashboard(site: Site): dashboard.Dashboard {
  // The node panels select every node (id=~"node/.+"); with several, legends name each.
  const multi = isMultiHost(site);
  const nodes = proxmoxHostNames(site);
  const perNode = multi ? '{{id}} ' : '';
  return buildDashboard({
    uid: DASHBOARD_UIDS.proxmox,
    title: 'Proxmox host and guests',
    description: multi
      ? `Proxmox nodes ${nodes} as pve_exporter reads them from the Proxmox API: the nodes, their storages, and CPU, memory, disk and network of every VM and container.`
      : `Proxmox node ${nodes} as pve_exporter reads it from the Proxmox API: the node, its storages, and CPU, memory, disk and network of every VM and container.`,
    tags: ['proxmox', 'infrastructure'],
    variables: [queryVariable({ name: 'guest', label: 'Guest', query: `label_values(pve_guest_info{template!="1"}, ${PVE_GUEST_NAME_LABEL})` })],
    related: [
      { title: 'Hosts', uid: DASHBOARD_UIDS.hosts },
      { title: 'Probes and uptime', uid: DASHBOARD_UIDS.probes },
      { title: 'Logs', uid: DASHBOARD_UIDS.logs },
    ],
    sections: [
      {
        title: `${multi ? 'Nodes' : 'Node'} ${nodes}`,
        panels: [
          statPanel({
            title: 'Proxmox API scraped', unit: units.NoUnit, mappings: UP_DOWN,
            description: 'Whether pve_exporter could read the Proxmox API at the last scrape (alert ProxmoxExporterDown). DOWN: check the API token.',
            queries: [{ expr: 'up{job="pve"}', legend: '{{name}}', instant: true }],
          }),
          statPanel({
            title: 'Node online', unit: units.NoUnit, mappings: UP_DOWN,
            description: 'The node as the Proxmox cluster status reports it.',
            queries: [{ expr: `pve_up{${NODE}} * on (id) group_left (level) pve_node_info`, legend: '{{id}}', instant: true }],
          }),
          statPanel({
            title: 'Guests running', unit: units.Short,
            description: 'VMs and containers running now, of all guests that are not templates.',
            queries: [
              { expr: `count(pve_up{${GUESTS}} * on (id) group_left () pve_guest_info{template!="1"} == 1) or vector(0)`, legend: 'running', instant: true },
              { expr: `count(pve_guest_info{template!="1"})`, legend: 'defined', instant: true },
            ],
          }),
          statPanel({
            title: 'Node uptime', unit: units.Seconds,
            description: 'Time since the node last booted.',
            queries: [{ expr: `pve_uptime_seconds{${NODE}}`, legend: '{{id}}', instant: true }],
          }),
          graph({
            title: 'Node CPU busy', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(CPU_BUSY_RATIO_WARNING),
            description: 'Share of the node\'s CPUs in use. Dashed: the hosts\' CPU alert threshold (HostHighCpu, 30 minutes above it).',
            queries: [{ expr: `pve_cpu_usage_ratio{${NODE}}`, legend: '{{id}}' }],
          }),
          graph({
            title: 'Node memory used', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(1 - MEMORY_AVAILABLE_RATIO_WARNING),
            description: 'Memory in use on the node. Dashed: where less than the memory alert\'s share stays available (HostMemoryPressure).',
            queries: [{ expr: `pve_memory_usage_bytes{${NODE}} / pve_memory_size_bytes{${NODE}}`, legend: '{{id}}' }],
          }),
          graph({
            title: 'Node memory', unit: units.BytesIEC,
            description: 'Memory used and installed, in bytes.',
            queries: [
              { expr: `pve_memory_usage_bytes{${NODE}}`, legend: `${perNode}used` },
              { expr: `pve_memory_size_bytes{${NODE}}`, legend: `${perNode}total` },
            ],
          }),
        ],
      },
      {
        title: 'Storage',
        panels: [
          barGauge({
            title: 'Storage used', unit: units.PercentUnit, min: 0, max: 1, span: 12, thresholds: redFrom(PVE_STORAGE_USED_RATIO_WARNING),
            description: 'Each Proxmox storage\'s fill. Red from the ProxmoxStorageAlmostFull threshold: backups and thin-provisioned disks fail when it fills.',
            queries: [{ expr: perStorage(`pve_disk_usage_bytes{${STORAGE}} / pve_disk_size_bytes{${STORAGE}}`), legend: '{{storage}} ({{plugintype}})', instant: true }],
          }),
          graph({
            title: 'Storage used over time', unit: units.BytesIEC, span: 12,
            description: 'Bytes used per storage: the slope says when it will be full.',
            queries: [{ expr: perStorage(`pve_disk_usage_bytes{${STORAGE}}`), legend: '{{storage}}' }],
          }),
        ],
      },
      {
        title: 'Guests',
        panels: [
          statPanel({
            title: 'Guest running', unit: units.NoUnit, mappings: UP_DOWN, span: 24,
            description: 'Each VM and container: UP when running (alert ProxmoxGuestDown for those set to start on boot).',
            queries: [{ expr: perGuest(`pve_up{${GUESTS}}`), legend: `{{${PVE_GUEST_NAME_LABEL}}}`, instant: true }],
          }),
          graph({
            title: 'Guest CPU', unit: units.PercentUnit, min: 0, thresholds: redFrom(CPU_BUSY_RATIO_WARNING),
            description: 'CPU in use as a share of the guest\'s own CPU allowance (pve_cpu_usage_limit cores).',
            queries: [{ expr: perGuest(`pve_cpu_usage_ratio{${GUESTS}}`), legend: GUEST_LEGEND }],
          }),
          graph({
            title: 'Guest memory used', unit: units.PercentUnit, min: 0, thresholds: redFrom(1 - MEMORY_AVAILABLE_RATIO_WARNING),
            description: 'Memory in use as a share of the guest\'s configured memory (a VM without the guest agent reports what the host gave it).',
            queries: [{ expr: perGuest(`pve_memory_usage_bytes{${GUESTS}} / pve_memory_size_bytes{${GUESTS}}`), legend: GUEST_LEGEND }],
          }),
          graph({
            title: 'Guest root disk used', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(1 - DISK_FREE_RATIO_WARNING),
            description: 'Root disk fill of containers (Proxmox reports no usage for VM disks: see the Hosts dashboard for their filesystems). Dashed: the filesystem alert\'s free-space threshold.',
            queries: [{ expr: perGuest(`pve_disk_usage_bytes{id=~"lxc/.+"} / pve_disk_size_bytes{id=~"lxc/.+"}`), legend: GUEST_LEGEND }],
          }),
          graph({
            title: 'Guest network', unit: units.BytesPerSecondSI,
            description: 'Bytes per second received (positive) and sent (negative) by each guest.',
            queries: [
              { expr: guestRate('pve_network_receive_bytes_total'), legend: `${GUEST_LEGEND} in` },
              { expr: `-(${guestRate('pve_network_transmit_bytes_total')})`, legend: `${GUEST_LEGEND} out` },
            ],
          }),
          graph({
            title: 'Guest disk I/O', unit: units.BytesPerSecondSI,
            description: 'Bytes per second read (positive) and written (negative) by each guest on its block devices (not reported by every storage type).',
            queries: [
              { expr: guestRate('pve_disk_read_bytes_total'), legend: `${GUEST_LEGEND} read` },
              { expr: `-(${guestRate('pve_disk_written_bytes_total')})`, legend: `${GUEST_LEGEND} written` },
            ],
          }),
          graph({
            title: 'Guest memory', unit: units.BytesIEC,
            description: 'Memory in use per guest, in bytes.',
            queries: [{ expr: perGuest(`pve_memory_usage_bytes{${GUESTS}}`), legend: GUEST_LEGEND }],
          }),
        ],
      },
    ],
  });
}
