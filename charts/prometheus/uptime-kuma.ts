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
import type { AlertRule, RuleGroup } from './rules';

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

const rule = (alert: string, expr: string, forDuration: string, severity: AlertRule['labels']['severity'], summary: string, description: string): AlertRule =>
  ({ alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } });

/** The rule group; none when nothing is scraped (no rule waits for series that never come). */
export function uptimeKumaRuleGroups(site: Site): RuleGroup[] {
  if (uptimeKumaInstances(site).length === 0) return [];
  const job = `job="${UPTIME_KUMA_JOB}"`;
  return [{
    name: 'uptime-kuma',
    rules: [
      // UptimeKuma reports DOWN only after its own retries; the wait only rides out a flapping check.
      rule('UptimeKumaMonitorDown', `monitor_status{${job}} == ${MONITOR_DOWN}`, '5m', 'critical',
        'UptimeKuma monitor {{ $labels.monitor_name }} is down',
        'UptimeKuma on {{ $labels.name }} has reported its {{ $labels.monitor_type }} monitor {{ $labels.monitor_name }} DOWN for 5 minutes.'),
      // Critical: while it lasts, no UptimeKuma monitor reaches Alertmanager (and it silences TargetDown for the same target).
      rule('UptimeKumaScrapeFailing', `up{${job}} == 0`, '5m', 'critical',
        'Prometheus cannot read UptimeKuma on {{ $labels.name }}',
        `Its monitors are not watched by Alertmanager meanwhile. Check that UptimeKuma runs on {{ $labels.instance }} and that the API key in Secret ${site.integrations.uptimeKuma.apiKeySecret} (key ${UPTIME_KUMA_API_KEY}) is active and not expired.`),
      // Only for a certificate UptimeKuma still calls valid: an invalid one already fails its monitor.
      rule('UptimeKumaCertificateExpiring', `monitor_cert_days_remaining{${job}} < ${CERT_EXPIRY_WARNING_DAYS} and monitor_cert_is_valid{${job}} == 1`, '1h', 'warning',
        'Certificate of {{ $labels.monitor_name }} expires in {{ $value }} days',
        'UptimeKuma on {{ $labels.name }} sees the TLS certificate of {{ $labels.monitor_url }} expire within ' + `${CERT_EXPIRY_WARNING_DAYS} days: renew it.`),
    ],
  }];
}
