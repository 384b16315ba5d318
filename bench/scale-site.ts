/**
 * Site files for the scale series of `npm run bench`: the default site with N Proxmox guests,
 * each with an address on the management network, so every guest is a node_exporter target, and
 * a role that the blackbox exporter probes (Wazuh: API and agent port; CheckMK, Uptime Kuma and
 * the reverse proxy: one probe each). Valid by construction: unique VMIDs and addresses, none on
 * the Proxmox host, a guest count that covers the list (test/perf/scale-site.test.ts checks it).
 *
 * Talos nodes do not scale: the schema takes exactly three control-plane nodes (talos.nodes,
 * site/schema.ts), and the VM script, the VM sizing and etcd's quorum are written for three.
 */
import type { SiteInput } from '../site';
import { ipToNumber, numberToIp, parseCidr } from '../site/net';

/** Roles that get blackbox probes (charts/prometheus/scrape-targets.ts), in rotation. */
export const PROBED_ROLES = ['wazuh', 'checkmk', 'uptime-kuma', 'reverse-proxy'] as const;

/** Widened from the default /24 so that 800 guests fit; still holds the Proxmox host. */
export const SCALE_MANAGEMENT_CIDR = '10.88.140.0/22';
const PROXMOX_HOST = '10.88.140.151';
/** Above the Talos VMs (211-213) and below the LXC path's containers (VLAN 70: 7010-7013). */
const FIRST_VMID = 1000;

/** The default site with `count` guests (at most 1,020: the usable hosts of the /22 less two). */
export function scaleSite(count: number): SiteInput {
  const { first, last } = parseCidr(SCALE_MANAGEMENT_CIDR);
  const host = ipToNumber(PROXMOX_HOST);
  // .0 is the network, .1 left for the management gateway, the host's own address skipped.
  const addresses: string[] = [];
  for (let ip = first + 2; ip < last && addresses.length < count; ip++) {
    if (ip !== host) addresses.push(numberToIp(ip));
  }
  if (addresses.length < count) throw new Error(`scaleSite(${count}): ${SCALE_MANAGEMENT_CIDR} holds at most ${addresses.length} guests`);
  return {
    network: { managementCidr: SCALE_MANAGEMENT_CIDR },
    proxmox: {
      guestCount: count,
      guests: addresses.map((address, i) => ({
        vmid: FIRST_VMID + i,
        name: `guest-${String(i + 1).padStart(4, '0')}`,
        role: PROBED_ROLES[i % PROBED_ROLES.length],
        cores: 2,
        memoryGB: 2,
        diskGB: 16,
        address,
      })),
    },
  };
}
