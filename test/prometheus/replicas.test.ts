/**
 * prometheus.replicas, alertmanager.replicas and grafana.replicas: the objects (StatefulSets, the query Service, the
 * gossip ports, the NetworkPolicy), prometheus.yml (replica label, alert relabelling, every
 * Alertmanager pod), Grafana's datasource and the Loki ruler's Alertmanager list; then the real
 * binaries on loopback: three Alertmanagers (Debian's 0.25) started with the synthesized cluster
 * flags form one cluster and share a silence, and two Prometheus 3.14 replicas with the synthesized
 * global and alerting sections each fire the same alert, which Alertmanager holds once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { alertmanagerArgs } from '../../charts/alertmanager/alertmanager-args';
import { alertmanagerConfigYaml } from '../../charts/alertmanager/alertmanager-config';
import { lokiRulerConfig } from '../../charts/loki/loki-ruler';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { prometheusRuleGroups } from '../../charts/prometheus/rules';
import { stackTopology } from '../../charts/topology';
import { containerPayloads } from '../../lxc/container-payloads';
import { parseSite, type SiteInput } from '../../site';
import { describeWithBinary } from '../support/binaries';
import { expectPromtoolCase, expectPromtoolCheckConfig } from './promtool-case';
import { readObjects } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { writeDeliveryTree } from '../gitops/delivery-tree';
import { eventually, freePort, startDaemon, type LoopbackDaemon } from './loopback-daemon';

const INPUT: SiteInput = { kubernetes: { namespace: 'obs' }, prometheus: { replicas: 2 }, alertmanager: { replicas: 3 }, grafana: { replicas: 2, storage: 'ephemeral' } };
const site = parseSite(INPUT).site;
const topology = stackTopology(site, 'kubernetes');
const AM_PODS = ['alertmanager-0.alertmanager.obs.svc:9093', 'alertmanager-1.alertmanager.obs.svc:9093', 'alertmanager-2.alertmanager.obs.svc:9093'];

describe('the objects of a replicated Prometheus and Alertmanager', () => {
  const objects = readObjects(writeDeliveryTree(site));
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as any;
  const prometheus = find('StatefulSet', 'prometheus');
  const alertmanager = find('StatefulSet', 'alertmanager');

  test('Prometheus runs two pods started together, each told its name for the replica label', () => {
    expect(prometheus.spec.replicas).toBe(2);
    expect(prometheus.spec.podManagementPolicy).toBe('Parallel');
    expect(prometheus.spec.template.spec.containers[0].env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  test('Grafana reads through a ClusterIP Service that keeps a client on one replica', () => {
    const query = find('Service', 'prometheus-query');
    expect(query.spec.clusterIP).toBeUndefined();
    expect(query.spec.sessionAffinity).toBe('ClientIP');
    expect(query.spec.selector).toEqual({ 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/part-of': 'monitoring-stack' });
    expect(query.spec.ports).toEqual([{ name: 'http', port: 9090, targetPort: 9090, protocol: 'TCP' }]);
    const datasources = YAML.parse(find('ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.find((d: { uid: string }) => d.uid === 'prometheus').url).toBe('http://prometheus-query.obs.svc:9090');
  });

  test('Alertmanager runs three pods that gossip on 9094 TCP and UDP, advertising their pod IP', () => {
    expect(alertmanager.spec.replicas).toBe(3);
    expect(alertmanager.spec.podManagementPolicy).toBe('Parallel');
    const container = alertmanager.spec.template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 9093, protocol: 'TCP' },
      { name: 'cluster-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'cluster-udp', containerPort: 9094, protocol: 'UDP' },
    ]);
    expect(container.args.filter((a: string) => a.startsWith('--cluster.'))).toEqual([
      '--cluster.listen-address=0.0.0.0:9094',
      '--cluster.advertise-address=$(POD_IP):9094',
      '--cluster.peer=alertmanager-0.alertmanager.obs.svc:9094',
      '--cluster.peer=alertmanager-1.alertmanager.obs.svc:9094',
      '--cluster.peer=alertmanager-2.alertmanager.obs.svc:9094',
    ]);
  });

  test('the headless Service publishes not-ready peers with the gossip ports, and the policy admits them from Alertmanager pods only', () => {
    const headless = find('Service', 'alertmanager');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`)).toEqual(['9093/TCP', '9094/TCP', '9094/UDP']);
    const policy = find('NetworkPolicy', 'alertmanager');
    expect(policy.spec.ingress[1]).toEqual({
      ports: [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }],
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/part-of': 'monitoring-stack' } } }],
    });
    // The LoadBalancer keeps the API port only: gossip never leaves the cluster.
    expect(find('Service', 'alertmanager-lb').spec.ports.map((p: { port: number }) => p.port)).toEqual([9093]);
  });

  test('Grafana runs two pods, each with its own database in an emptyDir, replaced one at a time; no claim', () => {
    const grafana = find('Deployment', 'grafana');
    expect(grafana.spec.replicas).toBe(2);
    expect(grafana.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(grafana.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    expect(find('PersistentVolumeClaim', 'grafana-data')).toBeUndefined();
    expect(grafana.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels['app.kubernetes.io/name']).toBe('grafana');
  });

  test('each Prometheus may scrape the other: its NetworkPolicy admits Prometheus pods on 9090 (one replica: Grafana only)', () => {
    const from = (objects: any[]) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'prometheus').spec.ingress[0].from
      .flatMap((f: { podSelector?: { matchLabels: Record<string, string> } }) => (f.podSelector ? [f.podSelector.matchLabels['app.kubernetes.io/name']] : []));
    expect(from(objects)).toEqual(['grafana', 'prometheus']);
    expect(from(readObjects(writeDeliveryTree(parseSite({}).site)))).toEqual(['grafana']);
  });

  test('Grafana reads Alertmanager through a ClusterIP Service of ready pods, not the headless one that lists starting and lost peers', () => {
    const query = find('Service', 'alertmanager-query');
    expect(query.spec.clusterIP).toBeUndefined();
    expect(query.spec.publishNotReadyAddresses).toBeUndefined();
    expect(query.spec.selector).toEqual({ 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/part-of': 'monitoring-stack' });
    const datasources = YAML.parse(find('ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.find((d: { uid: string }) => d.uid === 'alertmanager').url).toBe('http://alertmanager-query.obs.svc:9093');
  });

  test('one replica each (the default) keeps gossip off and no query Service', () => {
    const plain = readObjects(writeDeliveryTree(parseSite({}).site));
    const am = plain.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager') as any;
    expect(am.spec.template.spec.containers[0].args).toContain('--cluster.listen-address=');
    expect(am.spec.podManagementPolicy).toBeUndefined();
    expect(plain.find((o) => o.metadata.name === 'prometheus-query')).toBeUndefined();
    expect((plain.find((o) => o.kind === 'Service' && o.metadata.name === 'alertmanager') as any).spec.publishNotReadyAddresses).toBeUndefined();
  });
});

describe('prometheus.yml and the other clients with replicas', () => {
  const config = prometheusConfig(site, topology);

  test('each replica labels its series and remote writes with its pod name; alerts drop the label so replicas agree', () => {
    expect(config.global.external_labels).toEqual({ site: site.name, replica: '${POD_NAME}' });
    expect(config.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
  });

  test('every alert goes to each Alertmanager pod by name, never through a load-balanced address', () => {
    expect(config.alerting.alertmanagers[0].static_configs).toEqual([{ targets: AM_PODS }]);
  });

  test('the self-scrape and the Alertmanager scrape reach each pod', () => {
    const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name)!;
    expect(job('prometheus').static_configs).toEqual([{ targets: ['prometheus-0.prometheus.obs.svc:9090', 'prometheus-1.prometheus.obs.svc:9090'] }]);
    expect(job('alertmanager').static_configs).toEqual([{ targets: AM_PODS }]);
  });

  test('each Grafana pod is scraped, by the EndpointSlices of its Service, still as job grafana', () => {
    const grafana = config.scrape_configs.find((j) => j.job_name === 'grafana')!;
    expect(grafana.static_configs).toBeUndefined();
    expect(grafana.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['obs'] } }]);
    expect(grafana.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'grafana' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
    ]);
  });

  test('the Loki ruler sends its alerts to each Alertmanager pod', () => {
    const ruler = lokiRulerConfig(site, topology);
    expect(ruler?.alertmanager_url).toBe(AM_PODS.map((p) => `http://${p}`).join(','));
  });

  test('the LXC path keeps one container each: its prometheus.yml is the one of a site without replicas', () => {
    const single = parseSite({ kubernetes: { namespace: 'obs' } }).site;
    const files = (s: typeof site) => JSON.stringify([containerPayloads(s).prometheus.files, containerPayloads(s).alertmanager.files, containerPayloads(s).alertmanager.daemons]);
    expect(files(site)).toBe(files(single));
  });
});

describeWithBinary('promtool', 'promtool reads the replicated prometheus.yml and fires the cluster alert', () => {
  const dir = tempDir('replicas-promtool-');

  const promtoolCase = (alert: string, series: Record<string, string>, quiet: string, fires: string, labels: Record<string, string>, value: string) =>
    expectPromtoolCase(site, dir, { alert, series, quiet, fires, labels, value });
  test('AlertmanagerClusterMembersMissing fires when a pod sees 2 of 3 members for 15 minutes, and only with replicas on Kubernetes', () => {
    const series = { [`alertmanager_cluster_members{job="alertmanager",instance="${AM_PODS[0]}"}`]: '3x10 2x30' };
    promtoolCase('AlertmanagerClusterMembersMissing', series, '20m', '35m', { job: 'alertmanager', instance: AM_PODS[0] }, '2');
    const names = (s: typeof site, platform: 'kubernetes' | 'lxc') => prometheusRuleGroups(s, platform).groups.flatMap((g) => g.rules).map((r) => r.alert);
    expect(names(site, 'lxc')).not.toContain('AlertmanagerClusterMembersMissing');
    expect(names(parseSite({}).site, 'kubernetes')).not.toContain('AlertmanagerClusterMembersMissing');
  });

  const errors = (am: number) => `prometheus_notifications_errors_total{job="prometheus",instance="prometheus-0.prometheus.obs.svc:9090",alertmanager="http://${AM_PODS[am]}/api/v2/alerts"}`;

  test('one Alertmanager refusing alerts is a warning; PrometheusNotificationsFailing (critical) waits until all three do', () => {
    // Pod 0 fails from minute 5 (1 error/s); pods 1 and 2 only from minute 30.
    const series = { [errors(0)]: '0x5 0+60x55', [errors(1)]: '0x30 0+60x30', [errors(2)]: '0x30 0+60x30' };
    const labels = { job: 'prometheus', instance: 'prometheus-0.prometheus.obs.svc:9090' };
    promtoolCase('PrometheusNotificationsFailingSome', { [errors(0)]: '0x5 0+60x55' }, '4m', '25m', { ...labels, alertmanager: `http://${AM_PODS[0]}/api/v2/alerts` }, '1');
    // Quiet at minute 25 although pod 0 has failed for 20 minutes: the other two still take every alert.
    promtoolCase('PrometheusNotificationsFailing', series, '25m', '50m', labels, '1');
  });

  test('GrafanaDown fires only when no Grafana pod answers; GrafanaReplicaDown names the one that does not', () => {
    const up = (pod: string) => `up{job="grafana",instance="${pod}"}`;
    promtoolCase('GrafanaReplicaDown', { [up('grafana-a')]: '1x60', [up('grafana-b')]: '1x5 0x55' }, '10m', '25m', { job: 'grafana', instance: 'grafana-b' }, '0');
    promtoolCase('GrafanaDown', { [up('grafana-a')]: '1x20 0x40', [up('grafana-b')]: '1x5 0x55' }, '25m', '40m', {}, '0');
  });

  test('promtool check config accepts it', () => {
    expectPromtoolCheckConfig(site, topology, dir);
  });
});

/** Rewrites a pod address (name-i.service.ns.svc:port) to its loopback stand-in. */
const loopback = (ports: number[]) => (address: string) => {
  const i = Number(/^[a-z]+-(\d+)\./.exec(address)![1]);
  return `127.0.0.1:${ports[i]}`;
};

