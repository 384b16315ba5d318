/**
 * Who may push logs to (and query) Loki's HTTP API from outside the cluster, on both paths: the
 * management VLAN, plus each guest or Proxmox host whose address lies outside it (their log
 * agents push from there). Not the monitoring VLAN: its DHCP range holds no log client.
 */
import { proxmoxHosts, type Site } from '../../site';
import { ipToNumber, parseCidr } from '../../site/net';

/** The management VLAN, plus each guest or Proxmox host where it lives outside it. */
export function logClientSources(site: Site): string[] {
  const management = parseCidr(site.network.managementCidr);
  const outside = [...proxmoxHosts(site).map((h) => h.address), ...site.proxmox.guests.flatMap((g) => (g.address ? [g.address] : []))]
    .filter((ip) => ipToNumber(ip) < management.first || ipToNumber(ip) > management.last);
  return [site.network.managementCidr, ...[...new Set(outside)].sort((a, b) => ipToNumber(a) - ipToNumber(b)).map((ip) => `${ip}/32`)];
}
