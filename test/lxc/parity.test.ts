/**
 * Parity: both paths carry the same scrape jobs, rules, retention, receivers and datasources.
 * The Kubernetes side is read from the synthesized charts (ConfigMaps and container args), the
 * LXC side from dist/lxc; every difference is listed below, explicitly.
 */
import { App, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { parseSite, type Site } from '../../site';
import { configYaml } from '../../charts/common/config-yaml';
import { AlertmanagerServer } from '../../charts/alertmanager/alertmanager-server';
import { EstateExporters } from '../../charts/exporters/exporters-chart';
import { GrafanaServer } from '../../charts/grafana/grafana-chart';
import { LokiServer } from '../../charts/loki/loki-chart';
import { PrometheusServer } from '../../charts/prometheus/prometheus-server';
import { stackTopology } from '../../charts/topology';
import { pathDifferences, renderLxcPath } from '../../lxc';
import { diffValues } from '../../lxc/parity';

type K8sObject = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: any };

function kubernetesObjects(site: Site): K8sObject[] {
  const app = new App({ outdir: '/nonexistent-cdk8s-outdir' });
  const props = { site, topology: stackTopology(site, 'kubernetes') };
  const charts = [
    new PrometheusServer(app, 'prometheus', props), new AlertmanagerServer(app, 'alertmanager', props),
    new LokiServer(app, 'loki', props), new GrafanaServer(app, 'grafana', props),
    new EstateExporters(app, 'exporters', props),
  ];
  return charts.flatMap((c) => Testing.synth(c) as K8sObject[]);
}

function both(site: Site) {
  const objects = kubernetesObjects(site);
  const configMap = (name: string, key: string): string => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!cm?.data?.[key]) throw new Error(`ConfigMap ${name} has no key ${key}`);
    return cm.data[key];
  };
  const args = (kind: string, name: string, container?: string): string[] => {
    const containers: { name: string; args: string[] }[] = objects.find((o) => o.kind === kind && o.metadata.name === name)!.spec.template.spec.containers;
    return (container ? containers.find((c) => c.name === container)! : containers[0]).args;
  };
  const lxc = new Map(renderLxcPath(site).map((f) => [f.path, f.content]));
  const file = (p: string): string => {
    const c = lxc.get(p);
    if (c === undefined) throw new Error(`dist/${p} missing`);
    return c;
  };
  /** Flags of a unit's ExecStart (our units put one flag per continuation line). */
  const execArgs = (p: string): string[] => {
    const exec = file(p).match(/^ExecStart=((?:.*\\\n)*.*)/m)![1];
    return exec.split(/ \\\n\s*/).slice(1).map((a) => a.replace(/^"(.*)"$/, '$1'));
  };
  return { configMap, args, file, execArgs };
}

const site = parseSite({}).site;
const k = both(site);

