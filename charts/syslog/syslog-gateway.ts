/**
 * Syslog gateway: Grafana Alloy receives syslog from every VLAN on the log address
 * (site.loki.address) and pushes it to Loki. It runs as a second container in Loki's pod:
 * MetalLB shares one address between Services with `externalTrafficPolicy: Local` only when they
 * select the same pods, and Local is what keeps every client's own address, so Loki's
 * NetworkPolicy can admit exactly the log clients, and syslog lines arrive from their senders
 * rather than from a node's SNAT address. Alloy pushes to Loki over the pod's loopback.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import type { IngressRule } from '../common/network-policy';
import { resourcesFor, type Sizing } from '../common/resources';
import { restrictedContainerSecurity } from '../common/security';
import { LOG_ADDRESS_SHARE_KEY } from '../loki/loki-address';
import { POD_SUBNET, talosLogsEnabled } from '../common/cluster-contract';
import { PORTS } from '../topology';
import type { Site } from '../../site';
import { alloySyslogConfig, syslogListeners, type SyslogTransport } from './alloy-config';
import { ALLOY_EXPERIMENTAL_FLAG } from './talos-logs';
import { ALLOY_CONFIG_DIR as CONFIG_DIR, ALLOY_CONFIG_FILE as CONFIG_FILE, ALLOY_STORAGE_DIR as STORAGE_DIR, ALLOY_UID, alloyRunArgs } from './alloy-run';

/** Name of the gateway's container, ConfigMap prefix and volume prefix. */
export const SYSLOG_GATEWAY_COMPONENT = 'syslog-gateway';

/**
 * Not in the report (it sizes only the four services). Alloy relaying syslog for about a dozen
 * hosts needs a fraction of a core and well under 256 MiB; raise it for chatty network gear.
 */
export const SYSLOG_GATEWAY_SIZING: Sizing = { cpu: 0.25, memoryGiB: 0.25 };

const PROTOCOL: Record<SyslogTransport, 'UDP' | 'TCP'> = { udp: 'UDP', tcp: 'TCP' };
const portName = (t: SyslogTransport) => `syslog-${t}`;

export interface SyslogGatewayProps {
  readonly site: Site;
  /** Component whose pod the gateway container joins (its selector labels pick the pod). */
  readonly hostComponent: string;
  /** That component's version, for the Service's labels. */
  readonly hostVersion: string;
}

/**
 * Objects: ConfigMap `syslog-gateway-config` and LoadBalancer Service `syslog`
 * (site.syslog.port -> 1514, UDP and, with site.syslog.tcp, TCP) on the log address. The host
 * chart adds `container`, `volumes` and `podAnnotations` to its pod and `ingressRules` to its
 * NetworkPolicy.
 */
export class SyslogGateway extends Construct {
  readonly container: k8s.Container;
  readonly volumes: k8s.Volume[];
  /** The config text, for the host pod's checksum annotation. */
  readonly configText: string;
  /** Picked up by Prometheus' kubernetes-pods job (loki_source_syslog_* metrics). */
  readonly podAnnotations: Record<string, string>;
  readonly ingressRules: IngressRule[];

