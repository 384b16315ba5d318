/** prometheus.yml built from the site and the platform topology, serialized once with `yaml`. */
import { configYaml } from '../common/config-yaml';
import { lokiSimpleScalable, STACK_SERVICES, type Site } from '../../site';
import { PORTS, SERVICE_NAMES, type StackTopology } from '../topology';
import type { PrometheusConfig, RelabelConfig, ScrapeConfig } from './config-model';
import { PROMETHEUS_PASSWORD_FILE } from './prometheus-args';
import { blackboxProbes, nodeExporterTargets, pveApiTargets } from './scrape-targets';
import { uptimeKumaScrapeJobs } from './uptime-kuma';
import { remoteWriteConfigs } from './remote-write';

/** Username Prometheus and Grafana use against Alertmanager's basic auth. */
export const ALERTMANAGER_CLIENT_USER = 'monitoring';
/** Username Grafana, Prometheus' own scrape and its probes use against Prometheus' basic auth. */
export const PROMETHEUS_CLIENT_USER = 'monitoring';
/** Username CheckMK's special agents use against Prometheus' basic auth (site.integrations.checkmk). */
export const CHECKMK_PROMETHEUS_USER = 'checkmk';

/**
 * Share of the volume that retention by size may fill. The rest is headroom for the WAL, head
 * compaction and block writes, which briefly need space beyond the retained blocks.
 */
export const RETENTION_SIZE_SHARE = 0.85;

/** Retention size in GiB: the share of the volume, whole GiB. */
export function retentionSizeGiB(storageGiB: number): number {
  return Math.floor(storageGiB * RETENTION_SIZE_SHARE);
}

export function retentionSize(storageGiB: number): string {
  // Prometheus parses GB in base 2, i.e. GiB.
  return `${retentionSizeGiB(storageGiB)}GB`;
}

/** The LXC path's scrape job of the syslog gateway (Grafana Alloy in the Loki container). */
export const SYSLOG_GATEWAY_JOB = 'syslog-gateway';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** External label naming the Prometheus replica (prometheus.replicas > 1): Thanos' and Mimir's dedup label. */
export const REPLICA_LABEL = 'replica';
/** Env var holding the pod's name (downward API), expanded in the replica label. */
export const POD_NAME_ENV = 'POD_NAME';

export function prometheusConfig(site: Site, topology: StackTopology): PrometheusConfig {
  const alertmanagerAuth = { username: ALERTMANAGER_CLIENT_USER, password_file: topology.alertmanagerPasswordFile };
  const scrape: ScrapeConfig[] = [
    { ...staticJob('prometheus', ...topology.prometheusPods), basic_auth: { username: PROMETHEUS_CLIENT_USER, password_file: PROMETHEUS_PASSWORD_FILE } },
    { ...staticJob('alertmanager', ...topology.alertmanagerPods), basic_auth: alertmanagerAuth },
    topology.platform === 'kubernetes' && lokiSimpleScalable(site) ? lokiTargetsJob(site) : staticJob('loki', topology.loki),
    // Several Grafanas behind one ClusterIP: scrape each pod (the Service's EndpointSlices), as job grafana still.
    topology.platform === 'kubernetes' && site.grafana.replicas > 1 ? serviceEndpointsJob(site, 'grafana', SERVICE_NAMES.grafana) : staticJob('grafana', topology.grafana),
    nodeExporterJob(site, topology),
    pveJob(site, topology),
    ...blackboxJobs(site, topology),
    ...uptimeKumaScrapeJobs(site),
    // The syslog gateway's own metrics: on Kubernetes through the kubernetes-pods job (its pod
    // annotations); on LXC Alloy listens beside Loki in the Loki container.
    ...(topology.platform === 'kubernetes' ? kubernetesJobs(site) : [staticJob(SYSLOG_GATEWAY_JOB, `${site.loki.address}:${PORTS.alloy}`)]),
  ];
  const remote = remoteWriteConfigs(site);
  const replicated = topology.prometheusPods.length > 1;
  return {
    global: {
      scrape_interval: site.prometheus.scrapeInterval,
      evaluation_interval: site.prometheus.evaluationInterval,
      // Prometheus expands ${...} in external label values from its environment (the pod's name
      // from the downward API), so each replica's series and remote writes say which one it is.
      external_labels: { site: site.name, ...(replicated ? { [REPLICA_LABEL]: `\${${POD_NAME_ENV}}` } : {}) },
    },
    // Read at start-up and on every reload (Prometheus 3.8+); also bounds the block span to a tenth of the time.
    storage: { tsdb: { retention: { time: site.prometheus.retention, size: retentionSize(site.prometheus.storageGiB) } } },
    alerting: {
      // Both replicas fire the same alerts: without their replica label they are one alert, which
      // Alertmanager deduplicates.
      ...(replicated ? { alert_relabel_configs: [{ action: 'labeldrop', regex: REPLICA_LABEL }] } : {}),
      alertmanagers: [{ scheme: 'http', basic_auth: alertmanagerAuth, static_configs: [{ targets: [...topology.alertmanagerPods] }] }],
    },
    rule_files: [`${topology.prometheusRulesDir}/*.yml`],
    ...(remote ? { remote_write: remote } : {}),
    scrape_configs: scrape,
  };
}

