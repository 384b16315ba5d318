/**
 * The LoadBalancer Services of dist/ hold the address their manifest asks MetalLB for
 * (`metallb.io/loadBalancerIPs`, charts/common/load-balancer.ts), and that address is one of the
 * site's service addresses: clients, firewall rules and the syslog senders are configured with
 * the site's, so any other address is an outage even when the Service has one.
 */
import { METALLB_NAMESPACE } from '../../charts/platform/constants';
import type { Site } from '../../site';
import { type CheckResult, fail, pass } from '../check';
import type { DistObject } from './dist-objects';
import type { JsonObject, JsonObjectApi } from './json-api';

export const METALLB_IPS_ANNOTATION = 'metallb.io/loadBalancerIPs';
export const METALLB_POOL_ANNOTATION = 'metallb.io/address-pool';

/** The site's addresses of the stack's services, by service. */
export function siteAddresses(site: Site): Record<string, string> {
  return { prometheus: site.prometheus.address, grafana: site.grafana.address, loki: site.loki.address, alertmanager: site.alertmanager.address };
}

export const isLoadBalancer = (o: DistObject) => o.kind === 'Service' && (o.spec as { type?: string } | undefined)?.type === 'LoadBalancer';

/** The newest events about the Service (MetalLB writes AllocationFailed / IPAllocated there). */
async function serviceEvents(api: JsonObjectApi, service: DistObject): Promise<string[]> {
  const events = await api.listIn('v1', 'Event', service.metadata.namespace!, { fieldSelector: `involvedObject.kind=Service,involvedObject.name=${service.metadata.name}` });
  const time = (e: JsonObject) => String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
  return events.sort((a, b) => time(b).localeCompare(time(a))).slice(0, 3).map((e) => `${String(e.reason ?? '')}: ${String(e.message ?? '').trim()}`);
}

export async function loadBalancerCheck(api: JsonObjectApi, site: Site, service: DistObject): Promise<CheckResult> {
  const pool = service.metadata.annotations?.[METALLB_POOL_ANNOTATION];
  const where = `${service.metadata.namespace}/${service.metadata.name}`;
  const wanted = (service.metadata.annotations?.[METALLB_IPS_ANNOTATION] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const id = `health/lb/${where}`;
  const title = `LoadBalancer ${where} holds ${wanted.join(', ') || 'its address'}`;
  const known = Object.entries(siteAddresses(site));
  const foreign = wanted.filter((a) => !known.some(([, address]) => address === a));
  if (wanted.length === 0 || foreign.length > 0) {
    return fail('health', id, title, wanted.length === 0 ? `dist/ gives it no ${METALLB_IPS_ANNOTATION}` : `dist/ asks for ${foreign.join(', ')}, which is none of the site's addresses (${known.map(([s, a]) => `${s} ${a}`).join(', ')})`,
      'dist/ is stale or from another site: run npm run synth with this site and let the controller sync');
  }
  const live = await api.get(service);
  if (!live) return fail('health', id, title, 'missing: not in the cluster', 'see the drift checks: the GitOps controller has not applied it');
  const ingress = ((live.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  const metallb = `check MetalLB: its controller and speakers run (kubectl -n ${METALLB_NAMESPACE} get pods)${pool ? ` and IPAddressPool ${pool} contains ${wanted.join(', ')}` : ''}; kubectl -n ${service.metadata.namespace} describe service ${service.metadata.name}`;
  if (ingress.length === 0) return fail('health', id, title, 'missing LB address: no address assigned', metallb, await serviceEvents(api, service));
  const missing = wanted.filter((a) => !ingress.includes(a));
  if (missing.length > 0) {
    return fail('health', id, title, `holds ${ingress.join(', ')}, the site's address is ${wanted.join(', ')}`,
      `clients use the site's address: ${metallb}`, await serviceEvents(api, service));
  }
  return pass('health', id, title, `holds ${ingress.join(', ')}`);
}
