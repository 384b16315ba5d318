/**
 * What the Talos machine configs and the workloads on the cluster must agree on. One place, so
 * the Talos renderer and the platform layer cannot drift apart.
 */
import type { Site } from '../../site';
import { PORTS } from '../../site/ports';

/** Talos UserVolumeConfig on each node's data disk that backs local-path volumes. */
export const LOCAL_PATH_VOLUME_NAME = 'local-path-provisioner';
/** Where Talos mounts it (/var/mnt/<name>): local-path-provisioner's nodePathMap. */
export const LOCAL_PATH_HOST_DIR = `/var/mnt/${LOCAL_PATH_VOLUME_NAME}`;

/** Namespace of the etcd snapshot CronJob; Talos must allow it Talos API access. */
export const ETCD_BACKUP_NAMESPACE = 'etcd-backup';
/** The etcd snapshot CronJob (platform layer); the monitoring rules watch its last success. */
export const ETCD_BACKUP_CRONJOB_NAME = 'etcd-backup';
/** Talos API role the snapshot needs. */
export const ETCD_BACKUP_TALOS_ROLE = 'os:etcd:backup';

/**
 * Talos machine logs: each node sends json_lines over TCP to the log gateway on the log address,
 * tagging every line with its hostname under this key (the gateway's `host` label).
 */
export const TALOS_LOG_HOST_TAG = 'host';

/** Whether the nodes ship their machine logs (site.integrations.logs.talos). */
export function talosLogsEnabled(site: Site): boolean {
  return site.integrations.logs.talos;
}

/** The machine config's logging destination for one node. */
export function talosLoggingDestination(site: Site, hostname: string): { endpoint: string; format: 'json_lines'; extraTags: Record<string, string> } {
  return { endpoint: `tcp://${site.loki.address}:${PORTS.talosLogs}/`, format: 'json_lines', extraTags: { [TALOS_LOG_HOST_TAG]: hostname } };
}

/** Pod and Service networks of the cluster (talosctl gen config's defaults). */
export const POD_SUBNET = '10.244.0.0/16';
export const SERVICE_SUBNET = '10.96.0.0/12';


/**
 * etcd's backend quota (`--quota-backend-bytes`, default 2 GiB; Talos does not change it): no
 * etcd database, so no snapshot of it, can be larger.
 */
export const ETCD_BACKEND_QUOTA_GIB = 2;
