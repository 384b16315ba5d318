/**
 * Alertmanager watching itself (both platforms), after alertmanager-mixin's alerts. One replica
 * with gossip off (charts/alertmanager/alertmanager-args.ts), so the mixin's cluster alerts have
 * nothing to watch. Metric names as Alertmanager 0.34 registers them (notify/metrics.go,
 * config/coordinator.go, api/metrics/metrics.go).
 */
import type { Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import type { AlertDefinitionGroup } from './alert';

const JOB = 'job="alertmanager"';

export function alertmanagerRules(site: Site): AlertDefinitionGroup {
  const ns = site.kubernetes.namespace;
  const logs = `\`kubectl -n ${ns} logs alertmanager-0 --tail=200\` (LXC: \`pct exec <ct> -- journalctl -u alertmanager -n 200\`)`;
  const dashboard = DASHBOARD_UIDS.stackHealth;
  return {
    name: 'alertmanager',
    rules: [
      {
        alert: 'AlertmanagerNotificationsFailing', expr: `rate(alertmanager_notifications_failed_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'critical',
        summary: 'Alertmanager fails to notify {{ $labels.integration }}',
        description: '{{ $value | humanize }} failed notifications per second to {{ $labels.integration }} ({{ $labels.reason }}) over 5 minutes.', dashboard,
        runbook: {
          meaning: 'Notifications to a receiver fail: its URL, SMTP server or credentials are wrong, or it is down. Alerts routed only there reach nobody.',
          check: [logs + ': `Notify for alerts failed` names the receiver and the error.', 'The receiver\'s Secret (webhook `urlSecret`, SMTP `authPasswordSecret`): `kubectl -n ' + ns + ' get secret <name>`.'],
          fix: ['Fix the receiver in the site file or its Secret, synthesize and push; `amtool config routes test` shows who gets what.'],
        },
      },
      {
        alert: 'AlertmanagerConfigReloadFailed', expr: `max_over_time(alertmanager_config_last_reload_successful{${JOB}}[5m]) == 0`, for: '10m', severity: 'warning',
        summary: 'Alertmanager could not load its new configuration',
        description: 'The last reload failed (last_reload_successful = {{ $value }}); Alertmanager keeps routing with the previous configuration.', dashboard,
        runbook: {
          meaning: 'A changed alertmanager.yml was rejected (a missing file such as a Secret mount, a syntax error). Routing stays as it was.',
          check: [logs + ': `Loading configuration file failed`.', 'Locally: `amtool check-config dist/lxc/alertmanager/etc/alertmanager/alertmanager.yml`.'],
          fix: ['Create the Secret the config names (a receiver\'s urlSecret or authPasswordSecret), or fix the site and synthesize again.'],
        },
      },
      {
        alert: 'AlertmanagerInvalidAlerts', expr: `increase(alertmanager_alerts_invalid_total{${JOB}}[5m]) > 0`, for: '15m', severity: 'warning',
        summary: 'Alertmanager rejects alerts as invalid',
        description: '{{ $value | humanize }} alerts rejected in 5 minutes: a sender posts alerts Alertmanager cannot accept.', dashboard,
        runbook: {
          meaning: 'Alerts posted to the API fail validation (an empty label name, an end before the start). Prometheus never does this: another client (Loki\'s ruler, a script) does.',
          check: [logs + ' at debug level shows the validation error.', 'Loki ruler: `kubectl -n ' + ns + ' logs loki-0 | grep -i notify`.'],
          fix: ['Fix the sending client; for Loki\'s ruler, a template in a rule label (charts/integrations/wazuh-rules.ts) that renders empty.'],
        },
      },
    ],
  };
}
