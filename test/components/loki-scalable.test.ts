/**
 * loki.mode simple-scalable: the three targets on the site's S3 bucket, their ring, their
 * Services and policies, and every client that reads from or pushes to Loki; then the alerts
 * for a target losing its quorum, run by promtool.
 */
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { alertDefinitionGroups, prometheusRuleGroups } from '../../charts/prometheus/rules';
import { stackTopology } from '../../charts/topology';
import { operatorSecretSpecs } from '../../charts/secrets/operator-secrets';
import { lokiConfig } from '../../charts/loki/loki-config';
import { parseSite, stackWorkloads, type SiteInput } from '../../site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { describeWithBinary } from '../support/binaries';
import { expectPromtoolCase, expectPromtoolCheckConfig } from '../prometheus/promtool-case';
import { readObjects } from '../support/dist-tree';
import { describeWithShared } from '../support/shared-dir';
import { tempDir } from '../support/synth-once';
import { writeDeliveryTree } from '../gitops/delivery-tree';
import { strictSchemaErrors, synthChart, type K8sObject } from './component-support';
import { LokiScalableServer } from '../../charts/loki/loki-scalable';
import { LOKI_CONFIG_SUBSET_SCHEMA } from './loki-config-schema';

const validateLokiConfig = new Ajv({ allErrors: true }).compile(LOKI_CONFIG_SUBSET_SCHEMA);
const schemaErrors = (config: unknown) => (validateLokiConfig(config) ? [] : validateLokiConfig.errors!.map((e) => `${e.instancePath} ${e.message}`));

/** Not the defaults anywhere it matters: namespace, bucket, endpoint, plain HTTP, virtual-host style, Secret name, volume sizes. */
const INPUT: SiteInput = {
  kubernetes: { namespace: 'obs' },
  loki: {
    mode: 'simple-scalable', cpu: 2, memoryGiB: 6, walVolumeGiB: 20, backendVolumeGiB: 15,
    objectStorage: { endpoint: 'minio.lab.lan:9000', bucket: 'site-logs', region: 'eu-west-1', insecure: true, forcePathStyle: false, credentialsSecret: 'minio-loki' },
  },
};
const site = parseSite(INPUT).site;
const topology = stackTopology(site, 'kubernetes');
const objects = readObjects(writeDeliveryTree(site)) as K8sObject[];
const find = (kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const config = YAML.parse(find('ConfigMap', 'loki-config').data['loki.yaml']);
const TARGETS = ['write', 'read', 'backend'] as const;
const workload = (target: string) => objects.find((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && o.metadata.name === `loki-${target}`)!;
const loki = (target: string) => workload(target).spec.template.spec.containers.find((c: { name: string }) => c.name === 'loki');
const selector = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'monitoring-stack' });

