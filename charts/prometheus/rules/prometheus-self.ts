/**
 * Prometheus watching itself (both platforms). Following prometheus-mixin's alerts
 * (prometheus/prometheus documentation/prometheus-mixin), written for the one `prometheus` job.
 * Metric names as Prometheus 3.14 registers them (cmd/prometheus/main.go, rules/group.go,
 * notifier/metric.go, tsdb/db.go, tsdb/head.go, scrape/metrics.go).
 */
import type { Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import type { Platform } from '../../topology';
import type { AlertDefinition, AlertDefinitionGroup } from './alert';

const JOB = 'job="prometheus"';

export function prometheusSelfRules(site: Site, platform: Platform): AlertDefinitionGroup {
  const ns = site.kubernetes.namespace;
  // Alertmanager pods every alert goes to (the LXC path runs one container).
  const alertmanagers = platform === 'kubernetes' ? site.alertmanager.replicas : 1;
  const logs = `\`kubectl -n ${ns} logs prometheus-0 --tail=200\` (LXC: \`pct exec <ct> -- journalctl -u prometheus -n 200\`)`;
  const dashboard = DASHBOARD_UIDS.stackHealth;
  const rules: AlertDefinition[] = [
    {
      alert: 'PrometheusRuleEvaluationFailures', expr: `increase(prometheus_rule_evaluation_failures_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'critical',
      summary: 'Prometheus fails to evaluate rules of group {{ $labels.rule_group }}',
      description: '{{ $value | humanize }} rule evaluation failures in 5 minutes: alerts of that group cannot fire.', dashboard,
      runbook: {
        meaning: 'A rule of the group fails on every evaluation (a query error, too many series, a conflict of labels in a join). Its alert can no longer fire, silently.',
        check: ['Prometheus UI → Alerts (or Status → Rule health) shows the rule with its last error.', logs + ': lines with `Evaluating rule failed`.'],
        fix: ['Fix the expression in `charts/prometheus/rules/`, add a promtool case for it, synthesize and push; the pod reloads the ConfigMap.'],
      },
    },
    ...(alertmanagers > 1 ? [{
      // prometheus-mixin's split: one Alertmanager of several failing still delivers every alert.
      alert: 'PrometheusNotificationsFailingSome', expr: `rate(prometheus_notifications_errors_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'warning' as const,
      summary: 'Prometheus cannot send alerts to Alertmanager {{ $labels.alertmanager }}',
      description: `{{ $value | humanize }} failed sends per second over 5 minutes to one of the ${alertmanagers} Alertmanagers; the others still get every alert.`, dashboard,
      runbook: {
        meaning: 'One Alertmanager pod does not take Prometheus\' alerts (down, its host lost, or a wrong password). Alerts still reach the others, which notify; silences made on it are not shared until it is back.',
        check: [`\`kubectl -n ${ns} get pods -l app.kubernetes.io/name=alertmanager -o wide\`: which pod, on which node.`, logs + ': `Error sending alert` names the Alertmanager and the HTTP status.'],
        fix: ['Bring the pod (or its node) back; on a 401, as for PrometheusNotificationsFailing.'],
      },
    }] : []),
    {
      alert: 'PrometheusNotificationsFailing', expr: alertmanagers > 1
        // Every Alertmanager failing at once: only then does an alert reach nobody.
        ? `min without (alertmanager) (rate(prometheus_notifications_errors_total{${JOB}}[5m])) > 0`
        : `rate(prometheus_notifications_errors_total{${JOB}}[5m]) > 0`,
      for: '15m', severity: 'critical',
      summary: alertmanagers > 1 ? 'Prometheus cannot send alerts to any Alertmanager' : 'Prometheus cannot send alerts to Alertmanager {{ $labels.alertmanager }}',
      description: alertmanagers > 1
        ? `At least {{ $value | humanize }} failed sends per second over 5 minutes to each of the ${alertmanagers} Alertmanagers: firing alerts do not reach anyone.`
        : '{{ $value | humanize }} failed sends per second over 5 minutes: firing alerts do not reach anyone.', dashboard,
      runbook: {
        meaning: 'Prometheus gets errors pushing alerts to Alertmanager: it is down, or rejects Prometheus\' basic-auth password. While it lasts nobody is notified (this alert included, unless the heartbeat stops).',
        check: ['Prometheus UI → Status → Runtime & Build information lists the Alertmanager.', logs + ': `Error sending alert` with the HTTP status (401: password).'],
        fix: [`Start Alertmanager; on a 401 the password file of the ${site.alertmanager.webAuthSecret} Secret and Alertmanager's web.yml disagree: re-create the Secret with \`node build/run.cjs synth\` and restart both.`],
      },
    },
    {
      alert: 'PrometheusNotConnectedToAlertmanagers', expr: `max_over_time(prometheus_notifications_alertmanagers_discovered{${JOB}}[5m]) < 1`, for: '10m', severity: 'critical',
      summary: 'Prometheus knows no Alertmanager',
      description: 'Prometheus has discovered {{ $value }} Alertmanagers for 10 minutes: alerts are evaluated but sent nowhere.', dashboard,
      runbook: {
        meaning: 'The alerting section of prometheus.yml yields no Alertmanager. Rules are evaluated and shown in the Prometheus UI only.',
        check: ['Prometheus UI → Status → Configuration → `alerting`; Status → Runtime information → Alertmanagers.'],
        fix: ['A wrong address in the synthesized prometheus.yml or a DNS failure of the Service: check `kubectl -n ' + ns + ' get svc alertmanager`, synthesize again and reload.'],
      },
    },
    {
      // prometheus-mixin's PrometheusNotificationQueueRunningFull: the 30-minute trend crosses the capacity.
      alert: 'PrometheusNotificationQueueRunningFull',
      expr: `predict_linear(prometheus_notifications_queue_length{${JOB}}[5m], 60 * 30) > on (job, instance) group_left min_over_time(prometheus_notifications_queue_capacity{${JOB}}[5m])`,
      for: '15m', severity: 'warning',
      summary: 'The alert queue of Prometheus is filling up',
      description: 'The queue towards {{ $labels.alertmanager }} is predicted at {{ $value | humanize }} alerts in 30 minutes, beyond its capacity: alerts will be dropped.', dashboard,
      runbook: {
        meaning: 'Alerts are produced faster than Alertmanager takes them: Alertmanager is slow or a rule fires for very many series.',
        check: ['Grafana Explore: `prometheus_notifications_queue_length` and `ALERTS` by alertname: which rule floods.'],
        fix: ['Make the flooding rule aggregate (`sum by (…)`) or fix what it reports; give Alertmanager more CPU if it is the bottleneck.'],
      },
    },
    {
      alert: 'PrometheusConfigReloadFailed', expr: `max_over_time(prometheus_config_last_reload_successful{${JOB}}[5m]) == 0`, for: '10m', severity: 'warning',
      summary: 'Prometheus could not load its new configuration',
      description: 'The last reload failed (last_reload_successful = {{ $value }}); Prometheus keeps running on the previous configuration.', dashboard,
      runbook: {
        meaning: 'A changed prometheus.yml or rule file was rejected: the old configuration keeps running, the change is not live.',
        check: [logs + ': `Error reloading config`.', 'Locally: `promtool check config dist/…/prometheus.yml` (the test suite does the same).'],
        fix: ['Fix the generator, synthesize, push; never edit the ConfigMap by hand (Argo CD / Flux reverts it).'],
      },
    },
    {
      alert: 'PrometheusTsdbCompactionsFailing', expr: `increase(prometheus_tsdb_compactions_failed_total{${JOB}}[3h]) > 0`, for: '0m', severity: 'warning',
      summary: 'Prometheus TSDB compactions are failing',
      description: '{{ $value | humanize }} failed compactions in 3 hours: the head grows and queries slow down.', dashboard,
      runbook: {
        meaning: 'Blocks cannot be compacted: usually a full volume, sometimes a corrupt block.',
        check: ['`kubectl -n ' + ns + ' exec prometheus-0 -- df -h /prometheus`', logs + ': `compaction failed`.'],
        fix: ['Grow the PVC (site `prometheus.storageGiB`) or lower `prometheus.retention`; a corrupt block named in the log can be moved out of the data directory.'],
      },
    },
    {
      alert: 'PrometheusTsdbReloadsFailing', expr: `increase(prometheus_tsdb_reloads_failures_total{${JOB}}[3h]) > 0`, for: '0m', severity: 'warning',
      summary: 'Prometheus cannot reload its TSDB blocks',
      description: '{{ $value | humanize }} block reload failures in 3 hours: new blocks are not queryable, old ones are not deleted.', dashboard,
      runbook: {
        meaning: 'Prometheus failed to open the blocks on disk after a compaction: a corrupt or half-written block.',
        check: [logs + ': `reloadBlocks` errors naming the block directory.'],
        fix: ['Move the named block out of /prometheus (`kubectl exec` into the pod), then restart the pod.'],
      },
    },
    {
      alert: 'PrometheusTsdbWalCorruptions', expr: `increase(prometheus_tsdb_wal_corruptions_total{${JOB}}[3h]) > 0`, for: '0m', severity: 'warning',
      summary: 'Prometheus found its write-ahead log corrupted',
      description: '{{ $value | humanize }} WAL corruptions in 3 hours: the samples after the corruption were lost.', dashboard,
      runbook: {
        meaning: 'At start-up or during replay the WAL was corrupt (a crash during a write, a full disk). Prometheus repaired it by dropping the rest of the segment.',
        check: [logs + ': `WAL corruption` / `repair`.', 'Node and volume: `talosctl -n <node> dmesg | tail` for I/O errors.'],
        fix: ['Nothing to do for the lost minutes; find why the pod crashed (OOM: raise `prometheus.memoryGiB`; disk: grow the PVC).'],
      },
    },
    {
      alert: 'PrometheusTsdbHeadTruncationsFailing', expr: `increase(prometheus_tsdb_head_truncations_failed_total{${JOB}}[3h]) > 0`, for: '0m', severity: 'warning',
      summary: 'Prometheus cannot truncate its in-memory head',
      description: '{{ $value | humanize }} failed head truncations in 3 hours: memory use keeps growing.', dashboard,
      runbook: {
        meaning: 'The head block (recent samples in memory) cannot be cut after a compaction; memory grows until the pod is OOM-killed.',
        check: [logs + ': `head truncation failed`.'],
        fix: ['Usually follows failing compactions (see PrometheusTsdbCompactionsFailing); restart the pod once the volume has space.'],
      },
    },
    {
      alert: 'PrometheusTargetLimitHit', expr: `increase(prometheus_target_scrape_pool_exceeded_target_limit_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'warning',
      summary: 'A scrape job has more targets than its target_limit',
      description: '{{ $value | humanize }} times in 5 minutes a scrape pool exceeded its target limit: all its targets are dropped.', dashboard,
      runbook: {
        meaning: 'A job with `target_limit` discovered more targets than allowed and Prometheus scrapes none of them.',
        check: ['Prometheus UI → Status → Targets: the job shows no targets; the log names the pool.'],
        fix: ['Narrow the discovery (relabel keep) or raise the limit in `charts/prometheus/prometheus-config.ts`.'],
      },
    },
    {
      alert: 'PrometheusScrapeSampleLimitHit', expr: `increase(prometheus_target_scrapes_exceeded_sample_limit_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'warning',
      summary: 'Scrapes are rejected for exceeding their sample_limit',
      description: '{{ $value | humanize }} scrapes in 5 minutes returned more samples than their sample_limit: those targets have no data.', dashboard,
      runbook: {
        meaning: 'A target exposes more series than its job\'s `sample_limit`; the whole scrape is discarded (up = 0 for it).',
        check: ['Prometheus UI → Status → Targets: the error `sample limit exceeded` names the target.', 'Grafana Explore: `scrape_samples_scraped` by instance.'],
        fix: ['Drop unneeded series with `metric_relabel_configs` or raise the limit, in `charts/prometheus/prometheus-config.ts`.'],
      },
    },
    {
      alert: 'PrometheusRuleGroupIterationsMissed', expr: `increase(prometheus_rule_group_iterations_missed_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'warning',
      summary: 'Rule group {{ $labels.rule_group }} misses evaluations',
      description: '{{ $value | humanize }} evaluations missed in 5 minutes: the group takes longer than its interval.', dashboard,
      runbook: {
        meaning: 'Evaluating the group takes longer than the evaluation interval, so some evaluations are skipped and alerts fire late.',
        check: ['Prometheus UI → Rules: the group\'s evaluation time; Grafana Explore: `prometheus_rule_group_last_duration_seconds`.'],
        fix: ['Make the slow expression cheaper (shorter ranges, fewer series), or give Prometheus more CPU (site `prometheus.cpu`).'],
      },
    },
  ];
  return { name: 'prometheus', rules };
}
