import Ajv from 'ajv';
import * as YAML from 'yaml';
import { LOG_ADDRESS_SHARE_KEY } from '../../charts/loki/loki-address';
import { LokiServer } from '../../charts/loki/loki-chart';
import { logClientSources } from '../../charts/common/log-clients';
import { lokiConfig, lokiRetentionHours } from '../../charts/loki/loki-config';
import { stackTopology } from '../../charts/topology';
import { describeWithShared } from '../support/shared-dir';
import { findObject, siteWith, strictSchemaErrors, synthChart } from './component-support';
import { LOKI_CONFIG_SUBSET_SCHEMA } from './loki-config-schema';

const validateLokiConfig = new Ajv({ allErrors: true }).compile(LOKI_CONFIG_SUBSET_SCHEMA);
const schemaErrors = (config: unknown) => (validateLokiConfig(config) ? [] : validateLokiConfig.errors!.map((e) => `${e.instancePath} ${e.message}`));

/** loki.yaml as written into the ConfigMap, parsed back. */
function writtenLokiConfig(objects = synthChart(LokiServer).objects): Record<string, any> {
  return YAML.parse(findObject(objects, 'ConfigMap', 'loki-config').data['loki.yaml']);
}

describe('Loki configuration', () => {
  test('the written loki.yaml passes the Loki 3.x subset schema', () => {
    expect(schemaErrors(writtenLokiConfig())).toEqual([]);
  });

  test('it is single binary, single tenant, schema v13 on tsdb and the filesystem', () => {
    const config = writtenLokiConfig();
    expect(config.auth_enabled).toBe(false);
    expect(config.common.replication_factor).toBe(1);
    expect(config.common.ring.kvstore.store).toBe('inmemory');
    expect(config.schema_config.configs).toEqual([
      { from: '2024-04-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } },
    ]);
  });

  test('the compactor applies retention with a delete request store, and the period is the report\'s 14 days', () => {
    const config = writtenLokiConfig();
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.compactor).not.toHaveProperty('shared_store');
    expect(config.limits_config.retention_period).toBe('336h');
  });

  test('the log deletion API is off for the single tenant (deletion_mode disabled: /loki/api/v1/delete answers 403), while the compactor keeps applying retention', () => {
    // Loki has no authentication here and 3100 is open to the management VLAN: with retention on,
    // Loki v3.7.6 mounts /loki/api/v1/delete behind a tenant check that refuses mode "disabled".
    const config = writtenLokiConfig();
    expect(config.limits_config.deletion_mode).toBe('disabled');
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.limits_config.retention_period).toBe('336h');
    // No per-tenant override or deprecated switch turns it back on.
    expect(config).not.toHaveProperty('overrides');
    expect(config).not.toHaveProperty('runtime_config');
    expect(config.compactor).not.toHaveProperty('allow_deletes');
    expect(config.limits_config).not.toHaveProperty('allow_deletes');
  });

  test('the ruler\'s local rule store is a named directory on the data volume, which Loki creates at start', () => {
    const site = siteWith();
    const dataDir = stackTopology(site, 'kubernetes').lokiDataDir;
    expect(writtenLokiConfig().common.storage.filesystem.rules_directory).toBe(`${dataDir}/rules`);
  });

  test('a 7-day site retention becomes 168h', () => {
    const site = siteWith({ loki: { retention: '7d' } });
    expect(writtenLokiConfig(synthChart(LokiServer, site).objects).limits_config.retention_period).toBe('168h');
  });

  test('every data path lies under the data directory the PVC is mounted on', () => {
    const site = siteWith();
    const dataDir = stackTopology(site, 'kubernetes').lokiDataDir;
    const config = writtenLokiConfig();
    for (const dir of [config.common.path_prefix, config.common.storage.filesystem.chunks_directory, config.common.storage.filesystem.rules_directory, config.compactor.working_directory]) {
      expect(`${dir}/`.startsWith(`${dataDir}/`)).toBe(true);
    }
  });

  test('the LXC topology moves the data paths to the LXC data directory', () => {
    const site = siteWith();
    const config = lokiConfig(site, stackTopology(site, 'lxc'));
    expect(config.common.path_prefix).toBe('/var/lib/loki');
    expect(config.compactor.working_directory).toBe('/var/lib/loki/compactor');
    expect(schemaErrors(config)).toEqual([]);
  });

  test('fails when the retention is not a whole number of days', () => {
    const site = siteWith();
    expect(() => lokiRetentionHours({ ...site, loki: { ...site.loki, retention: '36h' } })).toThrow(/loki\.retention: "36h" is not a whole number of days; use e\.g\. 7d or 14d/);
  });

  describe('the subset schema bites', () => {
    test('fails when retention is enabled without delete_request_store (Loki >= 3.1 will not start)', () => {
      const config = writtenLokiConfig();
      delete config.compactor.delete_request_store;
      expect(schemaErrors(config).join('\n')).toMatch(/delete_request_store/);
    });

    test('fails when rules_directory is left out (filesystem storage makes the rule store local, which needs a directory, or Loki will not start)', () => {
      const config = writtenLokiConfig();
      delete config.common.storage.filesystem.rules_directory;
      expect(schemaErrors(config).join('\n')).toMatch(/\/common\/storage\/filesystem must have required property 'rules_directory'/);
    });

    test('fails when deletion_mode is not one of Loki\'s modes (disabled, filter-only, filter-and-delete)', () => {
      const config = writtenLokiConfig();
      config.limits_config.deletion_mode = 'off';
      expect(schemaErrors(config).join('\n')).toMatch(/\/limits_config\/deletion_mode must be equal to one of the allowed values/);
    });

    test('fails when a Loki 2.x config (boltdb-shipper, v12, shared_store) is given', () => {
      const config = writtenLokiConfig();
      config.schema_config.configs[0] = { ...config.schema_config.configs[0], store: 'boltdb-shipper', schema: 'v12' };
      config.compactor.shared_store = 'filesystem';
      const errors = schemaErrors(config).join('\n');
      expect(errors).toMatch(/\/schema_config\/configs\/0\/store must be equal to one of the allowed values/);
      expect(errors).toMatch(/\/schema_config\/configs\/0\/schema must be equal to constant/);
      expect(errors).toMatch(/\/compactor must NOT have additional properties/);
    });

    test('fails when the index period is not 24h or a duration is malformed', () => {
      const config = writtenLokiConfig();
      config.schema_config.configs[0].index.period = '168h';
      config.limits_config.retention_period = '14 days';
      const errors = schemaErrors(config).join('\n');
      expect(errors).toMatch(/index\/period must be equal to constant/);
      expect(errors).toMatch(/retention_period must match pattern/);
    });
  });
});

