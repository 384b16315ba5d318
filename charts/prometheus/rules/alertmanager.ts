/**
 * Alertmanager watching itself (both platforms), after alertmanager-mixin's alerts. One replica
 * has gossip off (charts/alertmanager/alertmanager-args.ts), so the mixin's cluster alert comes
 * only with alertmanager.replicas > 1 on Kubernetes (the LXC path runs one container). Metric names as Alertmanager 0.34 registers them (notify/metrics.go,
 * config/coordinator.go, api/metrics/metrics.go).
 */
import { lokiSimpleScalable, type Site } from '../../../site';
import { LOKI_RULER_COMPONENT } from '../../loki/loki-names';
import type { Platform } from '../../topology';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import type { AlertDefinitionGroup } from './alert';

const JOB = 'job="alertmanager"';

export function alertmanagerRules(site: Site, platform: Platform): AlertDefinitionGroup {
  const replicas = platform === 'kubernetes' ? site.alertmanager.replicas : 1;
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
          check: [logs + ' at debug level shows the validation error.', `Loki ruler: ${platform === 'lxc' ? '`pct exec <ct> -- journalctl -u loki | grep -i notify`' : `\`kubectl -n ${ns} logs ${lokiSimpleScalable(site) ? `-l app.kubernetes.io/name=${LOKI_RULER_COMPONENT} --prefix` : 'loki-0'} | grep -i notify\``}.`],
          fix: ['Fix the sending client; for Loki\'s ruler, a template in a rule label (charts/integrations/wazuh-rules.ts) that renders empty.'],
        },
      },
      ...(replicas > 1 ? [{
        // alertmanager-mixin's AlertmanagerMembersInconsistent, against the known replica count.
        alert: 'AlertmanagerClusterMembersMissing', expr: `max_over_time(alertmanager_cluster_members{${JOB}}[5m]) < ${replicas}`, for: '15m', severity: 'warning' as const,
        summary: 'Alertmanager {{ $labels.instance }} sees fewer cluster members than replicas',
        description: `{{ $labels.instance }} sees {{ $value }} of ${replicas} members: silences and notification state are not shared with the missing ones.`, dashboard,
        runbook: {
          meaning: `An Alertmanager pod gossips with fewer than the ${replicas} replicas (port 9094 TCP and UDP): a pod is down or its host is, or the peers cannot reach each other. Alerts still go out (every Prometheus sends to each pod), but a silence made on one side is not seen by the other, and both sides may notify.`,
          check: [
            `\`kubectl -n ${ns} get pods -l app.kubernetes.io/name=alertmanager -o wide\`: which pod is missing and on which node.`,
            `${logs}: \`memberlist\` lines naming the peer that fails.`,
            `The headless Service lists every pod, ready or not: \`kubectl -n ${ns} get endpointslices -l kubernetes.io/service-name=alertmanager\`; the NetworkPolicy \`alertmanager\` admits 9094 from Alertmanager pods.`,
          ],
          fix: ['Bring the missing pod (or its Talos node) back; a pod whose host is lost stays Pending until the host returns (its volume and node affinity hold it there), and the others go on meanwhile.'],
        },
      }] : []),
    ],
  };
}
