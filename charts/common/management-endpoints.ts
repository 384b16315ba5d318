/**
 * How a stack service is reached: a headless Service for in-cluster clients, a LoadBalancer on
 * its static VLAN address for the management VLAN, and the NetworkPolicy admitting exactly those.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import type { Site } from '../../site';
import { componentLabels, selectorLabels } from './labels';
import { LoadBalancerService } from './load-balancer';
import { IngressPolicy } from './network-policy';

export interface ManagementEndpointsProps {
  readonly site: Site;
  /** Component name: Service `<component>`, LoadBalancer `<component>-lb`, NetworkPolicy `<component>`. */
  readonly component: string;
  readonly version: string;
  /** TCP port, named "http" on the pod. */
  readonly port: number;
  /** Static VLAN address of the LoadBalancer. */
  readonly address: string;
  /** Components of the stack that may connect in-cluster. */
  readonly inClusterClients: string[];
  /**
   * Clients outside the management VLAN that may connect too (e.g. a CheckMK server elsewhere):
   * added to the LoadBalancer's source ranges, which are checked first, and so to the policy.
   * @default - none
   */
  readonly extraSources?: string[];
  /**
   * Ports the component's pods use between themselves (e.g. Alertmanager's gossip, TCP and UDP):
   * on the headless Service, which then also publishes not-ready pods (peers must find each other
   * before they are ready), and admitted from the component's own pods only.
   * @default - none
   */
  readonly peerPorts?: { name: string; port: number; protocol: 'TCP' | 'UDP' }[];
}

export class ManagementEndpoints extends Construct {
  constructor(scope: Construct, id: string, props: ManagementEndpointsProps) {
    super(scope, id);
    const { component, version, site } = props;
    const port = { name: 'http', port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' };
    const peers = props.peerPorts ?? [];
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: component, labels: componentLabels(component, version) },
      spec: {
        clusterIp: 'None',
        ...(peers.length > 0 ? { publishNotReadyAddresses: true } : {}),
        selector: selectorLabels(component),
        ports: [port, ...peers.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }))],
      },
    });
    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site, name: `${component}-lb`, component, version, address: props.address, ports: [port],
      sourceRanges: [site.network.managementCidr, ...(props.extraSources ?? [])],
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component, version,
      rules: [
        { ports: [{ port: props.port, protocol: 'TCP' }], cidrs: lb.policySources, fromComponents: props.inClusterClients },
        ...(peers.length > 0 ? [{ ports: peers.map((p) => ({ port: p.port, protocol: p.protocol })), fromComponents: [component] }] : []),
      ],
    });
  }
}
