/**
 * prometheus.yml built inside each test (mutation testing, issue 18): the component, promtool and
 * live tests build it at load or in a child process, where the per-test coverage cannot attribute
 * it. A site with other values than the report's on several hosts, replicated, simple-scalable
 * Loki; and the LXC path's differences.
 */
import { prometheusConfig, retentionSize, retentionSizeGiB } from '../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../charts/topology';
import { parseSite, type SiteInput } from '../../site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';

const VARIED: SiteInput = {
  ...WORKERS_SITE_INPUT,
  name: 'lab',
  kubernetes: { namespace: 'obs' },
  prometheus: { scrapeInterval: '20s', evaluationInterval: '40s', retention: '9d', storageGiB: 200, replicas: 2 },
  grafana: { replicas: 2, storage: 'ephemeral' },
  loki: { mode: 'simple-scalable', objectStorage: { endpoint: 's3.lab.lan:9000', bucket: 'logs' } },
};
const build = (input: SiteInput, platform: 'kubernetes' | 'lxc' = 'kubernetes') => {
  const site = parseSite(input).site;
  return prometheusConfig(site, stackTopology(site, platform)) as Record<string, any>;
};
const job = (config: Record<string, any>, name: string) => config.scrape_configs.find((j: { job_name: string }) => j.job_name === name);
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const multiTarget = (exporter: string) => [
  { source_labels: ['__address__'], target_label: '__param_target' },
  { source_labels: ['__param_target'], target_label: 'instance' },
  { target_label: '__address__', replacement: exporter },
];

describe('prometheus.yml on Kubernetes, a varied replicated site', () => {
  test('global, storage, alerting and rules follow the site; the replica label is the pod name and is dropped from alerts', () => {
    const c = build(VARIED);
    expect(c.global).toEqual({ scrape_interval: '20s', evaluation_interval: '40s', external_labels: { site: 'lab', replica: '${POD_NAME}' } });
    expect(c.storage).toEqual({ tsdb: { retention: { time: '9d', size: '170GB' } } });
    expect(c.alerting).toEqual({
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
      alertmanagers: [{ scheme: 'http', basic_auth: { username: 'monitoring', password_file: '/etc/alertmanager-client/password' }, static_configs: [{ targets: ['alertmanager.obs.svc:9093'] }] }],
    });
    expect(c.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(c.remote_write).toBeUndefined();
  });

  test('a remote storage adds remote_write with its URL', () => {
    const c = build({ ...VARIED, prometheus: { ...VARIED.prometheus, remoteWrite: [{ name: 'mimir', url: 'https://mimir.lab.lan/api/v1/push' }] } });
    expect(c.remote_write).toEqual([expect.objectContaining({ name: 'mimir', url: 'https://mimir.lab.lan/api/v1/push' })]);
  });

  test('one Prometheus has no replica label and no alert relabelling', () => {
    const c = build({});
    expect(c.global.external_labels).toEqual({ site: 'pve01-monitoring' });
    expect(c.alerting.alert_relabel_configs).toBeUndefined();
  });

  test('the jobs, in order', () => {
    expect(build(VARIED).scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual([
      'prometheus', 'alertmanager', 'loki', 'grafana', 'node', 'pve', 'blackbox-http-2xx-self-signed', 'blackbox-tcp-connect', 'blackbox-http-2xx', 'uptime-kuma',
      'kube-state-metrics', 'kube-state-metrics-telemetry', 'kubernetes-apiservers', 'kubernetes-nodes', 'kubernetes-cadvisor', 'talos-nodes', 'etcd', 'kubernetes-pods',
    ]);
  });

  test('Prometheus itself with its own basic auth; Loki\'s three targets and both Grafanas by EndpointSlices', () => {
    const c = build(VARIED);
    expect(job(c, 'prometheus').basic_auth).toEqual({ username: 'monitoring', password_file: '/etc/prometheus/web/password' });
    expect(job(c, 'loki')).toEqual({
      job_name: 'loki',
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['obs'] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'loki-write|loki-read|loki-backend' },
        { source_labels: ['__meta_kubernetes_endpointslice_port_name'], action: 'keep', regex: 'http' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
        { source_labels: ['__meta_kubernetes_service_name'], target_label: 'component' },
      ],
    });
    expect(job(c, 'grafana')).toEqual({
      job_name: 'grafana',
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['obs'] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: 'grafana' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
      ],
    });
    // The report's single pods: static targets on the Services.
    const single = build({ kubernetes: { namespace: 'obs' } });
    expect(job(single, 'loki')).toEqual({ job_name: 'loki', static_configs: [{ targets: ['loki.obs.svc:3100'] }] });
    expect(job(single, 'grafana')).toEqual({ job_name: 'grafana', static_configs: [{ targets: ['grafana.obs.svc:3000'] }] });
  });

  test('pve_exporter: every host through the exporter, cluster collectors on the first host only', () => {
    expect(job(build(VARIED), 'pve')).toEqual({
      job_name: 'pve',
      metrics_path: '/pve',
      params: { module: ['default'], cluster: ['1'], node: ['1'] },
      static_configs: [
        { targets: ['10.88.140.151:8006'], labels: { name: 'pve01' } },
        { targets: ['10.88.140.152:8006'], labels: { name: 'pve02', __param_cluster: '0' } },
        { targets: ['10.88.140.153:8006'], labels: { name: 'pve03', __param_cluster: '0' } },
      ],
      relabel_configs: multiTarget('pve-exporter.obs.svc:9221'),
    });
  });

  test('one blackbox job per module, its name dashed, through the exporter', () => {
    const c = build(VARIED);
    expect(job(c, 'blackbox-tcp-connect')).toEqual({
      job_name: 'blackbox-tcp-connect',
      metrics_path: '/probe',
      params: { module: ['tcp_connect'] },
      static_configs: [
        { targets: ['10.88.140.101:55000'], labels: { name: 'wazuh-api' } },
        { targets: ['10.88.140.101:1514'], labels: { name: 'wazuh-agents' } },
        { targets: ['10.88.140.107:443'], labels: { name: 'nginx-proxy-manager' } },
      ],
      relabel_configs: multiTarget('blackbox-exporter.obs.svc:9115'),
    });
    expect(job(c, 'blackbox-http-2xx-self-signed').params).toEqual({ module: ['http_2xx_self_signed'] });
    // Uptime Kuma's /metrics takes its API key as the basic-auth password with an empty user.
    expect(job(c, 'uptime-kuma')).toEqual({
      job_name: 'uptime-kuma', scheme: 'http', metrics_path: '/metrics',
      basic_auth: { username: '', password_file: '/etc/prometheus/uptime-kuma/api-key' },
      static_configs: [{ targets: ['10.88.140.106:3001'], labels: { name: 'uptime-kuma' } }],
    });
  });

  test('the cluster\'s own jobs: kube-state-metrics, API server, kubelets, cAdvisor, Talos nodes, etcd, annotated pods', () => {
    const c = build(VARIED);
    const apiserver = { scheme: 'https', authorization: { credentials_file: `${SA}/token` }, tls_config: { ca_file: `${SA}/ca.crt` } };
    const kubelet = [
      { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
      { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: '$1:10250' },
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
    ];
    expect(c.scrape_configs.slice(-8)).toEqual([
      { job_name: 'kube-state-metrics', honor_labels: true, static_configs: [{ targets: ['kube-state-metrics.obs.svc:8080'] }] },
      { job_name: 'kube-state-metrics-telemetry', static_configs: [{ targets: ['kube-state-metrics.obs.svc:8081'] }] },
      { job_name: 'kubernetes-apiservers', ...apiserver, kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['default'] } }],
        relabel_configs: [{ source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'], action: 'keep', regex: 'kubernetes;https' }] },
      { job_name: 'kubernetes-nodes', ...apiserver, kubernetes_sd_configs: [{ role: 'node' }], relabel_configs: kubelet },
      { job_name: 'kubernetes-cadvisor', ...apiserver, metrics_path: '/metrics/cadvisor', kubernetes_sd_configs: [{ role: 'node' }], relabel_configs: kubelet },
      {
        job_name: 'talos-nodes',
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: '$1:9100' },
          { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
          { source_labels: ['__meta_kubernetes_node_name'], target_label: 'name' },
        ],
      },
      {
        job_name: 'etcd',
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_control_plane'], action: 'keep', regex: 'true' },
          { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: '$1:2381' },
          { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
        ],
      },
      {
        job_name: 'kubernetes-pods',
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
          { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
          { source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'app' },
        ],
      },
    ]);
  });
});

