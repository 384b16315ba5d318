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

export type GuestRole = Site['proxmox']['guests'][number]['role'];
export type AddressedGuest = Site['proxmox']['guests'][number] & { readonly address: string };

/** Guests of `role` with a known address: the ones an integration can reach. */
export function guestsWithRole(site: Site, role: GuestRole): AddressedGuest[] {
  return site.proxmox.guests.filter((g): g is AddressedGuest => g.role === role && g.address !== undefined);
}

/** Wazuh managers whose alerts are forwarded by syslog (site.integrations.wazuh). */
export function wazuhManagers(site: Site): AddressedGuest[] {
  return site.integrations.wazuh.enabled ? guestsWithRole(site, 'wazuh') : [];
}

/** UptimeKuma instances Prometheus scrapes (site.integrations.uptimeKuma). */
export function uptimeKumaInstances(site: Site): AddressedGuest[] {
  return site.integrations.uptimeKuma.enabled ? guestsWithRole(site, 'uptime-kuma') : [];
}

/** CheckMK servers that read this Prometheus (site.integrations.checkmk). */
export function checkmkServers(site: Site): AddressedGuest[] {
  return site.integrations.checkmk.enabled ? guestsWithRole(site, 'checkmk') : [];
}
