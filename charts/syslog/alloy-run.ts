/**
 * How Grafana Alloy runs in every place of the stack (the log gateway on both paths, the cluster
 * log collector): one command line and one file layout, so the paths cannot drift apart.
 */
import { PORTS } from '../topology';

/** The alloy user of the grafana/alloy image. */
export const ALLOY_UID = 473;
export const ALLOY_CONFIG_DIR = '/etc/alloy';
export const ALLOY_CONFIG_FILE = 'config.alloy';
/** Alloy's data directory (read positions, component state). */
export const ALLOY_STORAGE_DIR = '/var/lib/alloy/data';

/** `alloy run` with the config, its HTTP server on the metrics port, its data directory and no usage reporting. */
export function alloyRunArgs(configPath = `${ALLOY_CONFIG_DIR}/${ALLOY_CONFIG_FILE}`, storageDir = ALLOY_STORAGE_DIR): string[] {
  return ['run', configPath, `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`, `--storage.path=${storageDir}`, '--disable-reporting'];
}