describeWithBinary('prometheus-alertmanager', 'three Alertmanagers with the synthesized cluster flags', () => {
  const dir = tempDir('am-cluster-');
  const daemons: LoopbackDaemon[] = [];
  const clusterPorts: number[] = [];

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerConfigYaml(site, topology));
    for (let i = 0; i < 3; i++) clusterPorts.push(await freePort());
    const toLoopback = loopback(clusterPorts);
    for (let i = 0; i < 3; i++) {
      // The pod's flags with its paths, addresses and peers moved to loopback; no web config (no basic auth) here.
      daemons.push(await startDaemon('prometheus-alertmanager', (port) => alertmanagerArgs(site, topology).flatMap((arg) => {
        const [flag, value] = arg.split(/=(.*)/s);
        switch (flag) {
          case '--config.file': return [`${flag}=${path.join(dir, 'alertmanager.yml')}`];
          case '--storage.path': return [`${flag}=${path.join(dir, `data-${i}`)}`];
          case '--web.listen-address': return [`${flag}=127.0.0.1:${port}`];
          case '--web.config.file': return [];
          case '--cluster.listen-address': return [`${flag}=127.0.0.1:${clusterPorts[i]}`];
          case '--cluster.advertise-address': expect(value).toBe('$(POD_IP):9094'); return [`${flag}=127.0.0.1:${clusterPorts[i]}`];
          case '--cluster.peer': return [`${flag}=${toLoopback(value)}`];
          default: return [arg];
        }
      })));
    }
  }, 60000);
  afterAll(() => daemons.forEach((d) => d.stop()));

  test('they form one cluster of three and a silence made on one is on the others', async () => {
    const status = await eventually(async () => {
      const s = await (await fetch(`${daemons[2].url}/api/v2/status`)).json() as { cluster: { status: string; peers: unknown[] } };
      return s.cluster.status === 'ready' && s.cluster.peers.length === 3 ? s : undefined;
    }, 45000, 'a ready cluster of three peers', () => (daemons.some((d) => /level=error.*(?:flag|parse)/i.test(d.output())) ? daemons.map((d) => d.output()).join('\n') : undefined));
    expect(status.cluster.peers).toHaveLength(3);
    const now = Date.now();
    const posted = await fetch(`${daemons[0].url}/api/v2/silences`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'Maintenance', isRegex: false }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString(), createdBy: 'test', comment: 'gossip' }),
    });
    expect(posted.status).toBe(200);
    const { silenceID } = await posted.json() as { silenceID: string };
    for (const peer of daemons.slice(1)) {
      const seen = await eventually(async () => {
        const list = await (await fetch(`${peer.url}/api/v2/silences`)).json() as { id: string }[];
        return list.some((s) => s.id === silenceID) ? true : undefined;
      }, 20000, 'the silence on a peer');
      expect(seen).toBe(true);
    }
  }, 90000);
});

