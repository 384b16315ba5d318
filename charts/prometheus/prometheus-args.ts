/** Prometheus' command line, one definition for both platforms (paths come from the topology). */
import type { Site } from '../../site';
import { WEB_CONFIG_KEY } from '../alertmanager/alertmanager-args';
import { PORTS, type StackTopology } from '../topology';

export const PROMETHEUS_CONFIG_FILE = '/etc/prometheus/prometheus.yml';

/**
 * Where the web-auth Secret (site.prometheus.webAuthSecret) is mounted on Kubernetes and placed
 * by the operator on LXC: web.yml (bcrypt basic_auth_users, read by Prometheus) and password
 * (plain, read by Prometheus' own scrape and by the probe client).
 */
export const PROMETHEUS_WEB_DIR = '/etc/prometheus/web';
export const PROMETHEUS_WEB_CONFIG_FILE = `${PROMETHEUS_WEB_DIR}/${WEB_CONFIG_KEY}`;
export const PROMETHEUS_PASSWORD_FILE = `${PROMETHEUS_WEB_DIR}/password`;

/** The URL in links Prometheus generates (alert generator URLs): as the management VLAN reaches it. */
export function prometheusExternalUrl(site: Site): string {
  return site.prometheus.externalUrl ?? `http://${site.prometheus.address}:${PORTS.prometheus}/`;
}

/**
 * No --web.enable-lifecycle: config changes roll the pod instead, and no client needs /-/quit.
 * Retention is in prometheus.yml (storage.tsdb.retention): the flags are deprecated since 3.8.
 * The route prefix stays "/" whatever path the external URL has, so in-cluster clients (Grafana,
 * its own scrape, the probes) keep their URLs; a reverse proxy with a path must strip it.
 */
export function prometheusArgs(site: Site, topology: StackTopology): string[] {
  return [
    `--config.file=${PROMETHEUS_CONFIG_FILE}`,
    `--storage.tsdb.path=${topology.prometheusDataDir}`,
    `--web.listen-address=:${PORTS.prometheus}`,
    `--web.config.file=${PROMETHEUS_WEB_CONFIG_FILE}`,
    `--web.external-url=${prometheusExternalUrl(site)}`,
    '--web.route-prefix=/',
  ];
}
