/**
 * Cross-field rules the schema cannot express, as a declarative table (the aws-cdk
 * `validate-queue-props` style): each rule yields zero or more problems with a path, the value
 * and the fix.
 */
import { cidrHasHostBits, inRange, ipToNumber, isUsableHost, numberToIp, parseCidr } from './net';
import { durationSeconds } from './primitives';
import type { Site } from './schema';
import { PORTS } from '../charts/topology';

export interface SiteProblem {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
}

type Rule = (site: Site) => SiteProblem[];

/** Kubernetes minors each Talos minor supports (siderolabs/talos pkg/machinery/compatibility). */
export const TALOS_KUBERNETES_RANGE: Record<string, { min: number; max: number }> = {
  '1.10': { min: 28, max: 33 },
  '1.11': { min: 29, max: 34 },
  '1.12': { min: 30, max: 35 },
  '1.13': { min: 31, max: 36 },
};

/** Every static address on the VLAN, with the site path that sets it. */
export function staticAddresses(site: Site): { path: string; address: string }[] {
  return [
    { path: 'prometheus.address', address: site.prometheus.address },
    { path: 'grafana.address', address: site.grafana.address },
    { path: 'loki.address', address: site.loki.address },
    { path: 'alertmanager.address', address: site.alertmanager.address },
    { path: 'talos.vip', address: site.talos.vip },
    ...site.talos.nodes.map((n, i) => ({ path: `talos.nodes.${i}.address`, address: n.address })),
  ];
}

