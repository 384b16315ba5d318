/**
 * loki.yaml built inside each test (the component tests build it once per file, at load, where
 * the mutation run's per-test coverage cannot see it): the whole simple-scalable config for a site
 * with other values than the defaults, with and without the ruler, and which builder each
 * platform and mode gets. Written for charts/loki/*config*.ts under mutation.
 */
import { lokiConfig, lokiRetentionHours } from '../../charts/loki/loki-config';
import { stackTopology } from '../../charts/topology';
import { parseSite, type SiteInput } from '../../site';

const INPUT: SiteInput = {
  kubernetes: { namespace: 'obs' },
  loki: { mode: 'simple-scalable', retention: '9d', objectStorage: { endpoint: 'minio.lan:9000', bucket: 'lab-logs', region: 'eu-1', insecure: true, forcePathStyle: false } },
};
const config = (input: SiteInput, platform: 'kubernetes' | 'lxc' = 'kubernetes') => {
  const site = parseSite(input).site;
  return lokiConfig(site, stackTopology(site, platform)) as Record<string, any>;
};

describe('simple-scalable loki.yaml', () => {
  test('the whole file, Wazuh rules off (no ruler block)', () => {
    expect(config({ ...INPUT, integrations: { wazuh: { enabled: false } } })).toEqual({
      auth_enabled: false,
      server: { http_listen_port: 3100, grpc_listen_port: 9095, log_level: 'info' },
      common: {
        path_prefix: '/var/loki',
        replication_factor: 3,
        compactor_grpc_address: 'loki-backend.obs.svc.cluster.local:9095',
        storage: {
          s3: {
            endpoint: 'minio.lan:9000', bucketnames: 'lab-logs', region: 'eu-1',
            access_key_id: '${LOKI_S3_ACCESS_KEY_ID}', secret_access_key: '${LOKI_S3_SECRET_ACCESS_KEY}',
            insecure: true, s3forcepathstyle: false,
          },
        },
      },
      memberlist: { join_members: ['loki-memberlist.obs.svc.cluster.local:7946'] },
      schema_config: { configs: [{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
      compactor: {
        working_directory: '/var/loki/compactor', compaction_interval: '10m', retention_enabled: true,
        retention_delete_delay: '2h', retention_delete_worker_count: 150, delete_request_store: 's3',
      },
      ingester: { lifecycler: { readiness_check_ring_health: false } },
      index_gateway: { mode: 'simple' },
      storage_config: { tsdb_shipper: { index_gateway_client: { server_address: 'dns+loki-backend-headless.obs.svc.cluster.local:9095' } } },
      limits_config: { retention_period: '216h', reject_old_samples: true, reject_old_samples_max_age: '168h', volume_enabled: true, deletion_mode: 'disabled' },
      query_range: { results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: 100 } } } },
      pattern_ingester: { enabled: true, lifecycler: { readiness_check_ring_health: false } },
      analytics: { reporting_enabled: false },
    });
  });

  test('with the Wazuh rules: the ruler reads them locally, shares the groups out, sends to every Alertmanager', () => {
    expect(config({ ...INPUT, alertmanager: { replicas: 2 } }).ruler).toEqual({
      alertmanager_url: 'http://alertmanager-0.alertmanager.obs.svc:9093,http://alertmanager-1.alertmanager.obs.svc:9093',
      enable_alertmanager_v2: true,
      alertmanager_client: { basic_auth_username: 'monitoring', basic_auth_password: '${LOKI_ALERTMANAGER_PASSWORD}' },
      storage: { type: 'local', local: { directory: '/var/loki/rules' } },
      enable_sharding: true,
    });
  });

  test('the single binary on Kubernetes by default, and on LXC whatever the mode', () => {
    expect(config({}).common).toMatchObject({ replication_factor: 1, instance_addr: '127.0.0.1', ring: { kvstore: { store: 'inmemory' } } });
    expect(config({}).pattern_ingester).toEqual({ enabled: true });
    expect(config(INPUT, 'lxc').common).toMatchObject({ replication_factor: 1, path_prefix: '/var/lib/loki' });
    expect(config(INPUT, 'lxc')).not.toHaveProperty('memberlist');
    expect(config(INPUT, 'lxc').limits_config.retention_period).toBe('216h');
  });

  test('the retention in hours, whole days only', () => {
    expect(lokiRetentionHours(parseSite({ loki: { retention: '2w' } }).site)).toBe('336h');
    expect(() => lokiRetentionHours({ ...parseSite({}).site, loki: { ...parseSite({}).site.loki, retention: '1d12h' } })).toThrow('loki.retention: "1d12h" is not a whole number of days; use e.g. 7d or 14d');
  });
});

// The module constants below are read once, as the modules load (before a mutation run activates
// a mutant in a test): loading the modules afresh inside the test makes the run see them.
test('the names operators and Loki rely on, read as the modules load: S3 variables and Secret keys, the schema date', () => {
  const site = parseSite(INPUT).site;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const scalable = require('../../charts/loki/loki-scalable-config') as typeof import('../../charts/loki/loki-scalable-config');
    const loki = require('../../charts/loki/loki-config') as typeof import('../../charts/loki/loki-config');
    const topology = require('../../charts/topology') as typeof import('../../charts/topology');
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The credentials Secret's keys are what an operator's Secret (docs) must hold: never renamed.
    expect([scalable.S3_ACCESS_KEY_KEY, scalable.S3_SECRET_KEY_KEY]).toEqual(['access-key-id', 'secret-access-key']);
    const config = loki.lokiConfig(site, topology.stackTopology(site, 'kubernetes')) as Record<string, any>;
    expect(config.common.storage.s3).toMatchObject({ access_key_id: '${LOKI_S3_ACCESS_KEY_ID}', secret_access_key: '${LOKI_S3_SECRET_ACCESS_KEY}' });
    expect([scalable.S3_ACCESS_KEY_ENV, scalable.S3_SECRET_KEY_ENV]).toEqual(['LOKI_S3_ACCESS_KEY_ID', 'LOKI_S3_SECRET_ACCESS_KEY']);
    // Changing the first schema day makes stored chunks unreadable.
    expect(config.schema_config.configs.map((c: { from: string }) => c.from)).toEqual(['2024-04-01']);
    expect(loki.LOKI_SCHEMA_START).toBe('2024-04-01');
  });
});
