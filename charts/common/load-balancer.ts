/** A LoadBalancer Service on one of the site's static VLAN addresses (MetalLB L2). */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { componentLabels, selectorLabels } from './labels';

/** MetalLB pool that holds the stack's static addresses (created by the platform layer). */
export const METALLB_POOL = 'monitoring-vlan70';

export interface LoadBalancerServiceProps {
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
   * CIDRs allowed to reach the address (kube-proxy filters on them). Keep in line with the
   * NetworkPolicy, which cannot see external client IPs behind kube-proxy's SNAT.
   * @default - any source
   */
  readonly sourceRanges?: string[];
  /** Share the address with other Services of the same key (different ports). @default - not shared */
  readonly shareKey?: string;
}

export class LoadBalancerService extends Construct {
  constructor(scope: Construct, id: string, props: LoadBalancerServiceProps) {
    super(scope, id);
    new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: componentLabels(props.component, props.version),
        annotations: {
          'metallb.io/address-pool': METALLB_POOL,
          'metallb.io/loadBalancerIPs': props.address,
          ...(props.shareKey ? { 'metallb.io/allow-shared-ip': props.shareKey } : {}),
        },
      },
      spec: {
        type: 'LoadBalancer',
        selector: selectorLabels(props.component),
        ports: props.ports,
        // Cluster policy: MetalLB may announce from any node; Services sharing an IP must agree on it.
        externalTrafficPolicy: 'Cluster',
        ...(props.sourceRanges ? { loadBalancerSourceRanges: props.sourceRanges } : {}),
      },
    });
  }
}
