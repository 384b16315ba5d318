/** Prometheus' command line, one definition for both platforms (paths come from the topology). */
import type { Site } from '../../site';
import { PORTS, type StackTopology } from '../topology';

export const PROMETHEUS_CONFIG_FILE = '/etc/prometheus/prometheus.yml';

/**
 * Share of the volume that retention by size may fill. The rest is headroom for the WAL, head
 * compaction and block writes, which briefly need space beyond the retained blocks.
 */
export const RETENTION_SIZE_SHARE = 0.85;

export function retentionSize(storageGiB: number): string {
  // Prometheus parses GB in base 2, i.e. GiB.
  return `${Math.floor(storageGiB * RETENTION_SIZE_SHARE)}GB`;
}

/**
 * No --web.enable-lifecycle: Prometheus' UI has no authentication of its own, and the flag
 * would let any client that reaches it POST /-/quit. Config changes roll the pod instead.
 */
export function prometheusArgs(site: Site, topology: StackTopology): string[] {
  return [
    `--config.file=${PROMETHEUS_CONFIG_FILE}`,
    `--storage.tsdb.path=${topology.prometheusDataDir}`,
    `--storage.tsdb.retention.time=${site.prometheus.retention}`,
    `--storage.tsdb.retention.size=${retentionSize(site.prometheus.storageGiB)}`,
    `--web.listen-address=:${PORTS.prometheus}`,
  ];
}