describe('simple-scalable Loki: loki.yaml', () => {
  test('it passes the Loki 3.x subset schema', () => {
    expect(schemaErrors(config)).toEqual([]);
  });

  test('one ring on memberlist over the headless Service of the site\'s namespace, three copies of every stream, and no in-memory ring or fixed address', () => {
    expect(config.memberlist).toEqual({ join_members: ['loki-memberlist.obs.svc.cluster.local:7946'] });
    expect(config.common.replication_factor).toBe(3);
    expect(config.common).not.toHaveProperty('ring');
    expect(config.common).not.toHaveProperty('instance_addr');
    expect(config.common.compactor_grpc_address).toBe('loki-backend.obs.svc.cluster.local:9095');
    expect(config.storage_config.tsdb_shipper.index_gateway_client.server_address).toBe('dns+loki-backend-headless.obs.svc.cluster.local:9095');
  });

  test('chunks, index and delete requests live in the site\'s bucket, with credentials from the environment only', () => {
    expect(config.common.storage).toEqual({
      s3: {
        endpoint: 'minio.lab.lan:9000', bucketnames: 'site-logs', region: 'eu-west-1', insecure: true, s3forcepathstyle: false,
        access_key_id: '${LOKI_S3_ACCESS_KEY_ID}', secret_access_key: '${LOKI_S3_SECRET_ACCESS_KEY}',
      },
    });
    expect(config.schema_config.configs).toEqual([{ from: '2024-04-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'index_', period: '24h' } }]);
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3', working_directory: '/var/loki/compactor' });
    expect(config.limits_config).toMatchObject({ retention_period: '336h', deletion_mode: 'disabled' });
  });

  test('the ruler (Wazuh rules) reads the rules ConfigMap from a local store, shared out over the backends, and sends to every Alertmanager', () => {
    expect(config.ruler).toMatchObject({ storage: { type: 'local', local: { directory: '/var/loki/rules' } }, enable_sharding: true, alertmanager_url: 'http://alertmanager.obs.svc:9093' });
    const backend = loki('backend');
    expect(backend.volumeMounts).toContainEqual({ name: 'rules', mountPath: '/var/loki/rules/fake', readOnly: true });
    expect(backend.env.map((e: { name: string }) => e.name)).toContain('LOKI_ALERTMANAGER_PASSWORD');
    for (const target of ['write', 'read']) {
      expect(loki(target).volumeMounts.map((m: { name: string }) => m.name)).not.toContain('rules');
      expect(loki(target).env.map((e: { name: string }) => e.name)).not.toContain('LOKI_ALERTMANAGER_PASSWORD');
    }
  });

  test('the LXC path keeps the single binary on its volume', () => {
    const lxc = lokiConfig(site, stackTopology(site, 'lxc')) as Record<string, any>;
    expect(lxc.common.replication_factor).toBe(1);
    expect(lxc.common.storage).toHaveProperty('filesystem');
    expect(lxc).not.toHaveProperty('memberlist');
  });

  describe('the subset schema bites', () => {
    test('an in-memory ring or a fixed address beside replication 3', () => {
      expect(schemaErrors({ ...config, common: { ...config.common, ring: { kvstore: { store: 'inmemory' } } } }).join('\n')).toMatch(/\/common must NOT be valid/);
      expect(schemaErrors({ ...config, common: { ...config.common, instance_addr: '127.0.0.1' } }).join('\n')).toMatch(/\/common must NOT be valid/);
      const { memberlist: _m, ...noRing } = config;
      expect(schemaErrors(noRing).join('\n')).toMatch(/must have required property 'memberlist'/);
    });

    test('an access key without its secret, an S3 period without S3 settings, a misspelt path-style key', () => {
      const { secret_access_key: _s, ...s3 } = config.common.storage.s3;
      expect(schemaErrors({ ...config, common: { ...config.common, storage: { s3 } } }).join('\n')).toMatch(/must have property secret_access_key when property access_key_id is present/);
      expect(schemaErrors({ ...config, common: { ...config.common, storage: {} } }).join('\n')).toMatch(/\/common\/storage must have required property 's3'/);
      expect(schemaErrors({ ...config, common: { ...config.common, storage: { s3: { ...config.common.storage.s3, s3_force_path_style: true } } } }).join('\n')).toMatch(/must NOT have additional properties/);
    });
  });
});

describe('simple-scalable Loki: the objects', () => {
  test('write and backend are StatefulSets with a volume of the site\'s size per pod, read a Deployment on an emptyDir; each target its pods and its -target', () => {
    expect(TARGETS.map((t) => [t, workload(t).kind, workload(t).spec.replicas])).toEqual([['write', 'StatefulSet', 3], ['read', 'Deployment', 2], ['backend', 'StatefulSet', 3]]);
    expect(workload('write').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(workload('backend').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('15Gi');
    expect(workload('read').spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '2Gi' } });
    for (const t of TARGETS) {
      expect(loki(t).args).toEqual(['-config.file=/etc/loki/loki.yaml', `-target=${t}`, '-config.expand-env=true']);
      expect(loki(t).volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/loki' });
      expect(loki(t).ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([3100, 9095, 7946]);
    }
    expect(workload('write').spec.podManagementPolicy).toBe('Parallel');
    expect(workload('read').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  });

  test('every pod reads the S3 key from the site\'s Secret, which the operator secrets list names with its keys', () => {
    for (const t of TARGETS) {
      expect(loki(t).env.slice(0, 2)).toEqual([
        { name: 'LOKI_S3_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-loki', key: 'access-key-id' } } },
        { name: 'LOKI_S3_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-loki', key: 'secret-access-key' } } },
      ]);
    }
    const spec = operatorSecretSpecs(site).find((s) => s.name === 'minio-loki')!;
    expect(spec.namespace).toBe('obs');
    expect(Object.keys(spec.placeholder)).toEqual(['access-key-id', 'secret-access-key']);
    expect(operatorSecretSpecs(parseSite({}).site).map((s) => s.name)).not.toContain('loki-s3');
  });

  test('each pod requests its target\'s share of the site\'s Loki sizing (write three quarters, read and backend a quarter)', () => {
    expect(TARGETS.map((t) => loki(t).resources.requests)).toEqual([{ cpu: '1500m', memory: '4608Mi' }, { cpu: '500m', memory: '1536Mi' }, { cpu: '500m', memory: '1536Mi' }]);
    expect(stackWorkloads(site).filter((w) => w.service === 'loki').map((w) => [w.name, w.replicas, w.storageGiB])).toEqual([['loki-write', 3, 20], ['loki-read', 2, 0], ['loki-backend', 3, 15]]);
  });

  test('the memberlist Service gathers every pod of the three targets and nothing else, ready or not, on 7946/TCP', () => {
    const ring = find('Service', 'loki-memberlist');
    expect(ring.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'memberlist', port: 7946, targetPort: 'memberlist', protocol: 'TCP' }] });
    const members = objects.filter((o) => o.spec?.template?.metadata?.labels && Object.entries(ring.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
    expect(members.map((o) => o.metadata.name).sort()).toEqual(['loki-backend', 'loki-read', 'loki-write']);
  });

  test('pushes reach the write pods (log address, syslog gateway, cluster log collector); queries the read pods (Grafana)', () => {
    expect(find('Service', 'loki-lb').spec.selector).toEqual(selector('loki-write'));
    expect(find('Service', 'syslog').spec.selector).toEqual(selector('loki-write'));
    expect(workload('write').spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['loki', 'syslog-gateway']);
    expect(find('ConfigMap', 'cluster-logs-config').data['config.alloy']).toContain('url = "http://loki-write.obs.svc:3100/loki/api/v1/push"');
    const datasources = YAML.parse(find('ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.find((d: { uid: string }) => d.uid === 'loki').url).toBe('http://loki-read.obs.svc:3100');
    expect(topology.loki).toBe('loki-read.obs.svc:3100');
    expect(topology.lokiPush).toBe('loki-write.obs.svc:3100');
  });

  test('the policies: gRPC and the ring between Loki\'s pods only; HTTP from the log clients on write, Grafana on read, Prometheus everywhere', () => {
    const rules = (target: string) => find('NetworkPolicy', `loki-${target}`).spec.ingress as { ports: { port: number }[]; from: { podSelector?: { matchLabels: Record<string, string> }; ipBlock?: { cidr: string } }[] }[];
    const fromPods = (rule: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }) => rule.from.flatMap((f) => (f.podSelector ? [f.podSelector.matchLabels['app.kubernetes.io/name']] : []));
    for (const t of TARGETS) {
      for (const port of [9095, 7946]) {
        const rule = rules(t).find((r) => r.ports[0].port === port)!;
        expect(fromPods(rule)).toEqual(['loki-write', 'loki-read', 'loki-backend']);
        expect(rule.from.some((f) => f.ipBlock)).toBe(false);
      }
    }
    const http = (t: string) => rules(t).find((r) => r.ports[0].port === 3100)!;
    expect(fromPods(http('read'))).toEqual(['grafana', 'prometheus']);
    expect(fromPods(http('backend'))).toEqual(['prometheus']);
    expect(fromPods(http('write'))).toEqual(['prometheus', 'cluster-logs']);
    expect(http('write').from.some((f) => f.ipBlock)).toBe(true);
    // The ruler on the backends sends the Wazuh alerts: Alertmanager admits them, not the single binary's label.
    const am = find('NetworkPolicy', 'alertmanager').spec.ingress.flatMap((r: { from?: { podSelector?: { matchLabels: Record<string, string> } }[] }) => r.from ?? [])
      .flatMap((f: { podSelector?: { matchLabels: Record<string, string> } }) => (f.podSelector ? [f.podSelector.matchLabels['app.kubernetes.io/name']] : []));
    expect(am).toContain('loki-backend');
    expect(am).not.toContain('loki');
  });

  test('a write pod restarted while another\'s host is down still becomes ready: no ring-health wait, liveness on the port', () => {
    expect(config.ingester).toEqual({ lifecycler: { readiness_check_ring_health: false } });
    expect(config.pattern_ingester).toEqual({ enabled: true, lifecycler: { readiness_check_ring_health: false } });
    for (const t of TARGETS) {
      expect(loki(t).livenessProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 });
      expect(loki(t).readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    }
  });

  test('the three Services on the log address count the same write pods, not-ready ones included (one MetalLB announcer)', () => {
    const shared = ['loki-lb', 'syslog', 'talos-logs'].map((name) => find('Service', name));
    for (const svc of shared) {
      expect(svc.spec.selector).toEqual(selector('loki-write'));
      expect(svc.spec.publishNotReadyAddresses).toBe(true);
      expect(svc.spec.loadBalancerIP ?? svc.metadata.annotations['metallb.io/loadBalancerIPs']).toBe(site.loki.address);
    }
  });

  test('one Loki pod down raises LokiReplicaDown only: TargetDown leaves job loki out here, not for the single binary', () => {
    const expr = (s: typeof site, platform: 'kubernetes' | 'lxc') => prometheusRuleGroups(s, platform).groups.flatMap((g) => g.rules).find((r) => r.alert === 'TargetDown')!.expr;
    expect(expr(site, 'kubernetes')).toBe('up{job!~"grafana|kubernetes-nodes|kubernetes-cadvisor|etcd|loki"} == 0');
    expect(expr(site, 'lxc')).toBe('up{job!~"grafana|kubernetes-nodes|kubernetes-cadvisor|etcd"} == 0');
    expect(expr(parseSite({}).site, 'kubernetes')).toBe('up{job!~"grafana|kubernetes-nodes|kubernetes-cadvisor|etcd"} == 0');
  });

  test('the runbooks point at the backends for the ruler, never at a loki-0 pod', () => {
    const runbooks = (s: typeof site) => JSON.stringify(alertDefinitionGroups(s, 'kubernetes').flatMap((g) => g.rules.map((r) => r.runbook)));
    expect(runbooks(site)).not.toMatch(/loki-0/);
    expect(runbooks(site)).toContain('logs -l app.kubernetes.io/name=loki-backend --prefix | grep -i notify');
    expect(runbooks(parseSite({}).site)).toContain('logs loki-0 | grep -i notify');
  });

  test('a disruption budget per target lets a drain take one pod at a time', () => {
    for (const t of TARGETS) expect(find('PodDisruptionBudget', `loki-${t}`).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector(`loki-${t}`) } });
  });

  test('Prometheus scrapes every pod of the three targets as job loki, naming pod and target', () => {
    const prometheus = YAML.parse(find('ConfigMap', 'prometheus-config').data['prometheus.yml']);
    const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'loki');
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['obs'] } }]);
    expect(job.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'loki-write|loki-read|loki-backend' },
      { source_labels: ['__meta_kubernetes_endpointslice_port_name'], action: 'keep', regex: 'http' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'component' },
    ]);
  });

  test('each target\'s pods go one per node on one host (three nodes: write and backend on all three)', () => {
    const planned = talosVmSizing(site).nodes.map((n) => n.plannedServices);
    for (const services of planned) expect(services).toEqual(expect.arrayContaining(['loki-write', 'loki-backend']));
    expect(planned.filter((services) => services.includes('loki-read'))).toHaveLength(2);
    for (const t of TARGETS) {
      expect(workload(t).spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        { labelSelector: { matchLabels: selector(`loki-${t}`) }, topologyKey: 'kubernetes.io/hostname' },
      ]);
    }
  });

  describeWithShared('schemas/kubernetes', 'against the Kubernetes schemas', () => {
    test('every object of the Loki chart validates strictly', () => {
      expect(strictSchemaErrors(site, synthChart(LokiScalableServer, site).objects)).toEqual([]);
    });
  });
});