describe('prometheus.yml on the LXC path', () => {
  test('the four containers\' node_exporters are scraped too, the syslog gateway beside Loki, no cluster jobs', () => {
    const c = build({}, 'lxc');
    expect(job(c, 'node').static_configs.slice(-4)).toEqual([
      { targets: ['10.70.0.10:9100'], labels: { name: 'prometheus' } },
      { targets: ['10.70.0.11:9100'], labels: { name: 'grafana' } },
      { targets: ['10.70.0.12:9100'], labels: { name: 'loki' } },
      { targets: ['10.70.0.13:9100'], labels: { name: 'alertmanager' } },
    ]);
    expect(c.scrape_configs.at(-1)).toEqual({ job_name: 'syslog-gateway', static_configs: [{ targets: ['10.70.0.12:12345'] }] });
    expect(c.scrape_configs.some((j: { job_name: string }) => j.job_name.startsWith('kube') || j.job_name === 'etcd')).toBe(false);
    // Kubernetes scrapes only the site's guests and hosts: the stack runs in pods.
    expect(job(build({}), 'node').static_configs.some((s: { labels: { name: string } }) => s.labels.name === 'prometheus')).toBe(false);
    // Simple-scalable Loki is Kubernetes only: the LXC path keeps its one container.
    expect(job(build(VARIED, 'lxc'), 'loki')).toEqual({ job_name: 'loki', static_configs: [{ targets: ['10.70.0.12:3100'] }] });
    // So are several Grafanas: one container, scraped at its address.
    expect(job(build(VARIED, 'lxc'), 'grafana')).toEqual({ job_name: 'grafana', static_configs: [{ targets: ['10.70.0.11:3000'] }] });
  });
});

test('retention by size is 85 % of the volume in whole GiB, written as GB (base 2 in Prometheus)', () => {
  expect(retentionSizeGiB(100)).toBe(85);
  expect(retentionSizeGiB(101)).toBe(85);
  expect(retentionSize(20)).toBe('17GB');
});
