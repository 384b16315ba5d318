/** Targets outside the cluster, derived from the site's guests and Proxmox hosts (both platforms). */
import { proxmoxHosts, type Site } from '../../site';
import type { BlackboxModuleName } from '../exporters/blackbox-config';
import { PORTS } from '../topology';

export interface NamedTarget {
  /** host:port or URL. */
  readonly target: string;
  /** Human name shown as the `name` label (guest name, "pve01"). */
  readonly name: string;
}

/** node_exporter on every Proxmox host (proxmox.node first) and on every guest with a known address. */
export function nodeExporterTargets(site: Site, extra: NamedTarget[] = []): NamedTarget[] {
  return [
    ...proxmoxHosts(site).map((h) => ({ target: `${h.address}:${PORTS.nodeExporter}`, name: h.node })),
    ...site.proxmox.guests.flatMap((g) => (g.address ? [{ target: `${g.address}:${PORTS.nodeExporter}`, name: g.name }] : [])),
    ...extra,
  ];
}

/**
 * A Proxmox API URL as pve_exporter's `target`: its host:port, the port always written out.
 * proxmoxer (under pve_exporter) reads a port after the host and otherwise assumes 8006, so a URL
 * without a port (https on 443, through a proxy) must still name 443.
 */
export function pveApiTarget(apiUrl: string): string {
  const url = new URL(apiUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** pve_exporter's targets: every Proxmox host's API, named by its node, proxmox.node first. */
export function pveApiTargets(site: Site): NamedTarget[] {
  return proxmoxHosts(site).map((h) => ({ target: pveApiTarget(h.apiUrl), name: h.node }));
}

export interface BlackboxProbe extends NamedTarget {
  /** Blackbox module (charts/exporters/blackbox-config.ts). */
  readonly module: BlackboxModuleName;
}

/**
 * What "up" means for each existing service (report: blackbox for UptimeKuma, API checks for
 * Wazuh, dual collection for CheckMK). UptimeKuma on the site's port (integrations.uptimeKuma.port),
 * probed whether or not its /metrics are scraped; the other ports are the products' defaults.
 */
export function blackboxProbes(site: Site): BlackboxProbe[] {
  const probes: BlackboxProbe[] = [
    // The report's known issue is the Proxmox API hanging after the TLS handshake: probe each host's.
    ...proxmoxHosts(site).map((h): BlackboxProbe => ({ target: h.apiUrl, name: `${h.node}-api`, module: 'http_2xx_self_signed' })),
  ];
  for (const g of site.proxmox.guests) {
    if (!g.address) continue;
    switch (g.role) {
      case 'uptime-kuma':
        probes.push({ target: `http://${g.address}:${site.integrations.uptimeKuma.port}/`, name: g.name, module: 'http_2xx' });
        break;
      case 'wazuh':
        probes.push({ target: `${g.address}:55000`, name: `${g.name}-api`, module: 'tcp_connect' });
        probes.push({ target: `${g.address}:1514`, name: `${g.name}-agents`, module: 'tcp_connect' });
        break;
      case 'checkmk':
        probes.push({ target: `http://${g.address}/`, name: g.name, module: 'http_2xx' });
        break;
      case 'reverse-proxy':
        probes.push({ target: `${g.address}:443`, name: g.name, module: 'tcp_connect' });
        break;
      default:
        break;
    }
  }
  return probes;
}
