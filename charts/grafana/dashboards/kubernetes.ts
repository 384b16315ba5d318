/**
 * "Kubernetes and Talos" (Kubernetes platform only): nodes, workloads, volumes and etcd of the
 * Talos cluster, and its machine logs.
 * - kube-state-metrics v2.20.0 (job `kube-state-metrics`): kube_node_status_condition,
 *   kube_pod_status_phase, kube_pod_container_status_restarts_total,
 *   kube_deployment_{spec_replicas,status_replicas_available}, kube_statefulset_*,
 *   kube_persistentvolumeclaim_{status_phase,resource_requests_storage_bytes};
 * - the kubelet (job `kubernetes-nodes`): kubelet_volume_stats_{used,capacity}_bytes;
 * - cAdvisor (job `kubernetes-cadvisor`): container_cpu_usage_seconds_total,
 *   container_memory_working_set_bytes (`container=""` is the pod's own cgroup: left out);
 * - etcd (job `etcd`): etcd_server_has_leader, etcd_server_leader_changes_seen_total,
 *   etcd_mvcc_db_total_size_in_bytes, etcd_server_quota_backend_bytes, etcd_disk_wal_fsync_duration_seconds;
 * - Talos machine logs (job "talos") and Kubernetes events (job "kubernetes-events") from Loki.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { usesProxmoxCsi, workers, type Site } from '../../../site';
import {
  DISK_FREE_RATIO_WARNING, ETCD_DB_QUOTA_RATIO_CRITICAL, ETCD_LEADER_CHANGES_WARNING, ETCD_LEADER_CHANGES_WINDOW,
} from '../../common/thresholds';
import { KUBERNETES_EVENTS_JOB } from '../../logs/cluster-logs-config';
import { TALOS_LOG_JOB } from '../../syslog/talos-logs';
import { spelled } from '../../../site/words';
import { etcdMembers, roomAfterOneLoss } from '../../prometheus/rules/etcd';
import { DASHBOARD_UIDS } from './catalog';
import { barGauge, buildDashboard, graph, logLines, queryVariable, redFrom, statPanel } from './kit';

const NS = 'namespace=~"$namespace"';
const CADVISOR = `job="kubernetes-cadvisor", container!="", ${NS}`;
const ETCD = 'job="etcd"';

const READY: dashboard.ValueMapping[] = [
  { type: dashboard.MappingType.ValueToText, options: { '0': { text: 'NOT READY', color: 'red' }, '1': { text: 'READY', color: 'green' } } },
];
const LEADER: dashboard.ValueMapping[] = [
  { type: dashboard.MappingType.ValueToText, options: { '0': { text: 'NO LEADER', color: 'red' }, '1': { text: 'HAS LEADER', color: 'green' } } },
];

export function kubernetesDashboard(site: Site): dashboard.Dashboard {
  const etcd = etcdMembers(site);
  const workerCount = workers(site).length;
  return buildDashboard({
    uid: DASHBOARD_UIDS.kubernetes,
    title: 'Kubernetes and Talos',
    description: `The Talos cluster of site ${site.name}: node conditions, pods and workloads, volumes, etcd, and the nodes' machine logs.`,
    tags: ['kubernetes', 'talos'],
    variables: [
      queryVariable({ name: 'namespace', label: 'Namespace', query: 'label_values(kube_pod_info, namespace)' }),
      queryVariable({ name: 'node', label: 'Node', query: 'label_values(kube_node_info, node)' }),
    ],
    related: [
      { title: 'Talos nodes (Hosts)', uid: DASHBOARD_UIDS.hosts, query: 'var-job=talos-nodes' },
      { title: 'Pod logs', uid: DASHBOARD_UIDS.logs, query: 'var-source=kubernetes' },
      { title: 'Monitoring stack health', uid: DASHBOARD_UIDS.stackHealth },
    ],
    sections: [
      {
        title: 'Nodes',
        panels: [
          statPanel({
            title: 'Node ready', unit: units.NoUnit, mappings: READY, span: 12,
            description: `The Ready condition of each node. NOT READY for 15 minutes fires KubeNodeNotReady; ${workerCount === 0
              ? `with one of ${spelled(etcd.total)} down the cluster runs ${roomAfterOneLoss(etcd, 'without redundancy')}.`
              : `with one of ${spelled(etcd.total + workerCount)} down the cluster runs; a lost control plane also takes one of the ${spelled(etcd.total)} etcd members (then ${roomAfterOneLoss(etcd, 'without redundancy')}).`}`,
            queries: [{ expr: 'kube_node_status_condition{condition="Ready", status="true", node=~"$node"}', legend: '{{node}}', instant: true }],
          }),
          statPanel({
            title: 'Node pressure', unit: units.Short, span: 12, thresholds: redFrom(1),
            description: 'Conditions other than Ready that are true (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable): the kubelet starts evicting pods.',
            queries: [{ expr: 'sum(kube_node_status_condition{condition!="Ready", status="true", node=~"$node"}) or vector(0)', legend: 'conditions', instant: true }],
          }),
        ],
      },
      {
        title: 'Workloads',
        panels: [
          graph({
            title: 'Pods by phase', unit: units.Short, min: 0,
            description: 'Pods per phase. Pending that stays means no node can take the pod; Failed ones need a look.',
            queries: [{ expr: `sum by (phase) (kube_pod_status_phase{${NS}})`, legend: '{{phase}}' }],
          }, { stacked: true }),
          graph({
            title: 'Container restarts', unit: units.Short, min: 0,
            description: 'Restarts per container in each interval. Repeated restarts end in CrashLoopBackOff (KubePodCrashLooping).',
            queries: [{ expr: `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${NS}}[$__rate_interval])) > 0`, legend: '{{namespace}}/{{pod}} {{container}}' }],
          }, { bars: true }),
          graph({
            title: 'Replicas missing', unit: units.Short, min: 0,
            description: 'Deployments and StatefulSets short of the replicas they want (KubeDeploymentReplicasMismatch, KubeStatefulSetReplicasMismatch after 15 minutes).',
            queries: [
              { expr: `kube_deployment_spec_replicas{${NS}} - kube_deployment_status_replicas_available{${NS}} > 0`, legend: 'deployment {{namespace}}/{{deployment}}' },
              { expr: `kube_statefulset_replicas{${NS}} - kube_statefulset_status_replicas_ready{${NS}} > 0`, legend: 'statefulset {{namespace}}/{{statefulset}}' },
            ],
          }),
          graph({
            title: 'CPU by pod', unit: units.Short, min: 0, span: 12,
            description: 'CPU cores used per pod (cAdvisor).',
            queries: [{ expr: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${CADVISOR}}[$__rate_interval]))`, legend: '{{namespace}}/{{pod}}' }],
          }),
          graph({
            title: 'Memory by pod', unit: units.BytesIEC, min: 0, span: 12,
            description: 'Working set per pod (cAdvisor): what the kernel counts against the memory limit.',
            queries: [{ expr: `sum by (namespace, pod) (container_memory_working_set_bytes{${CADVISOR}})`, legend: '{{namespace}}/{{pod}}' }],
          }),
        ],
      },
      {
        title: 'Volumes',
        panels: [
          statPanel({
            title: 'Claims not bound', unit: units.Short, thresholds: redFrom(1),
            description: 'PersistentVolumeClaims Pending or Lost: their pods cannot start.',
            queries: [{ expr: `sum(kube_persistentvolumeclaim_status_phase{phase!="Bound", ${NS}}) or vector(0)`, legend: 'claims', instant: true }],
          }),
          barGauge({
            title: 'Claims requested', unit: units.BytesIEC, min: 0,
            description: 'Storage each claim requested.',
            queries: [{ expr: `kube_persistentvolumeclaim_resource_requests_storage_bytes{${NS}}`, legend: '{{namespace}}/{{persistentvolumeclaim}}', instant: true }],
          }),
          barGauge({
            title: 'Volume filesystem used', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(1 - DISK_FREE_RATIO_WARNING),
            description: usesProxmoxCsi(site)
              ? 'Used share of each mounted claim\'s filesystem (kubelet): each claim is its own Proxmox CSI disk; red where the hosts\' filesystem alert would fire.'
              : 'Used share of each mounted claim\'s filesystem (kubelet). local-path claims share the node\'s data disk, so each shows that whole disk; red where the hosts\' filesystem alert would fire.',
            queries: [{ expr: `kubelet_volume_stats_used_bytes{job="kubernetes-nodes", ${NS}} / kubelet_volume_stats_capacity_bytes{job="kubernetes-nodes", ${NS}}`, legend: '{{namespace}}/{{persistentvolumeclaim}}', instant: true }],
          }),
        ],
      },
      {
        title: 'etcd',
        panels: [
          statPanel({
            title: 'Member has a leader', unit: units.NoUnit, mappings: LEADER, span: 24,
            description: 'Each etcd member sees a leader. No leader for a minute fires EtcdNoLeader: the Kubernetes API cannot write.',
            queries: [{ expr: `etcd_server_has_leader{${ETCD}}`, legend: '{{instance}}', instant: true }],
          }),
          graph({
            title: `Leader changes in ${ETCD_LEADER_CHANGES_WINDOW}`, unit: units.Short, min: 0, thresholds: redFrom(ETCD_LEADER_CHANGES_WARNING),
            description: `Elections seen by each member over the last ${ETCD_LEADER_CHANGES_WINDOW}. Dashed: EtcdFrequentLeaderChanges; usually slow disks or a flaky network between the nodes.`,
            queries: [{ expr: `increase(etcd_server_leader_changes_seen_total{${ETCD}}[${ETCD_LEADER_CHANGES_WINDOW}])`, legend: '{{instance}}' }],
          }),
          graph({
            title: 'Database quota used', unit: units.PercentUnit, min: 0, max: 1, thresholds: redFrom(ETCD_DB_QUOTA_RATIO_CRITICAL),
            description: 'Database size as a share of the backend quota. Dashed: EtcdDatabaseQuotaLowSpace; at the quota etcd refuses writes (defragment, look for an object flood).',
            queries: [{ expr: `etcd_mvcc_db_total_size_in_bytes{${ETCD}} / etcd_server_quota_backend_bytes{${ETCD}}`, legend: '{{instance}}' }],
          }),
          graph({
            title: 'WAL fsync latency (p99)', unit: units.Seconds, min: 0,
            description: '99th percentile of the write-ahead log\'s fsync: etcd needs it well under 10 ms; above that the disk is too slow for it.',
            queries: [{ expr: `histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${ETCD}}[$__rate_interval])))`, legend: '{{instance}}' }],
          }),
        ],
      },
      {
        title: 'Talos and events',
        panels: [
          logLines({
            title: 'Talos machine logs (warnings and errors)',
            description: 'Machine and service logs the nodes send to the log gateway (machined, etcd, kubelet, ...), above level info.',
            expr: `{job="${TALOS_LOG_JOB}", host=~"$node", level!~"debug|info"}`,
            span: 12,
          }),
          logLines({
            title: 'Kubernetes events',
            description: 'Cluster events of the selected namespaces, newest first (scheduling, pulls, probes failing, evictions).',
            expr: `{job="${KUBERNETES_EVENTS_JOB}", namespace=~"$namespace"}`,
            span: 12,
          }),
        ],
      },
    ],
  });
}
