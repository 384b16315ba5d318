/**
 * "Monitoring stack health": the stack watching itself (scrape targets, Prometheus TSDB, Loki
 * ingestion and the syslog gateway, Alertmanager notifications), built with the Grafana
 * Foundation SDK so the compiler checks field names and enums.
 *
 * Job labels are those of charts/prometheus/prometheus-config.ts: static jobs `prometheus`,
 * `alertmanager`, `loki`, `grafana`; the syslog gateway comes through the `kubernetes-pods` job.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { lokiSimpleScalable, type Site } from '../../../site';
import { SYSLOG_JOB } from '../../syslog/alloy-config';
import { DASHBOARD_UIDS, GENERATED_TAG } from './catalog';
import { dashboardLinks, LOKI, PROMETHEUS } from './kit';

export const STACK_HEALTH_UID = DASHBOARD_UIDS.stackHealth;

/** The stack's own scrape jobs. */
export const STACK_JOBS = ['prometheus', 'alertmanager', 'loki', 'grafana'] as const;
const STACK_JOB_MATCHER = `job=~"${STACK_JOBS.join('|')}"`;

interface Query {
  readonly expr: string;
  readonly legend: string;
}

function promQuery(q: Query, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(PROMETHEUS).expr(q.expr).legendFormat(q.legend).refId(refId).range();
}

/** Panel ids: stable, in layout order (Grafana keys panel links and edits on them). */
type NextId = () => number;

function graph(next: NextId, title: string, unit: string, queries: readonly Query[], description: string): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .id(next())
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .unit(unit)
    .span(8)
    .height(8)
    .fillOpacity(10)
    .lineWidth(1)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true));
  queries.forEach((q, i) => panel.withTarget(promQuery(q, String.fromCharCode(65 + i))));
  return panel;
}

function upStat(next: NextId): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(next())
    .title('Stack services up')
    .description('1 when Prometheus scraped the service at its last attempt, 0 when the scrape failed.')
    .datasource(PROMETHEUS)
    .unit('none')
    .span(24)
    .height(4)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ]))
    .mappings([{ type: dashboard.MappingType.ValueToText, options: { '0': { text: 'DOWN' }, '1': { text: 'UP' } } }])
    .withTarget(promQuery({ expr: `max by (job) (up{${STACK_JOB_MATCHER}})`, legend: '{{job}}' }, 'A').instant());
}

function syslogLogs(next: NextId): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .id(next())
    .title('Latest syslog lines')
    .description('Most recent lines received by the syslog gateway, all hosts.')
    .datasource(LOKI)
    .span(24)
    .height(10)
    .showTime(true)
    .wrapLogMessage(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .withTarget(new loki.DataqueryBuilder().datasource(LOKI).refId('A').expr(`{job="${SYSLOG_JOB}"}`).maxLines(200));
}

/** A titled row and the panels under it. */
interface Section {
  readonly rowId: number;
  readonly title: string;
  readonly panels: ReadonlyArray<cog.Builder<dashboard.Panel>>;
}