describeWithBinary('promtool', 'simple-scalable Loki alerts', () => {
  const dir = tempDir('loki-scalable-alerts-');
  const up = (component: string, pod: string) => `up{job="loki",component="${component}",instance="${pod}"}`;
  const promtoolCase = (alert: string, series: Record<string, string>, quiet: string, fires: string, labels: Record<string, string>, value: string) =>
    expectPromtoolCase(site, dir, { alert, series, quiet, fires, labels, value });

  test('one write pod down is a warning; LokiDown waits until two of three are (a push needs two copies)', () => {
    const series = { [up('loki-write', 'loki-write-0')]: '1x5 0x55', [up('loki-write', 'loki-write-1')]: '1x30 0x30', [up('loki-write', 'loki-write-2')]: '1x60' };
    promtoolCase('LokiReplicaDown', { [up('loki-write', 'loki-write-0')]: '1x5 0x55' }, '10m', '25m', { job: 'loki', component: 'loki-write', instance: 'loki-write-0' }, '0');
    // Quiet at minute 25 although loki-write-0 is down for 20 minutes: two copies still take every push.
    promtoolCase('LokiDown', series, '25m', '40m', { job: 'loki', component: 'loki-write' }, '1');
  });

  test('promtool check config accepts the prometheus.yml with the per-pod Loki job', () => {
    expectPromtoolCheckConfig(site, topology, dir);
  });

  test('for read and backend, LokiDown fires when no pod answers, and not while one does', () => {
    const series = { [up('loki-read', 'loki-read-a')]: '1x10 0x50', [up('loki-read', 'loki-read-b')]: '1x30 0x30' };
    promtoolCase('LokiDown', series, '25m', '40m', { job: 'loki', component: 'loki-read' }, '0');
  });

  test('the single binary keeps its one-pod rule, and the LXC path of this site too', () => {
    const names = (s: typeof site, platform: 'kubernetes' | 'lxc') => prometheusRuleGroups(s, platform).groups.flatMap((g) => g.rules).filter((r) => r.alert?.startsWith('Loki')).map((r) => `${r.alert}: ${r.expr}`);
    expect(names(parseSite({}).site, 'kubernetes')).toContain('LokiDown: up{job="loki"} == 0');
    expect(names(site, 'lxc')).toContain('LokiDown: up{job="loki"} == 0');
    expect(names(site, 'lxc').join('\n')).not.toMatch(/LokiReplicaDown/);
  });
});
