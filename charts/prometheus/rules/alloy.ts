/**
 * Grafana Alloy: the syslog gateway and the cluster log collectors (Kubernetes only: their pods
 * are scraped by the kubernetes-pods job; the LXC path does not scrape its Alloy). Metric names
 * as Alloy v1.18.1 registers them: alloy_component_controller_running_components{health_type}
 * (internal/runtime/internal/controller/metrics.go), loki_write_dropped_entries_total
 * (internal/component/common/loki/client/metrics.go), loki_source_syslog_parsing_errors_total
 * (internal/component/loki/source/syslog/internal/syslogtarget/metrics.go).
 */
import type { Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import type { AlertDefinition } from './alert';

const JOB = 'job="kubernetes-pods"';

export function alloyRules(site: Site): AlertDefinition[] {
  const ns = site.kubernetes.namespace;
  const logs = `\`kubectl -n ${ns} logs <pod> --tail=100\``;
  const ui = `Alloy's UI shows each component's health: \`kubectl -n ${ns} port-forward <pod> 12345\`, then http://localhost:12345.`;
  return [
    {
      alert: 'AlloyComponentUnhealthy', expr: `sum by (job, instance, namespace, pod) (alloy_component_controller_running_components{${JOB},health_type!="healthy"}) > 0`, for: '15m', severity: 'warning',
      summary: 'Alloy in {{ $labels.pod }} runs unhealthy components',
      description: '{{ $value }} components are not healthy for 15 minutes: that part of the log pipeline does not work.',
      dashboard: DASHBOARD_UIDS.logs,
      runbook: {
        meaning: 'A component of an Alloy pipeline (a syslog listener, a Kubernetes log source, loki.write) reports itself unhealthy or exited: lines it handles are not collected.',
        check: [ui, logs + ': `level=error` names the component.'],
        fix: ['Usually a configuration the component rejects at run time (a port in use, missing RBAC for the Kubernetes API): fix the generator (charts/syslog, charts/logs), synthesize, push.'],
      },
    },
    {
      alert: 'AlloySyslogParsingErrors', expr: `sum by (job, instance, namespace, pod) (increase(loki_source_syslog_parsing_errors_total{${JOB}}[10m])) > 0`, for: '30m', severity: 'warning',
      summary: 'The syslog gateway {{ $labels.pod }} cannot parse what a sender sends',
      description: '{{ $value | humanize }} messages in 10 minutes could not be parsed and were dropped.',
      dashboard: DASHBOARD_UIDS.logs,
      runbook: {
        meaning: 'A sender sends syslog the gateway cannot parse (not RFC 3164/5424, wrong framing on TCP); those messages never reach Loki.',
        check: [logs + ' of the syslog gateway: the parse error and the peer address.', 'LogQL: `sum by (host) (count_over_time({job="syslog"}[1h]))` shows which senders still arrive.'],
        fix: ['Configure the sender for RFC 5424 (rsyslog: `template="RSYSLOG_SyslogProtocol23Format"`) or octet-counted framing on TCP.'],
      },
    },
    {
      alert: 'AlloyLokiWriteDropping', expr: `sum by (job, instance, namespace, pod, reason) (increase(loki_write_dropped_entries_total{${JOB}}[10m])) > 0`, for: '0m', severity: 'warning',
      summary: 'Alloy in {{ $labels.pod }} drops log lines bound for Loki ({{ $labels.reason }})',
      description: '{{ $value | humanize }} entries dropped in 10 minutes after all retries: they are lost.',
      dashboard: DASHBOARD_UIDS.logs,
      runbook: {
        meaning: 'loki.write gave up on entries: Loki rejected them (rate or stream limits, line too long, too old) or was unreachable for all retries.',
        check: ['The reason label; LokiDiscardedSamples and LokiDown fire for the Loki side.', logs + ': `final error sending batch`.'],
        fix: ['Loki down: see LokiDown; limits: raise them in Loki\'s limits_config or tame the noisy source; too old: fix the sender\'s clock.'],
      },
    },
  ];
}
