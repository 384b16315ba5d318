/**
 * Command lines of the daemons on LXC. The flags are the Kubernetes path's container args with
 * the LXC topology's paths; the parity test (test/lxc/parity.test.ts) reads both and fails on
 * any other difference. Built from the same helpers (retention size, Alertmanager's retention
 * units) so a sizing change moves both paths.
 */
import type { Site } from '../site';
import { alertmanagerRetention } from '../charts/alertmanager/alertmanager-config';
import { WEB_CONFIG_KEY } from '../charts/alertmanager/alertmanager-server';
import { retentionSize } from '../charts/prometheus/prometheus-server';
import { PORTS, type StackTopology } from '../charts/topology';

/** Config locations inside the containers: the same paths the Kubernetes pods mount. */
export const LXC_PATHS = {
  prometheusConfig: '/etc/prometheus/prometheus.yml',
  alertmanagerConfig: '/etc/alertmanager/alertmanager.yml',
  alertmanagerWebConfig: `/etc/alertmanager/web/${WEB_CONFIG_KEY}`,
  lokiConfig: '/etc/loki/loki.yaml',
  alloyConfig: '/etc/alloy/config.alloy',
  alloyDataDir: '/var/lib/alloy/data',
  grafanaProvisioning: '/etc/grafana/provisioning',
} as const;

export function prometheusArgs(site: Site, topology: StackTopology): string[] {
  return [
    `--config.file=${LXC_PATHS.prometheusConfig}`,
    `--storage.tsdb.path=${topology.prometheusDataDir}`,
    `--storage.tsdb.retention.time=${site.prometheus.retention}`,
    `--storage.tsdb.retention.size=${retentionSize(site.prometheus.storageGiB)}`,
    '--web.enable-lifecycle',
    `--web.listen-address=:${PORTS.prometheus}`,
  ];
}

export function alertmanagerArgs(site: Site, topology: StackTopology): string[] {
  return [
    `--config.file=${LXC_PATHS.alertmanagerConfig}`,
    `--storage.path=${topology.alertmanagerDataDir}`,
    `--data.retention=${alertmanagerRetention(site.alertmanager.retention)}`,
    `--web.listen-address=:${PORTS.alertmanager}`,
    `--web.config.file=${LXC_PATHS.alertmanagerWebConfig}`,
    // One instance: an empty cluster address turns gossip off instead of waiting for peers.
    '--cluster.listen-address=',
  ];
}

export function lokiArgs(): string[] {
  return [`-config.file=${LXC_PATHS.lokiConfig}`, '-target=all'];
}

export function alloyArgs(): string[] {
  return [
    'run',
    LXC_PATHS.alloyConfig,
    `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`,
    `--storage.path=${LXC_PATHS.alloyDataDir}`,
    '--disable-reporting',
  ];
}
