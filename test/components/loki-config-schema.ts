/**
 * JSON Schema for the subset of Loki 3.x configuration this project emits. No Loki binary or
 * validator is available offline (../shared/research/validators.md §3.3), so this encodes the
 * 3.x rules from Loki's docs (upgrade guide, configuration reference, retention page):
 * - unknown keys fail (a misspelt or removed key, e.g. `shared_store`, would stop Loki 3);
 * - structured metadata (default on) needs the active period on `store: tsdb`, `schema: v13`;
 * - compactor retention needs the 24h index period and, since 3.1, `delete_request_store`;
 * - durations use Loki's (Prometheus) duration syntax;
 * - filesystem storage makes the ruler's rule store `local`, which needs `rules_directory` or Loki
 *   will not start (v3.7.6 config_wrapper.go applyStorageConfig, rulestore/local NewLocalRulesClient);
 * - `deletion_mode` is one of disabled | filter-only | filter-and-delete (pkg/compactor/deletionmode).
 * - simple-scalable (several pods, replication factor > 1) needs a shared ring: memberlist
 *   join_members, and neither `common.ring` nor `common.instance_addr`, which would override the
 *   memberlist ring and every advertised address (v3.7.6 config_wrapper.go);
 * - S3 keys as pkg/storage/chunk/client/aws S3Config names them (`s3forcepathstyle` untagged,
 *   lower-cased); an access key id without its secret or the reverse is refused; an S3 period
 *   needs the S3 settings;
 * - the ruler's explicit rule store and sharding (pkg/ruler/base/ruler.go, rulestore);
 * - the index gateway client address uses a DNS resolver prefix (dns+ / dnssrv+) or host:port;
 * - the ingester's and pattern ingester's `lifecycler` (dskit ring.LifecyclerConfig) readiness switch.
 * It is written from those rules, not from our generator, so it can disagree with it.
 */
const duration = { type: 'string', pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$' };
const absolutePath = { type: 'string', pattern: '^/' };
const hostPort = { type: 'string', pattern: '^[A-Za-z0-9.-]+:[0-9]{1,5}$' };

function closed(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties, required };
}

