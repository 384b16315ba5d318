/**
 * Alertmanager as a StatefulSet with basic auth on its API (report: "basic auth for API access"):
 * one pod, or alertmanager.replicas pods gossiping as one cluster.
 */
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
import { lokiSimpleScalable } from '../../site';
import { PORTS, SERVICE_NAMES } from '../topology';
import { placementFor } from '../common/placement';
import { LOKI_COMPONENT } from '../loki/loki-chart';
import { LOKI_RULER_COMPONENT } from '../loki/loki-names';
import { lokiRulerEnabled } from '../loki/loki-ruler';
import { ALERTMANAGER_CONFIG_FILE, ALERTMANAGER_WEB_CONFIG_DIR, alertmanagerArgs, POD_IP_ENV, WEB_CONFIG_KEY } from './alertmanager-args';
import { alertmanagerConfigYaml, HEARTBEAT_URL_DIR, SMTP_PASSWORD_DIR, WEBHOOK_URL_DIR } from './alertmanager-config';

const COMPONENT = 'alertmanager';
/** ConfigMap with alertmanager.yml; verify names it in its next steps. */
export const ALERTMANAGER_CONFIG_MAP = `${COMPONENT}-config`;
const UID = 65534;
/** Gossip between replicas (alertmanager.replicas > 1). */
const CLUSTER_PORTS = [
  { name: 'cluster-tcp', port: PORTS.alertmanagerCluster, protocol: 'TCP' as const },
  { name: 'cluster-udp', port: PORTS.alertmanagerCluster, protocol: 'UDP' as const },
];

export class AlertmanagerServer extends ComponentChart {
  constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, props);
    const { site, topology } = props;
    const version = IMAGES.alertmanager.tag;
    const labels = componentLabels(COMPONENT, version);
    const configText = alertmanagerConfigYaml(site, topology);
    const placement = placementFor(site, COMPONENT);
    const replicas = site.alertmanager.replicas;
    // Receiver credentials are Secrets mounted as files, referenced by name: never in the ConfigMap.
    const fileSecrets = [
      ...site.alertmanager.receivers.emails.filter((e) => e.authPasswordSecret)
        .map((e) => ({ volume: `smtp-${e.name}`, secret: e.authPasswordSecret!, key: 'password', dir: `${SMTP_PASSWORD_DIR}/${e.name}` })),
      ...site.alertmanager.receivers.webhooks.filter((w) => w.urlSecret)
        .map((w) => ({ volume: `webhook-${w.name}`, secret: w.urlSecret!, key: 'url', dir: `${WEBHOOK_URL_DIR}/${w.name}` })),
      ...(site.alertmanager.heartbeat
        ? [{ volume: 'heartbeat', secret: site.alertmanager.heartbeat.urlSecret, key: 'url', dir: HEARTBEAT_URL_DIR }]
        : []),
    ];

    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: ALERTMANAGER_CONFIG_MAP, labels }, data: { 'alertmanager.yml': configText } });

    // Report: no direct internet access to Alertmanager; its API (basic auth) from the management VLAN.
    new ManagementEndpoints(this, 'Endpoints', {
      site, component: COMPONENT, version, port: PORTS.alertmanager, address: site.alertmanager.address,
      // Loki's ruler sends the LogQL rules' alerts (the Wazuh integration's), only when there are any.
      inClusterClients: ['prometheus', 'grafana', ...(lokiRulerEnabled(site) ? [lokiSimpleScalable(site) ? LOKI_RULER_COMPONENT : LOKI_COMPONENT] : [])],
      // Gossip needs both: TCP for state sync, UDP for the memberlist probes and broadcasts.
      ...(replicas > 1 ? { peerPorts: CLUSTER_PORTS } : {}),
    });

    if (replicas > 1) {
      // Grafana's datasource: any ready peer (silences gossip between them); the headless Service
      // publishes not-ready pods for the peers' sake, a dead one included.
      new k8s.KubeService(this, 'QueryService', {
        metadata: { name: SERVICE_NAMES.alertmanagerQuery, labels },
        spec: {
          selector: selectorLabels(COMPONENT),
          ports: [{ name: 'http', port: PORTS.alertmanager, targetPort: k8s.IntOrString.fromNumber(PORTS.alertmanager), protocol: 'TCP' }],
        },
      });
    }

    // Basic auth covers every path, /-/healthy included, and kubelet probes cannot send
    // credentials without putting them in the manifest: probe the socket instead.
    const tcpProbe = (periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds, failureThreshold, timeoutSeconds: 5,
    });
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: COMPONENT, labels },
      spec: {
        serviceName: COMPONENT,
        replicas,
        // Peers join whoever is up: waiting for pod 0 before starting pod 1 only delays the cluster.
        ...(replicas > 1 ? { podManagementPolicy: 'Parallel' } : {}),
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels: { ...labels, ...placement.labels }, annotations: configChecksumAnnotation(configText) },
          spec: {
            affinity: placement.affinity,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(UID),
            containers: [{
              name: COMPONENT,
              image: imageRef('alertmanager'),
              imagePullPolicy: 'IfNotPresent',
              args: alertmanagerArgs(site, topology),
              ...(replicas > 1 ? { env: [{ name: POD_IP_ENV, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] } : {}),
              ports: [
                { name: 'http', containerPort: PORTS.alertmanager, protocol: 'TCP' },
                ...(replicas > 1 ? CLUSTER_PORTS.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) : []),
              ],
              resources: resourcesFor(site.alertmanager),
              securityContext: restrictedContainerSecurity(),
              readinessProbe: tcpProbe(10, 3),
              livenessProbe: tcpProbe(15, 4),
              volumeMounts: [
                { name: 'config', mountPath: ALERTMANAGER_CONFIG_FILE, subPath: 'alertmanager.yml', readOnly: true },
                { name: 'web-auth', mountPath: ALERTMANAGER_WEB_CONFIG_DIR, readOnly: true },
                ...fileSecrets.map((f) => ({ name: f.volume, mountPath: f.dir, readOnly: true })),
                { name: 'data', mountPath: topology.alertmanagerDataDir },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: ALERTMANAGER_CONFIG_MAP } },
              { name: 'web-auth', secret: { secretName: site.alertmanager.webAuthSecret, items: [{ key: WEB_CONFIG_KEY, path: WEB_CONFIG_KEY }] } },
              ...fileSecrets.map((f) => ({ name: f.volume, secret: { secretName: f.secret, items: [{ key: f.key, path: f.key }] } })),
            ],
          },
        },
        persistentVolumeClaimRetentionPolicy: RETAIN_CLAIMS,
        volumeClaimTemplates: [volumeClaimTemplate('data', site.alertmanager.storageGiB, site.kubernetes.storageClass)],
      },
    });
  }
}
