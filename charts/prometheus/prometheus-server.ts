/** Prometheus as a plain StatefulSet (no operator): config and rules from ConfigMaps, TSDB on a PVC. */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { ComponentChart, ComponentChartProps } from '../common/component-chart';
import { configChecksumAnnotation } from '../common/checksum';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { ManagementEndpoints } from '../common/management-endpoints';
import { resourcesFor } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { RETAIN_CLAIMS, volumeClaimTemplate } from '../common/storage';
import { PORTS } from '../topology';
import { placementFor } from '../common/placement';
import { PROMETHEUS_CONFIG_FILE, prometheusArgs } from './prometheus-args';
import { prometheusConfigYaml } from './prometheus-config';
import { prometheusRulesYaml, RULES_FILE_NAME } from './rules';

const COMPONENT = 'prometheus';
/** Upstream image runs as nobody. */
const UID = 65534;
export class PrometheusServer extends ComponentChart {
  constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, props);
    const { site, topology } = props;
    const version = IMAGES.prometheus.tag;
    const labels = componentLabels(COMPONENT, version);
    const configText = prometheusConfigYaml(site, topology);
    const rulesText = prometheusRulesYaml(site);
    const placement = placementFor(site, COMPONENT);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: COMPONENT, labels } });
    // Read-only discovery of nodes, pods and endpoints, and the kubelets' /metrics/* (nodes/metrics;
    // no nodes/proxy, which would open the kubelet's exec and attach endpoints too).
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `${site.kubernetes.namespace}-${COMPONENT}`, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        // The API server's own /metrics (kubernetes-apiservers job).
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `${site.kubernetes.namespace}-${COMPONENT}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${site.kubernetes.namespace}-${COMPONENT}` },
      subjects: [{ kind: 'ServiceAccount', name: COMPONENT, namespace: site.kubernetes.namespace }],
    });
    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${COMPONENT}-config`, labels }, data: { 'prometheus.yml': configText } });
    new k8s.KubeConfigMap(this, 'Rules', { metadata: { name: `${COMPONENT}-rules`, labels }, data: { [RULES_FILE_NAME]: rulesText } });

    // Report rule 4: 9090 from the management VLAN only; Grafana queries it in-cluster.
    new ManagementEndpoints(this, 'Endpoints', {
      site, component: COMPONENT, version, port: PORTS.prometheus, address: site.prometheus.address, inClusterClients: ['grafana'],
    });

    const httpProbe = (path: string, periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString('http') }, periodSeconds, failureThreshold, timeoutSeconds: 5,
    });
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: COMPONENT, labels },
      spec: {
        serviceName: COMPONENT,
        replicas: 1,
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels: { ...labels, ...placement.labels }, annotations: configChecksumAnnotation(configText, rulesText) },
          spec: {
            affinity: placement.affinity,
            serviceAccountName: COMPONENT,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity(UID),
            // The head block is flushed on shutdown; a kill mid-write costs a long WAL replay.
            terminationGracePeriodSeconds: 300,
            containers: [{
              name: COMPONENT,
              image: imageRef('prometheus'),
              imagePullPolicy: 'IfNotPresent',
              args: prometheusArgs(site, topology),
              ports: [{ name: 'http', containerPort: PORTS.prometheus, protocol: 'TCP' }],
              resources: resourcesFor(site.prometheus),
              securityContext: restrictedContainerSecurity(),
              // WAL replay after a crash can take minutes on a full TSDB: give startup 20 minutes.
              startupProbe: httpProbe('/-/ready', 10, 120),
              readinessProbe: httpProbe('/-/ready', 10, 3),
              livenessProbe: httpProbe('/-/healthy', 15, 4),
              volumeMounts: [
                { name: 'config', mountPath: PROMETHEUS_CONFIG_FILE, subPath: 'prometheus.yml', readOnly: true },
                { name: 'rules', mountPath: topology.prometheusRulesDir, readOnly: true },
                { name: 'alertmanager-client', mountPath: topology.alertmanagerPasswordFile.replace(/\/[^/]+$/, ''), readOnly: true },
                { name: 'data', mountPath: topology.prometheusDataDir },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: `${COMPONENT}-config` } },
              { name: 'rules', configMap: { name: `${COMPONENT}-rules` } },
              { name: 'alertmanager-client', secret: { secretName: site.alertmanager.webAuthSecret, items: [{ key: 'password', path: 'password' }] } },
            ],
          },
        },
        persistentVolumeClaimRetentionPolicy: RETAIN_CLAIMS,
        volumeClaimTemplates: [volumeClaimTemplate('data', site.prometheus.storageGiB, site.kubernetes.storageClass)],
      },
    });
  }
}
