/**
 * Simple-scalable Loki (loki.mode simple-scalable): the write, read and backend targets of one
 * Loki image on the site's S3 bucket, each spread one pod per failure domain, so losing one
 * Proxmox host (a node on one host) loses no log line and stops no query.
 *
 * Pushes (guests, Proxmox hosts, Talos, the syslog gateway, the cluster log collector) go to the
 * write pods, which also carry the syslog gateway: site.loki.address stays the one log address.
 * Queries (Grafana, verify) go to the read pods, in the cluster; from the management VLAN through
 * Grafana, as the LoadBalancer on the log address reaches write pods, which have no querier.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { LOKI_TARGETS, lokiTargetComponent, stackWorkload, type LokiTarget, type Site } from '../../site';
import { configChecksumAnnotation } from '../common/checksum';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, PART_OF, selectorLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import { logClientSources } from '../common/log-clients';
import { IngressPolicy } from '../common/network-policy';
import { placementFor } from '../common/placement';
import { resourcesFor } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { RETAIN_CLAIMS, volumeClaimTemplate } from '../common/storage';
import { GRAFANA_COMPONENT } from '../grafana/grafana-chart';
import { lokiRuleFiles } from '../integrations/wazuh-rules';
import { CLUSTER_LOGS_COMPONENT, clusterLogsWanted } from '../logs/cluster-logs';
import { SyslogGateway } from '../syslog/syslog-gateway';
import { PORTS, SERVICE_NAMES } from '../topology';
import { LOG_ADDRESS_SHARE_KEY } from './loki-address';
import { LOKI_RING_LABEL } from './loki-names';
import { addLokiConfigMaps, LOKI_CONFIG_DIR, LOKI_CONFIG_FILE, LOKI_CONFIG_MAP, LOKI_RULES_CONFIG_MAP, LOKI_UID, lokiReadyProbe } from './loki-pod';
import { lokiConfigYaml } from './loki-config';
import { ALERTMANAGER_PASSWORD_ENV, ALERTMANAGER_PASSWORD_KEY, lokiArgs, lokiTenantRulesDirectory } from './loki-ruler';
import { S3_ACCESS_KEY_ENV, S3_ACCESS_KEY_KEY, S3_SECRET_KEY_ENV, S3_SECRET_KEY_KEY } from './loki-scalable-config';


const SERVICE_OF: Record<LokiTarget, string> = { write: SERVICE_NAMES.lokiWrite, read: SERVICE_NAMES.lokiRead, backend: SERVICE_NAMES.lokiBackend };

export type LokiScalableServerProps = ComponentChartProps;

/**
 * Objects: ConfigMap `loki-config` (one loki.yaml for every target), ClusterIP Services
 * `loki-write`, `loki-read`, `loki-backend`, headless `loki-backend-headless` (the backends'
 * index gateways by DNS) and `loki-memberlist` (ring gossip, not-ready
 * pods included), LoadBalancer `loki-lb` (pushes) and the syslog gateway's `syslog` on
 * site.loki.address (write pods), StatefulSets `loki-write` and `loki-backend` (each pod its own
 * volume), Deployment `loki-read`, a PodDisruptionBudget and a NetworkPolicy per target; with
 * LogQL rules also ConfigMap `loki-rules`, the backends' tenant rule directory.
 *
 * Needs, created out of band: Secret loki.objectStorage.credentialsSecret (keys access-key-id,
 * secret-access-key) and the bucket itself.
 */
