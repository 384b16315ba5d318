/**
 * PromQL services for CheckMK's Prometheus special agent ("Service creation using PromQL queries").
 * The agent turns each query into a metric of a CheckMK service and accepts exactly one result per
 * query: no result is "no value", several are "unsupported query" (agent_prometheus.py,
 * PromQLResponse.process_single_result). So every query here aggregates to one sample with no
 * labels, and a count that may be empty ends in `or vector(0)`, so "none" reads as 0, not as missing.
 *
 * Field names are those of the CheckMK rule (cmk/plugins/prometheus/rulesets/special_agent.py):
 * service_description, host_name, metric_components[].metric_label, promql_query, levels with
 * lower_levels / upper_levels as ("fixed", (warn, crit)). A value at or above an upper warn (below
 * a lower warn) is WARN, at or above (below) crit CRIT.
 */
import type { Site } from '../../site';
import { retentionSizeGiB } from '../prometheus/prometheus-config';
import { nodeExporterTargets } from '../prometheus/scrape-targets';
import { UPTIME_KUMA_JOB, uptimeKumaScrapeJobs } from '../prometheus/uptime-kuma';

type FixedLevels = readonly ['fixed', readonly [warn: number, crit: number]];

export interface PromqlMetric {
  readonly metric_label: string;
  /** Returns exactly one sample, without labels. */
  readonly promql_query: string;
  /** @default - no levels: the value is recorded, never alerted on */
  readonly levels?: { readonly lower_levels?: FixedLevels; readonly upper_levels?: FixedLevels };
}

export interface PromqlService {
  readonly service_description: string;
  /** CheckMK host the service goes to (piggyback). @default - the host the rule is assigned to (Prometheus) */
  readonly host_name?: string;
  readonly metric_components: readonly PromqlMetric[];
}

const upper = (warn: number, crit: number) => ({ upper_levels: ['fixed', [warn, crit]] as const });
const lower = (warn: number, crit: number) => ({ lower_levels: ['fixed', [warn, crit]] as const });
/** PromQL string literal (label values here are DNS labels: nothing to escape, but say so once). */
const str = (value: string) => JSON.stringify(value);

/**
 * The services, in the order CheckMK shows them. What CheckMK cannot see with its own agents:
 * whether alerts reach anyone (an independent second path when Alertmanager fails), what
 * Prometheus currently finds broken, and whether it still scrapes each guest.
 */
export function checkmkPromqlServices(site: Site): PromqlService[] {
  const retentionBytes = retentionSizeGiB(site.prometheus.storageGiB) * 2 ** 30;
  const kuma = uptimeKumaScrapeJobs(site).length > 0;
  return [
    {
      service_description: 'Prometheus alert delivery',
      metric_components: [
        // A second path for the one failure Alertmanager cannot report itself.
        { metric_label: 'Alertmanager scraped', promql_query: 'max(up{job="alertmanager"}) or vector(0)', levels: lower(1, 1) },
        { metric_label: 'Alertmanager notifications failed (15m)', promql_query: 'sum(increase(alertmanager_notifications_failed_total{job="alertmanager"}[15m])) or vector(0)', levels: upper(1, 1) },
        { metric_label: 'Prometheus notification errors (15m)', promql_query: 'sum(increase(prometheus_notifications_errors_total{job="prometheus"}[15m])) or vector(0)', levels: upper(1, 1) },
      ],
    },
    {
      service_description: 'Prometheus alerts',
      metric_components: [
        // Watchdog (severity info, always firing) is left out by the severity.
        { metric_label: 'Critical alerts firing', promql_query: 'count(ALERTS{alertstate="firing",severity="critical"}) or vector(0)', levels: upper(1, 1) },
        { metric_label: 'Warning alerts firing', promql_query: 'count(ALERTS{alertstate="firing",severity="warning"}) or vector(0)', levels: upper(1, 10) },
      ],
    },
    {
      service_description: 'Prometheus scrape targets',
      metric_components: [
        { metric_label: 'Targets down', promql_query: 'count(up == 0) or vector(0)', levels: upper(1, 3) },
        { metric_label: 'Targets', promql_query: 'count(up) or vector(0)' },
      ],
    },
    {
      service_description: 'Prometheus blackbox probes',
      metric_components: [
        { metric_label: 'Probes failing', promql_query: 'count(probe_success == 0) or vector(0)', levels: upper(1, 1) },
      ],
    },
    {
      service_description: 'Prometheus TSDB',
      metric_components: [
        { metric_label: 'Head series', promql_query: 'sum(prometheus_tsdb_head_series{job="prometheus"}) or vector(0)' },
        // At 100% retention by size deletes blocks before retention by time would (history shorter than retention).
        { metric_label: `Blocks, % of the ${retentionSizeGiB(site.prometheus.storageGiB)} GiB retention size`, promql_query: `100 * sum(prometheus_tsdb_storage_blocks_bytes{job="prometheus"}) / ${retentionBytes} or vector(0)`, levels: upper(95, 100) },
      ],
    },
    ...(kuma ? [{
      service_description: 'UptimeKuma monitors (via Prometheus)',
      metric_components: [
        { metric_label: 'Monitors down', promql_query: `count(monitor_status{job="${UPTIME_KUMA_JOB}"} == 0) or vector(0)`, levels: upper(1, 1) },
        { metric_label: 'UptimeKuma scraped', promql_query: `min(up{job="${UPTIME_KUMA_JOB}"}) or vector(0)`, levels: lower(1, 1) },
      ],
    }] : []),
    // On each guest's own CheckMK host: does Prometheus still read its node_exporter?
    ...nodeExporterTargets(site).map((t) => ({
      service_description: 'Prometheus node_exporter',
      host_name: t.name,
      metric_components: [{ metric_label: 'Scraped by Prometheus', promql_query: `max(up{job="node",name=${str(t.name)}}) or vector(0)`, levels: lower(1, 1) }],
    })),
  ];
}
