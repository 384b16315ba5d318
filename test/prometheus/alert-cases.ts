/**
 * One promtool case per alert: input series, a time at which the alert must be quiet and a time
 * at which it fires with exactly the listed alerts. test/prometheus/alert-coverage.test.ts runs
 * them and fails when an alert of either platform has no case (or a severity no firing). The
 * expected annotations are rendered from each rule's own templates with the labels and the value
 * written here, so a wrong label name or value format in a template shows up as a mismatch.
 */
export interface ExpectedAlert {
  /** Labels of the alert besides alertname and severity. */
  readonly labels: Record<string, string>;
  /** `{{ $value }}` as the template renders it (humanized when the template says so). */
  readonly value: string;
  /** Needed when the alert comes in several severities. */
  readonly severity?: 'critical' | 'warning' | 'info';
}

export interface AlertCase {
  readonly alert: string;
  readonly series: Record<string, string>;
  /** Eval time at which no alert of this name fires (before its `for`, or a healthy input). */
  readonly quietAt: string;
  readonly firesAt: string;
  readonly fires: readonly ExpectedAlert[];
}

/** Alerts that fire by design at every evaluation: no quiet time exists. */
export const ALWAYS_FIRING = ['Watchdog'];

const PROM = 'job="prometheus",instance="10.70.0.10:9090"';
const PROM_L = { job: 'prometheus', instance: '10.70.0.10:9090' };
const AM = 'job="alertmanager",instance="10.70.0.13:9093"';
const AM_L = { job: 'alertmanager', instance: '10.70.0.13:9093' };
const LOKI = 'job="loki",instance="10.70.0.12:3100"';
const LOKI_L = { job: 'loki', instance: '10.70.0.12:3100' };
const NODE = 'job="node",instance="10.88.140.101:9100",name="wazuh"';
const NODE_L = { job: 'node', instance: '10.88.140.101:9100', name: 'wazuh' };
const PVE = 'job="pve",instance="10.88.140.151:8006",name="pve01"';
const PVE_L = { job: 'pve', instance: '10.88.140.151:8006', name: 'pve01' };
const KSM = 'job="kube-state-metrics",namespace="monitoring"';
const KSM_L = { job: 'kube-state-metrics', namespace: 'monitoring' };
const KUMA = 'job="uptime-kuma",instance="10.88.140.106:3001",name="uptime-kuma",monitor_id="1",monitor_name="shop",monitor_type="http",monitor_url="https://shop.example/"';
const KUMA_L = { job: 'uptime-kuma', instance: '10.88.140.106:3001', name: 'uptime-kuma', monitor_id: '1', monitor_name: 'shop', monitor_type: 'http', monitor_url: 'https://shop.example/' };
const ALLOY = 'job="kubernetes-pods",instance="10.244.1.5:12345",namespace="monitoring",pod="syslog-gateway-0"';
const ALLOY_L = { job: 'kubernetes-pods', instance: '10.244.1.5:12345', namespace: 'monitoring', pod: 'syslog-gateway-0' };

/** A counter rising by `perMinute` from 0, for `minutes` minutes. */
const rising = (perMinute: number, minutes = 40) => `0+${perMinute}x${minutes}`;
/** A counter that stays at 0: the healthy twin of a failing one. */
const flat = (minutes = 40) => `0x${minutes}`;

/** The Prometheus counters whose any increase is the alert: `increase(x[w]) > 0`. */
function counterCase(alert: string, metric: string, labels: Record<string, string>, base: string, baseLabels: Record<string, string>, window: 'short' | 'long', value: string): AlertCase {
  const sel = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',');
  const healthy = { ...labels, ...(Object.keys(labels).length ? { [Object.keys(labels)[0]]: 'healthy' } : {}) };
  return window === 'short'
    ? { alert, series: { [`${metric}{${base}${Object.keys(labels).length ? ',' : ''}${sel(labels)}}`]: rising(1), ...(Object.keys(labels).length ? { [`${metric}{${base},${sel(healthy)}}`]: flat() } : {}) },
      quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...baseLabels, ...labels }, value }] }
    // Over 3 hours with `for: 0m`: quiet before the first failure, firing after it.
    : { alert, series: { [`${metric}{${base}}`]: '0x10 1x30' }, quietAt: '5m', firesAt: '20m', fires: [{ labels: baseLabels, value }] };
}