export function stackHealthDashboard(site: Site): dashboard.Dashboard {
  let panelId = 0;
  const next: NextId = () => ++panelId;
  const rate = (metric: string, by?: string) => `sum${by ? ` by (${by})` : ''} (rate(${metric}[$__rate_interval]))`;
  // Built in layout order so panel ids follow the page top to bottom.
  const sections: Section[] = [];
  const section = (title: string, panels: () => ReadonlyArray<cog.Builder<dashboard.Panel>>) => {
    const rowId = next();
    sections.push({ rowId, title, panels: panels() });
  };

  section('Targets', () => [
    upStat(next),
    graph(next, 'Targets down by job', 'short', [{ expr: 'count by (job) (up == 0)', legend: '{{job}}' }],
      'Scrape targets Prometheus could not reach, per job. Empty means every target is up.'),
    graph(next, 'Slowest scrape by job', 's', [{ expr: 'max by (job) (scrape_duration_seconds)', legend: '{{job}}' }],
      'Longest scrape per job; close to the scrape timeout means targets are about to fail.'),
    graph(next, 'Samples scraped by job', 'short', [{ expr: 'sum by (job) (scrape_samples_scraped)', legend: '{{job}}' }],
      'Series per scrape, per job: a jump means a new high-cardinality source.'),
  ]);
  section('Prometheus TSDB', () => [
    graph(next, 'Head series', 'short', [{ expr: 'prometheus_tsdb_head_series{job="prometheus"}', legend: 'series' }],
      'Active series in the head block; memory use follows this.'),
    graph(next, 'Samples appended', 'short', [{ expr: rate('prometheus_tsdb_head_samples_appended_total{job="prometheus"}'), legend: 'samples/s' }],
      'Ingestion rate of the TSDB.'),
    graph(next, 'Storage used vs. retention limit', 'bytes', [
      { expr: 'prometheus_tsdb_storage_blocks_bytes{job="prometheus"} + prometheus_tsdb_wal_storage_size_bytes{job="prometheus"}', legend: 'blocks + WAL' },
      { expr: 'prometheus_tsdb_retention_limit_bytes{job="prometheus"}', legend: 'retention size limit' },
    ], `Disk used by the TSDB against storage.tsdb.retention.size in prometheus.yml (PVC ${site.prometheus.storageGiB} GiB).`),
    graph(next, 'TSDB and rule failures', 'short', [
      { expr: rate('prometheus_tsdb_compactions_failed_total{job="prometheus"}'), legend: 'compactions failed' },
      { expr: rate('prometheus_tsdb_head_series_not_found_total{job="prometheus"}'), legend: 'series not found' },
      { expr: rate('prometheus_rule_evaluation_failures_total{job="prometheus"}'), legend: 'rule evaluation failures' },
    ], 'Should stay at zero.'),
  ]);
  section('Loki and syslog', () => [
    graph(next, 'Loki ingestion', 'binBps', [{ expr: rate('loki_distributor_bytes_received_total{job="loki"}'), legend: 'bytes/s' }],
      'Log bytes received by the distributor.'),
    graph(next, 'Loki lines received', 'short', [{ expr: rate('loki_distributor_lines_received_total{job="loki"}'), legend: 'lines/s' }],
      'Log lines received per second.'),
    graph(next, 'Loki discarded samples', 'short', [{ expr: rate('loki_discarded_samples_total{job="loki"}', 'reason'), legend: '{{reason}}' }],
      'Lines Loki refused (too old, rate limited, too long...), by reason. Should stay at zero.'),
    graph(next, 'Syslog gateway entries', 'short', [
      { expr: rate('loki_source_syslog_entries_total'), legend: 'entries/s' },
      { expr: rate('loki_source_syslog_parsing_errors_total'), legend: 'parsing errors/s' },
      { expr: rate('loki_source_syslog_empty_messages_total'), legend: 'empty messages/s' },
    ], 'Syslog lines the Alloy gateway accepted, and those it could not parse (wrong RFC for the transport).'),
    // Simple-scalable: every stream is on each of the three write pods, so one pod's count is all of them.
    graph(next, 'Loki in-memory streams', 'short', [{ expr: `${lokiSimpleScalable(site) ? 'max' : 'sum'}(loki_ingester_memory_streams{job="loki"})`, legend: 'streams' }],
      'Active streams; grows with label cardinality.'),
    graph(next, 'Loki request errors', 'short', [{ expr: rate('loki_request_duration_seconds_count{job="loki", status_code=~"5.."}', 'route'), legend: '{{route}}' }],
      'HTTP 5xx answers by route.'),
    syslogLogs(next),
  ]);
  section('Alertmanager', () => [
    graph(next, 'Notifications sent', 'short', [{ expr: rate('alertmanager_notifications_total{job="alertmanager"}', 'integration'), legend: '{{integration}}' }],
      'Notifications attempted per receiver integration.'),
    graph(next, 'Notifications failed', 'short', [{ expr: rate('alertmanager_notifications_failed_total{job="alertmanager"}', 'integration'), legend: '{{integration}}' }],
      'Failed notifications per integration: webhook or SMTP trouble.'),
    graph(next, 'Alerts', 'short', [
      { expr: 'sum by (state) (alertmanager_alerts{job="alertmanager"})', legend: '{{state}}' },
      { expr: rate('prometheus_notifications_dropped_total{job="prometheus"}'), legend: 'dropped by Prometheus/s' },
    ], 'Alerts held by Alertmanager, and alerts Prometheus failed to deliver to it.'),
  ]);

  const builder = new dashboard.DashboardBuilder('Monitoring stack health')
    .uid(STACK_HEALTH_UID)
    .description(`Health of the monitoring stack of site ${site.name}: targets, Prometheus TSDB, Loki ingestion, syslog gateway, Alertmanager notifications.`)
    .tags(['monitoring-stack', GENERATED_TAG])
    .readonly()
    .timezone('browser')
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .links(dashboardLinks([
      { title: 'Logs', uid: DASHBOARD_UIDS.logs },
      { title: 'Hosts', uid: DASHBOARD_UIDS.hosts },
    ]));
  for (const { rowId, title, panels } of sections) {
    // Expanded rows: in Grafana's classic model only collapsed rows hold their panels; an
    // expanded row's panels follow it at the top level.
    builder.withRow(new dashboard.RowBuilder(title).id(rowId).collapsed(false));
    panels.forEach((p) => builder.withPanel(p));
  }
  return builder.build();
}
