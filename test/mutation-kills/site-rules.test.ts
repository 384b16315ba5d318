/**
 * The site's cross-field rules at their boundaries, in-process and without a synth (so mutation
 * testing can afford them): each rule reports exactly its problem — path, value and message —
 * on the first value past its limit, and nothing on the last value within it.
 * Written for the mutants StrykerJS left alive in site/ (docs/mutation-testing.md).
 */
import type { SiteProblem } from '../../site';
import { siteProblems } from './site-problems';

const problems = siteProblems;

const VLAN = '10.70.0.0/24';
const OUTSIDE_VLAN = `is outside the monitoring VLAN ${VLAN} (or is its network/broadcast address); choose a free address inside it`;
const IN_DHCP = 'is inside the DHCP range 10.70.0.100-10.70.0.200; choose a static address outside it';
const BAD_GATEWAY = `is not a usable host address in ${VLAN}; use an address inside the VLAN such as its .1`;
const OFF_BUS = 'the Proxmox VMs get two disks on one bus: use /dev/sda + /dev/sdb (SCSI) or /dev/vda + /dev/vdb (VirtIO block)';
const K8S_RANGE = 'is outside what Talos v1.13.9 supports (1.31-1.36); choose a release in that range';
const email = (name: string, extra: Record<string, unknown> = {}) => ({ name, to: 'a@b.example', from: 'c@d.example', smarthost: 'h:25', ...extra });

