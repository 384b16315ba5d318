/**
 * The MetalLB pool that hands out exactly the stack's four service addresses, announced by L2.
 * `autoAssign: false`: only Services that ask for the pool by annotation (charts/common
 * load-balancer.ts) get an address, so no other LoadBalancer Service can take one of ours.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { IpAddressPool } from '../../imports/metallb-pool-metallb.io';
import { L2Advertisement } from '../../imports/metallb-l2-metallb.io';
import type { Site } from '../../site';
import { componentLabels } from '../common/labels';
import { metallbPoolName } from '../common/load-balancer';
import { METALLB_NAMESPACE } from './constants';
import { PLATFORM_VERSIONS } from './versions';
import { SKIP_DRY_RUN_ON_MISSING_RESOURCE } from './sync-options';

/** The LoadBalancer addresses of the stack, in a stable order (Prometheus, Grafana, Loki, Alertmanager). */
export function serviceAddresses(site: Site): string[] {
  return [site.prometheus.address, site.grafana.address, site.loki.address, site.alertmanager.address];
}

export interface MetalLbAddressPoolProps {
  readonly site: Site;
}

export class MetalLbAddressPool extends Chart {
  constructor(scope: Construct, id: string, props: MetalLbAddressPoolProps) {
    super(scope, id, { namespace: METALLB_NAMESPACE, disableResourceNameHashes: true });
    const labels = componentLabels('metallb', PLATFORM_VERSIONS.metallbChart.version);
    // Unique /32s: the site rules already reject duplicates; a Set keeps the pool valid regardless.
    const addresses = [...new Set(serviceAddresses(props.site))].map((ip) => `${ip}/32`);
    const pool = metallbPoolName(props.site);
    new IpAddressPool(this, 'Pool', {
      metadata: { name: pool, labels, annotations: { ...SKIP_DRY_RUN_ON_MISSING_RESOURCE } },
      spec: { addresses, autoAssign: false },
    });
    new L2Advertisement(this, 'L2', {
      metadata: { name: pool, labels, annotations: { ...SKIP_DRY_RUN_ON_MISSING_RESOURCE } },
      spec: { ipAddressPools: [pool] },
    });
  }
}
