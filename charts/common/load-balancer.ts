/** A LoadBalancer Service on one of the site's static VLAN addresses (MetalLB L2). */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import type { Site } from '../../site';
import { componentLabels, selectorLabels } from './labels';

/** MetalLB pool that holds the stack's static addresses (created by the platform layer), named after the site's VLAN. */
export function metallbPoolName(site: Site): string {
  return `monitoring-vlan${site.network.vlanId}`;
}

export interface LoadBalancerServiceProps {
  readonly site: Site;
  /** Service name. */
  readonly name: string;
  /** Component whose pods receive the traffic (its selector labels). */
  readonly component: string;
  /** Image version, for the version label. */
  readonly version: string;
  /** The static IP on the monitoring VLAN. */
  readonly address: string;
  readonly ports: k8s.ServicePort[];
  /**
   * Client CIDRs allowed to reach the address; kube-proxy filters on them before any address
   * rewriting, so this is the access rule that holds for clients outside the cluster.
   * @default - any source
   */
  readonly sourceRanges?: string[];
  /**
   * Share the address with other Services of the same key (different ports). With `Local`
   * traffic policy MetalLB allows that only when all of them select the same pods: give them
   * the same `component`. @default - not shared
   */
  readonly shareKey?: string;
  /**
   * Route to the pods before they are ready (for a container that works while another container
   * of its pod is still starting). @default false
   */
  readonly publishNotReadyAddresses?: boolean;
}

export class LoadBalancerService extends Construct {
  /**
   * CIDRs the component's NetworkPolicy must admit on these ports for clients of this Service:
   * `Local` traffic policy keeps the client's address, so exactly the source ranges.
   */
  readonly policySources: string[];

  constructor(scope: Construct, id: string, props: LoadBalancerServiceProps) {
    super(scope, id);
    this.policySources = props.sourceRanges ?? ['0.0.0.0/0'];
    new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: componentLabels(props.component, props.version),
        annotations: {
          'metallb.io/address-pool': metallbPoolName(props.site),
          'metallb.io/loadBalancerIPs': props.address,
          ...(props.shareKey ? { 'metallb.io/allow-shared-ip': props.shareKey } : {}),
        },
      },
      spec: {
        type: 'LoadBalancer',
        selector: selectorLabels(props.component),
        ports: props.ports,
        // Local keeps the client's address (NetworkPolicy and logs see who it really is); MetalLB
        // L2 then announces from the node running the pod. Cluster would SNAT forwarded traffic
        // to node and pod-network addresses, which a NetworkPolicy could then not tell apart.
        externalTrafficPolicy: 'Local',
        ...(props.sourceRanges ? { loadBalancerSourceRanges: props.sourceRanges } : {}),
        ...(props.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      },
    });
  }
}