export const ALERT_CASES: readonly AlertCase[] = [
  // stack
  { alert: 'Watchdog', series: {}, quietAt: '', firesAt: '1m', fires: [{ labels: {}, value: '1' }] },
  {
    alert: 'TargetDown',
    series: { [`up{${NODE}}`]: '1 0x10', 'up{job="grafana",instance="10.70.0.11:3000"}': '0x10', 'up{job="node",instance="10.88.140.103:9100",name="checkmk"}': '1x10' },
    quietAt: '3m', firesAt: '7m', fires: [{ labels: NODE_L, value: '0' }],
  },
  { alert: 'GrafanaDown', series: { 'up{job="grafana",instance="10.70.0.11:3000"}': '0x15' }, quietAt: '9m', firesAt: '12m', fires: [{ labels: { job: 'grafana', instance: '10.70.0.11:3000' }, value: '0' }] },

  // prometheus
  counterCase('PrometheusRuleEvaluationFailures', 'prometheus_rule_evaluation_failures_total', { rule_group: '/etc/prometheus/rules/alerts.yml;hosts' }, PROM, PROM_L, 'short', '5'),
  {
    alert: 'PrometheusNotificationsFailing',
    series: { [`prometheus_notifications_errors_total{${PROM},alertmanager="http://10.70.0.13:9093/api/v2/alerts"}`]: rising(6) },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...PROM_L, alertmanager: 'http://10.70.0.13:9093/api/v2/alerts' }, value: '100m' }],
  },
  { alert: 'PrometheusNotConnectedToAlertmanagers', series: { [`prometheus_notifications_alertmanagers_discovered{${PROM}}`]: '1x5 0x30' }, quietAt: '15m', firesAt: '25m', fires: [{ labels: PROM_L, value: '0' }] },
  {
    alert: 'PrometheusNotificationQueueRunningFull',
    series: { [`prometheus_notifications_queue_length{${PROM},alertmanager="am"}`]: rising(50, 60), [`prometheus_notifications_queue_capacity{${PROM}}`]: '1000x60' },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...PROM_L, alertmanager: 'am' }, value: '2.75k' }],
  },
  { alert: 'PrometheusConfigReloadFailed', series: { [`prometheus_config_last_reload_successful{${PROM}}`]: '1x5 0x30' }, quietAt: '15m', firesAt: '25m', fires: [{ labels: PROM_L, value: '0' }] },
  counterCase('PrometheusTsdbCompactionsFailing', 'prometheus_tsdb_compactions_failed_total', {}, PROM, PROM_L, 'long', '1'),
  counterCase('PrometheusTsdbReloadsFailing', 'prometheus_tsdb_reloads_failures_total', {}, PROM, PROM_L, 'long', '1'),
  counterCase('PrometheusTsdbWalCorruptions', 'prometheus_tsdb_wal_corruptions_total', {}, PROM, PROM_L, 'long', '1'),
  counterCase('PrometheusTsdbHeadTruncationsFailing', 'prometheus_tsdb_head_truncations_failed_total', {}, PROM, PROM_L, 'long', '1'),
  counterCase('PrometheusTargetLimitHit', 'prometheus_target_scrape_pool_exceeded_target_limit_total', { scrape_job: 'kubernetes-pods' }, PROM, PROM_L, 'short', '5'),
  counterCase('PrometheusScrapeSampleLimitHit', 'prometheus_target_scrapes_exceeded_sample_limit_total', {}, PROM, PROM_L, 'short', '5'),
  counterCase('PrometheusRuleGroupIterationsMissed', 'prometheus_rule_group_iterations_missed_total', { rule_group: '/etc/prometheus/rules/alerts.yml;kubernetes' }, PROM, PROM_L, 'short', '5'),

  // alertmanager
  {
    alert: 'AlertmanagerNotificationsFailing',
    series: { [`alertmanager_notifications_failed_total{${AM},integration="webhook",reason="other"}`]: rising(6), [`alertmanager_notifications_failed_total{${AM},integration="email",reason="other"}`]: flat() },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...AM_L, integration: 'webhook', reason: 'other' }, value: '100m' }],
  },
  { alert: 'AlertmanagerConfigReloadFailed', series: { [`alertmanager_config_last_reload_successful{${AM}}`]: '1x5 0x30' }, quietAt: '15m', firesAt: '25m', fires: [{ labels: AM_L, value: '0' }] },
  counterCase('AlertmanagerInvalidAlerts', 'alertmanager_alerts_invalid_total', { version: 'v2' }, AM, AM_L, 'short', '5'),

  // loki
  { alert: 'LokiDown', series: { [`up{${LOKI}}`]: '0x10' }, quietAt: '3m', firesAt: '7m', fires: [{ labels: LOKI_L, value: '0' }] },
  {
    alert: 'LokiRequestErrors',
    series: {
      [`loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="500"}`]: rising(10, 30),
      [`loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_push",status_code="204"}`]: rising(90, 30),
      [`loki_request_duration_seconds_count{${LOKI},route="loki_api_v1_query_range",status_code="200"}`]: rising(90, 30),
    },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...LOKI_L, route: 'loki_api_v1_push' }, value: '10%' }],
  },
  {
    alert: 'LokiDiscardedSamples',
    series: { [`loki_discarded_samples_total{${LOKI},reason="rate_limited",tenant="fake"}`]: rising(10), [`loki_discarded_samples_total{${LOKI},reason="line_too_long",tenant="fake"}`]: flat() },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...LOKI_L, reason: 'rate_limited', tenant: 'fake' }, value: '50' }],
  },
  {
    alert: 'LokiRulerEvaluationFailures',
    series: { [`loki_prometheus_rule_evaluation_failures_total{${LOKI},user="fake",rule_group="/var/lib/loki/rules/fake/wazuh.yml;wazuh"}`]: rising(1) },
    quietAt: '5m', firesAt: '15m', fires: [{ labels: { ...LOKI_L, rule_group: '/var/lib/loki/rules/fake/wazuh.yml;wazuh' }, value: '5' }],
  },
  { alert: 'LokiRulerNotificationsFailing', series: { [`loki_prometheus_notifications_errors_total{${LOKI},user="fake",alertmanager="am"}`]: rising(6) }, quietAt: '10m', firesAt: '20m', fires: [{ labels: LOKI_L, value: '100m' }] },

  // hosts
  {
    alert: 'HostFilesystemAlmostFull',
    series: {
      [`node_filesystem_avail_bytes{${NODE},mountpoint="/",fstype="ext4"}`]: '5x30', [`node_filesystem_size_bytes{${NODE},mountpoint="/",fstype="ext4"}`]: '100x30', [`node_filesystem_readonly{${NODE},mountpoint="/",fstype="ext4"}`]: '0x30',
      [`node_filesystem_avail_bytes{${NODE},mountpoint="/run",fstype="tmpfs"}`]: '1x30', [`node_filesystem_size_bytes{${NODE},mountpoint="/run",fstype="tmpfs"}`]: '100x30', [`node_filesystem_readonly{${NODE},mountpoint="/run",fstype="tmpfs"}`]: '0x30',
    },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { ...NODE_L, mountpoint: '/', fstype: 'ext4' }, value: '5%' }],
  },
  {
    alert: 'HostFilesystemFillingUp',
    series: Object.fromEntries([['/', '35-0.05x80'], ['/var', '15-0.1x80'], ['/srv', '80-0.1x80']].flatMap(([mountpoint, avail]) => [
      [`node_filesystem_avail_bytes{${NODE},mountpoint="${mountpoint}",fstype="ext4"}`, avail],
      [`node_filesystem_size_bytes{${NODE},mountpoint="${mountpoint}",fstype="ext4"}`, '100x80'],
      [`node_filesystem_readonly{${NODE},mountpoint="${mountpoint}",fstype="ext4"}`, '0x80'],
    ])),
    quietAt: '30m', firesAt: '65m',
    fires: [
      { labels: { ...NODE_L, mountpoint: '/', fstype: 'ext4' }, value: '31.75%', severity: 'warning' },
      { labels: { ...NODE_L, mountpoint: '/var', fstype: 'ext4' }, value: '8.5%', severity: 'warning' },
      { labels: { ...NODE_L, mountpoint: '/var', fstype: 'ext4' }, value: '8.5%', severity: 'critical' },
    ],
  },
  {
    alert: 'HostInodesAlmostExhausted',
    series: { [`node_filesystem_files_free{${NODE},mountpoint="/",fstype="ext4"}`]: '3x80', [`node_filesystem_files{${NODE},mountpoint="/",fstype="ext4"}`]: '100x80', [`node_filesystem_readonly{${NODE},mountpoint="/",fstype="ext4"}`]: '0x80' },
    quietAt: '30m', firesAt: '65m', fires: [{ labels: { ...NODE_L, mountpoint: '/', fstype: 'ext4' }, value: '3%' }],
  },
  { alert: 'HostMemoryPressure', series: { [`node_memory_MemAvailable_bytes{${NODE}}`]: '5x30', [`node_memory_MemTotal_bytes{${NODE}}`]: '100x30' }, quietAt: '10m', firesAt: '20m', fires: [{ labels: NODE_L, value: '5%' }] },
  { alert: 'HostHighCpu', series: { [`node_cpu_seconds_total{${NODE},cpu="0",mode="idle"}`]: rising(3, 50) }, quietAt: '20m', firesAt: '40m', fires: [{ labels: NODE_L, value: '95%' }] },
  { alert: 'HostClockSkew', series: { [`node_timex_offset_seconds{${NODE}}`]: '0.2x30' }, quietAt: '5m', firesAt: '15m', fires: [{ labels: NODE_L, value: '200ms' }] },
  { alert: 'HostClockNotSynchronising', series: { [`node_timex_sync_status{${NODE}}`]: '0x30', [`node_timex_maxerror_seconds{${NODE}}`]: '16x30' }, quietAt: '5m', firesAt: '15m', fires: [{ labels: NODE_L, value: '0' }] },
  ...(['receive', 'transmit'] as const).map((d): AlertCase => ({
    alert: d === 'receive' ? 'HostNetworkReceiveErrors' : 'HostNetworkTransmitErrors',
    series: {
      [`node_network_${d}_errs_total{${NODE},device="eth0"}`]: rising(6, 80), [`node_network_${d}_packets_total{${NODE},device="eth0"}`]: rising(300, 80),
      [`node_network_${d}_errs_total{${NODE},device="lo"}`]: rising(6, 80), [`node_network_${d}_packets_total{${NODE},device="lo"}`]: rising(300, 80),
    },
    quietAt: '30m', firesAt: '70m', fires: [{ labels: { ...NODE_L, device: 'eth0' }, value: '2%' }],
  })),
  { alert: 'HostConntrackNearLimit', series: { [`node_nf_conntrack_entries{${NODE}}`]: '800x30', [`node_nf_conntrack_entries_limit{${NODE}}`]: '1000x30' }, quietAt: '10m', firesAt: '20m', fires: [{ labels: NODE_L, value: '80%' }] },
  { alert: 'HostRebooted', series: { [`node_boot_time_seconds{${NODE}}`]: '0x30' }, quietAt: '15m', firesAt: '5m', fires: [{ labels: NODE_L, value: '5m 0s' }] },

  // proxmox
  {
    alert: 'ProxmoxGuestDown',
    series: { [`pve_up{${PVE},id="lxc/101"}`]: '0x10', [`pve_onboot_status{${PVE},id="lxc/101"}`]: '1x10', [`pve_up{${PVE},id="lxc/102"}`]: '0x10', [`pve_onboot_status{${PVE},id="lxc/102"}`]: '0x10' },
    quietAt: '3m', firesAt: '7m', fires: [{ labels: { ...PVE_L, id: 'lxc/101' }, value: '0' }],
  },
  {
    alert: 'ProxmoxStorageAlmostFull',
    series: { [`pve_disk_usage_bytes{${PVE},id="storage/pve01/local-lvm"}`]: '90x50', [`pve_disk_size_bytes{${PVE},id="storage/pve01/local-lvm"}`]: '100x50', [`pve_disk_usage_bytes{${PVE},id="storage/pve01/local"}`]: '50x50', [`pve_disk_size_bytes{${PVE},id="storage/pve01/local"}`]: '100x50' },
    quietAt: '20m', firesAt: '40m', fires: [{ labels: { ...PVE_L, id: 'storage/pve01/local-lvm' }, value: '90%' }],
  },
  { alert: 'ProxmoxStorageUnavailable', series: { [`pve_up{${PVE},id="storage/pve01/nfs"}`]: '0x15', [`pve_up{${PVE},id="storage/pve01/local"}`]: '1x15' }, quietAt: '5m', firesAt: '12m', fires: [{ labels: { ...PVE_L, id: 'storage/pve01/nfs' }, value: '0' }] },
  { alert: 'ProxmoxExporterDown', series: { [`up{${PVE}}`]: '0x10' }, quietAt: '3m', firesAt: '7m', fires: [{ labels: PVE_L, value: '0' }] },
  {
    alert: 'ProxmoxGuestNotBackedUp',
    series: { [`pve_not_backed_up_info{${PVE},id="qemu/102"}`]: '1x80', [`pve_onboot_status{${PVE},id="qemu/102"}`]: '1x80', [`pve_not_backed_up_info{${PVE},id="lxc/199"}`]: '1x80', [`pve_onboot_status{${PVE},id="lxc/199"}`]: '0x80' },
    quietAt: '30m', firesAt: '65m', fires: [{ labels: { ...PVE_L, id: 'qemu/102' }, value: '1' }],
  },

  // probes
  {
    alert: 'EndpointDown',
    series: { 'probe_success{job="blackbox-http-2xx",instance="http://10.88.140.106:3001/",name="uptime-kuma"}': '0x10', 'probe_success{job="blackbox-http-2xx",instance="http://10.88.140.103/",name="checkmk"}': '1x10' },
    quietAt: '3m', firesAt: '6m', fires: [{ labels: { job: 'blackbox-http-2xx', instance: 'http://10.88.140.106:3001/', name: 'uptime-kuma' }, value: '0' }],
  },
  {
    alert: 'EndpointSlow',
    series: {
      'probe_duration_seconds{job="blackbox-http-2xx",instance="http://slow/",name="slow"}': '4x20', 'probe_success{job="blackbox-http-2xx",instance="http://slow/",name="slow"}': '1x20',
      // Cut off at the 5s module timeout: probe_duration_seconds stops at the deadline and the probe fails (EndpointDown's).
      'probe_duration_seconds{job="blackbox-http-2xx",instance="http://timeout/",name="timeout"}': '5.01x20', 'probe_success{job="blackbox-http-2xx",instance="http://timeout/",name="timeout"}': '0x20',
    },
    quietAt: '10m', firesAt: '16m', fires: [{ labels: { job: 'blackbox-http-2xx', instance: 'http://slow/', name: 'slow' }, value: '4' }],
  },
  {
    alert: 'TlsCertificateExpiring',
    series: {
      'probe_ssl_earliest_cert_expiry{job="blackbox-http-2xx",instance="https://a/",name="a"}': '864000x70',
      'probe_ssl_earliest_cert_expiry{job="blackbox-http-2xx",instance="https://b/",name="b"}': '172800x70',
      'probe_ssl_earliest_cert_expiry{job="blackbox-http-2xx",instance="https://c/",name="c"}': '8640000x70',
    },
    quietAt: '30m', firesAt: '61m',
    fires: [
      { labels: { job: 'blackbox-http-2xx', instance: 'https://a/', name: 'a' }, value: '9d 22h 59m 0s', severity: 'warning' },
      { labels: { job: 'blackbox-http-2xx', instance: 'https://b/', name: 'b' }, value: '1d 22h 59m 0s', severity: 'warning' },
      { labels: { job: 'blackbox-http-2xx', instance: 'https://b/', name: 'b' }, value: '1d 22h 59m 0s', severity: 'critical' },
    ],
  },

  // uptime-kuma
  { alert: 'UptimeKumaMonitorDown', series: { [`monitor_status{${KUMA}}`]: '1 1 0x10' }, quietAt: '6m', firesAt: '7m', fires: [{ labels: KUMA_L, value: '0' }] },
  {
    alert: 'UptimeKumaScrapeFailing', series: { 'up{job="uptime-kuma",instance="10.88.140.106:3001",name="uptime-kuma"}': '0x10' },
    quietAt: '4m', firesAt: '6m', fires: [{ labels: { job: 'uptime-kuma', instance: '10.88.140.106:3001', name: 'uptime-kuma' }, value: '0' }],
  },
  { alert: 'UptimeKumaCertificateExpiring', series: { [`monitor_cert_days_remaining{${KUMA}}`]: '10x80', [`monitor_cert_is_valid{${KUMA}}`]: '1x80' }, quietAt: '59m', firesAt: '61m', fires: [{ labels: KUMA_L, value: '10' }] },

  // kubernetes: objects
  {
    alert: 'KubePodCrashLooping',
    series: {
      [`kube_pod_container_status_waiting_reason{${KSM},pod="grafana-0",container="grafana",reason="CrashLoopBackOff"}`]: '1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _',
      [`kube_pod_container_status_waiting_reason{${KSM},pod="loki-0",container="loki",reason="CrashLoopBackOff"}`]: '1 _x29',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, pod: 'grafana-0', container: 'grafana', reason: 'CrashLoopBackOff' }, value: '1' }],
  },
  {
    alert: 'KubeContainerWaiting',
    series: {
      [`kube_pod_container_status_waiting_reason{${KSM},pod="pve-exporter-1",container="pve-exporter",reason="CreateContainerConfigError"}`]: '1x30',
      [`kube_pod_container_status_waiting_reason{${KSM},pod="grafana-1",container="grafana",reason="ContainerCreating"}`]: '1x30',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, pod: 'pve-exporter-1', container: 'pve-exporter', reason: 'CreateContainerConfigError' }, value: '1' }],
  },
  {
    alert: 'KubeDeploymentReplicasMismatch',
    series: {
      [`kube_deployment_spec_replicas{${KSM},deployment="blackbox-exporter"}`]: '1x30', [`kube_deployment_status_replicas_available{${KSM},deployment="blackbox-exporter"}`]: '0x30',
      [`kube_deployment_spec_replicas{${KSM},deployment="pve-exporter"}`]: '1x30', [`kube_deployment_status_replicas_available{${KSM},deployment="pve-exporter"}`]: '1x30',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, deployment: 'blackbox-exporter' }, value: '1' }],
  },
  {
    alert: 'KubeDeploymentRolloutStuck',
    series: {
      [`kube_deployment_status_condition{${KSM},deployment="pve-exporter",condition="Progressing",status="false"}`]: '1x30',
      [`kube_deployment_status_condition{${KSM},deployment="blackbox-exporter",condition="Progressing",status="false"}`]: '0x30',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, deployment: 'pve-exporter', condition: 'Progressing', status: 'false' }, value: '1' }],
  },
  {
    alert: 'KubeStatefulSetReplicasMismatch',
    series: {
      [`kube_statefulset_replicas{${KSM},statefulset="loki"}`]: '1x30', [`kube_statefulset_status_replicas_ready{${KSM},statefulset="loki"}`]: '0x30',
      [`kube_statefulset_replicas{${KSM},statefulset="prometheus"}`]: '1x30', [`kube_statefulset_status_replicas_ready{${KSM},statefulset="prometheus"}`]: '1x30',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, statefulset: 'loki' }, value: '0' }],
  },
  {
    alert: 'KubeDaemonSetNotReady',
    series: {
      [`kube_daemonset_status_desired_number_scheduled{${KSM},daemonset="node-exporter"}`]: '3x30', [`kube_daemonset_status_number_ready{${KSM},daemonset="node-exporter"}`]: '2x30',
      [`kube_daemonset_status_desired_number_scheduled{${KSM},daemonset="cluster-logs"}`]: '3x30', [`kube_daemonset_status_number_ready{${KSM},daemonset="cluster-logs"}`]: '3x30',
    },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, daemonset: 'node-exporter' }, value: '1' }],
  },
  {
    alert: 'KubeNodeNotReady',
    series: { 'kube_node_status_condition{job="kube-state-metrics",node="talos-cp-2",condition="Ready",status="true"}': '0x30', 'kube_node_status_condition{job="kube-state-metrics",node="talos-cp-1",condition="Ready",status="true"}': '1x30' },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { job: 'kube-state-metrics', node: 'talos-cp-2', condition: 'Ready', status: 'true' }, value: '0' }],
  },
  {
    alert: 'KubeNodePressure',
    series: { 'kube_node_status_condition{job="kube-state-metrics",node="talos-cp-3",condition="DiskPressure",status="true"}': '1x30', 'kube_node_status_condition{job="kube-state-metrics",node="talos-cp-1",condition="DiskPressure",status="true"}': '0x30' },
    quietAt: '5m', firesAt: '15m', fires: [{ labels: { job: 'kube-state-metrics', node: 'talos-cp-3', condition: 'DiskPressure', status: 'true' }, value: '1' }],
  },
  { alert: 'KubeNodeCordoned', series: { 'kube_node_spec_unschedulable{job="kube-state-metrics",node="talos-cp-1"}': '1x80', 'kube_node_spec_unschedulable{job="kube-state-metrics",node="talos-cp-2"}': '0x80' }, quietAt: '30m', firesAt: '65m', fires: [{ labels: { job: 'kube-state-metrics', node: 'talos-cp-1' }, value: '1' }] },
  {
    alert: 'KubePersistentVolumeClaimPending',
    series: { [`kube_persistentvolumeclaim_status_phase{${KSM},persistentvolumeclaim="data-loki-0",phase="Pending"}`]: '1x30', [`kube_persistentvolumeclaim_status_phase{${KSM},persistentvolumeclaim="data-prometheus-0",phase="Pending"}`]: '0x30' },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { ...KSM_L, persistentvolumeclaim: 'data-loki-0', phase: 'Pending' }, value: '1' }],
  },
  {
    alert: 'KubeJobFailed',
    series: { 'kube_job_failed{job="kube-state-metrics",namespace="etcd-backup",job_name="etcd-backup-29000000",condition="true"}': '1x30', 'kube_job_failed{job="kube-state-metrics",namespace="etcd-backup",job_name="etcd-backup-29000001",condition="true"}': '0x30' },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { job: 'kube-state-metrics', namespace: 'etcd-backup', job_name: 'etcd-backup-29000000', condition: 'true' }, value: '1' }],
  },
  { alert: 'KubeletDown', series: { 'up{job="kubernetes-nodes",instance="talos-cp-2"}': '0x30', 'up{job="kubernetes-nodes",instance="talos-cp-1"}': '1x30' }, quietAt: '10m', firesAt: '20m', fires: [{ labels: { job: 'kubernetes-nodes', instance: 'talos-cp-2' }, value: '0' }] },
  {
    alert: 'KubeletTooManyPods',
    series: {
      'kubelet_running_pods{job="kubernetes-nodes",instance="talos-cp-1"}': '108x30', 'kube_node_status_capacity{job="kube-state-metrics",node="talos-cp-1",resource="pods",unit="integer"}': '110x30',
      'kubelet_running_pods{job="kubernetes-nodes",instance="talos-cp-2"}': '30x30', 'kube_node_status_capacity{job="kube-state-metrics",node="talos-cp-2",resource="pods",unit="integer"}': '110x30',
    },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { job: 'kubernetes-nodes', instance: 'talos-cp-1' }, value: '98.18%' }],
  },
  {
    alert: 'KubeApiServerErrors',
    series: {
      'apiserver_request_total{job="kubernetes-apiservers",instance="10.70.0.21:6443",code="500",verb="GET"}': rising(10, 30), 'apiserver_request_total{job="kubernetes-apiservers",instance="10.70.0.21:6443",code="200",verb="GET"}': rising(90, 30),
      'apiserver_request_total{job="kubernetes-apiservers",instance="10.70.0.22:6443",code="200",verb="GET"}': rising(90, 30),
    },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: { job: 'kubernetes-apiservers', instance: '10.70.0.21:6443' }, value: '10%' }],
  },

  // kubernetes: etcd
  {
    // Last success 175,000 s before the start; the threshold is 49 h (176,400 s): stale from
    // minute 23.3, firing 10 minutes later. Another CronJob as old never counts.
    alert: 'EtcdBackupMissing',
    series: { 'kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="etcd-backup",cronjob="etcd-backup"}': '-175000x45', 'kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="monitoring",cronjob="etcd-backup"}': '-175000x45' },
    quietAt: '30m', firesAt: '40m', fires: [{ labels: { job: 'kube-state-metrics', namespace: 'etcd-backup', cronjob: 'etcd-backup' }, value: '2d 1h 16m 40s' }],
  },
  {
    // Never succeeded: no last-success series at all; counted from the CronJob's creation.
    alert: 'EtcdBackupMissing',
    series: { 'kube_cronjob_created{job="kube-state-metrics",namespace="etcd-backup",cronjob="etcd-backup"}': '-175000x45', 'kube_cronjob_created{job="kube-state-metrics",namespace="monitoring",cronjob="etcd-backup"}': '-175000x45' },
    quietAt: '30m', firesAt: '40m', fires: [{ labels: { job: 'kube-state-metrics', namespace: 'etcd-backup', cronjob: 'etcd-backup' }, value: '2d 1h 16m 40s' }],
  },
  { alert: 'EtcdNoLeader', series: { 'etcd_server_has_leader{job="etcd",instance="talos-cp-2"}': '1x10 0x10', 'etcd_server_has_leader{job="etcd",instance="talos-cp-1"}': '1x20' }, quietAt: '10m', firesAt: '13m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-2' }, value: '0' }] },
  { alert: 'EtcdMemberDown', series: { 'up{job="etcd",instance="talos-cp-3"}': '0x15', 'up{job="etcd",instance="talos-cp-1"}': '1x15', 'up{job="etcd",instance="talos-cp-2"}': '1x15' }, quietAt: '5m', firesAt: '12m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-3' }, value: '0' }] },
  {
    alert: 'EtcdInsufficientMembers',
    series: { 'up{job="etcd",instance="talos-cp-1"}': '1x15', 'up{job="etcd",instance="talos-cp-2"}': '1 1 1 1 1 0x10', 'up{job="etcd",instance="talos-cp-3"}': '0x15' },
    quietAt: '4m', firesAt: '10m', fires: [{ labels: { job: 'etcd' }, value: '1' }],
  },
  {
    alert: 'EtcdFrequentLeaderChanges',
    series: { 'etcd_server_leader_changes_seen_total{job="etcd",instance="talos-cp-3"}': rising(1, 30), 'etcd_server_leader_changes_seen_total{job="etcd",instance="talos-cp-2"}': '0x10 1 2 3x18' },
    quietAt: '3m', firesAt: '25m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-3' }, value: '15' }],
  },
  {
    alert: 'EtcdDatabaseQuotaLowSpace',
    series: {
      'etcd_mvcc_db_total_size_in_bytes{job="etcd",instance="talos-cp-3"}': '900x30', 'etcd_server_quota_backend_bytes{job="etcd",instance="talos-cp-3"}': '1000x30',
      'etcd_mvcc_db_total_size_in_bytes{job="etcd",instance="talos-cp-2"}': '750x30', 'etcd_server_quota_backend_bytes{job="etcd",instance="talos-cp-2"}': '1000x30',
    },
    quietAt: '5m', firesAt: '25m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-3' }, value: '90%' }],
  },
  {
    alert: 'EtcdHighFsyncDurations',
    series: {
      'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-1",le="0.5"}': '0x30', 'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-1",le="1"}': rising(10, 30),
      'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-1",le="+Inf"}': rising(10, 30),
      'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-2",le="0.5"}': rising(10, 30), 'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-2",le="1"}': rising(10, 30),
      'etcd_disk_wal_fsync_duration_seconds_bucket{job="etcd",instance="talos-cp-2",le="+Inf"}': rising(10, 30),
    },
    quietAt: '5m', firesAt: '20m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-1' }, value: '995ms' }],
  },
  {
    alert: 'EtcdHighFailedProposals',
    series: { 'etcd_server_proposals_failed_total{job="etcd",instance="talos-cp-1"}': rising(600, 40), 'etcd_server_proposals_failed_total{job="etcd",instance="talos-cp-2"}': flat() },
    quietAt: '10m', firesAt: '25m', fires: [{ labels: { job: 'etcd', instance: 'talos-cp-1' }, value: '10' }],
  },

  // kubernetes: Alloy
  {
    alert: 'AlloyComponentUnhealthy',
    series: { [`alloy_component_controller_running_components{${ALLOY},controller_path="/",controller_id="",health_type="unhealthy"}`]: '1x30', [`alloy_component_controller_running_components{${ALLOY},controller_path="/",controller_id="",health_type="healthy"}`]: '5x30' },
    quietAt: '10m', firesAt: '20m', fires: [{ labels: ALLOY_L, value: '1' }],
  },
  { alert: 'AlloySyslogParsingErrors', series: { [`loki_source_syslog_parsing_errors_total{${ALLOY},component_id="loki.source.syslog.gateway"}`]: rising(1, 60) }, quietAt: '20m', firesAt: '45m', fires: [{ labels: ALLOY_L, value: '10' }] },
  {
    alert: 'AlloyLokiWriteDropping',
    series: { [`loki_write_dropped_entries_total{${ALLOY},component_id="loki.write.default",host="loki:3100",tenant="",reason="rate_limited"}`]: '0x5 5x20', [`loki_write_dropped_entries_total{${ALLOY},component_id="loki.write.default",host="loki:3100",tenant="",reason="line_too_long"}`]: flat(25) },
    quietAt: '3m', firesAt: '8m', fires: [{ labels: { ...ALLOY_L, reason: 'rate_limited' }, value: '5' }],
  },
];