const rules: Rule[] = [
  ({ network }) => cidrHasHostBits(network.cidr)
    ? [{ path: 'network.cidr', value: network.cidr, message: `has host bits set; use the network address ${numberToCidr(network.cidr)}` }]
    : [],
  ({ network }) => cidrHasHostBits(network.managementCidr)
    ? [{ path: 'network.managementCidr', value: network.managementCidr, message: `has host bits set; use the network address ${numberToCidr(network.managementCidr)}` }]
    : [],
  ({ network }) => isUsableHost(network.gateway, network.cidr)
    ? []
    : [{ path: 'network.gateway', value: network.gateway, message: `is not a usable host address in ${network.cidr}; use an address inside the VLAN such as its .1` }],
  ({ network }) => (['start', 'end'] as const).flatMap((k) => isUsableHost(network.dhcpRange[k], network.cidr)
    ? []
    : [{ path: `network.dhcpRange.${k}`, value: network.dhcpRange[k], message: `is outside the VLAN ${network.cidr}; give the DHCP pool of the VLAN` }]),
  ({ network }) => ipToNumber(network.dhcpRange.start) > ipToNumber(network.dhcpRange.end)
    ? [{ path: 'network.dhcpRange', value: `${network.dhcpRange.start}-${network.dhcpRange.end}`, message: 'starts after it ends; swap start and end' }]
    : [],
  (site) => staticAddresses(site).flatMap(({ path, address }) => {
    const { network } = site;
    if (!isUsableHost(address, network.cidr)) {
      return [{ path, value: address, message: `is outside the monitoring VLAN ${network.cidr} (or is its network/broadcast address); choose a free address inside it` }];
    }
    if (inRange(address, network.dhcpRange.start, network.dhcpRange.end)) {
      return [{ path, value: address, message: `is inside the DHCP range ${network.dhcpRange.start}-${network.dhcpRange.end}; choose a static address outside it` }];
    }
    if (address === network.gateway) {
      return [{ path, value: address, message: 'is the VLAN gateway; choose another address' }];
    }
    return [];
  }),
  (site) => {
    const seen = new Map<string, string>();
    return staticAddresses(site).flatMap(({ path, address }) => {
      const first = seen.get(address);
      if (first) return [{ path, value: address, message: `is already used by ${first}; every static address must be unique` }];
      seen.set(address, path);
      return [];
    });
  },
  ({ prometheus }) => prometheus.storageGiB < 2
    ? [{ path: 'prometheus.storageGiB', value: prometheus.storageGiB, message: 'is too small: size-based retention (85% of the volume) would round to 0 and switch off; give at least 2' }]
    : [],
  // Syslog shares Loki's address; MetalLB refuses two Services on one IP with the same TCP port.
  ({ syslog }) => syslog.tcp && ([PORTS.loki, PORTS.lokiGrpc] as number[]).includes(syslog.port)
    ? [{ path: 'syslog.port', value: syslog.port, message: `clashes with Loki's TCP ports on the shared address (${PORTS.loki}, ${PORTS.lokiGrpc}); use the syslog standard 514 or set syslog.tcp: false` }]
    : [],
  ({ loki }) => (durationSeconds(loki.retention)! % 86400 === 0)
    ? []
    : [{ path: 'loki.retention', value: loki.retention, message: 'must be a whole number of days (Loki deletes by 24h index period), e.g. 7d or 14d' }],
  ({ alertmanager }) => (durationSeconds(alertmanager.retention)! % 1 === 0)
    ? []
    : [{ path: 'alertmanager.retention', value: alertmanager.retention, message: 'must be whole seconds (Alertmanager takes h, m and s only), e.g. 720h' }],
  ({ prometheus }) => durationSeconds(prometheus.evaluationInterval)! < durationSeconds(prometheus.scrapeInterval)!
    ? [{ path: 'prometheus.evaluationInterval', value: prometheus.evaluationInterval, message: `is shorter than scrapeInterval ${prometheus.scrapeInterval}; rules would evaluate on stale samples` }]
    : [],
  ({ alertmanager }) => {
    const names = [...alertmanager.receivers.webhooks, ...alertmanager.receivers.emails].map((r) => r.name);
    return names.flatMap((name, i) => (name === 'default' || names.indexOf(name) !== i)
      ? [{ path: 'alertmanager.receivers', value: name, message: 'receiver names must be unique and must not be "default" (the built-in receiver)' }]
      : []);
  },
  ({ proxmox, talos }) => {
    const ids = [...proxmox.guests.map((g) => ({ id: g.vmid, path: 'proxmox.guests' })), ...talos.nodes.map((n, i) => ({ id: n.vmid, path: `talos.nodes.${i}.vmid` }))];
    return ids.flatMap(({ id, path }, i) => ids.findIndex((o) => o.id === id) !== i
      ? [{ path, value: id, message: 'VMID is used twice (a guest and a node, or two of either); every Proxmox VMID must be unique' }]
      : []);
  },
  ({ talos }) => talos.nodes.flatMap((n, i) => talos.nodes.findIndex((o) => o.hostname === n.hostname) !== i
    ? [{ path: `talos.nodes.${i}.hostname`, value: n.hostname, message: 'hostname is used twice; every node needs its own' }]
    : []),
  ({ talos }) => talos.installDisk === talos.dataDisk
    ? [{ path: 'talos.dataDisk', value: talos.dataDisk, message: 'is the install disk; Talos owns the whole install disk, give the second disk (e.g. /dev/sdb)' }]
    : [],
  // The VM script attaches exactly two disks on one bus; Linux names them a and b in that order.
  ({ talos }) => {
    const disk = (d: string) => /^\/dev\/(sd|vd)([ab])$/.exec(d);
    const os = disk(talos.installDisk);
    const data = disk(talos.dataDisk);
    return talos.installDisk === talos.dataDisk || (os && data && os[1] === data[1])
      ? []
      : [{ path: 'talos.dataDisk', value: `${talos.installDisk} + ${talos.dataDisk}`, message: 'the Proxmox VMs get two disks on one bus: use /dev/sda + /dev/sdb (SCSI) or /dev/vda + /dev/vdb (VirtIO block)' }];
  },
  ({ talos, kubernetes }) => {
    const talosMinor = talos.version.replace(/^v/, '').split('.').slice(0, 2).join('.');
    const range = TALOS_KUBERNETES_RANGE[talosMinor];
    if (!range) {
      return [{ path: 'talos.version', value: talos.version, message: `is not a supported Talos release; use one of v${Object.keys(TALOS_KUBERNETES_RANGE).join('.x, v')}.x` }];
    }
    const [major, minor] = kubernetes.version.split('.').map(Number);
    return major === 1 && minor >= range.min && minor <= range.max
      ? []
      : [{ path: 'kubernetes.version', value: kubernetes.version, message: `is outside what Talos ${talos.version} supports (1.${range.min}-1.${range.max}); choose a release in that range` }];
  },
];

function numberToCidr(cidr: string): string {
  const range = parseCidr(cidr);
  return `${numberToIp(range.first)}/${range.prefixLength}`;
}

export function checkSiteRules(site: Site): SiteProblem[] {
  return rules.flatMap((rule) => rule(site));
}