describe('each site rule reports exactly its problem, with path, value and fix', () => {
  test.each<[string, unknown, SiteProblem[]]>([
    ['a VLAN CIDR with host bits names the network address', { network: { cidr: '10.70.0.5/24' } },
      [{ path: 'network.cidr', value: '10.70.0.5/24', message: 'has host bits set; use the network address 10.70.0.0/24' }]],
    ['a management CIDR with host bits names the network address', { network: { managementCidr: '10.88.140.7/24' } },
      [{ path: 'network.managementCidr', value: '10.88.140.7/24', message: 'has host bits set; use the network address 10.88.140.0/24' }]],
    ['a gateway on the network address', { network: { gateway: '10.70.0.0' } }, [{ path: 'network.gateway', value: '10.70.0.0', message: BAD_GATEWAY }]],
    ['a gateway on the broadcast address', { network: { gateway: '10.70.0.255' } }, [{ path: 'network.gateway', value: '10.70.0.255', message: BAD_GATEWAY }]],
    ['a DHCP range whose end leaves the VLAN', { network: { dhcpRange: { start: '10.70.0.100', end: '10.70.1.200' } } },
      [{ path: 'network.dhcpRange.end', value: '10.70.1.200', message: `is outside the VLAN ${VLAN}; give the DHCP pool of the VLAN` }]],
    ['a DHCP range that starts after it ends', { network: { dhcpRange: { start: '10.70.0.200', end: '10.70.0.199' } } },
      [{ path: 'network.dhcpRange', value: '10.70.0.200-10.70.0.199', message: 'starts after it ends; swap start and end' }]],
    ['a service on the first DHCP address', { grafana: { address: '10.70.0.100' } }, [{ path: 'grafana.address', value: '10.70.0.100', message: IN_DHCP }]],
    ['a service on the last DHCP address', { grafana: { address: '10.70.0.200' } }, [{ path: 'grafana.address', value: '10.70.0.200', message: IN_DHCP }]],
    ['a service on the VLAN\'s network address', { grafana: { address: '10.70.0.0' } }, [{ path: 'grafana.address', value: '10.70.0.0', message: OUTSIDE_VLAN }]],
    ['a service on the VLAN\'s broadcast address', { grafana: { address: '10.70.0.255' } }, [{ path: 'grafana.address', value: '10.70.0.255', message: OUTSIDE_VLAN }]],
    ['a service on the gateway', { grafana: { address: '10.70.0.1' } }, [{ path: 'grafana.address', value: '10.70.0.1', message: 'is the VLAN gateway; choose another address' }]],
    ['a Talos node on the VIP (the later path is blamed, naming the earlier)', { talos: { vip: '10.70.0.21' } },
      [{ path: 'talos.nodes.0.address', value: '10.70.0.21', message: 'is already used by talos.vip; every static address must be unique' }]],
    ['a Prometheus volume of 1 GiB', { prometheus: { storageGiB: 1 } },
      [{ path: 'prometheus.storageGiB', value: 1, message: 'is too small: size-based retention (85% of the volume) would round to 0 and switch off; give at least 2' }]],
    ['a TCP syslog port on Loki\'s gRPC port', { syslog: { port: 9095 } },
      [{ path: 'syslog.port', value: 9095, message: 'clashes with Loki gRPC on the shared log address (TCP ports bound there: 3100, 9095, 12345, 9100, 5170); use the syslog standard 514 or set syslog.tcp: false' }]],
    ['a Loki retention of 36h', { loki: { retention: '36h' } },
      [{ path: 'loki.retention', value: '36h', message: 'must be a whole number of days (Loki deletes by 24h index period), e.g. 7d or 14d' }]],
    ['an Alertmanager retention of 1500ms', { alertmanager: { retention: '1500ms' } },
      [{ path: 'alertmanager.retention', value: '1500ms', message: 'must be whole seconds (Alertmanager takes h, m and s only), e.g. 720h' }]],
    ['an evaluation interval one second below the scrape interval', { prometheus: { scrapeInterval: '30s', evaluationInterval: '29s' } },
      [{ path: 'prometheus.evaluationInterval', value: '29s', message: 'is shorter than scrapeInterval 30s; rules would evaluate on stale samples' }]],
    ['an email receiver named "default"', { alertmanager: { receivers: { emails: [email('default')] } } },
      [{ path: 'alertmanager.receivers', value: 'default', message: 'receiver names must be unique and must not be "default" or "heartbeat" (the built-in receiver and the dead man\'s switch)' }]],
    ['two Talos nodes with one VMID', { talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211 }, { hostname: 'b', address: '10.70.0.22', vmid: 211 }, { hostname: 'c', address: '10.70.0.23', vmid: 213 }] } },
      [{ path: 'talos.nodes.1.vmid', value: 211, message: 'VMID 211 of Talos node b is already taken by Talos node a (talos.nodes.0.vmid); every Proxmox VMID must be unique: change one of them' }]],
    ['two guests with one VMID', { proxmox: { guests: [{ vmid: 150, name: 'a' }, { vmid: 150, name: 'b' }] } },
      [{ path: 'proxmox.guests.1.vmid', value: 150, message: 'VMID 150 of guest b is already taken by guest a (proxmox.guests.0.vmid); every Proxmox VMID must be unique: change one of them' }]],
    ['a guest VMID equal to the LXC Grafana container\'s (VLAN 70 * 100 + 11)', { proxmox: { guests: [{ vmid: 7011, name: 'old' }] } },
      [{ path: 'grafana.address', value: 7011, message: 'VMID 7011 of the LXC path\'s grafana container (VMID = VLAN 70 * 100 + last octet of 10.70.0.11) is already taken by guest old (proxmox.guests.0.vmid); every Proxmox VMID must be unique: change one of them' }]],
    ['a guest on the Proxmox host\'s address', { proxmox: { guests: [{ vmid: 150, name: 'a', address: '10.88.140.151' }] } },
      [{ path: 'proxmox.guests.0.address', value: '10.88.140.151', message: 'is already the address of proxmox.hostAddress; give the guest its own address' }]],
    ['a management CIDR that overlaps the VLAN', { network: { managementCidr: '10.70.0.0/23' } },
      [{ path: 'network.managementCidr', value: '10.70.0.0/23', message: `overlaps the monitoring VLAN ${VLAN}: the firewall rules would admit the whole monitoring VLAN (its DHCP range included); give the management VLAN's own network` }]],
    ['a heartbeat interval of 1s', { alertmanager: { heartbeat: { urlSecret: 'deadman', interval: '1s' } } },
      [{ path: 'alertmanager.heartbeat.interval', value: '1s', message: 'is shorter than Alertmanager can repeat a notification (it pings at half the interval); give at least 2s, e.g. 1m' }]],
    ['a host memory just below what is allocated', { proxmox: { capacity: { memoryGB: 17.4 } } },
      [{ path: 'proxmox.capacity.memoryGB', value: 17.4, message: 'is below what is already allocated (proxmox.allocated.memoryGB: 17.5); give the host\'s physical memory' }]],
    ['49 daily etcd snapshots', { backups: { schedule: '0 2 * * *', retentionDays: 49 } },
      [{ path: 'backups.schedule', value: '0 2 * * *', message: 'with retentionDays 49 keeps 49 etcd snapshots (each up to etcd\'s 2 GiB quota on the data disk); at most 48: snapshot less often or keep fewer days' }]],
    ['more disk used than allocated', { proxmox: { used: { diskGB: 72 } } },
      [{ path: 'proxmox.used.diskGB', value: 72, message: 'is more than allocated (proxmox.allocated.diskGB: 71); guests cannot use more than they were given' }]],
    ['a guest count one below the guests listed', { proxmox: { guestCount: 4 } },
      [{ path: 'proxmox.guestCount', value: 4, message: 'is below the 5 guests listed in proxmox.guests; give the number of guests on the host' }]],
    ['a Grafana admin Secret named like pve_exporter\'s token', { grafana: { adminSecret: 'pve-exporter' } },
      [{ path: '(pve_exporter token)', value: 'pve-exporter', message: 'is already the Secret of grafana.adminSecret in namespace monitoring, which holds other keys; give each its own Secret name' }]],
    ['an SMTP password Secret that is a webhook URL Secret', { alertmanager: { receivers: { webhooks: [{ name: 'w', urlSecret: 's' }], emails: [email('a', { authPasswordSecret: 's' })] } } },
      [{ path: 'alertmanager.receivers.emails.0.authPasswordSecret', value: 's', message: 'is already the Secret of alertmanager.receivers.webhooks.0.urlSecret in namespace monitoring, which holds other keys; give each its own Secret name' }]],
    ['a data disk that is not the second disk', { talos: { installDisk: '/dev/sda', dataDisk: '/dev/sdc' } }, [{ path: 'talos.dataDisk', value: '/dev/sda + /dev/sdc', message: OFF_BUS }]],
    ['an NVMe install disk', { talos: { installDisk: '/dev/nvme0n1', dataDisk: '/dev/sdb' } }, [{ path: 'talos.dataDisk', value: '/dev/nvme0n1 + /dev/sdb', message: OFF_BUS }]],
    ['Kubernetes one minor above the Talos range', { kubernetes: { version: '1.37.0' } }, [{ path: 'kubernetes.version', value: '1.37.0', message: K8S_RANGE }]],
    ['Kubernetes one minor below the Talos range', { kubernetes: { version: '1.30.9' } }, [{ path: 'kubernetes.version', value: '1.30.9', message: K8S_RANGE }]],
    ['Kubernetes 2.x with an in-range minor', { kubernetes: { version: '2.33.0' } }, [{ path: 'kubernetes.version', value: '2.33.0', message: K8S_RANGE }]],
    ['a newer Talos minor than the contract', { talos: { version: 'v1.14.0' } },
      [{ path: 'talos.version', value: 'v1.14.0', message: 'is not supported: the machine configs are written for the Talos v1.13 contract; use a v1.13.x release' }]],
  ])('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});

describe('the last value within each limit is accepted', () => {
  test.each<[string, unknown]>([
    ['a one-address DHCP range (start = end)', { network: { dhcpRange: { start: '10.70.0.100', end: '10.70.0.100' } } }],
    ['a service just below the DHCP range', { grafana: { address: '10.70.0.99' } }],
    ['a service just above the DHCP range', { grafana: { address: '10.70.0.201' } }],
    ['a Prometheus volume of 2 GiB', { prometheus: { storageGiB: 2 } }],
    ['syslog on Loki\'s HTTP port over UDP only', { syslog: { port: 3100, tcp: false } }],
    ['a Loki retention of 48h (two days)', { loki: { retention: '48h' } }],
    ['an Alertmanager retention of 2s', { alertmanager: { retention: '2s' } }],
    ['an evaluation interval equal to the scrape interval', { prometheus: { scrapeInterval: '30s', evaluationInterval: '30s' } }],
    ['a management VLAN right above the monitoring VLAN', { network: { managementCidr: '10.70.1.0/24' } }],
    ['a management VLAN right below the monitoring VLAN', { network: { managementCidr: '10.69.255.0/24' } }],
    ['a Proxmox API URL with a DNS name (nothing to compare with hostAddress)', { proxmox: { apiUrl: 'https://pve01.example.com:8006' } }],
    ['a heartbeat interval of 2s', { alertmanager: { heartbeat: { urlSecret: 'deadman', interval: '2s' } } }],
    ['host memory equal to what is allocated', { proxmox: { capacity: { memoryGB: 17.5 } } }],
    ['48 hourly etcd snapshots (2 days)', { backups: { schedule: '0 * * * *', retentionDays: 2 } }],
    ['used equal to allocated', { proxmox: { used: { memoryGB: 17.5, diskGB: 71 } } }],
    ['a guest count equal to the guests listed', { proxmox: { guestCount: 5 } }],
    ['VirtIO block disks /dev/vda + /dev/vdb', { talos: { installDisk: '/dev/vda', dataDisk: '/dev/vdb' } }],
    ['the oldest Kubernetes minor Talos v1.13 runs', { kubernetes: { version: '1.31.0' } }],
    ['the newest Kubernetes minor Talos v1.13 runs', { kubernetes: { version: '1.36.0' } }],
    ['two SMTP receivers sharing one password Secret', { alertmanager: { receivers: { emails: [email('a', { authPasswordSecret: 'pw' }), email('b', { authPasswordSecret: 'pw' })] } } }],
    ['guests without addresses', { proxmox: { guests: [{ vmid: 150, name: 'a' }, { vmid: 151, name: 'b' }] } }],
  ])('%s', (_name, input) => {
    expect(problems(input)).toEqual([]);
  });
});
