/**
 * How Prometheus is reached: the objects of ManagementEndpoints (headless Service, LoadBalancer on
 * its static address, NetworkPolicy), with the same construct ids, plus CheckMK's servers as
 * clients outside the cluster (site.integrations.checkmk). Composed here because the shared
 * construct admits the management VLAN only, and a CheckMK guest may live elsewhere.
 */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import type { Site } from '../../site';
import { componentLabels, selectorLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import { IngressPolicy } from '../common/network-policy';
import { PORTS } from '../topology';
import { checkmkClientCidrs } from './checkmk-clients';

export interface PrometheusEndpointsProps {
  readonly site: Site;
  /** Component name: Service `<component>`, LoadBalancer `<component>-lb`, NetworkPolicy `<component>`. */
  readonly component: string;
  readonly version: string;
}

export class PrometheusEndpoints extends Construct {
  constructor(scope: Construct, id: string, props: PrometheusEndpointsProps) {
    super(scope, id);
    const { component, version, site } = props;
    const port = { name: 'http', port: PORTS.prometheus, targetPort: k8s.IntOrString.fromNumber(PORTS.prometheus), protocol: 'TCP' };
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: component, labels: componentLabels(component, version) },
      spec: { clusterIp: 'None', selector: selectorLabels(component), ports: [port] },
    });
    // loadBalancerSourceRanges is checked before anything else: a CheckMK server must be in it
    // even when the NetworkPolicy would admit it.
    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site, name: `${component}-lb`, component, version, address: site.prometheus.address, ports: [port],
      sourceRanges: [site.network.managementCidr, ...checkmkClientCidrs(site)],
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component, version,
      rules: [{ ports: [{ port: PORTS.prometheus, protocol: 'TCP' }], cidrs: lb.policySources, fromComponents: ['grafana'] }],
    });
  }
}