export function prometheusConfigYaml(site: Site, topology: StackTopology): string {
  return configYaml(prometheusConfig(site, topology));
}

/** Every pod behind Service `service` in the stack's namespace, ready or not (a dead one scrapes as up 0), by its EndpointSlices, with the pod name as instance. */
function serviceEndpointsJob(site: Site, job: string, service: string): ScrapeConfig {
  return {
    job_name: job,
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [site.kubernetes.namespace] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: service },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
    ],
  };
}

/** Label naming the simple-scalable Loki target (loki-write, loki-read, loki-backend) of a job="loki" series. */
export const LOKI_COMPONENT_LABEL = 'component';

/**
 * Simple-scalable Loki: every pod of the three targets through their Services' EndpointSlices
 * (HTTP port only), as job loki, with the pod as instance and the target as component.
 */
function lokiTargetsJob(site: Site): ScrapeConfig {
  const services = [SERVICE_NAMES.lokiWrite, SERVICE_NAMES.lokiRead, SERVICE_NAMES.lokiBackend];
  return {
    job_name: 'loki',
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [site.kubernetes.namespace] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_service_name'], action: 'keep', regex: services.join('|') },
      { source_labels: ['__meta_kubernetes_endpointslice_port_name'], action: 'keep', regex: 'http' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: LOKI_COMPONENT_LABEL },
    ],
  };
}

function staticJob(job: string, ...targets: string[]): ScrapeConfig {
  return { job_name: job, static_configs: [{ targets }] };
}

function nodeExporterJob(site: Site, topology: StackTopology): ScrapeConfig {
  // On LXC the four monitoring containers run node_exporter too (report: "+ monitoring VMs").
  const own = topology.platform === 'lxc'
    ? STACK_SERVICES.map((c) => ({ target: `${site[c].address}:9100`, name: c }))
    : [];
  return {
    job_name: 'node',
    static_configs: nodeExporterTargets(site, own).map((t) => ({ targets: [t.target], labels: { name: t.name } })),
  };
}

/**
 * pve_exporter: one exporter, each Proxmox host's API passed as ?target=host:port (multi-target
 * pattern), named by its node. The exporter hands `target` to proxmoxer, which takes a port after
 * the host and otherwise uses 8006; the scheme is always https.
 *
 * node=1 everywhere: the node collectors (pve_onboot_status, which the guest alerts join on)
 * report only the node they query. cluster=1 only on proxmox.node: every node of a Proxmox cluster
 * answers the cluster collectors (pve_up, pve_disk_*, pve_guest_info…) with the same set, so the
 * further hosts ask cluster=0, or each guest and storage would be stored, and alerted on, once per
 * host (pve_exporter's README, "scraping large clusters"). A `__param_` target label overrides
 * the job's parameter and is gone after relabelling.
 */
function pveJob(site: Site, topology: StackTopology): ScrapeConfig {
  return {
    job_name: 'pve',
    metrics_path: '/pve',
    params: { module: ['default'], cluster: ['1'], node: ['1'] },
    static_configs: pveApiTargets(site).map((t, i) => ({
      targets: [t.target],
      labels: { name: t.name, ...(i === 0 ? {} : { [PVE_CLUSTER_PARAM_LABEL]: '0' }) },
    })),
    relabel_configs: multiTargetRelabel(topology.pveExporter),
  };
}

