/**
 * loki.yaml for Loki 3.x in single-binary (monolithic) mode on a filesystem volume, built from
 * the site and the platform topology and serialized once with `yaml`.
 *
 * Traps this avoids (../shared/research/monitoring.md §8): retention only runs in the compactor
 * and only with `retention_enabled`; since Loki 3.1 that needs `delete_request_store` or Loki
 * will not start; `shared_store` is gone in 3.x; retention needs the 24h tsdb index period;
 * structured metadata (on by default) needs schema v13 + tsdb.
 *
 * Retention on (`retention_enabled`) also mounts the log deletion API (/loki/api/v1/delete) on the
 * HTTP port; Loki has no authentication here, so `deletion_mode: disabled` makes it answer 403 to
 * every tenant (Loki v3.7.6 pkg/loki/modules.go initCompactor, pkg/compactor/deletion
 * TenantMiddleware). Retention itself does not depend on it.
 */
import { lokiSimpleScalable, type Site } from '../../site';
import { configYaml } from '../common/config-yaml';
import { PORTS, type StackTopology } from '../topology';
import { lokiCommonSettings, lokiCompactor, LOKI_SCHEMA_START, type LokiCommonSettings, type LokiCompactorConfig } from './loki-config-common';
import { lokiRulerConfig, lokiRulesDirectory, type LokiRulerConfig } from './loki-ruler';
import { lokiScalableConfig, type LokiScalableConfig } from './loki-scalable-config';

export { LOKI_SCHEMA_START, lokiRetentionHours } from './loki-config-common';

/** The subset of Loki's configuration this project emits (names as in Loki's YAML). */
export interface LokiConfig extends LokiCommonSettings {
  /**
   * Single tenant: every push and query is tenant "fake". Multi-tenancy would need an
   * authenticating proxy in front (Loki does no authentication itself) and an X-Scope-OrgID on
   * every client; a one-site homelab stack gains nothing from it. Access is limited by the
   * NetworkPolicy and the LoadBalancer's source ranges instead.
   */
  auth_enabled: false;
  server: { http_listen_port: number; grpc_listen_port: number; log_level: 'info' | 'warn' | 'error' | 'debug' };
  common: {
    /** Address the single binary advertises in its in-memory ring: itself, over loopback. */
    instance_addr: string;
    path_prefix: string;
    replication_factor: 1;
    ring: { kvstore: { store: 'inmemory' } };
    /**
     * `rules_directory` is the ruler's local rule store. Required: with filesystem storage Loki
     * uses a `local` rule store and will not start without a directory; Loki creates it at start
     * (v3.7.6 initRulerStorage: EnsureDirectory). Without LogQL rules (the Wazuh integration off)
     * the ruler finds no tenant directory there and evaluates nothing (loki-ruler.ts).
     */
    storage: { filesystem: { chunks_directory: string; rules_directory: string } };
  };
  schema_config: {
    configs: {
      from: string;
      store: 'tsdb';
      object_store: 'filesystem';
      schema: 'v13';
      index: { prefix: string; period: '24h' };
    }[];
  };
  compactor: LokiCompactorConfig<'filesystem'>;
  /** Only when there are LogQL rules (loki-ruler.ts). @default - absent: the ruler has nothing to send. */
  ruler?: LokiRulerConfig;
}

/**
 * loki.yaml for the site on one platform: single binary, or on Kubernetes with loki.mode
 * simple-scalable the one file all three targets read (loki-scalable-config.ts).
 */
export function lokiConfig(site: Site, topology: StackTopology): LokiConfig | LokiScalableConfig {
  return topology.platform === 'kubernetes' && lokiSimpleScalable(site) ? lokiScalableConfig(site, topology) : lokiSingleBinaryConfig(site, topology);
}

function lokiSingleBinaryConfig(site: Site, topology: StackTopology): LokiConfig {
  const dataDir = topology.lokiDataDir;
  const config: LokiConfig = {
    auth_enabled: false,
    server: { http_listen_port: PORTS.loki, grpc_listen_port: PORTS.lokiGrpc, log_level: 'info' },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: dataDir,
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
      storage: { filesystem: { chunks_directory: `${dataDir}/chunks`, rules_directory: lokiRulesDirectory(topology) } },
    },
    schema_config: {
      configs: [{
        from: LOKI_SCHEMA_START,
        store: 'tsdb',
        object_store: 'filesystem',
        schema: 'v13',
        index: { prefix: 'index_', period: '24h' },
      }],
    },
    compactor: lokiCompactor(dataDir, 'filesystem'),
    ...lokiCommonSettings(site),
  };
  const ruler = lokiRulerConfig(site, topology);
  return ruler ? { ...config, ruler } : config;
}

export function lokiConfigYaml(site: Site, topology: StackTopology): string {
  return configYaml(lokiConfig(site, topology));
}
