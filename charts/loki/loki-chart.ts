/**
 * Loki 3.x single binary: a one-replica StatefulSet on a PVC, with the syslog gateway beside it
 * in the pod (charts/syslog/syslog-gateway.ts), its Services and NetworkPolicy.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Site } from '../../site';
import { configChecksumAnnotation } from '../common/checksum';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import { IngressPolicy } from '../common/network-policy';
import { resourcesFor } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { RETAIN_CLAIMS, volumeClaimTemplate } from '../common/storage';
import { GRAFANA_COMPONENT } from '../grafana/grafana-chart';
import { CLUSTER_LOGS_COMPONENT, clusterLogsWanted } from '../logs/cluster-logs';
import { SyslogGateway } from '../syslog/syslog-gateway';
import { PORTS, SERVICE_NAMES } from '../topology';
import { placementFor } from '../common/placement';
import { LOG_ADDRESS_SHARE_KEY } from './loki-address';
import { addLokiConfigMaps, LOKI_CONFIG_DIR, LOKI_CONFIG_FILE, LOKI_CONFIG_MAP, LOKI_RULES_CONFIG_MAP, LOKI_UID, lokiReadyProbe } from './loki-pod';
import { logClientSources } from '../common/log-clients';
import { lokiConfigYaml } from './loki-config';
import { ALERTMANAGER_PASSWORD_ENV, ALERTMANAGER_PASSWORD_KEY, lokiArgs, lokiTenantRulesDirectory } from './loki-ruler';
import { lokiRuleFiles } from '../integrations/wazuh-rules';

export const LOKI_COMPONENT = 'loki';
/** Pods of these components query Loki, push to it or scrape its /metrics from inside the cluster. */
function inClusterClients(site: Site): string[] {
  return [GRAFANA_COMPONENT, 'prometheus', ...(clusterLogsWanted(site) ? [CLUSTER_LOGS_COMPONENT] : [])];
}

export type LokiServerProps = ComponentChartProps;

/**
 * Objects: ConfigMap `loki-config`, headless Service `loki` (the StatefulSet's governing
 * Service and the in-cluster address `loki.<ns>.svc:3100`), LoadBalancer Service `loki-lb` on
 * site.loki.address, the syslog gateway's ConfigMap and LoadBalancer Service `syslog` on the
 * same address, StatefulSet `loki`, NetworkPolicy `loki`; with LogQL rules (the Wazuh
 * integration) also ConfigMap `loki-rules`, mounted as the ruler's tenant directory.
 */
export class LokiServer extends ComponentChart {
  constructor(scope: Construct, id: string, props: LokiServerProps) {
    super(scope, id, props);
    const { site, topology } = props;
    const version = IMAGES.loki.tag;
    const labels = componentLabels(LOKI_COMPONENT, version);
    const configYaml = lokiConfigYaml(site, topology);
    const placement = placementFor(site, LOKI_COMPONENT);
    const http = k8s.IntOrString.fromString('http');
    // Log agents on the guests and the Proxmox host push here, and people query from the
    // management VLAN; Loki has no auth, so nobody else: not the rest of the monitoring VLAN
    // (its DHCP range), and in-cluster only the pods named below.
    const lbSources = logClientSources(site);

    const ruleFiles = lokiRuleFiles(site);
    addLokiConfigMaps(this, labels, configYaml, ruleFiles);

    new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: SERVICE_NAMES.loki, labels },
      spec: {
        clusterIp: 'None',
        selector: selectorLabels(LOKI_COMPONENT),
        ports: [
          { name: 'http', port: PORTS.loki, targetPort: http, protocol: 'TCP' },
          { name: 'grpc', port: PORTS.lokiGrpc, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP' },
        ],
      },
    });

    const gateway = new SyslogGateway(this, 'SyslogGateway', { site, hostComponent: LOKI_COMPONENT, hostVersion: version });

    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site,
      name: 'loki-lb',
      component: LOKI_COMPONENT,
      version,
      address: site.loki.address,
      ports: [{ name: 'http', port: PORTS.loki, targetPort: http, protocol: 'TCP' }],
      sourceRanges: lbSources,
      shareKey: LOG_ADDRESS_SHARE_KEY,
    });

    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: 'loki', labels },
      spec: {
        serviceName: SERVICE_NAMES.loki,
        replicas: 1, // filesystem storage: one writer only
        selector: { matchLabels: selectorLabels(LOKI_COMPONENT) },
        template: {
          metadata: {
            labels: { ...labels, ...placement.labels },
            annotations: { ...configChecksumAnnotation(configYaml, gateway.configText), ...gateway.podAnnotations },
          },
          spec: {
            affinity: placement.affinity,
            securityContext: restrictedPodSecurity(LOKI_UID),
            automountServiceAccountToken: false,
            // The ingester flushes in-memory chunks on shutdown; give it time before SIGKILL.
            terminationGracePeriodSeconds: 120,
            containers: [{
              name: 'loki',
              image: imageRef('loki'),
              imagePullPolicy: 'IfNotPresent',
              args: lokiArgs(site, `${LOKI_CONFIG_DIR}/${LOKI_CONFIG_FILE}`),
              // The ruler's Alertmanager password, expanded into loki.yaml at start (loki-ruler.ts).
              env: ruleFiles.length === 0 ? undefined : [{
                name: ALERTMANAGER_PASSWORD_ENV,
                valueFrom: { secretKeyRef: { name: site.alertmanager.webAuthSecret, key: ALERTMANAGER_PASSWORD_KEY } },
              }],
              ports: [
                { name: 'http', containerPort: PORTS.loki, protocol: 'TCP' },
                { name: 'grpc', containerPort: PORTS.lokiGrpc, protocol: 'TCP' },
              ],
              resources: resourcesFor(site.loki),
              securityContext: restrictedContainerSecurity(),
              // WAL replay after a crash can take minutes on a full volume: startup gets 10 min.
              startupProbe: lokiReadyProbe(60, 10),
              readinessProbe: lokiReadyProbe(3, 10),
              livenessProbe: lokiReadyProbe(6, 20),
              volumeMounts: [
                { name: 'config', mountPath: LOKI_CONFIG_DIR, readOnly: true },
                { name: 'data', mountPath: topology.lokiDataDir },
                { name: 'tmp', mountPath: '/tmp' },
                ...(ruleFiles.length === 0 ? [] : [{ name: 'rules', mountPath: lokiTenantRulesDirectory(topology), readOnly: true }]),
              ],
            }, gateway.container],
            volumes: [
              { name: 'config', configMap: { name: LOKI_CONFIG_MAP } },
              { name: 'tmp', emptyDir: {} },
              ...(ruleFiles.length === 0 ? [] : [{ name: 'rules', configMap: { name: LOKI_RULES_CONFIG_MAP } }]),
              ...gateway.volumes,
            ],
          },
        },
        persistentVolumeClaimRetentionPolicy: RETAIN_CLAIMS,
        volumeClaimTemplates: [volumeClaimTemplate('data', site.loki.storageGiB, site.kubernetes.storageClass)],
      },
    });

    new IngressPolicy(this, 'NetworkPolicy', {
      component: LOKI_COMPONENT,
      version,
      rules: [
        // Clients of the LoadBalancer (Local policy: their own addresses) and the in-cluster
        // clients; the syslog gateway pushes over the pod's loopback.
        { ports: [{ port: PORTS.loki, protocol: 'TCP' }], cidrs: lb.policySources, fromComponents: inClusterClients(site) },
        ...gateway.ingressRules,
      ],
    });
  }
}
