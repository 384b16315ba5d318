/** NetworkPolicy builders shared by the components (the report's firewall rules, per workload). */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { componentLabels, selectorLabels } from './labels';

export interface IngressRule {
  /** Ports, e.g. [{ port: 9090, protocol: 'TCP' }]. */
  readonly ports: { port: number; protocol: 'TCP' | 'UDP' }[];
  /** CIDRs allowed (clients outside the cluster, or node IPs after kube-proxy's SNAT). @default - none */
  readonly cidrs?: string[];
  /** Components in the same namespace allowed. @default - none */
  readonly fromComponents?: string[];
  /** Allow from anywhere (e.g. syslog from all VLANs). @default false */
  readonly fromAnywhere?: boolean;
}

export interface IngressPolicyProps {
  readonly component: string;
  readonly version: string;
  readonly rules: IngressRule[];
}

/** Default-deny ingress for one component, then the listed allowances. Egress stays open. */
export class IngressPolicy extends Construct {
  constructor(scope: Construct, id: string, props: IngressPolicyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.component, labels: componentLabels(props.component, props.version) },
      spec: {
        podSelector: { matchLabels: selectorLabels(props.component) },
        policyTypes: ['Ingress'],
        // An empty list is dropped by the API server and would re-apply as a change every time.
        ingress: props.rules.length === 0 ? undefined : props.rules.map((r) => ({
          ports: r.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol })),
          ...(r.fromAnywhere ? {} : {
            from: [
              ...(r.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
              ...(r.fromComponents ?? []).map((c) => ({ podSelector: { matchLabels: selectorLabels(c) } })),
            ],
          }),
        })),
      },
    });
  }
}