describe('Loki chart', () => {
  const { site, objects } = synthChart(LokiServer);
  const sts = findObject(objects, 'StatefulSet', 'loki');
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];

  test('every object has an explicit name in the site namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/loki-config', 'ConfigMap/loki-rules', 'Service/loki', 'ConfigMap/syslog-gateway-config', 'Service/syslog', 'Service/talos-logs', 'Service/loki-lb', 'StatefulSet/loki', 'NetworkPolicy/loki',
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe('monitoring');
  });

  test('renaming the construct changes no name and no selector', () => {
    const renamed = synthChart(LokiServer, site, 'renamed-logs').objects;
    expect(renamed).toEqual(objects);
  });

  test('the StatefulSet selects on stable app.kubernetes.io labels only', () => {
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/part-of': 'monitoring-stack' });
    expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
  });

  test('it runs the pinned Loki 3.x image with the report\'s sizing: 4 CPU requested, 8Gi memory request = limit, no CPU limit', () => {
    expect(container.image).toMatch(/^docker\.io\/grafana\/loki:3\.\d+\.\d+$/);
    expect(container.resources).toEqual({ requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } });
    expect(sts.spec.replicas).toBe(1);
  });

  test('the data volume is a 100Gi volumeClaimTemplate on the site storage class, mounted at the data directory', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '100Gi' } } },
    }]);
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/loki' });
  });

  test('probes ask /ready on the HTTP port', () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/ready', port: 'http' });
    }
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 3100, protocol: 'TCP' });
  });

  test('pod and container run restricted: non-root 10001, read-only root, no capabilities', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('a config change changes the pod template checksum (the pod rolls)', () => {
    const other = findObject(synthChart(LokiServer, siteWith({ loki: { retention: '7d' } })).objects, 'StatefulSet', 'loki');
    const checksum = (o: typeof sts) => o.spec.template.metadata.annotations['checksum/config'];
    expect(checksum(sts)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(other)).not.toBe(checksum(sts));
  });

  test('the headless Service named loki governs the StatefulSet and serves loki.<ns>.svc:3100', () => {
    const headless = findObject(objects, 'Service', 'loki');
    expect(headless.spec.clusterIP).toBe('None');
    expect(sts.spec.serviceName).toBe('loki');
    expect(stackTopology(site, 'kubernetes').loki).toBe('loki.monitoring.svc:3100');
    expect(headless.spec.ports).toContainEqual({ name: 'http', port: 3100, targetPort: 'http', protocol: 'TCP' });
  });

  test('the LoadBalancer takes the report\'s Loki address 10.70.0.12:3100, shared with syslog, from the management VLAN only', () => {
    const lb = findObject(objects, 'Service', 'loki-lb');
    expect(lb.spec.type).toBe('LoadBalancer');
    expect(lb.metadata.annotations).toMatchObject({ 'metallb.io/loadBalancerIPs': '10.70.0.12', 'metallb.io/allow-shared-ip': LOG_ADDRESS_SHARE_KEY });
    expect(lb.spec.ports).toEqual([{ name: 'http', port: 3100, targetPort: 'http', protocol: 'TCP' }]);
    // Not the monitoring VLAN: its DHCP range holds no log client. Local keeps client addresses.
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24']);
    expect(lb.spec.externalTrafficPolicy).toBe('Local');
  });

  test('the NetworkPolicy admits 3100 only from Grafana, Prometheus, the log collector and the management VLAN: no other pod, no DHCP client', () => {
    const np = findObject(objects, 'NetworkPolicy', 'loki');
    expect(np.spec.podSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const http = np.spec.ingress.filter((r: any) => r.ports.some((p: any) => p.port === 3100));
    expect(http).toHaveLength(1);
    expect(http[0].ports).toEqual([{ port: 3100, protocol: 'TCP' }]);
    expect(http[0].from.map((p: any) => p.podSelector?.matchLabels['app.kubernetes.io/name'] ?? p.ipBlock.cidr))
      .toEqual(['10.88.140.0/24', 'grafana', 'prometheus', 'cluster-logs']);
    // The pod network only on the Talos log port, for the nodes' masqueraded connections (test/integrations/logs.test.ts).
    const anyPodNetwork = np.spec.ingress.filter((r: any) => !r.ports.some((p: any) => p.port === 5170))
      .flatMap((r: any) => r.from ?? []).filter((p: any) => p.ipBlock && p.ipBlock.cidr.startsWith('10.244.'));
    expect(anyPodNetwork).toEqual([]);
  });

  test('log clients outside the management VLAN (a guest or the Proxmox host elsewhere) are admitted by their own address', () => {
    const custom = siteWith({
      network: { managementCidr: '192.168.10.0/24' },
      proxmox: { apiUrl: 'https://192.168.10.5:8006', hostAddress: '192.168.10.5', guests: [
        { name: 'wazuh', vmid: 101, role: 'wazuh', address: '192.168.20.7' },
        { name: 'checkmk', vmid: 103, role: 'checkmk', address: '192.168.10.8' },
      ] },
    });
    expect(logClientSources(custom)).toEqual(['192.168.10.0/24', '192.168.20.7/32']);
    const lb = findObject(synthChart(LokiServer, custom).objects, 'Service', 'loki-lb');
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['192.168.10.0/24', '192.168.20.7/32']);
  });

  describeWithShared('schemas/kubernetes', 'against the Kubernetes schemas', () => {
    test('every object validates strictly', () => {
      expect(strictSchemaErrors(site, objects)).toEqual([]);
    });
  });
});