describeWithBinary('prometheus', 'two Prometheus replicas send one alert', () => {
  const dir = tempDir('prometheus-replicas-');
  const replicas: LoopbackDaemon[] = [];
  let alertmanager: LoopbackDaemon;

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerConfigYaml(site, topology));
    alertmanager = await startDaemon(fs.existsSync('/usr/bin/prometheus-alertmanager') ? 'prometheus-alertmanager' : 'alertmanager', (port) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
    ]);
    // Prometheus sends a new alert once and then only every resend delay (1 min by default): the
    // Alertmanager has to answer before the replicas start, and the test resends every second.
    await eventually(async () => ((await fetch(`${alertmanager.url}/-/ready`)).ok ? true : undefined), 30000, 'the Alertmanager ready');
    const amPort = Number(new URL(alertmanager.url).port);
    fs.writeFileSync(path.join(dir, 'rules.yml'), YAML.stringify({ groups: [{ name: 'always', interval: '1s', rules: [{ alert: 'ReplicaTest', expr: 'vector(1)', labels: { severity: 'info' } }] }] }));
    const config = prometheusConfig(site, topology);
    const alerting = {
      ...config.alerting,
      // The synthesized alerting section against the loopback Alertmanager, without basic auth (not set up here).
      alertmanagers: config.alerting.alertmanagers.map(({ basic_auth: _auth, ...am }) => ({ ...am, static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] })),
    };
    for (let i = 0; i < 2; i++) {
      fs.writeFileSync(path.join(dir, `prometheus-${i}.yml`), YAML.stringify({
        global: { ...config.global, evaluation_interval: '1s' }, alerting, rule_files: [path.join(dir, 'rules.yml')],
      }));
      // POD_NAME as the downward API sets it in the pod.
      replicas.push(await startDaemon('prometheus', (port) => [`--config.file=${path.join(dir, `prometheus-${i}.yml`)}`, `--storage.tsdb.path=${path.join(dir, `data-${i}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s'],
        { POD_NAME: `prometheus-${i}` }));
    }
  }, 60000);
  afterAll(() => { replicas.forEach((d) => d.stop()); alertmanager?.stop(); });

  test('each replica expands its pod name into the replica label', async () => {
    for (const [i, replica] of replicas.entries()) {
      const loaded = await eventually(async () => {
        const r = await (await fetch(`${replica.url}/api/v1/status/config`)).json() as { data: { yaml: string } };
        return YAML.parse(r.data.yaml).global.external_labels as Record<string, string>;
      }, 30000, 'the loaded config');
      expect(loaded).toEqual({ site: site.name, replica: `prometheus-${i}` });
    }
  }, 40000);

  test('both fire the alert, both send it, and Alertmanager holds it once, without the replica label', async () => {
    // Each replica's own counter of alerts delivered, from its /metrics.
    const sent = async (replica: LoopbackDaemon) => {
      const text = await (await fetch(`${replica.url}/metrics`)).text();
      return [...text.matchAll(/^prometheus_notifications_sent_total\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    for (const replica of replicas) {
      await eventually(async () => ((await sent(replica)) > 0 ? true : undefined), 45000, 'a notification sent by each replica',
        () => /level=ERROR.*/.exec(replica.output())?.[0] ?? /level=error.*/.exec(alertmanager.output())?.[0]);
    }
    const alerts = await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname%3D%22ReplicaTest%22`)).json() as { labels: Record<string, string> }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0].labels).toEqual({ alertname: 'ReplicaTest', severity: 'info', site: site.name });
  }, 60000);
});
