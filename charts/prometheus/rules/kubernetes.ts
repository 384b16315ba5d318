/**
 * The cluster's objects and nodes (Kubernetes only): kube-state-metrics 2.20.0 for objects
 * (internal/store/*.go; stable names in internal/store/testdata/stable-metrics-list.yaml), the
 * kubelet (k8s.io/kubernetes v1.36 pkg/kubelet/metrics: kubelet_running_pods) and the API
 * server (k8s.io/apiserver pkg/endpoints/metrics: apiserver_request_total). After
 * kubernetes-mixin's alerts, written for this cluster's jobs.
 *
 * Volumes are not here: local-path claims share each node's data disk and the kubelet reports
 * that whole filesystem for every claim on it, so per-claim fill cannot be read; the disk itself
 * is watched by the hosts rules through node_exporter on the Talos nodes.
 */
import { workers, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import { APISERVER_ERROR_RATIO_WARNING, KUBELET_PODS_RATIO_WARNING } from '../../common/thresholds';
import type { AlertDefinition } from './alert';
import { spelled } from '../../../site/words';
import { etcdMembers, roomAfterOneLoss, type EtcdMembers } from './etcd';
import { talosVmHosts } from './proxmox';

const dashboard = DASHBOARD_UIDS.kubernetes;

/** What one node down means for the cluster: a control plane takes an etcd member with it, a worker does not. */
function nodeDownEffect(site: Site, etcd: EtcdMembers): string {
  const room = roomAfterOneLoss(etcd, 'without redundancy');
  const w = workers(site).length;
  if (w === 0) return `With one of ${spelled(etcd.total)} nodes down the cluster runs, ${room}`;
  return `One of ${spelled(etcd.total + w)} nodes down: a worker takes only its pods; a control plane also takes one of the ${spelled(etcd.total)} etcd members, after which the cluster runs ${room}`;
}

export function kubernetesObjectRules(site: Site): AlertDefinition[] {
  const describe = (kind: string) => `\`kubectl -n <namespace> describe ${kind} <name>\` and \`kubectl -n <namespace> get events --sort-by=.lastTimestamp | tail -20\``;
  const ns = site.kubernetes.namespace;
  const etcd = etcdMembers(site);
  return [
    {
      alert: 'KubePodCrashLooping', expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1', for: '15m', severity: 'warning',
      summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash looping',
      description: 'In CrashLoopBackOff for 15 minutes (waiting = {{ $value }}): kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous',
      dashboard,
      runbook: {
        meaning: 'A container starts, dies and is restarted with growing back-off. Its service is down or degraded.',
        check: ['`kubectl -n <namespace> logs <pod> -c <container> --previous` shows why it died.', describe('pod') + ': OOMKilled, a failing probe, a missing file.'],
        fix: ['A configuration error: fix the site or generator, synthesize, push. OOMKilled: raise the component\'s memory in the site (`<component>.memoryGiB`).'],
      },
    },
    {
      // A new pod that cannot start while the old one still serves: the replica counts look fine.
      alert: 'KubeContainerWaiting', expr: 'kube_pod_container_status_waiting_reason{reason=~"ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError"} == 1', for: '15m', severity: 'warning',
      summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) cannot start: {{ $labels.reason }}',
      description: 'Waiting for 15 minutes (waiting = {{ $value }}): kubectl -n {{ $labels.namespace }} describe pod {{ $labels.pod }}: a wrong image tag, a missing Secret or ConfigMap key.',
      dashboard,
      runbook: {
        meaning: 'The container cannot be created: its image cannot be pulled, or a Secret/ConfigMap it references is missing.',
        check: [describe('pod') + '.'],
        fix: ['ImagePullBackOff: a wrong tag in charts/common/images.ts or no egress to the registry. CreateContainerConfigError: create the Secret named in the event (`kubectl -n ' + ns + ' apply -f ' + site.talos.secretsDir + '/kubernetes/monitoring-secrets.yaml`, or the operator Secret the README names).'],
      },
    },
    {
      alert: 'KubeDeploymentReplicasMismatch', expr: 'kube_deployment_spec_replicas != kube_deployment_status_replicas_available', for: '15m', severity: 'warning',
      summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not the replicas it wants',
      description: 'Available replicas differ from the spec for 15 minutes (spec {{ $value }}): check its pods\' events.',
      dashboard,
      runbook: {
        meaning: 'Fewer (or more) replicas are available than the Deployment asks for.',
        check: ['`kubectl -n <namespace> get rs,pods -l app.kubernetes.io/name=<deployment>`; ' + describe('deployment') + '.'],
        fix: ['A pod Pending for resources: free a node or lower requests; a pod failing: see KubePodCrashLooping.'],
      },
    },
    {
      alert: 'KubeDeploymentRolloutStuck', expr: 'kube_deployment_status_condition{condition="Progressing",status="false"} == 1', for: '15m', severity: 'warning',
      summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} rollout is stuck',
      description: 'It passed its progress deadline (Progressing=false is {{ $value }}): kubectl -n {{ $labels.namespace }} rollout status deployment/{{ $labels.deployment }}.',
      dashboard,
      runbook: {
        meaning: 'A rollout did not progress within its deadline: the new pods never became ready. The old ones may still serve.',
        check: ['`kubectl -n <namespace> rollout status deployment/<name>`; ' + describe('deployment') + '.'],
        fix: ['Fix the new version, or revert the commit in Git; `kubectl rollout undo` is reverted by GitOps.'],
      },
    },
    {
      alert: 'KubeStatefulSetReplicasMismatch', expr: 'kube_statefulset_status_replicas_ready != kube_statefulset_replicas', for: '15m', severity: 'warning',
      summary: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not the ready replicas it wants',
      description: 'Ready replicas differ from the spec for 15 minutes (ready {{ $value }}): check its pods and their claims.',
      dashboard,
      runbook: {
        meaning: 'Prometheus, Loki, Grafana and Alertmanager are StatefulSets of one replica: a mismatch means that component is down.',
        check: ['`kubectl -n <namespace> get pods,pvc`; ' + describe('statefulset') + '.'],
        fix: ['A claim Pending (KubePersistentVolumeClaimPending) or a node down (KubeNodeNotReady): fix that first; a crash loop: see KubePodCrashLooping.'],
      },
    },
    {
      alert: 'KubeDaemonSetNotReady', expr: 'kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_number_ready > 0', for: '15m', severity: 'warning',
      summary: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is not ready on every node',
      description: '{{ $value }} of its pods are not ready for 15 minutes: that node\'s metrics or logs are missing.',
      dashboard,
      runbook: {
        meaning: 'A DaemonSet (node_exporter) lacks a ready pod on some node: that node is not watched.',
        check: ['`kubectl -n <namespace> get pods -o wide -l app.kubernetes.io/name=<daemonset>`; ' + describe('daemonset') + '.'],
        fix: ['A node down: KubeNodeNotReady; a pod failing: read its logs; a taint it does not tolerate: fix the generator.'],
      },
    },
    {
      alert: 'KubeNodeNotReady', expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', for: '15m', severity: 'warning',
      summary: 'Node {{ $labels.node }} is not ready',
      description: `Ready has been false or unknown for 15 minutes (ready = {{ $value }}). ${nodeDownEffect(site, etcd)}: talosctl -n <node> health.`,
      dashboard,
      runbook: {
        meaning: `The kubelet of a node does not report Ready. Its pods are evicted after 5 minutes; etcd keeps quorum with ${spelled(etcd.quorum)} of ${spelled(etcd.total)} members${workers(site).length > 0 ? ' (a worker is none of them)' : ''}.`,
        check: ['`talosctl -n <node-ip> health`; `talosctl -n <node-ip> service kubelet`; `talosctl -n <node-ip> dmesg | tail -50`.', `On ${talosVmHosts(site)}: \`qm status <vmid>\` of the Talos VM.`],
        fix: [`A stopped VM: \`qm start <vmid>\`; a hung node: \`talosctl -n <node-ip> reboot\`; a broken kubelet config: re-apply the machine config (\`talosctl apply-config -n <node-ip> -f ${site.talos.secretsDir}/talos/nodes/<node>.yaml\`).`],
      },
    },
    {
      alert: 'KubeNodePressure', expr: 'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure",status="true"} == 1', for: '10m', severity: 'warning',
      summary: 'Node {{ $labels.node }} reports {{ $labels.condition }}',
      description: '{{ $labels.condition }} is true for 10 minutes (condition = {{ $value }}): the kubelet evicts pods from it.',
      dashboard,
      runbook: {
        meaning: 'The kubelet sees the node short of memory, disk or process ids and starts evicting pods.',
        check: ['`kubectl describe node <node>` (Conditions, Events); the Hosts dashboard with job talos-nodes.'],
        fix: ['DiskPressure: the data disk is full (HostFilesystemAlmostFull on the node): shorten a retention or grow the disk (`qm resize`); MemoryPressure: lower requests or add memory to the VM.'],
      },
    },
    {
      alert: 'KubeNodeCordoned', expr: 'kube_node_spec_unschedulable == 1', for: '1h', severity: 'info',
      summary: 'Node {{ $labels.node }} has been cordoned for an hour',
      description: 'The node accepts no new pods (unschedulable = {{ $value }}): a maintenance that was not finished?',
      dashboard,
      runbook: {
        meaning: 'Someone ran `kubectl cordon` or `drain` (or a Talos upgrade left it cordoned). Nothing is broken; capacity is reduced.',
        check: ['`kubectl get nodes`: SchedulingDisabled.'],
        fix: ['When the maintenance is over: `kubectl uncordon <node>`.'],
      },
    },
    {
      alert: 'KubePersistentVolumeClaimPending', expr: 'kube_persistentvolumeclaim_status_phase{phase="Pending"} == 1', for: '15m', severity: 'warning',
      summary: 'Claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is pending',
      description: 'Pending for 15 minutes (pending = {{ $value }}): its pod cannot start.',
      dashboard,
      runbook: {
        meaning: 'No volume is bound to the claim. With local-path (WaitForFirstConsumer) that is normal until its pod is scheduled; for 15 minutes it is not.',
        check: ['`kubectl -n <namespace> describe pvc <claim>`; `kubectl -n kube-system logs deploy/local-path-provisioner --tail=50`.'],
        fix: [`The StorageClass ${site.kubernetes.storageClass} must exist and its provisioner run; a node without the data disk mount cannot host it.`],
      },
    },
    {
      alert: 'KubeJobFailed', expr: 'kube_job_failed{condition="true"} == 1', for: '15m', severity: 'warning',
      summary: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed',
      description: 'The job has the Failed condition (failed = {{ $value }}): kubectl -n {{ $labels.namespace }} logs job/{{ $labels.job_name }}.',
      dashboard,
      runbook: {
        meaning: 'A Job ran out of retries (the etcd backup, a hook). What it should have done did not happen.',
        check: ['`kubectl -n <namespace> logs job/<job>`; ' + describe('job') + '.'],
        fix: ['Fix the cause and let the CronJob run again (or `kubectl create job --from=cronjob/<name> <name>-manual`); delete the failed Job to clear the alert.'],
      },
    },
    {
      alert: 'KubeletDown', expr: 'up{job="kubernetes-nodes"} == 0', for: '15m', severity: 'warning',
      summary: 'Kubelet on {{ $labels.instance }} cannot be scraped',
      description: 'Prometheus has not reached the kubelet for 15 minutes (up = {{ $value }}): the node\'s containers are not watched.',
      dashboard,
      runbook: {
        meaning: 'The kubelet\'s port 10250 does not answer Prometheus: the kubelet is down, or its serving certificate is not approved yet.',
        check: ['`talosctl -n <node-ip> service kubelet`; `talosctl -n <node-ip> logs kubelet | tail`.', '`kubectl get csr` (a pending kubelet-serving CSR: the approver is not running).'],
        fix: ['Restart it: `talosctl -n <node-ip> service kubelet restart`; approve pending CSRs: `kubectl certificate approve <csr>`.'],
      },
    },
    {
      // kubernetes-mixin's KubeletTooManyPods; the kubelet's instance label is its node name (kubernetes-nodes relabelling).
      alert: 'KubeletTooManyPods',
      expr: `max by (job, instance) (kubelet_running_pods{job="kubernetes-nodes"}) / on (instance) group_left max by (instance) (label_replace(kube_node_status_capacity{resource="pods"}, "instance", "$1", "node", "(.+)")) > ${KUBELET_PODS_RATIO_WARNING}`,
      for: '15m', severity: 'warning',
      summary: 'Kubelet on {{ $labels.instance }} runs close to its pod limit',
      description: 'It runs {{ $value | humanizePercentage }} of the pods its node can hold: new pods will not be scheduled there.',
      dashboard,
      runbook: {
        meaning: 'The node runs almost as many pods as its `maxPods` allows; the scheduler will place no more there.',
        check: ['`kubectl get pods -A -o wide --field-selector spec.nodeName=<node> | wc -l`; `kubectl describe node <node>` (Capacity: pods).'],
        fix: ['Remove finished pods (`kubectl delete pods -A --field-selector status.phase=Succeeded`) or raise `maxPods` in the Talos machine config (kubelet extraConfig).'],
      },
    },
    {
      alert: 'KubeApiServerErrors',
      expr: `sum by (job, instance) (rate(apiserver_request_total{job="kubernetes-apiservers",code=~"5.."}[5m])) / sum by (job, instance) (rate(apiserver_request_total{job="kubernetes-apiservers"}[5m])) > ${APISERVER_ERROR_RATIO_WARNING}`,
      for: '15m', severity: 'warning',
      summary: 'API server {{ $labels.instance }} answers with errors',
      description: '{{ $value | humanizePercentage }} of its requests failed with 5xx over 5 minutes.',
      dashboard,
      runbook: {
        meaning: 'More than 5% of the API server\'s requests fail: controllers, GitOps and kubectl misbehave. Most often etcd is slow or unreachable.',
        check: ['`talosctl -n <node-ip> logs kube-apiserver | grep -i error | tail`; the etcd panels of the Kubernetes dashboard.'],
        fix: ['Fix etcd first (EtcdHighFsyncDurations, EtcdNoLeader); a webhook that fails: find it in the API server log and remove or repair it.'],
      },
    },
  ];
}
