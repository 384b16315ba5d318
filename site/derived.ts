/** Values derived from the site that both the validator and the renderers need. */
import type { Site, StackServiceName } from './schema';

/**
 * VMID of a monitoring container on the LXC path: VLAN id * 100 + last octet of its address
 * (7010-7013 for the report), so the id says where the container lives. The report assigns none.
 */
export function lxcVmid(site: Site, service: StackServiceName): number {
  return site.network.vlanId * 100 + Number(site[service].address.split('.')[3]);
}

/** Secret (in the stack namespace) with pve_exporter's API token; the operator creates it (README). */
export const PVE_EXPORTER_SECRET = 'pve-exporter';
