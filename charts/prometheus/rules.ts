/**
 * Alert rules for the stack and the estate it watches. Written for this site's jobs (the
 * upstream mixins assume Kubernetes jobs). PromQL as the pinned Prometheus 3 evaluates it.
 */
import { configYaml } from '../common/config-yaml';
import { cronRunsPerDay, type Site } from '../../site';
import { ETCD_BACKUP_CRONJOB_NAME, ETCD_BACKUP_NAMESPACE } from '../common/cluster-contract';
import {
  CERT_EXPIRY_WARNING_DAYS, CLOCK_OFFSET_SECONDS_WARNING, CPU_BUSY_RATIO_WARNING, DISK_FREE_RATIO_WARNING, ETCD_DB_QUOTA_RATIO_CRITICAL,
  ETCD_LEADER_CHANGES_WARNING, ETCD_LEADER_CHANGES_WINDOW, MEMORY_AVAILABLE_RATIO_WARNING, PVE_STORAGE_USED_RATIO_WARNING, slowProbeSeconds,
} from '../common/thresholds';
import type { Platform } from '../topology';
import { uptimeKumaRuleGroups } from './uptime-kuma';

/** File name of the rules inside the rules directory (prometheus.yml loads *.yml from there). */
export const RULES_FILE_NAME = 'alerts.yml';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: AlertRule[];
}

/** Moved to charts/common/thresholds.ts (the dashboards draw it too); re-exported for existing importers. */
export { slowProbeSeconds };

/** Filesystems node_exporter reports that cannot fill from the guest's own writes. */
const FS = 'fstype!~"tmpfs|overlay|squashfs"';
const FS_AVAIL = `node_filesystem_avail_bytes{${FS}}`;
const FS_FREE_RATIO = `${FS_AVAIL} / node_filesystem_size_bytes{${FS}}`;
/** A read-only filesystem cannot fill (and its free space is frozen): node-mixin leaves it out. */
const FS_WRITABLE = `node_filesystem_readonly{${FS}} == 0`;

const rule = (alert: string, expr: string, forDuration: string, severity: AlertRule['labels']['severity'], summary: string, description: string): AlertRule =>
  ({ alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } });

/**
 * node-mixin's NodeFilesystemSpaceFillingUp: little space left now AND the 6h trend reaches zero
 * within the horizon AND writable. The free-space condition keeps a large, slowly filling disk
 * quiet; the prediction keeps a full but stable one quiet.
 */
function filesystemFillingUp(freeBelow: number, horizonHours: number, severity: 'warning' | 'critical'): AlertRule {
  return rule(
    'HostFilesystemFillingUp',
    `(${FS_FREE_RATIO} < ${freeBelow} and predict_linear(${FS_AVAIL}[6h], ${horizonHours} * 3600) < 0 and ${FS_WRITABLE})`,
    '1h', severity,
    `{{ $labels.name }} {{ $labels.mountpoint }} will fill within ${horizonHours}h`,
    'Free {{ $value | humanizePercentage }} and falling (linear prediction over the last 6 hours).',
  );
}

/**
 * The cluster's own state (Kubernetes only): kube-state-metrics for objects, etcd for the
 * control plane. Volumes are not here: local-path claims share each node's data disk and the
 * kubelet reports that whole filesystem for every claim on it, so per-claim fill cannot be read;
 * the disk itself is watched by the hosts rules through node_exporter on the Talos nodes.
 */
/**
 * Seconds after which the etcd backup has missed two scheduled runs: twice the interval between
 * runs (a schedule limited to some days counts a skipped day in its interval), plus an hour for
 * the run itself.
 */
export function etcdBackupStaleSeconds(site: Site): number {
  const [, , dayOfMonth, , dayOfWeek] = site.backups.schedule.trim().split(/\s+/);
  const everyDay = dayOfMonth === '*' && dayOfWeek === '*';
  const interval = everyDay ? 86400 / cronRunsPerDay(site.backups.schedule) : 2 * 86400;
  return 2 * interval + 3600;
}

