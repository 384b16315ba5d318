/**
 * Syslog gateway: one Grafana Alloy Deployment that receives syslog from every VLAN on the log
 * address (site.loki.address, shared with Loki) and pushes it to Loki.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { configChecksumAnnotation } from '../common/checksum';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import { IngressPolicy } from '../common/network-policy';
import { resourcesFor, type Sizing } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { LOG_ADDRESS_SHARE_KEY } from '../loki/loki-address';
import { PORTS } from '../topology';
import { alloySyslogConfig, syslogListeners, type SyslogTransport } from './alloy-config';

export const SYSLOG_GATEWAY_COMPONENT = 'syslog-gateway';
/** The alloy user of the grafana/alloy image. */
const ALLOY_UID = 473;
const CONFIG_DIR = '/etc/alloy';
const CONFIG_FILE = 'config.alloy';
const STORAGE_DIR = '/var/lib/alloy/data';

/**
 * Not in the report (it sizes only the four services). Alloy relaying syslog for about a dozen
 * hosts needs a fraction of a core and well under 256 MiB; raise it for chatty network gear.
 */
export const SYSLOG_GATEWAY_SIZING: Sizing = { cpu: 0.25, memoryGiB: 0.25 };

export type SyslogGatewayProps = ComponentChartProps;

const PROTOCOL: Record<SyslogTransport, 'UDP' | 'TCP'> = { udp: 'UDP', tcp: 'TCP' };

/**
 * Objects: ConfigMap `syslog-gateway-config`, Deployment `syslog-gateway`, LoadBalancer Service
 * `syslog` (site.syslog.port -> 1514, UDP and, with site.syslog.tcp, TCP) on the Loki address,
 * NetworkPolicy `syslog-gateway`.
 */
export class SyslogGateway extends ComponentChart {
  constructor(scope: Construct, id: string, props: SyslogGatewayProps) {
    super(scope, id, props);
    const { site, topology } = props;
    // Both Services share site.loki.address; a clashing TCP port is rejected by site/rules.ts.
    const version = IMAGES.alloy.tag;
    const labels = componentLabels(SYSLOG_GATEWAY_COMPONENT, version);
    const config = alloySyslogConfig(site, topology);
    const listeners = syslogListeners(site);
    const portName = (t: SyslogTransport) => `syslog-${t}`;

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: 'syslog-gateway-config', labels },
      data: { [CONFIG_FILE]: config },
    });

    new LoadBalancerService(this, 'LoadBalancer', {
      site,
      name: 'syslog',
      component: SYSLOG_GATEWAY_COMPONENT,
      version,
      address: site.loki.address,
      ports: listeners.map((l) => ({
        name: portName(l.transport),
        port: site.syslog.port,
        targetPort: k8s.IntOrString.fromString(portName(l.transport)),
        protocol: PROTOCOL[l.transport],
      })),
      // No sourceRanges: report rule 2, "all VLANs send logs to the monitoring VLAN (UDP 514)".
      shareKey: LOG_ADDRESS_SHARE_KEY,
    });

    const http = k8s.IntOrString.fromString('http-metrics');
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: SYSLOG_GATEWAY_COMPONENT, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(SYSLOG_GATEWAY_COMPONENT) },
        template: {
          metadata: {
            labels,
            annotations: {
              ...configChecksumAnnotation(config),
              // Picked up by Prometheus' kubernetes-pods job (loki_source_syslog_* metrics).
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(PORTS.alloy),
            },
          },
          spec: {
            securityContext: restrictedPodSecurity(ALLOY_UID),
            automountServiceAccountToken: false,
            containers: [{
              name: 'alloy',
              image: imageRef('alloy'),
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/alloy'],
              args: [
                'run',
                `${CONFIG_DIR}/${CONFIG_FILE}`,
                `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`,
                `--storage.path=${STORAGE_DIR}`,
                '--disable-reporting',
              ],
              ports: [
                ...listeners.map((l) => ({ name: portName(l.transport), containerPort: PORTS.syslogContainer, protocol: PROTOCOL[l.transport] })),
                { name: 'http-metrics', containerPort: PORTS.alloy, protocol: 'TCP' },
              ],
              resources: resourcesFor(SYSLOG_GATEWAY_SIZING),
              securityContext: restrictedContainerSecurity(),
              readinessProbe: { httpGet: { path: '/-/ready', port: http }, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/-/ready', port: http }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'storage', mountPath: STORAGE_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: 'syslog-gateway-config' } },
              // loki.write keeps no WAL here: a lost pod loses at most its in-flight batch.
              { name: 'storage', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });

    new IngressPolicy(this, 'NetworkPolicy', {
      component: SYSLOG_GATEWAY_COMPONENT,
      version,
      rules: [
        // Report rule 2: all VLANs send logs to the monitoring VLAN, so any source.
        { ports: listeners.map((l) => ({ port: PORTS.syslogContainer, protocol: PROTOCOL[l.transport] })), fromAnywhere: true },
        { ports: [{ port: PORTS.alloy, protocol: 'TCP' }], fromComponents: ['prometheus'] },
      ],
    });
  }
}
