/**
 * grafana.ini settings as a typed model, passed to the container as GF_<SECTION>_<KEY>
 * environment variables (Grafana's documented override), so no ini file is templated.
 * Secrets are never here: the chart adds them as env vars from Secret references.
 */
import type { Site } from '../../site';
import { GRAFANA_PATHS } from './provisioning';

/** Where Grafana keeps its SQLite DB, plugins and sessions: the PVC. */
export const GRAFANA_DATA_DIR = '/var/lib/grafana';
export const GRAFANA_LOGS_DIR = '/var/log/grafana';

export type GrafanaSettings = Readonly<Record<string, Readonly<Record<string, string>>>>;

export function grafanaSettings(site: Site): GrafanaSettings {
  const external = new URL(site.grafana.externalUrl);
  return {
    server: {
      // Links in alerts and redirects use the public URL (through Nginx Proxy Manager or the tunnel).
      root_url: site.grafana.externalUrl,
      domain: external.hostname,
      enforce_domain: 'false', // direct access on the LoadBalancer IP from the management VLAN stays possible
    },
    paths: {
      data: GRAFANA_DATA_DIR,
      logs: GRAFANA_LOGS_DIR,
      plugins: `${GRAFANA_DATA_DIR}/plugins`,
      provisioning: GRAFANA_PATHS.provisioning,
    },
    log: { mode: 'console' },
    'auth.anonymous': { enabled: 'false' },
    users: { allow_sign_up: 'false', allow_org_create: 'false' },
    security: {
      // No calls to gravatar.com from the monitoring VLAN.
      disable_gravatar: 'true',
      // An https root URL means users sign in through the TLS proxy: the session cookie must never
      // travel in clear text. Browsers then refuse sessions on the plain-HTTP LoadBalancer address,
      // so a site that signs in there sets an http:// externalUrl.
      cookie_secure: String(external.protocol === 'https:'),
      cookie_samesite: 'lax',
    },
    analytics: { reporting_enabled: 'false', check_for_updates: 'false', check_for_plugin_updates: 'false' },
    // Plugins move only with the pinned image. Grafana 13 ships its datasources (Prometheus and Loki
    // among them) as bundled plugins in the image's plugins-bundled directory, on the read-only root,
    // and by default "preinstalls" them on every start: fetches the catalog and, when a newer version
    // exists, stops the running plugin and fails to replace it (grafana/grafana#132528): the
    // datasources vanish, again on every start. Preinstall off: no downloads at start, the bundled
    // plugins load at their image version. preinstall_auto_update is only read with preinstall on;
    // it is set anyway so re-enabling preinstall never updates in place. No installs from the UI
    // either: they would land on the PVC, outside GitOps and the image pin.
    plugins: { preinstall_disabled: 'true', preinstall_auto_update: 'false', plugin_admin_enabled: 'false' },
  };
}

/** GF_<SECTION>_<KEY>, upper-cased, dots and dashes as underscores (Grafana's mapping). */
export function grafanaEnvName(section: string, key: string): string {
  return `GF_${section}_${key}`.toUpperCase().replace(/[.-]/g, '_');
}

export function grafanaSettingsEnv(settings: GrafanaSettings): { name: string; value: string }[] {
  return Object.entries(settings).flatMap(([section, keys]) =>
    Object.entries(keys).map(([key, value]) => ({ name: grafanaEnvName(section, key), value })));
}