function kubernetesRules(site: Site): RuleGroup {
  const stale = etcdBackupStaleSeconds(site);
  return {
    name: 'kubernetes',
    rules: [
      rule('KubePodCrashLooping', 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1', '15m', 'warning',
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash looping', 'kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous'),
      // A new pod that cannot start while the old one still serves: the replica counts look fine.
      rule('KubeContainerWaiting', 'kube_pod_container_status_waiting_reason{reason=~"ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError"} == 1', '15m', 'warning',
        'Container {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) cannot start: {{ $labels.reason }}', 'kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }}: a wrong image tag, a missing Secret or ConfigMap key.'),
      rule('KubeDeploymentReplicasMismatch', 'kube_deployment_spec_replicas != kube_deployment_status_replicas_available', '15m', 'warning',
        'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not the replicas it wants', 'Available replicas differ from the spec for 15 minutes: check its pods\' events.'),
      rule('KubeDeploymentRolloutStuck', 'kube_deployment_status_condition{condition="Progressing",status="false"} == 1', '15m', 'warning',
        'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} rollout is stuck', 'It passed its progress deadline: kubectl -n {{ $labels.namespace }} rollout status deployment/{{ $labels.deployment }}.'),
      rule('KubeStatefulSetReplicasMismatch', 'kube_statefulset_status_replicas_ready != kube_statefulset_replicas', '15m', 'warning',
        'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not the ready replicas it wants', 'Ready replicas differ from the spec for 15 minutes: check its pods and their claims.'),
      rule('KubeNodeNotReady', 'kube_node_status_condition{condition="Ready",status="true"} == 0', '15m', 'warning',
        'Node {{ $labels.node }} is not ready', 'With one of three nodes down the cluster runs, without redundancy: talosctl -n <node> health.'),
      // Silent backup failures are the ones found on the day of the restore.
      rule('EtcdBackupMissing', `time() - kube_cronjob_status_last_successful_time{namespace="${ETCD_BACKUP_NAMESPACE}",cronjob="${ETCD_BACKUP_CRONJOB_NAME}"} > ${stale}`, '10m', 'warning',
        'The etcd backup has not succeeded for {{ $value | humanizeDuration }}', `Two scheduled runs (${site.backups.schedule} UTC) missed: kubectl -n ${ETCD_BACKUP_NAMESPACE} get jobs; kubectl -n ${ETCD_BACKUP_NAMESPACE} logs job/<last>.`),
      // etcd-mixin's thresholds: no leader is an outage of the API; frequent elections mean a sick member or network.
      rule('EtcdNoLeader', 'etcd_server_has_leader == 0', '1m', 'critical',
        'etcd member {{ $labels.instance }} has no leader', 'The Kubernetes API cannot write: talosctl -n <node> service etcd; talosctl -n <node> etcd members.'),
      rule('EtcdFrequentLeaderChanges', `increase(etcd_server_leader_changes_seen_total[${ETCD_LEADER_CHANGES_WINDOW}]) >= ${ETCD_LEADER_CHANGES_WARNING}`, '5m', 'warning',
        'etcd member {{ $labels.instance }} saw {{ $value }} leader changes in 15 minutes', 'Usually slow disks or a flaky network between the nodes: check the Proxmox host\'s I/O wait.'),
      rule('EtcdDatabaseQuotaLowSpace', `etcd_mvcc_db_total_size_in_bytes / etcd_server_quota_backend_bytes > ${ETCD_DB_QUOTA_RATIO_CRITICAL}`, '10m', 'critical',
        'etcd database of {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its quota', 'At the quota etcd refuses writes: talosctl -n <node> etcd defrag, and look for an object flood.'),
    ],
  };
}

/** The rule groups Prometheus loads on a platform; the `kubernetes` group only where there is a cluster. */
export function prometheusRuleGroups(site: Site, platform: Platform): { groups: RuleGroup[] } {
  const slow = slowProbeSeconds(site);
  return {
    groups: [
      {
        name: 'stack',
        rules: [
          // Always firing: proves the alert pipeline end to end (route it to a dead-man's switch).
          rule('Watchdog', 'vector(1)', '0m', 'info', 'Alerting pipeline is alive', 'Always firing; Alertmanager pings the dead man\'s switch (alertmanager.heartbeat) with it. If the pings stop, Prometheus or Alertmanager is down.'),
          rule('TargetDown', 'up == 0', '5m', 'warning', 'Target {{ $labels.instance }} of job {{ $labels.job }} is down', 'Prometheus could not scrape {{ $labels.instance }} for 5 minutes.'),
          rule('PrometheusRuleEvaluationFailures', 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0', '15m', 'critical', 'Prometheus fails to evaluate rules', '{{ $value }} rule evaluation failures in 5 minutes.'),
          rule('PrometheusNotificationsFailing', 'rate(prometheus_notifications_errors_total[5m]) > 0', '15m', 'critical', 'Prometheus cannot send alerts to Alertmanager', 'Check Alertmanager and its basic-auth password.'),
          rule('PrometheusTsdbCompactionsFailing', 'increase(prometheus_tsdb_compactions_failed_total[3h]) > 0', '0m', 'warning', 'Prometheus TSDB compactions are failing', 'Usually a full volume: check the PVC.'),
          rule('AlertmanagerNotificationsFailing', 'rate(alertmanager_notifications_failed_total[5m]) > 0', '15m', 'critical', 'Alertmanager fails to notify {{ $labels.integration }}', 'Check the receiver configuration and credentials.'),
          rule('LokiRequestErrors', 'sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[5m])) / sum by (route) (rate(loki_request_duration_seconds_count[5m])) > 0.05', '15m', 'warning', 'Loki returns errors on {{ $labels.route }}', 'More than 5% of requests fail.'),
        ],
      },
      {
        name: 'hosts',
        rules: [
          rule('HostFilesystemAlmostFull', `(${FS_FREE_RATIO} < ${DISK_FREE_RATIO_WARNING.toFixed(2)} and ${FS_WRITABLE})`, '15m', 'warning', '{{ $labels.name }} {{ $labels.mountpoint }} has less than 10% free', 'Free {{ $value | humanizePercentage }}.'),
          // node-mixin's thresholds and horizons: 40% free and full within a day, 20% and within 4 hours.
          filesystemFillingUp(0.40, 24, 'warning'),
          filesystemFillingUp(0.20, 4, 'critical'),
          rule('HostMemoryPressure', `node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < ${MEMORY_AVAILABLE_RATIO_WARNING.toFixed(2)}`, '15m', 'warning', '{{ $labels.name }} has less than 10% memory available', 'Available {{ $value | humanizePercentage }}.'),
          rule('HostHighCpu', `1 - avg by (instance, name) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > ${CPU_BUSY_RATIO_WARNING.toFixed(2)}`, '30m', 'warning', '{{ $labels.name }} CPU above 90% for 30 minutes', 'CPU busy {{ $value | humanizePercentage }}.'),
          rule('HostClockSkew', `abs(node_timex_offset_seconds) > ${CLOCK_OFFSET_SECONDS_WARNING}`, '10m', 'warning', '{{ $labels.name }} clock is off by more than 50 ms', 'Check NTP.'),
        ],
      },
      {
        name: 'proxmox',
        rules: [
          rule('ProxmoxGuestDown', 'pve_up{id=~"(lxc|qemu)/.+"} == 0 and on (id) pve_onboot_status == 1', '5m', 'critical', 'Proxmox guest {{ $labels.id }} is not running', `A guest of ${site.proxmox.node} set to start on boot is down.`),
          rule('ProxmoxStorageAlmostFull', `pve_disk_usage_bytes{id=~"storage/.+"} / pve_disk_size_bytes{id=~"storage/.+"} > ${PVE_STORAGE_USED_RATIO_WARNING}`, '30m', 'warning', 'Proxmox storage {{ $labels.id }} is above 85%', 'Backups and thin-provisioned disks will fail when it fills.'),
          rule('ProxmoxExporterDown', 'up{job="pve"} == 0', '5m', 'critical', 'pve_exporter cannot reach the Proxmox API', `Check the API token and ${site.proxmox.apiUrl}.`),
        ],
      },
      {
        name: 'probes',
        rules: [
          rule('EndpointDown', 'probe_success == 0', '5m', 'critical', '{{ $labels.name }} ({{ $labels.instance }}) is unreachable', 'Blackbox probe failing for 5 minutes.'),
          // Successful probes only: a probe that hits its deadline fails and EndpointDown covers it.
          rule('EndpointSlow', `probe_duration_seconds > ${slow} and probe_success == 1`, '15m', 'warning', '{{ $labels.name }} answers slowly', `Probe takes {{ $value }}s (slow above ${slow}s).`),
          rule('TlsCertificateExpiring', `probe_ssl_earliest_cert_expiry - time() < ${CERT_EXPIRY_WARNING_DAYS} * 86400`, '1h', 'warning', `TLS certificate of {{ $labels.instance }} expires within ${CERT_EXPIRY_WARNING_DAYS} days`, 'Renew it.'),
        ],
      },
      ...uptimeKumaRuleGroups(site),
      ...(platform === 'kubernetes' ? [kubernetesRules(site)] : []),
    ],
  };
}

export function prometheusRulesYaml(site: Site, platform: Platform): string {
  return configYaml(prometheusRuleGroups(site, platform));
}
