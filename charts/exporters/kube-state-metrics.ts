/**
 * kube-state-metrics: the state of the cluster's objects as metrics (pods restarting, rollouts
 * stuck, claims pending, nodes not ready), which the kubelet and cAdvisor jobs do not give.
 * Restricted like the rest of the stack: it only lists and watches the API.
 *
 * Least privilege: the resources it watches are one table, which gives both its `--resources`
 * flag and its ClusterRole; Secrets and ConfigMaps are left out (their metrics say little about
 * health, and reading every Secret of the cluster is not something a metrics exporter should do).
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { IngressPolicy } from '../common/network-policy';
import { smallPodResources } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { PORTS, SERVICE_NAMES } from '../topology';

const COMPONENT = SERVICE_NAMES.kubeStateMetrics;
/** The image's user (65534, nobody), as upstream's manifests run it. */
const UID = 65534;
/** Small cluster, few objects: upstream's examples run it in well under this. */
const RESOURCES = { cpu: 0.05, memoryMiB: 96, memoryLimitMiB: 256 };

/** What it watches, by API group (upstream's resource names, pkg/options/resource.go). */
export const KUBE_STATE_METRICS_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': ['namespaces', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'resourcequotas', 'services'],
  apps: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'],
  batch: ['cronjobs', 'jobs'],
  autoscaling: ['horizontalpodautoscalers'],
  policy: ['poddisruptionbudgets'],
  'discovery.k8s.io': ['endpointslices'],
  'storage.k8s.io': ['storageclasses'],
};

export function kubeStateMetricsArgs(): string[] {
  const resources = Object.values(KUBE_STATE_METRICS_RESOURCES).flat().sort();
  return [`--port=${PORTS.kubeStateMetrics}`, `--telemetry-port=${PORTS.kubeStateMetricsTelemetry}`, `--resources=${resources.join(',')}`];
}

export class KubeStateMetrics extends ComponentChart {
  constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, props);
    const { site } = props;
    const version = IMAGES.kubeStateMetrics.tag.replace(/^v/, '');
    const labels = componentLabels(COMPONENT, version);
    // Cluster-scoped names carry the namespace, like Prometheus' own role: two stacks never collide.
    const clusterName = `${site.kubernetes.namespace}-${COMPONENT}`;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: COMPONENT, labels } });
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels },
      rules: Object.entries(KUBE_STATE_METRICS_RESOURCES).map(([apiGroup, resources]) => ({ apiGroups: [apiGroup], resources: [...resources], verbs: ['list', 'watch'] })),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name: COMPONENT, namespace: site.kubernetes.namespace }],
    });
    const ports = [
      { name: 'http-metrics', port: PORTS.kubeStateMetrics },
      { name: 'telemetry', port: PORTS.kubeStateMetricsTelemetry },
    ];
    new k8s.KubeService(this, 'Service', {
      metadata: { name: COMPONENT, labels },
      spec: { selector: selectorLabels(COMPONENT), ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })) },
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component: COMPONENT, version,
      rules: [{ ports: ports.map((p) => ({ port: p.port, protocol: 'TCP' as const })), fromComponents: ['prometheus'] }],
    });
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: COMPONENT, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: COMPONENT,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity(UID),
            containers: [{
              name: COMPONENT,
              image: imageRef('kubeStateMetrics'),
              imagePullPolicy: 'IfNotPresent',
              args: kubeStateMetricsArgs(),
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
              resources: smallPodResources(RESOURCES),
              securityContext: restrictedContainerSecurity(),
              // Upstream's probes: /livez on the metrics port, /readyz on the telemetry port.
              livenessProbe: { httpGet: { path: '/livez', port: k8s.IntOrString.fromString('http-metrics') }, initialDelaySeconds: 5, timeoutSeconds: 5 },
              readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('telemetry') }, initialDelaySeconds: 5, timeoutSeconds: 5 },
            }],
          },
        },
      },
    });
  }
}
