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
}

export class ManagementEndpoints extends Construct {
  constructor(scope: Construct, id: string, props: ManagementEndpointsProps) {
    super(scope, id);
    const { component, version, site } = props;
    const port = { name: 'http', port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' };
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: component, labels: componentLabels(component, version) },
      spec: { clusterIp: 'None', selector: selectorLabels(component), ports: [port] },
    });
    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site, name: `${component}-lb`, component, version, address: props.address, ports: [port],
      sourceRanges: [site.network.managementCidr, ...(props.extraSources ?? [])],
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component, version,
      rules: [{ ports: [{ port: props.port, protocol: 'TCP' }], cidrs: lb.policySources, fromComponents: props.inClusterClients }],
    });
  }
}
