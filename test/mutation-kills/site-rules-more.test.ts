/**
 * More of the site's rules at their edges, each naming the right field: the other services'
 * addresses, Secrets shared between roles, the Proxmox host, the disks, the Talos contract.
 * In-process and without a synth. Written for mutants StrykerJS left alive in site/rules.ts
 * (docs/mutation-testing.md).
 */
import type { SiteProblem } from '../../site';
import { siteProblems } from './site-problems';

const problems = siteProblems;

const IN_DHCP = 'is inside the DHCP range 10.70.0.100-10.70.0.200; choose a static address outside it';
const SHARED_SECRET = (owner: string) => `is already the Secret of ${owner} in namespace monitoring, which holds other keys; give each its own Secret name`;
const OVERLAP = 'overlaps the monitoring VLAN 10.70.0.0/24: the firewall rules would admit the whole monitoring VLAN (its DHCP range included); give the management VLAN\'s own network';
const OFF_BUS = 'the Proxmox VMs get two disks on one bus: use /dev/sda + /dev/sdb (SCSI) or /dev/vda + /dev/vdb (VirtIO block)';
const RESERVED_RECEIVER = 'receiver names must be unique and must not be "default" or "heartbeat" (the built-in receiver and the dead man\'s switch)';

describe('site rules name the field that breaks them', () => {
  test.each<[string, unknown, SiteProblem[]]>([
    ['Prometheus in the DHCP range', { prometheus: { address: '10.70.0.150' } }, [{ path: 'prometheus.address', value: '10.70.0.150', message: IN_DHCP }]],
    ['Loki in the DHCP range', { loki: { address: '10.70.0.150' } }, [{ path: 'loki.address', value: '10.70.0.150', message: IN_DHCP }]],
    ['Alertmanager in the DHCP range', { alertmanager: { address: '10.70.0.150' } }, [{ path: 'alertmanager.address', value: '10.70.0.150', message: IN_DHCP }]],
    ['the VIP in the DHCP range', { talos: { vip: '10.70.0.150' } }, [{ path: 'talos.vip', value: '10.70.0.150', message: IN_DHCP }]],
    ['a Talos node in the DHCP range', { talos: { nodes: [{ hostname: 'a', address: '10.70.0.150', vmid: 211 }, { hostname: 'b', address: '10.70.0.22', vmid: 212 }, { hostname: 'c', address: '10.70.0.23', vmid: 213 }] } },
      [{ path: 'talos.nodes.0.address', value: '10.70.0.150', message: IN_DHCP }]],
    ['Loki on Alertmanager\'s address (also their LXC containers\' VMIDs)', { loki: { address: '10.70.0.13' } }, [
      { path: 'alertmanager.address', value: '10.70.0.13', message: 'is already used by loki.address; every static address must be unique' },
      { path: 'alertmanager.address', value: 7013, message: 'VMID 7013 of the LXC path\'s alertmanager container (VMID = VLAN 70 * 100 + last octet of 10.70.0.13) is already taken by the LXC path\'s loki container (VMID = VLAN 70 * 100 + last octet of 10.70.0.13) (loki.address); every Proxmox VMID must be unique: change one of them' },
    ]],
    ['a webhook receiver named "heartbeat"', { alertmanager: { receivers: { webhooks: [{ name: 'heartbeat', url: 'https://a.example/h' }] } } },
      [{ path: 'alertmanager.receivers', value: 'heartbeat', message: RESERVED_RECEIVER }]],
    ['two receivers with one name (the second is named)', { alertmanager: { receivers: { webhooks: [{ name: 'ops', url: 'https://a.example/h' }, { name: 'ops', url: 'https://b.example/h' }] } } },
      [{ path: 'alertmanager.receivers', value: 'ops', message: RESERVED_RECEIVER }]],
    ['two Talos nodes with one hostname', { talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211 }, { hostname: 'b', address: '10.70.0.22', vmid: 212 }, { hostname: 'a', address: '10.70.0.23', vmid: 213 }] } },
      [{ path: 'talos.nodes.2.hostname', value: 'a', message: 'hostname is used twice (also talos.nodes.0.hostname); every node needs its own' }]],
    ['two guests on one address', { proxmox: { guests: [{ vmid: 150, name: 'a', address: '10.88.140.50' }, { vmid: 151, name: 'b', address: '10.88.140.50' }] } },
      [{ path: 'proxmox.guests.1.address', value: '10.88.140.50', message: 'is already the address of proxmox.guests.0.address; give the guest its own address' }]],
    ['the Proxmox host on Loki\'s address', { proxmox: { apiUrl: 'https://10.70.0.12:8006', hostAddress: '10.70.0.12' } },
      [{ path: 'proxmox.hostAddress', value: '10.70.0.12', message: 'is already the address of loki.address; every Proxmox host needs its own address' }]],
    ['a management network whose first address is the VLAN\'s last', { network: { managementCidr: '10.70.0.255/32' } },
      [{ path: 'network.managementCidr', value: '10.70.0.255/32', message: OVERLAP }]],
    ['a management network whose last address is the VLAN\'s first', { network: { managementCidr: '10.70.0.0/32' } },
      [{ path: 'network.managementCidr', value: '10.70.0.0/32', message: OVERLAP }]],
    ['an API URL on another host than hostAddress', { proxmox: { apiUrl: 'https://10.88.140.9:8006' } },
      [{ path: 'proxmox.hostAddress', value: '10.88.140.151', message: 'differs from the host of proxmox.apiUrl (10.88.140.9); both name the same Proxmox host: make them equal' }]],
    ['an API URL over plain HTTP', { proxmox: { apiUrl: 'http://10.88.140.151:8006' } },
      [{ path: 'proxmox.apiUrl', value: 'http://10.88.140.151:8006', message: 'must be https:// (the Proxmox API serves HTTPS only, on 8006 unless a proxy is in front); e.g. https://10.88.140.151:8006' }]],
    ['three days of hourly etcd snapshots (72)', { backups: { schedule: '0 * * * *', retentionDays: 3 } },
      [{ path: 'backups.schedule', value: '0 * * * *', message: 'with retentionDays 3 keeps 72 etcd snapshots (each up to etcd\'s 2 GiB quota on the data disk); at most 48: snapshot less often or keep fewer days' }]],
    ['Grafana\'s admin Secret named like Alertmanager\'s web auth', { grafana: { adminSecret: 'alertmanager-web-auth' } },
      [{ path: 'alertmanager.webAuthSecret', value: 'alertmanager-web-auth', message: SHARED_SECRET('grafana.adminSecret') }]],
    ['Alertmanager\'s web auth Secret named like Prometheus\'', { alertmanager: { webAuthSecret: 'prometheus-web-auth' } },
      [{ path: 'prometheus.webAuthSecret', value: 'prometheus-web-auth', message: SHARED_SECRET('alertmanager.webAuthSecret') }]],
    ['the heartbeat Secret named like Grafana\'s admin Secret', { alertmanager: { heartbeat: { urlSecret: 'grafana-admin' } } },
      [{ path: 'alertmanager.heartbeat.urlSecret', value: 'grafana-admin', message: SHARED_SECRET('grafana.adminSecret') }]],
    ['the data disk equal to the install disk (one problem, not two)', { talos: { installDisk: '/dev/nvme0n1', dataDisk: '/dev/nvme0n1' } },
      [{ path: 'talos.dataDisk', value: '/dev/nvme0n1', message: 'is the install disk; Talos owns the whole install disk, give the second disk (e.g. /dev/sdb)' }]],
    ['disks on two buses', { talos: { installDisk: '/dev/sda', dataDisk: '/dev/vdb' } }, [{ path: 'talos.dataDisk', value: '/dev/sda + /dev/vdb', message: OFF_BUS }]],
    ['a data disk name that only starts like /dev/sdb', { talos: { installDisk: '/dev/sda', dataDisk: '/dev/sdb1' } }, [{ path: 'talos.dataDisk', value: '/dev/sda + /dev/sdb1', message: OFF_BUS }]],
    ['an older Talos minor, even with a Kubernetes release it supports', { talos: { version: 'v1.12.11' }, kubernetes: { version: '1.33.1' } },
      [{ path: 'talos.version', value: 'v1.12.11', message: 'is not supported: the machine configs are written for the Talos v1.13 contract; use a v1.13.x release' }]],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});
