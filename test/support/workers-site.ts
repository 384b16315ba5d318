/**
 * The topology issue 14 asks for, as far as it has landed: three Proxmox hosts, three control
 * planes (one per host, so etcd survives losing any host) and two workers (role: worker) on the
 * first two hosts. Everything else is the report's default site.
 */
import { parseSite, type SiteInput } from '../../site';

export const WORKERS_SITE_INPUT: SiteInput = {
  proxmox: {
    cluster: 'homelab',
    additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }],
  },
  talos: {
    nodes: [
      { hostname: 'talos-cp-1', address: '10.70.0.21', vmid: 211, host: 'pve01' },
      { hostname: 'talos-cp-2', address: '10.70.0.22', vmid: 212, host: 'pve02' },
      { hostname: 'talos-cp-3', address: '10.70.0.23', vmid: 213, host: 'pve03' },
      { hostname: 'talos-w-1', address: '10.70.0.31', vmid: 231, host: 'pve01', role: 'worker' },
      { hostname: 'talos-w-2', address: '10.70.0.32', vmid: 232, host: 'pve02', role: 'worker' },
    ],
  },
};

export const WORKERS_SITE = parseSite(WORKERS_SITE_INPUT).site;