  constructor(scope: Construct, id: string, props: SyslogGatewayProps) {
    super(scope, id);
    const { site } = props;
    const version = IMAGES.alloy.tag;
    const talosLogs = talosLogsEnabled(site);
    this.configText = alloySyslogConfig(site, { talosLogs });
    const talosNodes = site.talos.nodes.map((n) => `${n.address}/32`);
    const listeners = syslogListeners(site);
    const configMapName = `${SYSLOG_GATEWAY_COMPONENT}-config`;

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configMapName, labels: componentLabels(SYSLOG_GATEWAY_COMPONENT, version) },
      data: { [CONFIG_FILE]: this.configText },
    });

    // Both Services share site.loki.address; a clashing TCP port is rejected by site/rules.ts.
    new LoadBalancerService(this, 'LoadBalancer', {
      site,
      name: 'syslog',
      component: props.hostComponent,
      version: props.hostVersion,
      address: site.loki.address,
      ports: listeners.map((l) => ({
        name: portName(l.transport),
        port: site.syslog.port,
        targetPort: k8s.IntOrString.fromString(portName(l.transport)),
        protocol: PROTOCOL[l.transport],
      })),
      // No sourceRanges: report rule 2, "all VLANs send logs to the monitoring VLAN (UDP 514)".
      shareKey: LOG_ADDRESS_SHARE_KEY,
      // The pod is Ready only when Loki is (its WAL replay may take minutes): syslog is accepted
      // meanwhile, and loki.write retries until Loki takes the lines.
      publishNotReadyAddresses: true,
    });

    if (talosLogs) {
      // Its own Service, so that only the Talos nodes may reach this port on the shared address.
      new LoadBalancerService(this, 'TalosLogs', {
        site,
        name: 'talos-logs',
        component: props.hostComponent,
        version: props.hostVersion,
        address: site.loki.address,
        ports: [{ name: 'talos-logs', port: PORTS.talosLogs, targetPort: k8s.IntOrString.fromString('talos-logs'), protocol: 'TCP' }],
        sourceRanges: talosNodes,
        shareKey: LOG_ADDRESS_SHARE_KEY,
        publishNotReadyAddresses: true,
      });
    }

    const http = k8s.IntOrString.fromString('alloy-metrics');
    this.container = {
      name: SYSLOG_GATEWAY_COMPONENT,
      image: imageRef('alloy'),
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/alloy'],
      args: [
        ...alloyRunArgs(),
        // otelcol.receiver.tcplog, the only Alloy listener for Talos' json_lines, is experimental.
        ...(talosLogs ? [ALLOY_EXPERIMENTAL_FLAG] : []),
      ],
      ports: [
        ...listeners.map((l) => ({ name: portName(l.transport), containerPort: PORTS.syslogContainer, protocol: PROTOCOL[l.transport] })),
        ...(talosLogs ? [{ name: 'talos-logs', containerPort: PORTS.talosLogs, protocol: 'TCP' }] : []),
        { name: 'alloy-metrics', containerPort: PORTS.alloy, protocol: 'TCP' },
      ],
      resources: resourcesFor(SYSLOG_GATEWAY_SIZING),
      // The pod runs as Loki's user; the gateway keeps the image's own alloy user.
      securityContext: { ...restrictedContainerSecurity(), runAsUser: ALLOY_UID, runAsGroup: ALLOY_UID },
      // Liveness only: a readiness failure here would take Loki's endpoints out with it.
      livenessProbe: { httpGet: { path: '/-/ready', port: http }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
      volumeMounts: [
        { name: `${SYSLOG_GATEWAY_COMPONENT}-config`, mountPath: CONFIG_DIR, readOnly: true },
        { name: `${SYSLOG_GATEWAY_COMPONENT}-storage`, mountPath: STORAGE_DIR },
        { name: `${SYSLOG_GATEWAY_COMPONENT}-tmp`, mountPath: '/tmp' },
      ],
    };
    this.volumes = [
      { name: `${SYSLOG_GATEWAY_COMPONENT}-config`, configMap: { name: configMapName } },
      // loki.write keeps no WAL here: a restart loses at most the in-flight batch.
      { name: `${SYSLOG_GATEWAY_COMPONENT}-storage`, emptyDir: {} },
      { name: `${SYSLOG_GATEWAY_COMPONENT}-tmp`, emptyDir: {} },
    ];
    this.podAnnotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORTS.alloy) };
    this.ingressRules = [
      // Report rule 2: all VLANs send logs to the monitoring VLAN, so any source.
      { ports: listeners.map((l) => ({ port: PORTS.syslogContainer, protocol: PROTOCOL[l.transport] })), fromAnywhere: true },
      // The nodes' own addresses (Local traffic policy); a node's connection that kube-proxy
      // hands to a pod on another node arrives masqueraded from that node's pod-network address.
      ...(talosLogs ? [{ ports: [{ port: PORTS.talosLogs, protocol: 'TCP' as const }], cidrs: [...talosNodes, POD_SUBNET] }] : []),
      { ports: [{ port: PORTS.alloy, protocol: 'TCP' }], fromComponents: ['prometheus'] },
    ];
  }
}