export class LokiScalableServer extends ComponentChart {
  constructor(scope: Construct, id: string, props: LokiScalableServerProps) {
    super(scope, id, props);
    const { site, topology } = props;
    const version = IMAGES.loki.tag;
    const configYaml = lokiConfigYaml(site, topology);
    const ruleFiles = lokiRuleFiles(site);
    const http = k8s.IntOrString.fromString('http');
    const grpc = k8s.IntOrString.fromString('grpc');
    const components = LOKI_TARGETS.map(lokiTargetComponent);
    const sharedLabels = componentLabels('loki', version);

    addLokiConfigMaps(this, sharedLabels, configYaml, ruleFiles);

    // Members find each other here, ready or not: a starting ingester must join the ring to become ready.
    new k8s.KubeService(this, 'Memberlist', {
      metadata: { name: SERVICE_NAMES.lokiMemberlist, labels: sharedLabels },
      spec: {
        clusterIp: 'None',
        publishNotReadyAddresses: true,
        selector: { [LOKI_RING_LABEL]: 'member', 'app.kubernetes.io/part-of': PART_OF },
        ports: [{ name: 'memberlist', port: PORTS.lokiMemberlist, targetPort: k8s.IntOrString.fromString('memberlist'), protocol: 'TCP' }],
      },
    });

    const gateway = new SyslogGateway(this, 'SyslogGateway', { site, hostComponent: lokiTargetComponent('write'), hostVersion: version });
    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site,
      name: 'loki-lb',
      component: lokiTargetComponent('write'),
      version,
      address: site.loki.address,
      ports: [{ name: 'http', port: PORTS.loki, targetPort: http, protocol: 'TCP' }],
      sourceRanges: logClientSources(site),
      shareKey: LOG_ADDRESS_SHARE_KEY,
      // As the syslog and Talos log Services on the same address: MetalLB elects the announcing
      // node per Service among nodes with endpoints, so all three must count the same pods, or a
      // write pod that is not ready yet makes two nodes answer for the one address. The price: a
      // starting or terminating write pod is listed too, and a push it refuses is retried by its client.
      publishNotReadyAddresses: true,
    });

    const secretEnv = (name: string, secret: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    const credentials = site.loki.objectStorage!.credentialsSecret;

    for (const target of LOKI_TARGETS) {
      const component = lokiTargetComponent(target);
      const workload = stackWorkload(site, component);
      const labels = componentLabels(component, version);
      const placement = placementFor(site, component);
      const ruler = target === 'backend' && ruleFiles.length > 0;
      // Write pods keep the write-ahead log, backends the compactor's marks: each its own volume.
      const persistent = workload.storageGiB > 0;

      new k8s.KubeService(this, `${target}-service`, {
        metadata: { name: SERVICE_OF[target], labels },
        spec: {
          type: 'ClusterIP',
          selector: selectorLabels(component),
          ports: [
            { name: 'http', port: PORTS.loki, targetPort: http, protocol: 'TCP' },
            { name: 'grpc', port: PORTS.lokiGrpc, targetPort: grpc, protocol: 'TCP' },
          ],
        },
      });

      const podSpec: k8s.PodSpec = {
        affinity: placement.affinity,
        securityContext: restrictedPodSecurity(LOKI_UID),
        automountServiceAccountToken: false,
        // A write pod leaves the ring and closes its write-ahead log on shutdown (replayed at the
        // next start; the other two copies serve meanwhile): give it time before SIGKILL.
        terminationGracePeriodSeconds: target === 'write' ? 300 : 60,
        containers: [{
          name: 'loki',
          image: imageRef('loki'),
          imagePullPolicy: 'IfNotPresent',
          args: lokiArgs(site, `${LOKI_CONFIG_DIR}/${LOKI_CONFIG_FILE}`, target),
          env: [
            secretEnv(S3_ACCESS_KEY_ENV, credentials, S3_ACCESS_KEY_KEY),
            secretEnv(S3_SECRET_KEY_ENV, credentials, S3_SECRET_KEY_KEY),
            // The ruler's Alertmanager password, expanded into loki.yaml at start (loki-ruler.ts).
            ...(ruler ? [secretEnv(ALERTMANAGER_PASSWORD_ENV, site.alertmanager.webAuthSecret, ALERTMANAGER_PASSWORD_KEY)] : []),
          ],
          ports: [
            { name: 'http', containerPort: PORTS.loki, protocol: 'TCP' },
            { name: 'grpc', containerPort: PORTS.lokiGrpc, protocol: 'TCP' },
            { name: 'memberlist', containerPort: PORTS.lokiMemberlist, protocol: 'TCP' },
          ],
          resources: resourcesFor(workload),
          securityContext: restrictedContainerSecurity(),
          // WAL replay after a crash can take minutes: startup gets 10 min.
          startupProbe: lokiReadyProbe(60, 10),
          readinessProbe: lokiReadyProbe(3, 10),
          // Alive is answering on the port: /ready also reflects the ring and the query
          // scheduler, which a restart would not fix (a lost host's member, a backend away).
          livenessProbe: { tcpSocket: { port: http }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
          volumeMounts: [
            { name: 'config', mountPath: LOKI_CONFIG_DIR, readOnly: true },
            { name: 'data', mountPath: topology.lokiDataDir },
            { name: 'tmp', mountPath: '/tmp' },
            ...(ruler ? [{ name: 'rules', mountPath: lokiTenantRulesDirectory(topology), readOnly: true }] : []),
          ],
        }, ...(target === 'write' ? [gateway.container] : [])],
        volumes: [
          { name: 'config', configMap: { name: LOKI_CONFIG_MAP } },
          { name: 'tmp', emptyDir: {} },
          // Readers cache index files only: an emptyDir (on the OS disk) does.
          ...(persistent ? [] : [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } }]),
          ...(ruler ? [{ name: 'rules', configMap: { name: LOKI_RULES_CONFIG_MAP } }] : []),
          ...(target === 'write' ? gateway.volumes : []),
        ],
      };
      const template: k8s.PodTemplateSpec = {
        metadata: {
          labels: { ...labels, ...placement.labels, [LOKI_RING_LABEL]: 'member' },
          annotations: {
            ...configChecksumAnnotation(configYaml, ...(target === 'write' ? [gateway.configText] : [])),
            ...(target === 'write' ? gateway.podAnnotations : {}),
          },
        },
        spec: podSpec,
      };

      if (target === 'backend') {
        new k8s.KubeService(this, 'backend-headless-service', {
          metadata: { name: SERVICE_NAMES.lokiBackendHeadless, labels },
          spec: {
            clusterIp: 'None',
            selector: selectorLabels(component),
            ports: [{ name: 'grpc', port: PORTS.lokiGrpc, targetPort: grpc, protocol: 'TCP' }],
          },
        });
      }

      if (persistent) {
        new k8s.KubeStatefulSet(this, `${target}-resource`, {
          metadata: { name: component, labels },
          spec: {
            serviceName: target === 'backend' ? SERVICE_NAMES.lokiBackendHeadless : SERVICE_OF[target],
            replicas: workload.replicas,
            // Every member starts at once: a lone starting ingester waits for the ring, not for its peers.
            podManagementPolicy: 'Parallel',
            selector: { matchLabels: selectorLabels(component) },
            template,
            persistentVolumeClaimRetentionPolicy: RETAIN_CLAIMS,
            volumeClaimTemplates: [volumeClaimTemplate('data', workload.storageGiB, site.kubernetes.storageClass)],
          },
        });
      } else {
        new k8s.KubeDeployment(this, `${target}-resource`, {
          metadata: { name: component, labels },
          spec: {
            replicas: workload.replicas,
            // One pod per failure domain, pinned: no room for a surge pod, so one at a time in place.
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
            selector: { matchLabels: selectorLabels(component) },
            template,
          },
        });
      }

      // A drain or a Talos upgrade takes one pod of a target at a time: writes keep their quorum of two.
      new k8s.KubePodDisruptionBudget(this, `${target}-disruption-budget`, {
        metadata: { name: component, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(component) } },
      });

      new IngressPolicy(this, `${target}-network-policy`, {
        component,
        version,
        rules: [
          ...httpRules(site, target, lb.policySources),
          // gRPC between the targets (pushes replicated to ingesters, queries to ingesters and the
          // index gateways, query scheduling, delete requests from the compactor) and the ring.
          { ports: [{ port: PORTS.lokiGrpc, protocol: 'TCP' }], fromComponents: components },
          { ports: [{ port: PORTS.lokiMemberlist, protocol: 'TCP' }], fromComponents: components },
          ...(target === 'write' ? gateway.ingressRules : []),
        ],
      });
    }
  }
}

/** Who may reach a target's HTTP port: everyone scrapes it; pushes to write, queries to read. */
function httpRules(site: Site, target: LokiTarget, lbSources: string[]): { ports: { port: number; protocol: 'TCP' }[]; cidrs?: string[]; fromComponents: string[] }[] {
  const port = [{ port: PORTS.loki, protocol: 'TCP' as const }];
  switch (target) {
    // The log clients of the LoadBalancer (Local policy: their own addresses) and the cluster's log collector.
    case 'write': return [{ ports: port, cidrs: lbSources, fromComponents: ['prometheus', ...(clusterLogsWanted(site) ? [CLUSTER_LOGS_COMPONENT] : [])] }];
    case 'read': return [{ ports: port, fromComponents: [GRAFANA_COMPONENT, 'prometheus'] }];
    case 'backend': return [{ ports: port, fromComponents: ['prometheus'] }];
  }
}
