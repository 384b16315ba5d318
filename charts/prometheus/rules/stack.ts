/** The alerting pipeline itself, every scrape target, and Grafana (both platforms). */
import { lokiSimpleScalable, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import type { Platform } from '../../topology';
import type { AlertDefinition, AlertDefinitionGroup } from './alert';

/**
 * Jobs whose targets have their own "down" warning, with the consequence spelled out: TargetDown
 * leaves them out so one broken thing raises one alert. The critical ones (LokiDown,
 * ProxmoxExporterDown, UptimeKumaScrapeFailing) need no entry: they mute TargetDown, a warning
 * about the same job and instance, in Alertmanager.
 */
export const JOBS_WITH_OWN_DOWN_ALERT = ['grafana', 'kubernetes-nodes', 'kubernetes-cadvisor', 'etcd'] as const;

/**
 * JOBS_WITH_OWN_DOWN_ALERT and, with simple-scalable Loki on Kubernetes, loki: its pods have
 * LokiReplicaDown, and its critical LokiDown is per target (no instance), so it cannot mute TargetDown.
 */
export function ownDownJobs(site: Site, platform: Platform): string[] {
  return [...JOBS_WITH_OWN_DOWN_ALERT, ...(platform === 'kubernetes' && lokiSimpleScalable(site) ? ['loki'] : [])];
}

export function stackRules(site: Site, platform: Platform): AlertDefinitionGroup {
  const ns = site.kubernetes.namespace;
  // The LXC path runs one Grafana container whatever grafana.replicas says.
  const grafanaPods = platform === 'kubernetes' ? site.grafana.replicas : 1;
  return {
    name: 'stack',
    rules: [
      {
        // Always firing: proves the alert pipeline end to end (routed to the dead man's switch).
        alert: 'Watchdog', expr: 'vector(1)', for: '0m', severity: 'info',
        summary: 'Alerting pipeline is alive',
        description: 'Always firing (value {{ $value }}); Alertmanager pings the dead man\'s switch (alertmanager.heartbeat) with it. If the pings stop, Prometheus or Alertmanager is down.',
        dashboard: DASHBOARD_UIDS.stackHealth,
        runbook: {
          meaning: 'Fires all the time on purpose. Alertmanager sends it to the dead man\'s switch (site `alertmanager.heartbeat`) once per interval; the switch alarms when the pings stop, which is the one way to learn that Prometheus or Alertmanager itself is down.',
          check: ['It must be listed as firing on the Alertmanager UI (`/#/alerts`).', 'If the dead man\'s switch alarmed: `kubectl -n ' + ns + ' get pods` (LXC: `pct exec <ct> -- systemctl status prometheus alertmanager`).'],
          fix: ['Never silence it. Restart whatever of Prometheus and Alertmanager is not running; check the heartbeat URL Secret if both run.'],
        },
      },
      {
        alert: 'TargetDown', expr: `up{job!~"${ownDownJobs(site, platform).join('|')}"} == 0`, for: '5m', severity: 'warning',
        summary: 'Target {{ $labels.instance }} of job {{ $labels.job }} is down',
        description: 'Prometheus could not scrape {{ $labels.instance }} for 5 minutes (up = {{ $value }}).',
        dashboard: DASHBOARD_UIDS.stackHealth,
        runbook: {
          meaning: 'Prometheus cannot scrape a target: the exporter or the host is down, or a firewall or credentials block the scrape. Metrics of that target are missing, so its other alerts cannot fire.',
          check: ['Prometheus UI → Status → Targets shows the scrape error of the alert\'s `instance`.', 'From the Prometheus pod: `kubectl -n ' + ns + ' exec prometheus-0 -- wget -qO- http://<instance>/metrics | head`.', 'A guest: `pct exec <vmid> -- systemctl status prometheus-node-exporter` on the Proxmox host.'],
          fix: ['Start the exporter (`systemctl enable --now prometheus-node-exporter` in the guest) or the host; open port 9100 from the monitoring network if the scrape times out.'],
        },
      },
      ...(grafanaPods > 1 ? grafanaReplicaRules(site, grafanaPods) : [{
        alert: 'GrafanaDown', expr: 'up{job="grafana"} == 0', for: '10m', severity: 'warning' as const,
        summary: 'Grafana on {{ $labels.instance }} is down',
        description: 'Prometheus has not reached Grafana for 10 minutes (up = {{ $value }}). Alerts still flow; dashboards are unavailable.',
        dashboard: DASHBOARD_UIDS.stackHealth,
        runbook: {
          meaning: 'Grafana does not answer its /metrics. Alerting does not depend on it (Prometheus and Alertmanager do that); dashboards and log search are unavailable.',
          check: ['`kubectl -n ' + ns + ' get pods -l app.kubernetes.io/name=grafana` and `kubectl -n ' + ns + ' logs -l app.kubernetes.io/name=grafana --tail=100` (LXC: `pct exec <ct> -- journalctl -u grafana-server -n 100`).'],
          fix: ['A crash loop after an upgrade is usually a plugin or a provisioning file: roll back the image tag in Git; a full volume: grow the PVC.'],
        },
      }]),
    ],
  };
}

/**
 * Several Grafana pods (grafana.replicas, Kubernetes): Grafana is down only when none answers; a
 * pod down (its host lost, a crash loop) is a warning of its own. The scrape lists every pod of
 * the Service, ready or not, so a dead pod shows as up 0 rather than vanishing.
 */
function grafanaReplicaRules(site: Site, pods: number): AlertDefinition[] {
  const ns = site.kubernetes.namespace;
  const check = ['`kubectl -n ' + ns + ' get pods -l app.kubernetes.io/name=grafana -o wide` (which pod, which node) and `kubectl -n ' + ns + ' logs -l app.kubernetes.io/name=grafana --tail=100`.'];
  return [
    {
      alert: 'GrafanaDown', expr: '(sum(up{job="grafana"}) or vector(0)) < 1', for: '10m', severity: 'warning',
      summary: 'No Grafana pod answers',
      description: `None of the ${pods} Grafana pods has answered Prometheus for 10 minutes (pods up: {{ $value }}). Alerts still flow; dashboards are unavailable.`,
      dashboard: DASHBOARD_UIDS.stackHealth,
      runbook: {
        meaning: 'Every Grafana pod fails its /metrics. Alerting does not depend on Grafana; dashboards and log search are unavailable.',
        check,
        fix: ['A crash loop after an upgrade is usually a plugin or a provisioning file: roll back the image tag in Git.'],
      },
    },
    {
      alert: 'GrafanaReplicaDown', expr: 'up{job="grafana"} == 0', for: '15m', severity: 'warning',
      summary: 'Grafana pod {{ $labels.instance }} is down',
      description: `Prometheus has not reached Grafana pod {{ $labels.instance }} for 15 minutes (up = {{ $value }}); the other of the ${pods} serves.`,
      dashboard: DASHBOARD_UIDS.stackHealth,
      runbook: {
        meaning: 'One Grafana pod does not answer: its node or host is down, or it crash-loops. The LoadBalancer sends users to a ready pod; UI-made changes on the lost pod\'s database are gone (grafana.storage ephemeral).',
        check,
        fix: ['Bring the node back (a pod pinned to a lost host waits for it); a crash loop: as for GrafanaDown.'],
      },
    },
  ];
}
