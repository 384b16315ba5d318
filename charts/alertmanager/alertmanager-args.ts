/** Alertmanager's command line, one definition for both platforms (paths come from the topology). */
import type { Site } from '../../site';
import { PORTS, type StackTopology } from '../topology';
import { alertmanagerRetention } from './alertmanager-config';

export const ALERTMANAGER_CONFIG_FILE = '/etc/alertmanager/alertmanager.yml';
/** Key of the web config (bcrypt basic_auth_users) inside the web-auth Secret, and its file name. */
export const WEB_CONFIG_KEY = 'web.yml';
export const ALERTMANAGER_WEB_CONFIG_DIR = '/etc/alertmanager/web';

/** The URL in links Alertmanager puts into notifications: as the management VLAN reaches it. */
export function alertmanagerExternalUrl(site: Site): string {
  return site.alertmanager.externalUrl ?? `http://${site.alertmanager.address}:${PORTS.alertmanager}/`;
}

/**
 * The route prefix stays "/" whatever path the external URL has, so Prometheus and Grafana keep
 * their URLs; a reverse proxy with a path must strip it.
 */
export function alertmanagerArgs(site: Site, topology: StackTopology): string[] {
  return [
    `--config.file=${ALERTMANAGER_CONFIG_FILE}`,
    `--storage.path=${topology.alertmanagerDataDir}`,
    `--data.retention=${alertmanagerRetention(site.alertmanager.retention)}`,
    `--web.listen-address=:${PORTS.alertmanager}`,
    `--web.config.file=${ALERTMANAGER_WEB_CONFIG_DIR}/${WEB_CONFIG_KEY}`,
    `--web.external-url=${alertmanagerExternalUrl(site)}`,
    '--web.route-prefix=/',
    ...clusterArgs(topology),
  ];
}

/** Env var with the pod's IP (downward API), the address each replica advertises to its peers. */
export const POD_IP_ENV = 'POD_IP';

/**
 * Gossip between replicas (alertmanager.replicas > 1, Kubernetes): every peer by its StatefulSet
 * DNS name, the pod IP advertised (kubelet expands $(POD_IP) in args). One replica, or the LXC
 * container: an empty cluster address turns gossip off instead of waiting for peers.
 */
function clusterArgs(topology: StackTopology): string[] {
  if (topology.alertmanagerPods.length === 1) return ['--cluster.listen-address='];
  return [
    `--cluster.listen-address=0.0.0.0:${PORTS.alertmanagerCluster}`,
    `--cluster.advertise-address=$(${POD_IP_ENV}):${PORTS.alertmanagerCluster}`,
    ...topology.alertmanagerPods.map((pod) => `--cluster.peer=${pod.replace(/:\d+$/, `:${PORTS.alertmanagerCluster}`)}`),
  ];
}
