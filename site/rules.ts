/**
 * Cross-field rules the schema cannot express, as a declarative table (the aws-cdk
 * `validate-queue-props` style): each rule yields zero or more problems with a path, the value
 * and the fix.
 */
import { cidrHasHostBits, inRange, ipToNumber, isUsableHost, numberToIp, parseCidr } from './net';
import { cronRunsPerDay, durationSeconds, ipv4 } from './primitives';
import type { Site } from './schema';
import { STACK_SERVICES } from './schema';
import { lxcVmid, PVE_EXPORTER_SECRET } from './derived';
import { guestDisk } from './guest-disks';
import { controlPlanes, etcdQuorum, isMultiHost, proxmoxHosts, replicaDomains, talosNodeHost, usesProxmoxCsi, workers } from './hosts';
import { LOKI_TARGET_SHAPE } from './workloads';

import { LOG_ADDRESS_TCP_PORTS } from './ports';
import { SUPPORTED_TALOS_CONTRACT, TALOS_KUBERNETES_RANGE, talosMinor } from './talos-support';

export { TALOS_KUBERNETES_RANGE };

/** etcd snapshots the backup volume may hold: a month of dailies plus room; more is a mistake. */
export const MAX_ETCD_SNAPSHOTS = 48;

export interface SiteProblem {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
}

type Rule = (site: Site) => SiteProblem[];

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

