/**
 * Loki watching itself (both platforms), after loki-mixin's alerts, and its ruler, which turns
 * Wazuh alerts into Alertmanager alerts. Metric names as Loki 3.7.6 registers them:
 * loki_request_duration_seconds (dskit server, namespace loki), loki_discarded_samples_total
 * (pkg/validation/validate.go), loki_prometheus_rule_evaluation_failures_total
 * (pkg/ruler/base/manager_metrics.go) and loki_prometheus_notifications_errors_total (the
 * Prometheus notifier per tenant, prefixed loki_ in pkg/ruler/base/manager.go).
 */
import type { Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import { LOKI_REQUEST_ERROR_RATIO_WARNING } from '../../common/thresholds';
import type { AlertDefinitionGroup } from './alert';

const JOB = 'job="loki"';

export function lokiRules(site: Site): AlertDefinitionGroup {
  const ns = site.kubernetes.namespace;
  const logs = `\`kubectl -n ${ns} logs loki-0 --tail=200\` (LXC: \`pct exec <ct> -- journalctl -u loki -n 200\`)`;
  const stack = DASHBOARD_UIDS.stackHealth;
  return {
    name: 'loki',
    rules: [
      {
        alert: 'LokiDown', expr: `up{${JOB}} == 0`, for: '5m', severity: 'critical',
        summary: 'Loki on {{ $labels.instance }} is down',
        description: 'Prometheus has not reached Loki for 5 minutes (up = {{ $value }}): syslog and pod logs are buffered or lost, Wazuh alerts stop.',
        dashboard: DASHBOARD_UIDS.logs,
        runbook: {
          meaning: 'Loki does not answer. The syslog gateway and the cluster log collectors retry and then drop lines; the ruler stops, so Wazuh alerts no longer reach Alertmanager.',
          check: ['`kubectl -n ' + ns + ' get pods -l app.kubernetes.io/name=loki` and ' + logs + '.', '`kubectl -n ' + ns + ' exec loki-0 -- df -h /var/lib/loki` (a full volume stops ingestion).'],
          fix: ['A full volume: grow the PVC (site `loki.storageGiB`) or shorten `loki.retention`; a crash after a config change: revert it in Git.'],
        },
      },
      {
        alert: 'LokiRequestErrors',
        expr: `sum by (job, instance, route) (rate(loki_request_duration_seconds_count{${JOB},status_code=~"5.."}[5m])) / sum by (job, instance, route) (rate(loki_request_duration_seconds_count{${JOB}}[5m])) > ${LOKI_REQUEST_ERROR_RATIO_WARNING}`,
        for: '15m', severity: 'warning',
        summary: 'Loki returns errors on {{ $labels.route }}',
        description: '{{ $value | humanizePercentage }} of the requests on {{ $labels.route }} failed with 5xx over 5 minutes.',
        dashboard: stack,
        runbook: {
          meaning: 'More than 5% of Loki\'s requests on a route fail: pushes (log loss) or queries (empty panels).',
          check: ['Grafana Explore (Prometheus): `sum by (route, status_code) (rate(loki_request_duration_seconds_count{job="loki"}[5m]))`.', logs + ': `level=error`.'],
          fix: ['Push errors with "too many outstanding requests" or memory: raise `loki.memoryGiB`; query timeouts: narrow the dashboards\' time range.'],
        },
      },
      {
        alert: 'LokiDiscardedSamples', expr: `sum by (job, instance, reason, tenant) (increase(loki_discarded_samples_total{${JOB}}[5m])) > 0`, for: '15m', severity: 'warning',
        summary: 'Loki discards log lines: {{ $labels.reason }}',
        description: '{{ $value | humanize }} lines of tenant {{ $labels.tenant }} discarded in 5 minutes ({{ $labels.reason }}).',
        dashboard: DASHBOARD_UIDS.logs,
        runbook: {
          meaning: 'Loki refuses lines at ingestion: rate_limited, stream_limited, line_too_long, too_far_behind (old timestamps), greater_than_max_sample_age. Those lines are lost.',
          check: ['The reason label says which limit; LogQL of the source: `sum by (host) (count_over_time({job="syslog"}[5m]))` finds a flooding sender.'],
          fix: ['A flooding sender: fix it at the source; legitimate volume: raise the matching limit in Loki\'s limits_config (charts/loki); old timestamps: fix the sender\'s clock (HostClockSkew).'],
        },
      },
      {
        alert: 'LokiRulerEvaluationFailures', expr: `sum by (job, instance, rule_group) (increase(loki_prometheus_rule_evaluation_failures_total{${JOB}}[5m])) > 0`, for: '10m', severity: 'critical',
        summary: 'Loki\'s ruler fails to evaluate {{ $labels.rule_group }}',
        description: '{{ $value | humanize }} failed evaluations in 5 minutes: the Wazuh alerts of this group cannot fire.',
        dashboard: DASHBOARD_UIDS.security,
        runbook: {
          meaning: 'A LogQL rule of the ruler fails (a query error, a line that breaks the `json` stage, a limit). Security alerts from Wazuh silently stop.',
          check: [logs + ': `rule evaluation failed` names the group and the error.', 'Run the rule\'s query in Grafana Explore (Loki) over the last 5 minutes.'],
          fix: ['Fix the expression in `charts/integrations/wazuh-rules.ts` (loki-check in the tests parses it as the ruler does), synthesize and push.'],
        },
      },
      {
        alert: 'LokiRulerNotificationsFailing', expr: `sum by (job, instance) (rate(loki_prometheus_notifications_errors_total{${JOB}}[5m])) > 0`, for: '15m', severity: 'critical',
        summary: 'Loki\'s ruler cannot send alerts to Alertmanager',
        description: '{{ $value | humanize }} failed sends per second over 5 minutes: Wazuh alerts do not reach anyone.',
        dashboard: DASHBOARD_UIDS.security,
        runbook: {
          meaning: 'The ruler evaluates the Wazuh rules but Alertmanager rejects or does not answer its pushes (basic auth, address).',
          check: [logs + ': `Error sending alert`.'],
          fix: ['Check the ruler\'s alertmanager_url and the Alertmanager password in Loki\'s configuration (charts/loki), as for PrometheusNotificationsFailing.'],
        },
      },
    ],
  };
}
