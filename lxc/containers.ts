/**
 * The four LXC containers of the report's Option 1, sized exactly as the report (via the site):
 * one container per service on the monitoring VLAN, at the service's static address.
 */
import { parseCidr, Site, STACK_SERVICES, type StackServiceName } from '../site';
import { lxcVmid } from '../site/derived';
import { nodeMacAddress } from '../talos/node-configs';

/** One container per report-sized service. */
export const LXC_SERVICES = STACK_SERVICES;
export type LxcService = StackServiceName;

export interface LxcContainer {
  readonly service: LxcService;
  /** Proxmox VMID. Derived, see `lxcVmid`: the report assigns none. */
  readonly vmid: number;
  readonly hostname: string;
  /** Whole cores (`pct --cores`). */
  readonly cores: number;
  /** CPU time limit in cores when the site asks for a fraction (`pct --cpulimit`). @default - no limit */
  readonly cpuLimit?: number;
  /** Memory limit in MiB (`pct --memory`). */
  readonly memoryMiB: number;
  /** Root filesystem size in GiB (`pct --rootfs <storage>:<size>`). */
  readonly rootfsGiB: number;
  /** The site's sizing as given, for the comparison (vCPU, GiB, GiB). */
  readonly sizing: { readonly cpu: number; readonly memoryGiB: number; readonly storageGiB: number };
  readonly address: string;
  /**
   * MAC of eth0, pinned in net0 so Proxmox never generates a random one (`pct set --net0` without
   * hwaddr gets a new MAC and a new veth). Derived from the VMID like the Talos VMs' MACs
   * (`nodeMacAddress`: 02:00 + the VMID's 4 bytes); VMIDs are unique per cluster, so MACs are too.
   */
  readonly hwaddr: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly vlanId: number;
  readonly bridge: string;
  readonly storage: string;
  readonly nameservers: readonly string[];
}

export function lxcContainers(site: Site): LxcContainer[] {
  const { prefixLength } = parseCidr(site.network.cidr);
  const containers = LXC_SERVICES.map((service): LxcContainer => {
    const s = site[service];
    return {
      service,
      vmid: lxcVmid(site, service),
      hostname: service,
      cores: Math.ceil(s.cpu),
      ...(Number.isInteger(s.cpu) ? {} : { cpuLimit: s.cpu }),
      memoryMiB: Math.round(s.memoryGiB * 1024),
      rootfsGiB: s.storageGiB,
      sizing: { cpu: s.cpu, memoryGiB: s.memoryGiB, storageGiB: s.storageGiB },
      address: s.address,
      hwaddr: nodeMacAddress(lxcVmid(site, service)),
      prefixLength,
      gateway: site.network.gateway,
      vlanId: site.network.vlanId,
      bridge: site.proxmox.bridge,
      storage: site.proxmox.storage,
      nameservers: site.network.dnsServers,
    };
  });
  // VMID collisions with guests and Talos VMs are refused by the site validator (site/rules.ts).
  return containers;
}
