/**
 * Command lines of the daemons on LXC. The flags are the Kubernetes path's container args with
 * the LXC topology's paths; the parity test (test/lxc/parity.test.ts) reads both and fails on
 * any other difference. Built from the same helpers (external URLs, Alertmanager's retention
 * units; Prometheus' retention is in prometheus.yml) so a site change moves both paths.
 */
import { ALERTMANAGER_CONFIG_FILE, ALERTMANAGER_WEB_CONFIG_DIR, WEB_CONFIG_KEY } from '../charts/alertmanager/alertmanager-args';
import { PROMETHEUS_CONFIG_FILE } from '../charts/prometheus/prometheus-args';
import { lokiArgs as lokiCommandLine } from '../charts/loki/loki-ruler';
import type { Site } from '../site';
import { ALLOY_CONFIG_DIR, ALLOY_CONFIG_FILE, ALLOY_STORAGE_DIR, alloyRunArgs } from '../charts/syslog/alloy-run';

/** Config locations inside the containers: the same paths the Kubernetes pods mount. */
export const LXC_PATHS = {
  prometheusConfig: PROMETHEUS_CONFIG_FILE,
  alertmanagerConfig: ALERTMANAGER_CONFIG_FILE,
  alertmanagerWebConfig: `${ALERTMANAGER_WEB_CONFIG_DIR}/${WEB_CONFIG_KEY}`,
  lokiConfig: '/etc/loki/loki.yaml',
  alloyConfig: `${ALLOY_CONFIG_DIR}/${ALLOY_CONFIG_FILE}`,
  alloyDataDir: ALLOY_STORAGE_DIR,
  grafanaProvisioning: '/etc/grafana/provisioning',
} as const;

export { prometheusArgs } from '../charts/prometheus/prometheus-args';
export { alertmanagerArgs } from '../charts/alertmanager/alertmanager-args';

export function lokiArgs(site: Site): string[] {
  return lokiCommandLine(site, LXC_PATHS.lokiConfig);
}

export function alloyArgs(): string[] {
  return alloyRunArgs(LXC_PATHS.alloyConfig, LXC_PATHS.alloyDataDir);
}
