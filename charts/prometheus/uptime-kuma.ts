/**
 * UptimeKuma's own metrics (site.integrations.uptimeKuma): Prometheus scrapes /metrics of every
 * UptimeKuma guest and alerts on its monitors, so Alertmanager pages for what UptimeKuma watches.
 *
 * What UptimeKuma 2.5.3 does on /metrics (server/server.js, server/auth.js, server/prometheus.js):
 * the route sits behind `apiAuth`, HTTP basic auth; once an API key exists (Settings > API Keys)
 * the password must be an API key and the username is ignored, and every API-key request takes
 * a token from a shared limiter of 60 per minute. A stopped (paused) monitor's series are removed,
 * so only active monitors can fire.
 */
import { CERT_EXPIRY_WARNING_DAYS } from '../common/thresholds';
import type { Site } from '../../site';
import { uptimeKumaInstances } from '../../site/derived';
import type { ScrapeConfig } from './config-model';
import { DASHBOARD_UIDS } from '../grafana/dashboards/catalog';
import type { AlertDefinitionGroup } from './rules/alert';

export const UPTIME_KUMA_JOB = 'uptime-kuma';
/** Key of the operator's Secret (site.integrations.uptimeKuma.apiKeySecret) holding the API key. */
export const UPTIME_KUMA_API_KEY = 'api-key';
/** Where the API key is mounted on Kubernetes and placed by the operator on LXC (same path on both). */
export const UPTIME_KUMA_API_KEY_DIR = '/etc/prometheus/uptime-kuma';
export const UPTIME_KUMA_API_KEY_FILE = `${UPTIME_KUMA_API_KEY_DIR}/${UPTIME_KUMA_API_KEY}`;

/** monitor_status values (server/prometheus.js): 1 UP, 0 DOWN, 2 PENDING, 3 MAINTENANCE. */
const MONITOR_DOWN = 0;

/** The scrape job; none when the integration is off or no UptimeKuma guest has an address. */
export function uptimeKumaScrapeJobs(site: Site): ScrapeConfig[] {
  const instances = uptimeKumaInstances(site);
  if (instances.length === 0) return [];
  const { port } = site.integrations.uptimeKuma;
  return [{
    job_name: UPTIME_KUMA_JOB,
    scheme: 'http',
    metrics_path: '/metrics',
    // The username is ignored once API keys are enabled; the password is the key (uk<id>_<key>).
    basic_auth: { username: '', password_file: UPTIME_KUMA_API_KEY_FILE },
    static_configs: instances.map((g) => ({ targets: [`${g.address}:${port}`], labels: { name: g.name } })),
  }];
}

/** The rule group; none when nothing is scraped (no rule waits for series that never come). */
export function uptimeKumaRuleGroups(site: Site): AlertDefinitionGroup[] {
  if (uptimeKumaInstances(site).length === 0) return [];
  const job = `job="${UPTIME_KUMA_JOB}"`;
  const dashboard = DASHBOARD_UIDS.probes;
  const ui = 'UptimeKuma\'s UI (http://<guest>:' + site.integrations.uptimeKuma.port + '/) shows the monitor\'s history and last error.';
  return [{
    name: 'uptime-kuma',
    rules: [
      {
        // UptimeKuma reports DOWN only after its own retries; the wait only rides out a flapping check.
        alert: 'UptimeKumaMonitorDown', expr: `monitor_status{${job}} == ${MONITOR_DOWN}`, for: '5m', severity: 'critical',
        summary: 'UptimeKuma monitor {{ $labels.monitor_name }} is down',
        description: 'UptimeKuma on {{ $labels.name }} has reported its {{ $labels.monitor_type }} monitor {{ $labels.monitor_name }} DOWN for 5 minutes (status {{ $value }}).',
        dashboard,
        runbook: {
          meaning: 'A service UptimeKuma watches is down after UptimeKuma\'s own retries. Paused monitors have no series and never fire.',
          check: [ui, 'From the UptimeKuma guest: `pct exec <vmid> -- curl -sv <monitor url>`.'],
          fix: ['Bring the watched service back; a monitor that is obsolete: pause or delete it in UptimeKuma.'],
        },
      },
      {
        // Critical: while it lasts, no UptimeKuma monitor reaches Alertmanager. TargetDown leaves this job to it.
        alert: 'UptimeKumaScrapeFailing', expr: `up{${job}} == 0`, for: '5m', severity: 'critical',
        summary: 'Prometheus cannot read UptimeKuma on {{ $labels.name }}',
        description: `Its monitors are not watched by Alertmanager meanwhile (up = {{ $value }}). Check that UptimeKuma runs on {{ $labels.instance }} and that the API key in Secret ${site.integrations.uptimeKuma.apiKeySecret} (key ${UPTIME_KUMA_API_KEY}) is active and not expired.`,
        dashboard,
        runbook: {
          meaning: 'Prometheus gets no answer or a 401 from UptimeKuma\'s /metrics: UptimeKuma is down, or the API key was revoked or expired.',
          check: ['Prometheus UI → Status → Targets: the error of job uptime-kuma (401: the key).', `\`kubectl -n ${site.kubernetes.namespace} get secret ${site.integrations.uptimeKuma.apiKeySecret}\` (LXC: the file ${UPTIME_KUMA_API_KEY_FILE}).`],
          fix: ['Create a new key in UptimeKuma (Settings → API Keys) and store it in the Secret under key `' + UPTIME_KUMA_API_KEY + '`; restart UptimeKuma if it is down.'],
        },
      },
      {
        // Only for a certificate UptimeKuma still calls valid: an invalid one already fails its monitor.
        alert: 'UptimeKumaCertificateExpiring', expr: `monitor_cert_days_remaining{${job}} < ${CERT_EXPIRY_WARNING_DAYS} and monitor_cert_is_valid{${job}} == 1`, for: '1h', severity: 'warning',
        summary: 'Certificate of {{ $labels.monitor_name }} expires in {{ $value }} days',
        description: 'UptimeKuma on {{ $labels.name }} sees the TLS certificate of {{ $labels.monitor_url }} expire within ' + `${CERT_EXPIRY_WARNING_DAYS} days ({{ $value }} left): renew it.`,
        dashboard,
        runbook: {
          meaning: 'A certificate of a service UptimeKuma watches expires within two weeks.',
          check: [ui, '`echo | openssl s_client -connect <host>:443 -servername <host> 2>/dev/null | openssl x509 -noout -enddate`.'],
          fix: ['Renew it where it is issued (Nginx Proxy Manager, Cloudflare, the service itself) and fix the automatic renewal.'],
        },
      },
    ],
  }];
}
