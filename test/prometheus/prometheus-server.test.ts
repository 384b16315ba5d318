/**
 * Prometheus behind its own basic auth (exporter-toolkit web config, as Alertmanager), with every
 * client of it authenticating: its probes, its own scrape, Grafana. Retention in prometheus.yml,
 * links to its LoadBalancer address, discovery through EndpointSlices.
 */
import * as YAML from 'yaml';
import { PROBE_CLIENT_FILE, PrometheusServer } from '../../charts/prometheus/prometheus-server';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import type { RelabelConfig } from '../../charts/prometheus/config-model';
import { stackTopology } from '../../charts/topology';
import { findObject, siteWith, synthChart } from '../components/component-support';

const { site, objects } = synthChart(PrometheusServer);
const sts = findObject(objects, 'StatefulSet', 'prometheus');
const pod = sts.spec.template.spec;
const container = pod.containers[0];
const configMap = findObject(objects, 'ConfigMap', 'prometheus-config');
const config = YAML.parse(configMap.data['prometheus.yml']);
const mountOf = (volume: string) => container.volumeMounts.filter((m: { name: string }) => m.name === volume);

describe('Prometheus authentication', () => {
  test('the server reads a bcrypt web config from Secret prometheus-web-auth', () => {
    expect(container.args).toContain('--web.config.file=/etc/prometheus/web/web.yml');
    expect(pod.volumes).toContainEqual({
      name: 'web-auth',
      secret: { secretName: 'prometheus-web-auth', items: [{ key: 'web.yml', path: 'web.yml' }, { key: 'password', path: 'password' }] },
    });
    expect(mountOf('web-auth')).toEqual([{ name: 'web-auth', mountPath: '/etc/prometheus/web', readOnly: true }]);
  });

  test('the Secret name follows site.prometheus.webAuthSecret', () => {
    const custom = findObject(synthChart(PrometheusServer, siteWith({ prometheus: { webAuthSecret: 'prom-auth' } })).objects, 'StatefulSet', 'prometheus');
    expect(custom.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'web-auth').secret.secretName).toBe('prom-auth');
  });

  test('probes ask /-/ready and /-/healthy through promtool with the mounted password, no credential in the manifest', () => {
    const command = (probe: { exec: { command: string[] } }) => probe.exec.command;
    const ready = ['/bin/promtool', 'check', 'ready', '--url=http://localhost:9090', `--http.config.file=${PROBE_CLIENT_FILE}`];
    expect(command(container.startupProbe)).toEqual(ready);
    expect(command(container.readinessProbe)).toEqual(ready);
    expect(command(container.livenessProbe)).toEqual(['/bin/promtool', 'check', 'healthy', '--url=http://localhost:9090', `--http.config.file=${PROBE_CLIENT_FILE}`]);
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) expect(probe.httpGet).toBeUndefined();
    // The client config is in the ConfigMap: a user name and a file path, nothing secret.
    expect(YAML.parse(configMap.data['probe-client.yml'])).toEqual({ basic_auth: { username: 'monitoring', password_file: '/etc/prometheus/web/password' } });
    expect(mountOf('config')).toContainEqual({ name: 'config', mountPath: PROBE_CLIENT_FILE, subPath: 'probe-client.yml', readOnly: true });
  });

  test('its own scrape logs in with the mounted password', () => {
    const self = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'prometheus');
    expect(self.basic_auth).toEqual({ username: 'monitoring', password_file: '/etc/prometheus/web/password' });
  });
});

describe('Prometheus links and retention', () => {
  test('links point at the LoadBalancer address, routes stay at /', () => {
    expect(container.args).toEqual(expect.arrayContaining(['--web.external-url=http://10.70.0.10:9090/', '--web.route-prefix=/']));
  });

  test('prometheus.externalUrl overrides the link base', () => {
    const custom = findObject(synthChart(PrometheusServer, siteWith({ prometheus: { externalUrl: 'https://prom.example.com/prometheus/' } })).objects, 'StatefulSet', 'prometheus');
    expect(custom.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--web.external-url=https://prom.example.com/prometheus/', '--web.route-prefix=/']));
  });

  test('retention is set in prometheus.yml (storage.tsdb.retention), not by the flags deprecated in 3.8', () => {
    expect(config.storage).toEqual({ tsdb: { retention: { time: '15d', size: '85GB' } } });
    expect(container.args.filter((a: string) => a.startsWith('--storage.tsdb.retention'))).toEqual([]);
  });
});

describe('Kubernetes discovery', () => {
  const jobs = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs;

  test('no job discovers v1 Endpoints (deprecated since Kubernetes 1.33), and the ClusterRole cannot read them', () => {
    const roles = jobs.flatMap((j) => (j.kubernetes_sd_configs ?? []).map((sd) => sd.role));
    expect(roles).not.toContain('endpoints');
    const rules: { apiGroups?: string[]; resources?: string[] }[] = findObject(objects, 'ClusterRole', 'monitoring-prometheus').rules;
    expect(rules.filter((r) => r.apiGroups?.includes('')).flatMap((r) => r.resources)).not.toContain('endpoints');
    expect(rules).toContainEqual({ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] });
  });

  test('the API server job keeps the https port of the kubernetes Service as EndpointSlice discovery labels it', () => {
    const job = jobs.find((j) => j.job_name === 'kubernetes-apiservers')!;
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['default'] } }]);
    // Meta labels of role: endpointslice (Prometheus docs, configuration.md); the service's labels are attached too.
    const target = { __meta_kubernetes_service_name: 'kubernetes', __meta_kubernetes_endpointslice_port_name: 'https' };
    expect(kept(target, job.relabel_configs!)).toBe(true);
    expect(kept({ ...target, __meta_kubernetes_endpointslice_port_name: 'metrics' }, job.relabel_configs!)).toBe(false);
  });
});

/** Prometheus' keep action: the joined source labels must match the anchored regex. */
function kept(labels: Record<string, string>, rules: readonly RelabelConfig[]): boolean {
  return rules.filter((r) => r.action === 'keep').every((r) => {
    const value = (r.source_labels ?? []).map((l) => labels[l] ?? '').join(r.separator ?? ';');
    return new RegExp(`^(?:${r.regex ?? '(.*)'})$`).test(value);
  });
}
