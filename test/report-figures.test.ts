import * as YAML from 'yaml';
/** Reads the synthesized YAML (not the model) and finds the report's sizing, volumes and retention. */
import { readObjects, DistObject } from './support/dist-tree';
import { SECOND_SITE_SINGLE_PODS } from './support/second-site';
import { synthToTemp, tempDir, writeSiteFile } from './support/synth-once';

type Workload = DistObject & { spec: any };

describe('the synthesized manifests carry the report figures exactly', () => {
  const objects = readObjects(synthToTemp().outDir);
  const workload = (name: string) => objects.find((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && o.metadata.name === name) as Workload;
  const container = (name: string) => workload(name).spec.template.spec.containers.find((c: { name: string }) => c.name === name);
  const pvcSize = (name: string): string | undefined => {
    const w = workload(name);
    const template = w.spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage;
    if (template) return template;
    const claim = w.spec.template.spec.volumes?.find((v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
    return (objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim) as Workload | undefined)?.spec.resources.requests.storage;
  };

  // Report table "Resource Requirements": vCPU / memory GB / disk GB (GB kept as GiB).
  const REPORT = [
    ['prometheus', '4', '8Gi', '100Gi'],
    ['grafana', '2', '4Gi', '50Gi'],
    ['loki', '4', '8Gi', '100Gi'],
    ['alertmanager', '2', '4Gi', '50Gi'],
  ] as const;

  test.each(REPORT)('%s requests cpu %s and memory %s (limit = request, no CPU limit) on a %s volume', (name, cpu, memory, disk) => {
    const resources = container(name).resources;
    expect(resources.requests).toEqual({ cpu, memory });
    expect(resources.limits).toEqual({ memory });
    expect(pvcSize(name)).toBe(disk);
  });

  test('Prometheus keeps 15 days, bounded by size below its 100Gi volume (retention in prometheus.yml, Prometheus >= 3.8)', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') as Workload & { data: Record<string, string> };
    expect(YAML.parse(cm.data['prometheus.yml']).storage.tsdb.retention).toEqual({ time: '15d', size: '85GB' });
  });

  test('Alertmanager keeps 30 days of history, in hours', () => {
    expect(container('alertmanager').args).toContain('--data.retention=720h');
  });

  test('Loki deletes logs after 14 days (336h), with compactor retention on', () => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'loki-config') as Workload & { data: Record<string, string> };
    const text = Object.values(cm.data)[0];
    expect(text).toMatch(/^ {2}retention_period: 336h$/m);
    expect(text).toMatch(/^ {2}retention_enabled: true$/m);
  });

  test('the services sit on the report static IPs', () => {
    const lbIps = objects.filter((o) => o.kind === 'Service' && (o as Workload).spec.type === 'LoadBalancer')
      .map((o) => [o.metadata.name, o.metadata.annotations?.['metallb.io/loadBalancerIPs']]);
    expect(lbIps).toEqual(expect.arrayContaining([['prometheus-lb', '10.70.0.10'], ['grafana-lb', '10.70.0.11'], ['loki-lb', '10.70.0.12'], ['syslog', '10.70.0.12'], ['alertmanager-lb', '10.70.0.13']]));
  });

  test('every image is pinned by version', () => {
    const images = objects.flatMap((o) => ((o as Workload).spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/:[v]?\d+\.\d+\.\d+$/);
  });

  test('every pod runs under Pod Security "restricted" settings', () => {
    for (const o of objects.filter((x) => (x as Workload).spec?.template?.spec)) {
      const pod = (o as Workload).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
      }
    }
  });
});

// One pod per service, Grafana on a volume: the sizes and retention of the second site (its replicas: test/prometheus/replicas.test.ts).
describe('a site with other figures gets its own figures, not the report\'s', () => {
  const root = tempDir('figures-');
  const objects = readObjects(synthToTemp(writeSiteFile(root, YAML.stringify(SECOND_SITE_SINGLE_PODS))).outDir);
  const workload = (name: string) => objects.find((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && o.metadata.name === name) as Workload;
  const container = (name: string) => workload(name).spec.template.spec.containers.find((c: { name: string }) => c.name === name);
  const config = (name: string, key: string) => (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as Workload & { data: Record<string, string> }).data[key];

  test.each([
    ['prometheus', '6', '12Gi', '160Gi'],
    ['grafana', '3', '3Gi', '20Gi'],
    ['loki', '3', '6Gi', '120Gi'],
    ['alertmanager', '1', '1Gi', '5Gi'],
  ] as const)('%s requests cpu %s and memory %s on a %s volume', (name, cpu, memory, disk) => {
    expect(container(name).resources).toEqual({ requests: { cpu, memory }, limits: { memory } });
    const w = workload(name);
    const size = w.spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage
      ?? (objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'grafana-data') as Workload).spec.resources.requests.storage;
    expect(size).toBe(disk);
    expect(w.metadata.namespace).toBe('observability');
  });

  test('retention follows the site: Prometheus 45d and 85 % of 160 GiB, Loki 10 days, Alertmanager 240h', () => {
    expect(YAML.parse(config('prometheus-config', 'prometheus.yml')).storage.tsdb.retention).toEqual({ time: '45d', size: '136GB' });
    expect(config('loki-config', 'loki.yaml')).toMatch(/^ {2}retention_period: 240h$/m);
    expect(container('alertmanager').args).toContain('--data.retention=240h');
  });

  test('the services sit on the site\'s addresses', () => {
    const lbIps = objects.filter((o) => o.kind === 'Service' && (o as Workload).spec.type === 'LoadBalancer')
      .map((o) => [o.metadata.name, o.metadata.annotations?.['metallb.io/loadBalancerIPs']]);
    expect(lbIps).toEqual(expect.arrayContaining([['prometheus-lb', '172.20.42.30'], ['grafana-lb', '172.20.42.31'], ['loki-lb', '172.20.42.32'], ['syslog', '172.20.42.32'], ['alertmanager-lb', '172.20.42.33']]));
  });
});
