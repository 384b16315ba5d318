/**
 * "Probes and uptime": what answers and how fast, from two sides. The blackbox exporter's probes
 * (jobs `blackbox-<module>`: probe_success, probe_duration_seconds, probe_http_status_code,
 * probe_ssl_earliest_cert_expiry), and UptimeKuma's own monitors as its /metrics reports them
 * (job UPTIME_KUMA_JOB; UptimeKuma 2.5.3 server/prometheus.js: monitor_status, monitor_response_time
 * in ms, monitor_cert_days_remaining). The UptimeKuma row stays empty where the site has none.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Site } from '../../../site';
import { CERT_EXPIRY_WARNING_DAYS, slowProbeSeconds } from '../../common/thresholds';
import { UPTIME_KUMA_JOB } from '../../prometheus/uptime-kuma';
import { DASHBOARD_UIDS } from './catalog';
import { barGauge, buildDashboard, graph, queryVariable, redBelow, redFrom, statPanel, UP_DOWN } from './kit';

const SEL = 'job=~"$job", instance=~"$instance"';
const TARGET = '{{name}} ({{instance}})';
const KUMA = `job="${UPTIME_KUMA_JOB}"`;
const SECONDS_PER_DAY = 86400;

/** monitor_status values (server/prometheus.js): 1 UP, 0 DOWN, 2 PENDING, 3 MAINTENANCE. */
const MONITOR_STATUS: dashboard.ValueMapping[] = [{
  type: dashboard.MappingType.ValueToText,
  options: {
    '0': { text: 'DOWN', color: 'red' },
    '1': { text: 'UP', color: 'green' },
    '2': { text: 'PENDING', color: 'orange' },
    '3': { text: 'MAINTENANCE', color: 'blue' },
  },
}];

export function probesDashboard(site: Site): dashboard.Dashboard {
  const slow = slowProbeSeconds(site);
  return buildDashboard({
    uid: DASHBOARD_UIDS.probes,
    title: 'Probes and uptime',
    description: `Reachability, latency and certificates of the services site ${site.name} watches: blackbox probes from Prometheus, and UptimeKuma's monitors.`,
    tags: ['probes', 'uptime', 'availability'],
    variables: [
      queryVariable({ name: 'job', label: 'Probe module', query: 'label_values(probe_success, job)' }),
      queryVariable({ name: 'instance', label: 'Target', query: 'label_values(probe_success{job=~"$job"}, instance)' }),
    ],
    related: [
      { title: 'Proxmox host and guests', uid: DASHBOARD_UIDS.proxmox },
      { title: 'Hosts', uid: DASHBOARD_UIDS.hosts },
      { title: 'Logs', uid: DASHBOARD_UIDS.logs },
    ],
    sections: [
      {
        title: 'Blackbox probes',
        panels: [
          statPanel({
            title: 'Probe result', unit: units.NoUnit, mappings: UP_DOWN, span: 24,
            description: 'Each target at its last probe. DOWN for 5 minutes fires EndpointDown.',
            queries: [{ expr: `probe_success{${SEL}}`, legend: TARGET, instant: true }],
          }),
          graph({
            title: 'Probe duration', unit: units.Seconds, min: 0, span: 12, thresholds: redFrom(slow),
            description: `Time each probe took. Dashed: EndpointSlow fires when a successful probe stays above ${slow}s for 15 minutes (a share of the probe deadline; past the deadline the probe fails).`,
            queries: [{ expr: `probe_duration_seconds{${SEL}}`, legend: TARGET }],
          }),
          graph({
            title: 'Availability', unit: units.PercentUnit, min: 0, max: 1, span: 12,
            description: 'Share of successful probes per target, averaged over each interval.',
            queries: [{ expr: `avg_over_time(probe_success{${SEL}}[$__interval])`, legend: TARGET }],
          }),
          barGauge({
            title: 'Availability over the time range', unit: units.PercentUnit, min: 0, max: 1,
            description: 'Share of successful probes per target over the whole selected range.',
            queries: [{ expr: `avg_over_time(probe_success{${SEL}}[$__range])`, legend: TARGET, instant: true }],
          }),
          barGauge({
            title: 'Certificate expires in', unit: units.Days, min: 0, thresholds: redBelow(CERT_EXPIRY_WARNING_DAYS),
            description: `Days until the earliest certificate of each TLS target expires. Red below ${CERT_EXPIRY_WARNING_DAYS} days: TlsCertificateExpiring fires there.`,
            queries: [{ expr: `(probe_ssl_earliest_cert_expiry{${SEL}} - time()) / ${SECONDS_PER_DAY}`, legend: TARGET, instant: true }],
          }),
          statPanel({
            title: 'HTTP status', unit: units.NoUnit, span: 8, height: 8,
            thresholds: [{ value: null, color: 'red' }, { value: 200, color: 'green' }, { value: 400, color: 'red' }],
            description: 'Status code of the last HTTP probe per target (0: no answer).',
            queries: [{ expr: `probe_http_status_code{${SEL}}`, legend: TARGET, instant: true }],
          }),
        ],
      },
      {
        title: 'UptimeKuma monitors',
        panels: [
          statPanel({
            title: 'UptimeKuma scraped', unit: units.NoUnit, mappings: UP_DOWN, span: 24,
            description: 'Whether Prometheus could read each UptimeKuma\'s /metrics (alert UptimeKumaScrapeFailing): while DOWN, its monitors reach no one.',
            queries: [{ expr: `up{${KUMA}}`, legend: '{{name}}', instant: true }],
          }),
          statPanel({
            title: 'Monitor status', unit: units.NoUnit, mappings: MONITOR_STATUS, span: 24, height: 6,
            description: 'Each active UptimeKuma monitor as UptimeKuma sees it, after its own retries. DOWN for 5 minutes fires UptimeKumaMonitorDown.',
            queries: [{ expr: `monitor_status{${KUMA}}`, legend: '{{monitor_name}}', instant: true }],
          }),
          graph({
            title: 'Monitor response time', unit: units.Milliseconds, min: 0, span: 12,
            description: 'Response time of each monitor\'s last check, as UptimeKuma measured it.',
            queries: [{ expr: `monitor_response_time{${KUMA}}`, legend: '{{monitor_name}}' }],
          }),
          barGauge({
            title: 'Monitored certificates expire in', unit: units.Days, min: 0, span: 12, thresholds: redBelow(CERT_EXPIRY_WARNING_DAYS),
            description: `Days left on each monitored TLS certificate. Red below ${CERT_EXPIRY_WARNING_DAYS} days: UptimeKumaCertificateExpiring fires there for a certificate still valid.`,
            queries: [{ expr: `monitor_cert_days_remaining{${KUMA}}`, legend: '{{monitor_name}}', instant: true }],
          }),
        ],
      },
    ],
  });
}