/** Every cross-field rule (exported so a test can prove each has a failing case). */
export const SITE_RULES: readonly Rule[] = [
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
  // Syslog shares Loki's address: on Kubernetes MetalLB refuses two Services on one IP with the
  // same port, on LXC the container's port redirect would capture the other service's traffic.
  ({ syslog }) => {
    const clash = syslog.tcp ? LOG_ADDRESS_TCP_PORTS.find((p) => p.port === syslog.port) : undefined;
    return clash
      ? [{ path: 'syslog.port', value: syslog.port, message: `clashes with ${clash.what} on the shared log address (TCP ports bound there: ${LOG_ADDRESS_TCP_PORTS.map((p) => p.port).join(', ')}); use the syslog standard 514 or set syslog.tcp: false` }]
      : [];
  },
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
    const seen = new Set<string>();
    return names.flatMap((name) => {
      const clash = name === 'default' || name === 'heartbeat' || seen.has(name);
      seen.add(name);
      return clash
        ? [{ path: 'alertmanager.receivers', value: name, message: 'receiver names must be unique and must not be "default" or "heartbeat" (the built-in receiver and the dead man\'s switch)' }]
        : [];
    });
  },
  // Every VMID on the host: guests, Talos VMs, and the LXC path's containers (derived from
  // their addresses), which `pct create` would otherwise collide with.
  (site) => duplicates([
    ...site.proxmox.guests.map((g, i) => ({ key: g.vmid, path: `proxmox.guests.${i}.vmid`, owner: `guest ${g.name}` })),
    ...site.talos.nodes.map((n, i) => ({ key: n.vmid, path: `talos.nodes.${i}.vmid`, owner: `Talos node ${n.hostname}` })),
    ...STACK_SERVICES.map((service) => ({ key: lxcVmid(site, service), path: `${service}.address`, owner: `the LXC path's ${service} container (VMID = VLAN ${site.network.vlanId} * 100 + last octet of ${site[service].address})` })),
  ]).map(({ path, key, owner, first }) => ({
    path, value: key,
    message: `VMID ${key} of ${owner} is already taken by ${first.owner} (${first.path}); every Proxmox VMID must be unique: change one of them`,
  })),
  // Prometheus refuses two queues of one name (each labels its metrics remote_name=<name>).
  ({ prometheus }) => duplicates(prometheus.remoteWrite.map((r, i) => ({ key: r.name, path: `prometheus.remoteWrite.${i}.name`, owner: r.url })))
    .map(({ path, key, first }) => ({ path, value: key, message: `is already the name of ${first.path.replace(/\.name$/, '')} (${first.owner}); give each remote write its own name` })),
  // Headers Prometheus sets itself or takes from basic_auth: it refuses the config (prometheus config/config.go reservedHeaders).
  ({ prometheus }) => prometheus.remoteWrite.flatMap((r, i) => Object.keys(r.headers ?? {}).flatMap((h) => {
    const lower = h.toLowerCase();
    if (lower === 'authorization') return [{ path: `prometheus.remoteWrite.${i}.headers`, value: h, message: 'is set from credentials, not a header: put username and password into the Secret named by authSecret' }];
    return RESERVED_REMOTE_WRITE_HEADERS.includes(lower)
      ? [{ path: `prometheus.remoteWrite.${i}.headers`, value: h, message: 'is a header Prometheus sets itself on every push; remove it (tenant headers such as X-Scope-OrgID are fine)' }]
      : [];
  })),
  // HTTP header names are case-insensitive: two spellings of one would send either value.
  ({ prometheus }) => prometheus.remoteWrite.flatMap((r, i) => duplicates(Object.keys(r.headers ?? {}).map((h) => ({ key: h.toLowerCase(), path: h, owner: h })))
    .map((d) => ({ path: `prometheus.remoteWrite.${i}.headers`, value: d.path, message: `is the header ${d.first.owner} again (header names ignore case); keep one of them` }))),
  ({ talos }) => duplicates(talos.nodes.map((n, i) => ({ key: n.hostname, path: `talos.nodes.${i}.hostname`, owner: 'a node' })))
    .map(({ path, key, first }) => ({ path, value: key, message: `hostname is used twice (also ${first.path}); every node needs its own` })),
  // A guest on a service, node or VIP address (or on another guest's, or the Proxmox host's) is a typo.
  (site) => {
    const taken = new Map<string, string>([
      ...staticAddresses(site).map(({ path, address }) => [address, path] as const),
      ...proxmoxHosts(site).map((h) => [h.address, hostAddressPath(h.path)] as const),
    ]);
    return site.proxmox.guests.flatMap((g, i) => {
      if (!g.address) return [];
      const owner = taken.get(g.address);
      taken.set(g.address, `proxmox.guests.${i}.address`);
      return owner ? [{ path: `proxmox.guests.${i}.address`, value: g.address, message: `is already the address of ${owner}; give the guest its own address` }] : [];
    });
  },
  (site) => {
    const taken = new Map(staticAddresses(site).map((a) => [a.address, a.path]));
    return proxmoxHosts(site).flatMap((h) => {
      const path = hostAddressPath(h.path);
      const owner = taken.get(h.address);
      taken.set(h.address, path);
      return owner ? [{ path, value: h.address, message: `is already the address of ${owner}; every Proxmox host needs its own address` }] : [];
    });
  },
  ({ network }) => {
    const mgmt = parseCidr(network.managementCidr);
    const vlan = parseCidr(network.cidr);
    return mgmt.first <= vlan.last && vlan.first <= mgmt.last
      ? [{ path: 'network.managementCidr', value: network.managementCidr, message: `overlaps the monitoring VLAN ${network.cidr}: the firewall rules would admit the whole monitoring VLAN (its DHCP range included); give the management VLAN's own network` }]
      : [];
  },
  // pve_exporter and the API probe use apiUrl, the node_exporter target and syslog source the address.
  (site) => proxmoxHosts(site).flatMap((h) => {
    const host = new URL(h.apiUrl).hostname;
    return ipv4.safeParse(host).success && host !== h.address
      ? [{ path: hostAddressPath(h.path), value: h.address, message: `differs from the host of ${h.path}.apiUrl (${host}); both name the same Proxmox host: make them equal` }]
      : [];
  }),
  // pve_exporter's client (proxmoxer) speaks HTTPS only.
  (site) => proxmoxHosts(site).flatMap((h) => new URL(h.apiUrl).protocol === 'https:'
    ? []
    : [{ path: `${h.path}.apiUrl`, value: h.apiUrl, message: `must be https:// (the Proxmox API serves HTTPS only, on 8006 unless a proxy is in front); e.g. https://${h.address}:8006` }]),
  // Replicas spread one per failure domain (required anti-affinity): more than there are domains never schedule.
  (site) => (['prometheus', 'alertmanager', 'grafana'] as const).flatMap((service) => {
    const replicas = site[service].replicas;
    const domains = replicaDomains(site);
    if (replicas === 1 || replicas <= domains.length) return [];
    const multi = isMultiHost(site);
    const have = multi ? domains.map((nodes) => talosNodeHost(site, site.talos.nodes.find((n) => n.hostname === nodes[0])!)) : domains.flat();
    const unit = multi ? 'Proxmox hosts with a Talos node' : 'Talos nodes';
    return [{
      path: `${service}.replicas`, value: replicas,
      message: `needs ${replicas} ${unit}, one pod on each so that losing one leaves the others; the site has ${have.length} (${have.join(', ')}): set ${service}.replicas to at most ${have.length}${multi ? ' or place Talos nodes on more hosts' : ' or add nodes'}`,
    }];
  }),
  // Simple-scalable Loki: its bucket comes with it, and three write copies need three failure domains.
  (site) => {
    const { mode, objectStorage } = site.loki;
    if (mode === 'simple-scalable' && !objectStorage) {
      return [{ path: 'loki.objectStorage', value: undefined, message: 'is required by loki.mode simple-scalable; give endpoint and bucket of an S3-compatible store, and create the credentials Secret (credentialsSecret, keys access-key-id and secret-access-key)' }];
    }
    if (mode === 'single-binary' && objectStorage) {
      return [{ path: 'loki.mode', value: mode, message: 'but loki.objectStorage is set; the single binary keeps logs on its volume: set loki.mode: simple-scalable to use the bucket, or remove loki.objectStorage' }];
    }
    const domains = replicaDomains(site);
    const writers = LOKI_TARGET_SHAPE.write.replicas;
    if (mode === 'single-binary' || domains.length >= writers) return [];
    const multi = isMultiHost(site);
    const have = multi ? domains.map((nodes) => talosNodeHost(site, site.talos.nodes.find((n) => n.hostname === nodes[0])!)) : domains.flat();
    return [{
      path: 'loki.mode', value: mode,
      message: `needs ${writers} ${multi ? 'Proxmox hosts with a Talos node' : 'Talos nodes'} for its ${writers} write pods (every log line is kept three times, one copy per ${multi ? 'host' : 'node'}); the site has ${have.length} (${have.join(', ')}): ${multi ? 'place Talos nodes on more hosts' : 'add nodes'}, or use loki.mode: single-binary`,
    }];
  },
  // availability.tolerate: a claim the site must be built to keep (the placement puts replicas one
  // per failure domain, so two pods of a service survive any one domain; a single pod is pinned).
  (site) => {
    const { tolerate } = site.availability;
    if (tolerate === 'nothing') return [];
    const what = tolerate === 'host' ? 'Proxmox host' : 'Talos VM';
    const single = [
      ...(['prometheus', 'alertmanager', 'grafana'] as const).filter((s) => site[s].replicas < 2).map((s) => ({
        path: `${s}.replicas`, value: site[s].replicas,
        message: `is one pod, which stops with its ${what}, but availability.tolerate is ${tolerate}; set ${s}.replicas: 2${s === 'grafana' ? ' with grafana.storage: ephemeral' : ''} or lower availability.tolerate`,
      })),
      ...(site.loki.mode === 'single-binary' ? [{
        path: 'loki.mode', value: site.loki.mode,
        message: `is one pod, which stops with its ${what}, but availability.tolerate is ${tolerate}; set loki.mode: simple-scalable with loki.objectStorage or lower availability.tolerate`,
      }] : []),
    ];
    if (tolerate === 'vm') return single;
    const hosts = replicaDomains(site);
    const members = controlPlanes(site);
    const quorum = etcdQuorum(members.length);
    const hostsProblem = !isMultiHost(site)
      ? [{ path: 'availability.tolerate', value: tolerate, message: `but every Talos node is on ${site.proxmox.node} (talos.nodes[].host): losing it stops everything, volumes included; spread the nodes over 3 or more Proxmox hosts (proxmox.additionalHosts) or set availability.tolerate: vm` }]
      : hosts.length < 3
        ? [{ path: 'availability.tolerate', value: tolerate, message: `needs 3 or more Proxmox hosts with a Talos node; the site has ${hosts.length}: Proxmox (corosync) and etcd need a majority that one lost host of two cannot leave; add a third host or set availability.tolerate: vm` }]
        : [];
    const quorumProblems = proxmoxHosts(site).flatMap((h) => {
      const here = members.filter((n) => talosNodeHost(site, n) === h.node).length;
      return isMultiHost(site) && members.length - here < quorum
        ? [{ path: 'talos.nodes', value: h.node, message: `holds ${here} of the ${members.length} control planes: losing ${h.node} leaves ${members.length - here} etcd member${members.length - here === 1 ? '' : 's'}, below the quorum of ${quorum}; put at most ${members.length - quorum} control plane${members.length - quorum === 1 ? '' : 's'} on each host (talos.nodes[].host)` }]
        : [];
    });
    return [...hostsProblem, ...quorumProblems, ...single];
  },
  // Two Grafanas cannot share one SQLite file on a ReadWriteOnce volume.
  ({ grafana }) => (grafana.replicas > 1 && grafana.storage === 'volume'
    ? [{ path: 'grafana.replicas', value: grafana.replicas, message: 'needs grafana.storage: ephemeral: the pods cannot share one SQLite database on a ReadWriteOnce volume, so each keeps its own in an emptyDir and everything it shows comes from the provisioning in Git' }]
    : []),
  // The Proxmox CSI plugin: its settings come with it, and the claims' StorageClass must be one of its.
  ({ kubernetes }) => {
    const { storage, proxmoxCsi, storageClass } = kubernetes;
    if (storage === 'proxmox-csi' && !proxmoxCsi) {
      return [{ path: 'kubernetes.proxmoxCsi', value: undefined, message: 'is required by kubernetes.storage proxmox-csi; give apiUrl and storages (id, storageClass, shared), and create the token Secret (tokenSecret)' }];
    }
    if (storage === 'local-path' && proxmoxCsi) {
      return [{ path: 'kubernetes.storage', value: storage, message: 'but kubernetes.proxmoxCsi is set; set kubernetes.storage: proxmox-csi to use the plugin, or remove kubernetes.proxmoxCsi' }];
    }
    if (!proxmoxCsi) return [];
    const classes = proxmoxCsi.storages.map((x) => x.storageClass);
    const api = new URL(proxmoxCsi.apiUrl);
    return [
      ...(api.protocol === 'https:' ? [] : [{ path: 'kubernetes.proxmoxCsi.apiUrl', value: proxmoxCsi.apiUrl, message: `must be https:// (the Proxmox API serves HTTPS only); e.g. https://${api.host}` }]),
      ...(/\/api2\//.test(api.pathname) ? [{ path: 'kubernetes.proxmoxCsi.apiUrl', value: proxmoxCsi.apiUrl, message: `names the API path, which the tool appends (/api2/json); give the host and port only, e.g. ${api.protocol}//${api.host}` }] : []),
      ...(classes.includes(storageClass) ? [] : [{
        path: 'kubernetes.storageClass', value: storageClass,
        message: `is not a Proxmox CSI StorageClass (${classes.join(', ')}); name one of kubernetes.proxmoxCsi.storages[].storageClass (local-path is not deployed with proxmox-csi)`,
      }]),
      ...duplicates(proxmoxCsi.storages.map((x, i) => ({ key: x.storageClass, path: `kubernetes.proxmoxCsi.storages.${i}.storageClass`, owner: `storage ${x.id}` })))
        .map(({ path, key, first }) => ({ path, value: key, message: `already names the StorageClass of ${first.owner}; give each storage its own class` })),
      ...duplicates(proxmoxCsi.storages.map((x, i) => ({ key: x.id, path: `kubernetes.proxmoxCsi.storages.${i}.id`, owner: `kubernetes.proxmoxCsi.storages.${proxmoxCsi.storages.indexOf(x)}` })))
        .map(({ path, key, first }) => ({ path, value: key, message: `is already listed as ${first.path}; list each Proxmox storage once (fstype and ssd are per class, and one storage may back only one here)` })),
    ];
  },
  // The plugin names every disk it creates after VMID 9999 (features.controllerVmID): a guest of that VMID would own them.
  (site) => (!usesProxmoxCsi(site) ? [] : [
    ...site.talos.nodes.map((n, i) => ({ vmid: n.vmid, path: `talos.nodes.${i}.vmid` })),
    ...site.proxmox.guests.map((g, i) => ({ vmid: g.vmid, path: `proxmox.guests.${i}.vmid` })),
  ].filter((x) => x.vmid === PROXMOX_CSI_VMID)
    .map((x) => ({ path: x.path, value: x.vmid, message: `is the VMID the Proxmox CSI plugin names its disks after (vm-${PROXMOX_CSI_VMID}-<volume>); give this guest another VMID` }))),
  // etcd runs on every control plane: it needs a majority to commit.
  (site) => {
    const members = controlPlanes(site);
    const n = members.length;
    if (n === 3 || n === 5) return [];
    const why = n === 0 ? 'there is no cluster without them'
      : n === 1 ? 'a single etcd member, so losing its VM stops the cluster'
        : n === 2 ? 'etcd needs both members, so losing either VM stops the cluster'
          : n % 2 === 0 ? `etcd needs ${etcdQuorum(n)} of ${n} members, so it survives no more losses than ${n - 1} nodes would`
          : 'more etcd members make every write wait for more of them, for no gain on this stack';
    const workerNote = n < 3 && workers(site).length > 0 ? ' (change role: worker to controlplane on some nodes)' : '';
    return [{ path: 'talos.nodes', value: members.map((t) => t.hostname), message: `has ${n} control-plane node${n === 1 ? '' : 's'}: ${why}; give 3 or 5 (5 survives the loss of two)${workerNote}` }];
  },
  (site) => duplicates(proxmoxHosts(site).map((h) => ({ key: h.node, path: `${h.path}.node`, owner: h.path })))
    .map(({ path, key, first }) => ({ path, value: key, message: `is already the Proxmox node of ${first.path}; list each host once (proxmox.node is the first)` })),
  (site) => {
    const names = proxmoxHosts(site).map((h) => h.node);
    return site.talos.nodes.flatMap((n, i) => n.host === undefined || names.includes(n.host)
      ? []
      : [{ path: `talos.nodes.${i}.host`, value: n.host, message: `is not a Proxmox host of the site (${names.join(', ')}); name proxmox.node or one of proxmox.additionalHosts[].node` }]);
  },
  // A host without a VM would be monitored, but its zone would stay empty: a typo in talos.nodes[].host.
  (site) => site.proxmox.additionalHosts.flatMap((h, i) => site.talos.nodes.some((n) => talosNodeHost(site, n) === h.node)
    ? []
    : [{ path: `proxmox.additionalHosts.${i}.node`, value: h.node, message: 'has no Talos node (no talos.nodes[].host names it); place a node on it or remove the host' }]),
  ({ alertmanager }) => alertmanager.heartbeat && durationSeconds(alertmanager.heartbeat.interval)! < 2
    ? [{ path: 'alertmanager.heartbeat.interval', value: alertmanager.heartbeat.interval, message: 'is shorter than Alertmanager can repeat a notification (it pings at half the interval); give at least 2s, e.g. 1m' }]
    : [],
  // Memory only: vCPUs and thin-provisioned disks are overcommitted routinely (site/assumed.ts warns).
  ({ proxmox }) => proxmox.capacity.memoryGB !== undefined && proxmox.capacity.memoryGB < proxmox.allocated.memoryGB
    ? [{ path: 'proxmox.capacity.memoryGB', value: proxmox.capacity.memoryGB, message: `is below what is already allocated (proxmox.allocated.memoryGB: ${proxmox.allocated.memoryGB}); give the host's physical memory` }]
    : [],
  ({ backups }) => {
    const copies = backups.retentionDays * cronRunsPerDay(backups.schedule);
    return copies > MAX_ETCD_SNAPSHOTS
      ? [{ path: 'backups.schedule', value: backups.schedule, message: `with retentionDays ${backups.retentionDays} keeps ${copies} etcd snapshots (each up to etcd's 2 GiB quota on the data disk); at most ${MAX_ETCD_SNAPSHOTS}: snapshot less often or keep fewer days` }]
      : [];
  },
  // One name, one Secret: two roles sharing a name would overwrite each other's keys.
  (site) => {
    const ns = site.kubernetes.namespace;
    const uses = [
      { name: site.grafana.adminSecret, kind: 'grafana-admin', path: 'grafana.adminSecret' },
      { name: site.alertmanager.webAuthSecret, kind: 'alertmanager-web-auth', path: 'alertmanager.webAuthSecret' },
      { name: site.prometheus.webAuthSecret, kind: 'prometheus-web-auth', path: 'prometheus.webAuthSecret' },
      { name: PVE_EXPORTER_SECRET, kind: 'pve-exporter', path: '(pve_exporter token)' },
      // Secrets with key "url" or "password" may serve several receivers of their kind, and one
      // username/password pair several remote storages.
      ...site.alertmanager.receivers.webhooks.flatMap((w, i) => (w.urlSecret ? [{ name: w.urlSecret, kind: 'url', path: `alertmanager.receivers.webhooks.${i}.urlSecret` }] : [])),
      ...(site.alertmanager.heartbeat ? [{ name: site.alertmanager.heartbeat.urlSecret, kind: 'url', path: 'alertmanager.heartbeat.urlSecret' }] : []),
      ...site.alertmanager.receivers.emails.flatMap((e, i) => (e.authPasswordSecret ? [{ name: e.authPasswordSecret, kind: 'smtp-password', path: `alertmanager.receivers.emails.${i}.authPasswordSecret` }] : [])),
      ...(site.integrations.uptimeKuma.enabled ? [{ name: site.integrations.uptimeKuma.apiKeySecret, kind: 'uptime-kuma-api-key', path: 'integrations.uptimeKuma.apiKeySecret' }] : []),
      ...site.prometheus.remoteWrite.flatMap((r, i) => (r.authSecret ? [{ name: r.authSecret, kind: 'remote-write', path: `prometheus.remoteWrite.${i}.authSecret` }] : [])),
      // In namespace csi-proxmox, but the operator's Secrets are one file per name (dist/secrets/<name>.sops.yaml).
      ...(usesProxmoxCsi(site) && site.kubernetes.proxmoxCsi ? [{ name: site.kubernetes.proxmoxCsi.tokenSecret, kind: 'proxmox-csi-token', path: 'kubernetes.proxmoxCsi.tokenSecret' }] : []),
      ...(site.loki.objectStorage ? [{ name: site.loki.objectStorage.credentialsSecret, kind: 'loki-s3', path: 'loki.objectStorage.credentialsSecret' }] : []),
    ];
    const first = new Map<string, (typeof uses)[number]>();
    return uses.flatMap((u) => {
      const owner = first.get(u.name);
      if (!owner) { first.set(u.name, u); return []; }
      const shared = owner.kind === u.kind && (u.kind === 'url' || u.kind === 'smtp-password' || u.kind === 'remote-write');
      if (shared) return [];
      const where = u.kind === 'proxmox-csi-token' ? ' (in namespace ' + ns + '; the operator\'s Secrets are one file per name, whatever their namespace)' : ` in namespace ${ns}`;
      return [{ path: u.path, value: u.name, message: `is already the Secret of ${owner.path}${where}, which holds other keys; give each its own Secret name` }];
    });
  },
  ({ proxmox }) => (['memoryGB', 'diskGB'] as const).flatMap((k) => proxmox.used[k] > proxmox.allocated[k]
    ? [{ path: `proxmox.used.${k}`, value: proxmox.used[k], message: `is more than allocated (proxmox.allocated.${k}: ${proxmox.allocated[k]}); guests cannot use more than they were given` }]
    : []),
  ({ proxmox }) => proxmox.guestCount < proxmox.guests.length
    ? [{ path: 'proxmox.guestCount', value: proxmox.guestCount, message: `is below the ${proxmox.guests.length} guests listed in proxmox.guests; give the number of guests on the host` }]
    : [],
  ({ talos }) => talos.installDisk === talos.dataDisk
    ? [{ path: 'talos.dataDisk', value: talos.dataDisk, message: 'is the install disk; Talos owns the whole install disk, give the second disk (e.g. /dev/sdb)' }]
    : [],
  // The VM script attaches exactly two disks on one bus; Linux names them a and b in that order.
  ({ talos }) => {
    const os = guestDisk(talos.installDisk);
    const data = guestDisk(talos.dataDisk);
    return talos.installDisk === talos.dataDisk || (os && data && os.prefix === data.prefix)
      ? []
      : [{ path: 'talos.dataDisk', value: `${talos.installDisk} + ${talos.dataDisk}`, message: 'the Proxmox VMs get two disks on one bus: use /dev/sda + /dev/sdb (SCSI) or /dev/vda + /dev/vdb (VirtIO block)' }];
  },
  ({ talos, kubernetes }) => {
    const contract = talosMinor(talos.version);
    const range = TALOS_KUBERNETES_RANGE[contract];
    if (contract !== SUPPORTED_TALOS_CONTRACT || !range) {
      return [{ path: 'talos.version', value: talos.version, message: `is not supported: the machine configs are written for the Talos v${SUPPORTED_TALOS_CONTRACT} contract; use a v${SUPPORTED_TALOS_CONTRACT}.x release` }];
    }
    const [major, minor] = kubernetes.version.split('.').map(Number);
    return major === 1 && minor >= range.min && minor <= range.max
      ? []
      : [{ path: 'kubernetes.version', value: kubernetes.version, message: `is outside what Talos ${talos.version} supports (1.${range.min}-1.${range.max}); choose a release in that range` }];
  },
  ({ secrets }) => secrets.encryption === 'sops-age' && secrets.ageRecipients.length === 0
    ? [{ path: 'secrets.ageRecipients', value: [], message: 'is empty but secrets.encryption is sops-age: nobody could decrypt the files; set encryption: none, run `npm run secrets -- init`, then set sops-age with the age1… public key it prints' }]
    : [],
  ({ secrets }) => duplicates(secrets.ageRecipients.map((key, i) => ({ key, path: `secrets.ageRecipients.${i}`, owner: key })))
    .map((d) => ({ path: d.path, value: d.key, message: `is listed twice (also ${d.first.path}); list each age public key once` })),
];

