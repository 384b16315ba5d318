/** blackbox.yml: the probe modules Prometheus' blackbox jobs name (scrape-targets.ts). */
import { configYaml } from '../common/config-yaml';

export type BlackboxModuleName = 'http_2xx' | 'http_2xx_self_signed' | 'tcp_connect';

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
    timeout: '5s',
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
      tcp_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4' } },
    },
  };
}

export function blackboxConfigYaml(): string {
  return configYaml(blackboxConfig());
}
