/**
 * The cluster log collector: one Grafana Alloy pod that reads every pod's container logs and the
 * cluster's events through the Kubernetes API and pushes them to Loki (config in
 * cluster-logs-config.ts).
 *
 * A Deployment, not a DaemonSet: `loki.source.kubernetes` streams logs from the API server (the
 * kubelets serve them), so it needs no host paths and runs `restricted` like the rest of the
 * stack. A per-node agent reading /var/log/pods would need hostPath volumes (a privileged
 * namespace) and would pay off only at log volumes the 3 or 5 nodes of this stack do not produce.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { configChecksumAnnotation } from '../common/checksum';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { IngressPolicy } from '../common/network-policy';
import { smallPodResources } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import type { Site } from '../../site';
import { PORTS } from '../topology';
import { clusterLogConfig, clusterLogStreams } from './cluster-logs-config';
import { ALLOY_CONFIG_DIR as CONFIG_DIR, ALLOY_CONFIG_FILE as CONFIG_FILE, ALLOY_STORAGE_DIR as STORAGE_DIR, ALLOY_UID, alloyRunArgs } from '../syslog/alloy-run';

export const CLUSTER_LOGS_COMPONENT = 'cluster-logs';
/**
 * One log stream per container through the API server: for the few dozen containers of this
 * cluster Alloy stays well under 256 MiB; the limit leaves room for a burst after a restart.
 */
const RESOURCES = { cpu: 0.1, memoryMiB: 192, memoryLimitMiB: 512 };

/** What it reads, by API group: pods to discover and their logs, and events. */
export const CLUSTER_LOGS_RBAC: ReadonlyArray<{ readonly apiGroups: readonly string[]; readonly resources: readonly string[] }> = [
  { apiGroups: [''], resources: ['pods', 'pods/log'] },
  { apiGroups: [''], resources: ['events'] },
];

/** Whether the site wants the collector at all (pod logs or events; Kubernetes only). */
export function clusterLogsWanted(site: Site): boolean {
  const streams = clusterLogStreams(site);
  return streams.pods || streams.events;
}

/**
 * Objects: ServiceAccount, ClusterRole and ClusterRoleBinding `<namespace>-cluster-logs` (get,
 * list, watch on the table above, pods only when pod logs are on, events only when events are),
 * ConfigMap `cluster-logs-config`, Deployment `cluster-logs`, NetworkPolicy `cluster-logs`
 * (Prometheus scrapes Alloy's own metrics through the kubernetes-pods job).
 */
export class ClusterLogs extends ComponentChart {
  constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, props);
    const { site } = props;
    const version = IMAGES.alloy.tag;
    const labels = componentLabels(CLUSTER_LOGS_COMPONENT, version);
    const clusterName = `${site.kubernetes.namespace}-${CLUSTER_LOGS_COMPONENT}`;
    const streams = clusterLogStreams(site);
    const configText = clusterLogConfig(site);
    const configMapName = `${CLUSTER_LOGS_COMPONENT}-config`;
    const wanted = (resource: string) => (resource === 'events' ? streams.events : streams.pods);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: CLUSTER_LOGS_COMPONENT, labels } });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels },
      rules: CLUSTER_LOGS_RBAC
        .map((r) => ({ apiGroups: [...r.apiGroups], resources: r.resources.filter(wanted), verbs: ['get', 'list', 'watch'] }))
        .filter((r) => r.resources.length > 0),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: CLUSTER_LOGS_COMPONENT, namespace: site.kubernetes.namespace }],
    });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configMapName, labels },
      data: { [CONFIG_FILE]: configText },
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component: CLUSTER_LOGS_COMPONENT,
      version,
      rules: [{ ports: [{ port: PORTS.alloy, protocol: 'TCP' }], fromComponents: ['prometheus'] }],
    });

    const http = k8s.IntOrString.fromString('alloy-metrics');
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: CLUSTER_LOGS_COMPONENT, labels },
      spec: {
        replicas: 1, // two would ship every line twice
        // Never two at once during a rollout, for the same reason.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(CLUSTER_LOGS_COMPONENT) },
        template: {
          metadata: {
            labels,
            annotations: {
              ...configChecksumAnnotation(configText),
              // Picked up by Prometheus' kubernetes-pods job (Alloy's own metrics).
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(PORTS.alloy),
            },
          },
          spec: {
            serviceAccountName: CLUSTER_LOGS_COMPONENT,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity(ALLOY_UID),
            containers: [{
              name: CLUSTER_LOGS_COMPONENT,
              image: imageRef('alloy'),
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/alloy'],
              args: alloyRunArgs(),
              ports: [{ name: 'alloy-metrics', containerPort: PORTS.alloy, protocol: 'TCP' }],
              resources: smallPodResources(RESOURCES),
              securityContext: restrictedContainerSecurity(),
              readinessProbe: { httpGet: { path: '/-/ready', port: http }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/-/ready', port: http }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'storage', mountPath: STORAGE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: configMapName } },
              // Read positions: lost with the pod, after which recent lines and events are read
              // again (Loki drops exact duplicates of a stream's lines).
              { name: 'storage', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
  }
}