/** Target label that turns pve_exporter's cluster collectors off for one target (`&cluster=0`). */
export const PVE_CLUSTER_PARAM_LABEL = '__param_cluster';

function blackboxJobs(site: Site, topology: StackTopology): ScrapeConfig[] {
  const probes = blackboxProbes(site);
  const modules = [...new Set(probes.map((p) => p.module))];
  return modules
    .map((module) => ({ module, targets: probes.filter((p) => p.module === module) }))
    .map(({ module, targets }) => ({
      job_name: `blackbox-${module.replace(/_/g, '-')}`,
      metrics_path: '/probe',
      params: { module: [module] },
      static_configs: targets.map((t) => ({ targets: [t.target], labels: { name: t.name } })),
      relabel_configs: multiTargetRelabel(topology.blackboxExporter),
    }));
}

function multiTargetRelabel(exporter: string): RelabelConfig[] {
  return [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: exporter },
  ];
}

/** The kubelet's authenticated HTTPS port on every node (Kubernetes' default, Talos keeps it). */
export const KUBELET_PORT = 10250;

/**
 * Kubelet and cAdvisor are scraped on each node directly, over TLS verified with the cluster CA:
 * the Talos nodes rotate kubelet serving certificates signed by the cluster CA (machine config
 * `rotate-server-certificates`, approved by the platform layer's CSR approver), with the node's
 * address among their SANs. Only `nodes/metrics` is needed: the kubelet authorizes /metrics/*
 * with that subresource alone, where the API server proxy needs `nodes/proxy`, which also
 * reaches the kubelet's exec and attach endpoints.
 */
function kubernetesJobs(site: Site): ScrapeConfig[] {
  const apiserver = {
    scheme: 'https' as const,
    authorization: { credentials_file: `${SA_DIR}/token` },
    tls_config: { ca_file: `${SA_DIR}/ca.crt` },
  };
  // The InternalIP: the address the kubelet puts in its serving certificate (verified by IP).
  const kubelet: RelabelConfig[] = [
    { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
    { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: `$1:${KUBELET_PORT}` },
    { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
  ];
  const ksm = (port: number) => `${SERVICE_NAMES.kubeStateMetrics}.${site.kubernetes.namespace}.svc:${port}`;
  return [
    // Object state. honor_labels (upstream's advice): should a target label ever collide with the
    // objects' own namespace/pod/node labels, the objects' win.
    { job_name: 'kube-state-metrics', honor_labels: true, static_configs: [{ targets: [ksm(PORTS.kubeStateMetrics)] }] },
    { job_name: 'kube-state-metrics-telemetry', static_configs: [{ targets: [ksm(PORTS.kubeStateMetricsTelemetry)] }] },
    // EndpointSlices: the v1 Endpoints API is deprecated since Kubernetes 1.33.
    { job_name: 'kubernetes-apiservers', ...apiserver, kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['default'] } }],
      relabel_configs: [{ source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'], action: 'keep', regex: 'kubernetes;https' }] },
    { job_name: 'kubernetes-nodes', ...apiserver, kubernetes_sd_configs: [{ role: 'node' }], relabel_configs: kubelet },
    { job_name: 'kubernetes-cadvisor', ...apiserver, metrics_path: '/metrics/cadvisor', kubernetes_sd_configs: [{ role: 'node' }], relabel_configs: kubelet },
    {
      // node_exporter of the Talos nodes (a DaemonSet on the host network): host metrics like the
      // guests', with the node name as `name` for the hosts alerts.
      job_name: 'talos-nodes',
      kubernetes_sd_configs: [{ role: 'node' }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: `$1:${PORTS.nodeExporter}` },
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'name' },
      ],
    },
    {
      // etcd on every control-plane node (workers have no member): the plain-HTTP metrics listener the Talos
      // machine configs open (cluster.etcd.extraArgs listen-metrics-urls); 2379 would need client certificates.
      job_name: 'etcd',
      kubernetes_sd_configs: [{ role: 'node' }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_control_plane'], action: 'keep', regex: 'true' },
        { source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '(.+)', target_label: '__address__', replacement: `$1:${PORTS.etcdMetrics}` },
        { source_labels: ['__meta_kubernetes_node_name'], target_label: 'instance' },
      ],
    },
    {
      // Pods opt in with prometheus.io/scrape: "true" (and optionally prometheus.io/port, prometheus.io/path).
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
  ];
}