describe('The LXC and Kubernetes paths carry the same', () => {
  const k8sProm = YAML.parse(k.configMap('prometheus-config', 'prometheus.yml'));
  const lxcProm = YAML.parse(k.file('lxc/prometheus/etc/prometheus/prometheus.yml'));

  test('scrape jobs, except those that watch Kubernetes itself (discovery and kube-state-metrics); the gateway by its own job on LXC', () => {
    const jobs = (c: any) => c.scrape_configs.map((j: any) => j.job_name);
    const k8sOnly = ['kube-state-metrics', 'kube-state-metrics-telemetry', 'kubernetes-apiservers', 'kubernetes-nodes', 'kubernetes-cadvisor', 'talos-nodes', 'etcd', 'kubernetes-pods'];
    // On Kubernetes the syslog gateway is found by the kubernetes-pods job (its pod annotations).
    expect(jobs(lxcProm)).toEqual([...jobs(k8sProm).filter((j: string) => !k8sOnly.includes(j)), 'syslog-gateway']);
    expect(lxcProm.scrape_configs.at(-1).static_configs).toEqual([{ targets: ['10.70.0.12:12345'] }]);
    expect(jobs(k8sProm)).toEqual(expect.arrayContaining(k8sOnly));
  });

  test('alert rules, byte for byte, but for the Kubernetes group only a cluster can feed', () => {
    const groups = (text: string) => (YAML.parse(text) as { groups: { name: string }[] }).groups;
    const onKubernetes = groups(k.configMap('prometheus-rules', 'alerts.yml'));
    expect(onKubernetes.map((g) => g.name)).toContain('kubernetes');
    expect(k.file('lxc/prometheus/etc/prometheus/rules/alerts.yml')).toBe(configYaml({ groups: onKubernetes.filter((g) => g.name !== 'kubernetes') }));
  });

  test('receivers and routes: alertmanager.yml byte for byte', () => {
    expect(k.file('lxc/alertmanager/etc/alertmanager/alertmanager.yml')).toBe(k.configMap('alertmanager-config', 'alertmanager.yml'));
  });

  test('retention, auth and links: Prometheus and Alertmanager flags differ only in the data path, Loki only in directories', () => {
    const diffArgs = (a: string[], b: string[]) => [a.filter((x) => !b.includes(x)), b.filter((x) => !a.includes(x))];
    expect(diffArgs(k.args('StatefulSet', 'prometheus'), k.execArgs('lxc/prometheus/etc/systemd/system/prometheus.service')))
      .toEqual([['--storage.tsdb.path=/prometheus'], ['--storage.tsdb.path=/var/lib/prometheus']]);
    expect(k.execArgs('lxc/prometheus/etc/systemd/system/prometheus.service')).toEqual(expect.arrayContaining([
      '--web.config.file=/etc/prometheus/web/web.yml', '--web.external-url=http://10.70.0.10:9090/',
    ]));
    expect(k.execArgs('lxc/alertmanager/etc/systemd/system/alertmanager.service')).toContain('--web.external-url=http://10.70.0.13:9093/');
    // Prometheus' retention is in prometheus.yml (the flags are deprecated since 3.8), the same on both paths.
    expect(lxcProm.storage).toEqual({ tsdb: { retention: { time: '15d', size: '85GB' } } });
    expect(lxcProm.storage).toEqual(k8sProm.storage);
    expect(diffArgs(k.args('StatefulSet', 'alertmanager'), k.execArgs('lxc/alertmanager/etc/systemd/system/alertmanager.service')))
      .toEqual([['--storage.path=/alertmanager'], ['--storage.path=/var/lib/alertmanager']]);
    expect(k.args('StatefulSet', 'loki')).toEqual(k.execArgs('lxc/loki/etc/systemd/system/loki.service'));
    // The Kubernetes gateway also runs the Talos log listener, an experimental Alloy component.
    expect(k.args('StatefulSet', 'loki', 'syslog-gateway')).toEqual([...k.execArgs('lxc/loki/etc/systemd/system/alloy.service'), '--stability.level=experimental']);
    expect(both(parseSite({ integrations: { logs: { talos: false } } }).site).args('StatefulSet', 'loki', 'syslog-gateway')).toEqual(k.execArgs('lxc/loki/etc/systemd/system/alloy.service'));
    const lokiK8s = YAML.parse(k.configMap('loki-config', 'loki.yaml'));
    const lokiLxc = YAML.parse(k.file('lxc/loki/etc/loki/loki.yaml'));
    expect(lokiLxc.limits_config).toEqual(lokiK8s.limits_config);
    expect(lokiLxc.limits_config.retention_period).toBe('336h');
  });

  test('datasources: same names, uids and settings; only the URLs differ', () => {
    const k8sDs = YAML.parse(k.configMap('grafana-provisioning', 'datasources.yaml'));
    const lxcDs = YAML.parse(k.file('lxc/grafana/etc/grafana/provisioning/datasources/datasources.yaml'));
    expect(diffValues('datasources.yaml', k8sDs, lxcDs).map((d) => d.path)).toEqual([
      '.datasources[name=Prometheus].url', '.datasources[name=Loki].url', '.datasources[name=Alertmanager].url',
    ]);
    // The same dashboard providers, less the Kubernetes folder (no cluster on LXC).
    const providers = (text: string) => YAML.parse(text).providers as Array<{ folderUid: string }>;
    expect(providers(k.file('lxc/grafana/etc/grafana/provisioning/dashboards/dashboards.yaml')))
      .toEqual(providers(k.configMap('grafana-provisioning', 'dashboards.yaml')).filter((p) => p.folderUid !== 'kubernetes'));
  });

  test('syslog gateway config byte for byte but for the Talos listener: on both paths it runs beside Loki and pushes over loopback', () => {
    const withoutTalos = both(parseSite({ integrations: { logs: { talos: false } } }).site);
    expect(k.file('lxc/loki/etc/alloy/config.alloy')).toBe(withoutTalos.configMap('syslog-gateway-config', 'config.alloy'));
    const talosBlocks = k.configMap('syslog-gateway-config', 'config.alloy').replace(k.file('lxc/loki/etc/alloy/config.alloy').replace(/loki\.write "loki"[^]*$/, ''), '');
    expect(talosBlocks).toMatch(/^otelcol\.receiver\.tcplog "talos" \{/);
    expect(k.configMap('syslog-gateway-config', 'config.alloy')).toContain('url = "http://127.0.0.1:3100/loki/api/v1/push"');
  });

  test('blackbox exporter modules, byte for byte', () => {
    expect(k.file('lxc/prometheus/etc/blackbox/blackbox.yml')).toBe(k.configMap('blackbox-exporter-config', 'blackbox.yml'));
  });
});

describe('Every difference between the paths\' service configs', () => {
  test('is one of these, each forced by the platform', () => {
    // GIVEN the report's site WHEN both paths' configs are diffed THEN exactly this list:
    const expected: Array<[file: string, path: string, why: string]> = [
      ['prometheus.yml', '.alerting.alertmanagers[0].basic_auth.password_file', 'Secret mount vs file in the container'],
      ['prometheus.yml', '.alerting.alertmanagers[0].static_configs[0].targets[0]', 'Service DNS vs container IP'],
      ['prometheus.yml', '.scrape_configs[job_name=prometheus].static_configs[0].targets[0]', 'Service DNS vs container IP'],
      ['prometheus.yml', '.scrape_configs[job_name=alertmanager].static_configs[0].targets[0]', 'Service DNS vs container IP'],
      ['prometheus.yml', '.scrape_configs[job_name=alertmanager].basic_auth.password_file', 'Secret mount vs file in the container'],
      ['prometheus.yml', '.scrape_configs[job_name=loki].static_configs[0].targets[0]', 'Service DNS vs container IP'],
      ['prometheus.yml', '.scrape_configs[job_name=grafana].static_configs[0].targets[0]', 'Service DNS vs container IP'],
      ['prometheus.yml', '.scrape_configs[job_name=node].static_configs[6]', 'node_exporter in the prometheus container (k8s: kubernetes-nodes)'],
      ['prometheus.yml', '.scrape_configs[job_name=node].static_configs[7]', 'node_exporter in the grafana container'],
      ['prometheus.yml', '.scrape_configs[job_name=node].static_configs[8]', 'node_exporter in the loki container'],
      ['prometheus.yml', '.scrape_configs[job_name=node].static_configs[9]', 'node_exporter in the alertmanager container'],
      ['prometheus.yml', '.scrape_configs[job_name=pve].relabel_configs[2].replacement', 'exporter Service vs loopback'],
      ['prometheus.yml', '.scrape_configs[job_name=blackbox-http-2xx-self-signed].relabel_configs[2].replacement', 'exporter Service vs loopback'],
      ['prometheus.yml', '.scrape_configs[job_name=blackbox-tcp-connect].relabel_configs[2].replacement', 'exporter Service vs loopback'],
      ['prometheus.yml', '.scrape_configs[job_name=blackbox-http-2xx].relabel_configs[2].replacement', 'exporter Service vs loopback'],
      ['prometheus.yml', '.scrape_configs[job_name=kube-state-metrics]', 'Kubernetes object state: no cluster on LXC'],
      ['prometheus.yml', '.scrape_configs[job_name=kube-state-metrics-telemetry]', 'Kubernetes object state: no cluster on LXC'],
      ['prometheus.yml', '.scrape_configs[job_name=kubernetes-apiservers]', 'Kubernetes service discovery only'],
      ['prometheus.yml', '.scrape_configs[job_name=kubernetes-nodes]', 'Kubernetes service discovery only'],
      ['prometheus.yml', '.scrape_configs[job_name=kubernetes-cadvisor]', 'Kubernetes service discovery only'],
      ['prometheus.yml', '.scrape_configs[job_name=talos-nodes]', 'node_exporter on the Talos nodes (LXC: in each container, the node job)'],
      ['prometheus.yml', '.scrape_configs[job_name=etcd]', 'the Talos nodes\' etcd: no cluster on LXC'],
      ['prometheus.yml', '.scrape_configs[job_name=kubernetes-pods]', 'Kubernetes service discovery only'],
      ['prometheus.yml', '.scrape_configs[job_name=syslog-gateway]', 'LXC: the gateway in the Loki container (Kubernetes finds its pod)'],
      ['alerts.yml', '.groups[name=kubernetes]', 'rules on Kubernetes objects and etcd: no cluster on LXC'],
      ['loki.yaml', '.common.path_prefix', 'PVC mount vs /var/lib'],
      ['loki.yaml', '.common.storage.filesystem.chunks_directory', 'PVC mount vs /var/lib'],
      ['loki.yaml', '.common.storage.filesystem.rules_directory', 'PVC mount vs /var/lib'],
      ['loki.yaml', '.compactor.working_directory', 'PVC mount vs /var/lib'],
      ['loki.yaml', '.ruler.alertmanager_url', 'Service DNS vs container IP'],
      ['datasources.yaml', '.datasources[name=Prometheus].url', 'Service DNS vs container IP'],
      ['datasources.yaml', '.datasources[name=Loki].url', 'Service DNS vs container IP'],
      ['datasources.yaml', '.datasources[name=Alertmanager].url', 'Service DNS vs container IP'],
    ];
    expect(pathDifferences(site).map((d) => [d.file, d.path])).toEqual(expected.map(([file, p]) => [file, p]));
  });

  test('apart from Kubernetes discovery, each is an address or a path on both sides', () => {
    const kubernetesOnly = (path: string) => /job_name=(kube(rnetes-|-state-metrics)|talos-nodes|etcd)|groups\[name=kubernetes\]/.test(path);
    for (const d of pathDifferences(site).filter((x) => !kubernetesOnly(x.path))) {
      expect(d.lxc).toMatch(/10\.70\.0\.1[0-3]|127\.0\.0\.1|\/var\/lib\/|\/etc\/prometheus\//);
    }
  });
});
