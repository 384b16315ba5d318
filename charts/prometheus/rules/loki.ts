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
import { lokiSimpleScalable } from '../../../site';
import type { Platform } from '../../topology';
import { LOKI_RING_LABEL } from '../../loki/loki-names';
import { LOKI_COMPONENT_LABEL } from '../prometheus-config';
import type { AlertDefinition, AlertDefinitionGroup } from './alert';

const JOB = 'job="loki"';

export function lokiRules(site: Site, platform: Platform): AlertDefinitionGroup {
  const ns = site.kubernetes.namespace;
  const scalable = platform === 'kubernetes' && lokiSimpleScalable(site);
  const logs = scalable
    ? `\`kubectl -n ${ns} logs -l ${LOKI_RING_LABEL}=member --prefix --tail=50\``
    : `\`kubectl -n ${ns} logs loki-0 --tail=200\` (LXC: \`pct exec <ct> -- journalctl -u loki -n 200\`)`;
  const stack = DASHBOARD_UIDS.stackHealth;
  return {
    name: 'loki',
    rules: [
      ...(scalable ? lokiScalableDownRules(ns) : [{
        alert: 'LokiDown', expr: `up{${JOB}} == 0`, for: '5m', severity: 'critical' as const,
        summary: 'Loki on {{ $labels.instance }} is down',
        description: 'Prometheus has not reached Loki for 5 minutes (up = {{ $value }}): syslog and pod logs are buffered or lost, Wazuh alerts stop.',
        dashboard: DASHBOARD_UIDS.logs,
        runbook: {
          meaning: 'Loki does not answer. The syslog gateway and the cluster log collectors retry and then drop lines; the ruler stops, so Wazuh alerts no longer reach Alertmanager.',
          check: ['`kubectl -n ' + ns + ' get pods -l app.kubernetes.io/name=loki` and ' + logs + '.', '`kubectl -n ' + ns + ' exec loki-0 -- df -h /var/lib/loki` (a full volume stops ingestion).'],
          fix: ['A full volume: grow the PVC (site `loki.storageGiB`) or shorten `loki.retention`; a crash after a config change: revert it in Git.'],
        },
      } satisfies AlertDefinition]),
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

/**
 * Simple-scalable Loki (loki.mode): each target has several pods, scraped one by one with the
 * target as label `component`. Loki is down for a target when none of its pods answers, and for
 * writes already when fewer than two of the three do: every push needs two of its three copies
 * (replication factor 3). One pod down is a warning of its own.
 */
function lokiScalableDownRules(ns: string): AlertDefinition[] {
  const check = [`\`kubectl -n ${ns} get pods -l ${LOKI_RING_LABEL}=member -o wide\` (which pod, which node) and \`kubectl -n ${ns} logs <pod> -c loki --tail=200\`.`];
  const write = `${LOKI_COMPONENT_LABEL}="loki-write"`;
  return [
    {
      alert: 'LokiDown',
      expr: `sum by (job, ${LOKI_COMPONENT_LABEL}) (up{${JOB},${LOKI_COMPONENT_LABEL}!="loki-write"}) < 1 or sum by (job, ${LOKI_COMPONENT_LABEL}) (up{${JOB},${write}}) < 2`,
      for: '5m', severity: 'critical',
      summary: 'Loki {{ $labels.component }} has too few pods up',
      description: 'Only {{ $value }} pods of {{ $labels.component }} answer Prometheus: with loki-write below two of three, pushes fail (syslog and pod logs are buffered, then lost); with no loki-read, queries fail; with no loki-backend, queries, retention and the ruler (Wazuh alerts) stop.',
      dashboard: DASHBOARD_UIDS.logs,
      runbook: {
        meaning: 'A Loki target lost its quorum: every push needs two of its three write copies, every query a reader and a backend (query scheduler, index gateway).',
        check,
        fix: ['Bring the lost nodes or hosts back (each pod is pinned to its failure domain and waits for it); a crash loop after a config change: revert it in Git; S3 errors (`level=error` naming the bucket): check the endpoint and the credentials Secret of `loki.objectStorage`.'],
      },
    },
    {
      alert: 'LokiReplicaDown', expr: `up{${JOB}} == 0`, for: '15m', severity: 'warning',
      summary: 'Loki pod {{ $labels.instance }} ({{ $labels.component }}) is down',
      description: 'Prometheus has not reached Loki pod {{ $labels.instance }} for 15 minutes (up = {{ $value }}); the other pods of {{ $labels.component }} serve, one more loss may stop it.',
      dashboard: DASHBOARD_UIDS.stackHealth,
      runbook: {
        meaning: 'One Loki pod does not answer: its node or host is down, or it crash-loops. Logs are still written three times over (two copies suffice) and queries still answered.',
        check,
        fix: ['Bring the node back (a pod pinned to a lost host waits for it); a crash loop: as for LokiDown.'],
      },
    },
  ];
}
