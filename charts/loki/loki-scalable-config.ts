/**
 * loki.yaml for simple-scalable Loki (loki.mode simple-scalable, Kubernetes only): one file for
 * the three targets (`-target=write|read|backend`), chunks, index and delete requests in the
 * site's S3 bucket, rings on memberlist. Read at Loki v3.7.6 (docs/design/multi-host.md §3):
 *
 * - With `memberlist.join_members` set and no `common.ring`, every ring (ingesters, distributors,
 *   query schedulers, compactor, index gateways, rulers) is a memberlist ring (pkg/loki
 *   config_wrapper.go); with no scheduler or frontend address set, the query frontend and the
 *   queriers find the schedulers through their ring.
 * - `replication_factor: 3` over exactly three write pods, one per failure domain: every stream
 *   is on each, and a push needs two of three (dskit ring quorum), so one lost domain loses no
 *   log line and stops no push.
 * - The compactor runs on one backend (its ring elects it); read and write ask the backends for
 *   cache generations at `compactor_grpc_address` (tsdb on object storage needs that even without
 *   deletes, pkg/loki/modules.go), and the readers use the backends' index gateways.
 * - No `common.instance_addr` or `common.ring`: either would override the memberlist addresses.
 * - S3 credentials come from the environment (`-config.expand-env=true`), never from the file.
 */
import type { Site } from '../../site';
import { PORTS, SERVICE_NAMES, type StackTopology } from '../topology';
import { lokiCommonSettings, lokiCompactor, LOKI_SCHEMA_START, type LokiCommonSettings, type LokiCompactorConfig } from './loki-config-common';
import { lokiRulerConfig, lokiRulesDirectory, type LokiRulerConfig } from './loki-ruler';

/** Environment variables holding the S3 credentials (from loki.objectStorage.credentialsSecret). */
export const S3_ACCESS_KEY_ENV = 'LOKI_S3_ACCESS_KEY_ID';
export const S3_SECRET_KEY_ENV = 'LOKI_S3_SECRET_ACCESS_KEY';
/** Keys of the credentials Secret. */
export const S3_ACCESS_KEY_KEY = 'access-key-id';
export const S3_SECRET_KEY_KEY = 'secret-access-key';

/** Loki's S3 client settings (pkg/storage/chunk/client/aws S3Config, YAML names). */
export interface LokiS3Config {
  /** host[:port]; Loki adds http:// when insecure, https:// otherwise. */
  endpoint: string;
  bucketnames: string;
  region: string;
  access_key_id: string;
  secret_access_key: string;
  insecure: boolean;
  s3forcepathstyle: boolean;
}

export interface LokiScalableConfig extends Omit<LokiCommonSettings, 'pattern_ingester'> {
  /** Needed by Grafana's Logs Drilldown (patterns tab); ready like the ingester (below). */
  pattern_ingester: { enabled: boolean; lifecycler: { readiness_check_ring_health: false } };
  auth_enabled: false;
  server: { http_listen_port: number; grpc_listen_port: number; log_level: 'info' };
  common: {
    path_prefix: string;
    replication_factor: 3;
    /** The backend pods' gRPC (the elected compactor answers there). */
    compactor_grpc_address: string;
    storage: { s3: LokiS3Config };
  };
  memberlist: { join_members: string[] };
  schema_config: {
    configs: { from: string; store: 'tsdb'; object_store: 's3'; schema: 'v13'; index: { prefix: string; period: '24h' } }[];
  };
  compactor: LokiCompactorConfig<'s3'>;
  /**
   * A starting ingester (and pattern ingester) is ready without every ring member being healthy:
   * by default it waits for all of them, so a write pod restarted while another's host is down
   * would never become ready again, and pushes would lose their quorum (dskit ring/lifecycler.go
   * CheckReady). The ring itself still skips unhealthy members.
   */
  ingester: { lifecycler: { readiness_check_ring_health: false } };
  /**
   * `simple` for the readers, whose gateway client then asks the address below; the backend
   * target runs its gateways in ring mode whatever this says (v3.7.6 pkg/loki/modules.go).
   */
  index_gateway: { mode: 'simple' };
  /**
   * Readers ask the backends' index gateways (every ready backend, by DNS of the headless
   * Service) instead of each downloading the index from the bucket: simple mode finds no gateway
   * by itself (v3.7.6 pkg/storage/store.go shouldUseIndexGatewayClient).
   */
  storage_config: { tsdb_shipper: { index_gateway_client: { server_address: string } } };
  /** Only with LogQL rules: the backends share the rule groups (sharding) and read them from the ConfigMap. */
  ruler?: LokiRulerConfig & {
    storage: { type: 'local'; local: { directory: string } };
    enable_sharding: true;
  };
}

export function lokiScalableConfig(site: Site, topology: StackTopology): LokiScalableConfig {
  const storage = site.loki.objectStorage!;
  const ns = site.kubernetes.namespace;
  const dataDir = topology.lokiDataDir;
  const config: LokiScalableConfig = {
    auth_enabled: false,
    server: { http_listen_port: PORTS.loki, grpc_listen_port: PORTS.lokiGrpc, log_level: 'info' },
    common: {
      path_prefix: dataDir,
      replication_factor: 3,
      compactor_grpc_address: `${SERVICE_NAMES.lokiBackend}.${ns}.svc.cluster.local:${PORTS.lokiGrpc}`,
      storage: {
        s3: {
          endpoint: storage.endpoint,
          bucketnames: storage.bucket,
          region: storage.region,
          access_key_id: `\${${S3_ACCESS_KEY_ENV}}`,
          secret_access_key: `\${${S3_SECRET_KEY_ENV}}`,
          insecure: storage.insecure,
          s3forcepathstyle: storage.forcePathStyle,
        },
      },
    },
    memberlist: { join_members: [`${SERVICE_NAMES.lokiMemberlist}.${ns}.svc.cluster.local:${PORTS.lokiMemberlist}`] },
    schema_config: {
      configs: [{ from: LOKI_SCHEMA_START, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    compactor: lokiCompactor(dataDir, 's3'),
    ingester: { lifecycler: { readiness_check_ring_health: false } },
    index_gateway: { mode: 'simple' },
    storage_config: { tsdb_shipper: { index_gateway_client: { server_address: `dns+${SERVICE_NAMES.lokiBackendHeadless}.${ns}.svc.cluster.local:${PORTS.lokiGrpc}` } } },
    ...lokiCommonSettings(site),
    pattern_ingester: { enabled: true, lifecycler: { readiness_check_ring_health: false } },
  };
  const ruler = lokiRulerConfig(site, topology);
  // An explicit local store wins over the S3 rule store common.storage would imply: the backends
  // read the rules from the ConfigMap, like the single binary.
  return ruler
    ? { ...config, ruler: { ...ruler, storage: { type: 'local', local: { directory: lokiRulesDirectory(topology) } }, enable_sharding: true } }
    : config;
}