/** Headers Prometheus 3 refuses in remote_write.headers (config/config.go reservedHeaders; authorization apart). */
/** The Proxmox CSI plugin's default features.controllerVmID (pkg/config/config.go at v0.19.1). */
export const PROXMOX_CSI_VMID = 9999;

const RESERVED_REMOTE_WRITE_HEADERS = [
  'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate',
  'proxy-authorization', 'www-authenticate', 'accept-encoding', 'x-prometheus-remote-write-version', 'x-prometheus-remote-read-version',
  'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256',
];

/** Entries whose key appeared before, with the first owner of the key (one pass, a Map). */
function duplicates<K, T extends { key: K; path: string; owner: string }>(entries: readonly T[]): (T & { first: T })[] {
  const seen = new Map<K, T>();
  const found: (T & { first: T })[] = [];
  for (const e of entries) {
    const first = seen.get(e.key);
    if (first) found.push({ ...e, first });
    else seen.set(e.key, e);
  }
  return found;
}

/** The site path of a host's address: proxmox.hostAddress for the first host. */
function hostAddressPath(hostPath: string): string {
  return hostPath === 'proxmox' ? 'proxmox.hostAddress' : `${hostPath}.address`;
}

function numberToCidr(cidr: string): string {
  const range = parseCidr(cidr);
  return `${numberToIp(range.first)}/${range.prefixLength}`;
}

export function checkSiteRules(site: Site): SiteProblem[] {
  return SITE_RULES.flatMap((rule) => rule(site));
}
