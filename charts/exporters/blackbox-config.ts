/** blackbox.yml: the probe modules Prometheus' blackbox jobs name (scrape-targets.ts). */
import { configYaml } from '../common/config-yaml';

export type BlackboxModuleName = 'http_2xx' | 'http_2xx_self_signed' | 'tcp_connect';

/** Every module's own probe timeout. */
export const BLACKBOX_MODULE_TIMEOUT_SECONDS = 5;
/** The exporter's --timeout-offset default, taken off the scrape timeout Prometheus sends. */
export const BLACKBOX_TIMEOUT_OFFSET_SECONDS = 0.5;
/** Prometheus' scrape_timeout when none is set (prometheus.yml leaves it unset), capped at the interval. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

/**
 * When the exporter ends a probe: the module timeout, or the scrape timeout (header
 * X-Prometheus-Scrape-Timeout-Seconds) minus the offset when that is shorter
 * (blackbox_exporter prober/handler.go, getTimeout). probe_duration_seconds never passes it.
 */
export function probeDeadlineSeconds(scrapeIntervalSeconds: number): number {
  const scrapeTimeout = Math.min(DEFAULT_SCRAPE_TIMEOUT_SECONDS, scrapeIntervalSeconds);
  return Math.min(BLACKBOX_MODULE_TIMEOUT_SECONDS, scrapeTimeout - BLACKBOX_TIMEOUT_OFFSET_SECONDS);
}

interface HttpModule {
  prober: 'http';
  timeout: string;
  http: { preferred_ip_protocol: 'ip4'; valid_http_versions: string[]; follow_redirects: boolean; tls_config?: { insecure_skip_verify: boolean } };
}
interface TcpModule {
  prober: 'tcp';
  timeout: string;
  tcp: { preferred_ip_protocol: 'ip4' };
}

export interface BlackboxConfig {
  modules: Record<BlackboxModuleName, HttpModule | TcpModule>;
}

export function blackboxConfig(): BlackboxConfig {
  const http = (insecure: boolean): HttpModule => ({
    prober: 'http',
    timeout: `${BLACKBOX_MODULE_TIMEOUT_SECONDS}s`,
    http: {
      preferred_ip_protocol: 'ip4',
      valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'],
      follow_redirects: true,
      ...(insecure ? { tls_config: { insecure_skip_verify: true } } : {}),
    },
  });
  return {
    modules: {
      http_2xx: http(false),
      // Proxmox ships a self-signed certificate on :8006; reachability is what this probe is for.
      http_2xx_self_signed: http(true),
      tcp_connect: { prober: 'tcp', timeout: `${BLACKBOX_MODULE_TIMEOUT_SECONDS}s`, tcp: { preferred_ip_protocol: 'ip4' } },
    },
  };
}

export function blackboxConfigYaml(): string {
  return configYaml(blackboxConfig());
}