export const LOKI_CONFIG_SUBSET_SCHEMA = closed({
  auth_enabled: { type: 'boolean' },
  server: closed({
    http_listen_port: { type: 'integer', minimum: 1, maximum: 65535 },
    grpc_listen_port: { type: 'integer', minimum: 1, maximum: 65535 },
    log_level: { enum: ['debug', 'info', 'warn', 'error'] },
  }),
  common: closed({
    instance_addr: { type: 'string' },
    path_prefix: absolutePath,
    replication_factor: { type: 'integer', minimum: 1 },
    ring: closed({ kvstore: closed({ store: { enum: ['inmemory', 'memberlist', 'consul', 'etcd'] } }, ['store']) }),
    compactor_grpc_address: hostPort,
    storage: closed({
      filesystem: closed({ chunks_directory: absolutePath, rules_directory: absolutePath }, ['chunks_directory', 'rules_directory']),
      s3: {
        ...closed({
          endpoint: { type: 'string', pattern: '^(https?://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$' },
          bucketnames: { type: 'string', minLength: 3 },
          region: { type: 'string' },
          access_key_id: { type: 'string', minLength: 1 },
          secret_access_key: { type: 'string', minLength: 1 },
          insecure: { type: 'boolean' },
          s3forcepathstyle: { type: 'boolean' },
        }, ['bucketnames']),
        dependencies: { access_key_id: ['secret_access_key'], secret_access_key: ['access_key_id'] },
      },
    }),
  }, ['path_prefix']),
  memberlist: closed({ join_members: { type: 'array', minItems: 1, items: hostPort } }, ['join_members']),
  index_gateway: closed({ mode: { enum: ['simple', 'ring'] } }),
  storage_config: closed({
    tsdb_shipper: closed({ index_gateway_client: closed({ server_address: { type: 'string', pattern: '^((dns|dnssrv|dnssrvnoa)\\+)?[A-Za-z0-9.-]+:[0-9]{1,5}$' } }, ['server_address']) }),
  }),
  schema_config: closed({
    configs: {
      type: 'array',
      minItems: 1,
      items: closed({
        from: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
        store: { enum: ['tsdb'] },
        object_store: { enum: ['filesystem', 's3', 'gcs', 'azure', 'swift', 'bos', 'cos', 'alibabacloud'] },
        schema: { const: 'v13' },
        index: closed({ prefix: { type: 'string', minLength: 1 }, period: { const: '24h' } }, ['prefix', 'period']),
      }, ['from', 'store', 'object_store', 'schema', 'index']),
    },
  }, ['configs']),
  compactor: {
    ...closed({
      working_directory: absolutePath,
      compaction_interval: duration,
      retention_enabled: { type: 'boolean' },
      retention_delete_delay: duration,
      retention_delete_worker_count: { type: 'integer', minimum: 1 },
      delete_request_store: { enum: ['filesystem', 's3', 'gcs', 'azure', 'swift', 'bos', 'cos', 'alibabacloud'] },
    }, ['working_directory']),
    // Loki >= 3.1 refuses to start with retention on and no delete_request_store.
    if: { properties: { retention_enabled: { const: true } }, required: ['retention_enabled'] },
    then: { required: ['delete_request_store'] },
  },
  limits_config: closed({
    retention_period: duration,
    reject_old_samples: { type: 'boolean' },
    reject_old_samples_max_age: duration,
    volume_enabled: { type: 'boolean' },
    deletion_mode: { enum: ['disabled', 'filter-only', 'filter-and-delete'] },
  }),
  query_range: closed({
    results_cache: closed({ cache: closed({ embedded_cache: closed({ enabled: { type: 'boolean' }, max_size_mb: { type: 'integer', minimum: 1 } }) }) }),
  }),
  pattern_ingester: closed({ enabled: { type: 'boolean' }, lifecycler: closed({ readiness_check_ring_health: { type: 'boolean' } }) }),
  ingester: closed({ lifecycler: closed({ readiness_check_ring_health: { type: 'boolean' } }) }),
  analytics: closed({ reporting_enabled: { type: 'boolean' } }),
  // v3.7.6 pkg/ruler/base/ruler.go Config inlines pkg/ruler/config AlertManagerConfig; its
  // alertmanager_client inlines pkg/util/http.go BasicAuth. A URL without scheme is no URL.
  ruler: closed({
    alertmanager_url: { type: 'string', pattern: '^https?://[^/]+' },
    enable_alertmanager_v2: { type: 'boolean' },
    alertmanager_client: closed({ basic_auth_username: { type: 'string', minLength: 1 }, basic_auth_password: { type: 'string', minLength: 1 } }),
    storage: closed({ type: { enum: ['local', 's3', 'gcs', 'azure', 'swift', 'bos', 'cos'] }, local: closed({ directory: absolutePath }, ['directory']) }, ['type']),
    enable_sharding: { type: 'boolean' },
  }, ['alertmanager_url']),
}, ['schema_config', 'common']);

/** Several replicas share one ring on memberlist, with no in-memory ring or fixed address to override it. */
const SCALABLE_RULES = {
  if: { type: 'object', properties: { common: { type: 'object', properties: { replication_factor: { type: 'integer', minimum: 2 } }, required: ['replication_factor'] } } },
  then: {
    type: 'object',
    required: ['memberlist'],
    properties: { common: { type: 'object', not: { anyOf: [{ type: 'object', required: ['ring'] }, { type: 'object', required: ['instance_addr'] }] } } },
  },
};

/** A period on S3 needs the S3 client settings. */
const S3_PERIOD_RULES = {
  if: {
    type: 'object',
    properties: { schema_config: { type: 'object', properties: { configs: { type: 'array', contains: { type: 'object', properties: { object_store: { const: 's3' } }, required: ['object_store'] } } } } },
  },
  then: { type: 'object', properties: { common: { type: 'object', properties: { storage: { type: 'object', required: ['s3'] } }, required: ['storage'] } } },
};

LOKI_CONFIG_SUBSET_SCHEMA.allOf = [SCALABLE_RULES, S3_PERIOD_RULES];
