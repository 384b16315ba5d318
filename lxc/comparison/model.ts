/**
 * The LXC-versus-Talos comparison, computed from the site alone: resources per path against
 * pve01's allocation (proxmox.node; with several Proxmox hosts only what runs there counts against
 * it, and every host's share and loss are listed), the report's claims re-checked with the
 * arithmetic shown, availability, operations and the config differences. COMPARISON.md, comparison.json and the chart all
 * render this one object.
 */
import { controlPlanes, etcdQuorum, isMultiHost, proxmoxHosts, talosNodesOn, type Site } from '../../site';
import { talosVmSizing, type TalosVmSizing } from '../../talos/vm-sizing';
import { lxcContainers } from '../containers';
import { type ConfigDifference, pathDifferences } from '../parity';
import { type HostFailure, hostFailures, wordList } from './host-failures';
import { volumeStory } from './volume-story';
import { type OperationsRow, operationsRows } from './operations';
import { REPORT_FIGURES } from './report-figures';

/** A host figure the site may not know. */
export type Known = number | 'unknown';

/**
 * GiB per report "GB". The report states the host's figures in "GB" and the site keeps them as
 * given; they are read as SI gigabytes (10^9 bytes) and converted, so that they add to the paths'
 * GiB: GiB = GB x 10^9 / 2^30.
 */
export const GIB_PER_GB = 1e9 / 2 ** 30;
export const gbToGiB = (gb: number): number => round(gb * GIB_PER_GB);

/** Resources in one unit: vCPU, GiB (1024^3 bytes) of memory and of disk. */
export interface Resources {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly diskGiB: number;
}

/** Does every service keep running (or come back on the path's other guests) when one guest is lost? */
export interface SurvivalFlag {
  readonly value: boolean;
  readonly why: string;
  /** What would make it true; absent when it is. */
  readonly wouldSurviveWith?: string;
}

export interface PathResources extends Resources {
  readonly id: 'lxc' | 'talos' | 'talos-n-plus-1';
  readonly label: string;
  /** What the numbers are: ceilings, reservations... */
  readonly basis: string;
  readonly source: string;
  /** Losing one of this path's guests (a container for LXC, a VM for Talos), not the host. */
  readonly survivesOneGuestDown: SurvivalFlag;
}

export interface PathOnHost {
  readonly id: PathResources['id'];
  /** pve01's allocation (converted to GiB) plus this path. */
  readonly allocatedAfter: Resources;
  /** allocatedAfter as a share of the host's capacity, or "unknown". */
  readonly shareOfCapacityPercent: { readonly vcpu: Known; readonly memoryGiB: Known; readonly diskGiB: Known };
}

export interface ClaimCheck {
  readonly id: string;
  /** The report's words. */
  readonly quote: string;
  /** The computation, written out. */
  readonly arithmetic: string;
  /** True when the report's figure equals what the site's numbers give. */
  readonly arithmeticHolds: boolean;
  /** What the figure means next to this tool's sizing. */
  readonly finding: string;
}

export interface AvailabilityRow {
  readonly failure: string;
  readonly lxc: string;
  readonly talos: string;
}

/** One path's share on one Proxmox host. */
export interface PathDemand extends Resources {
  readonly id: PathResources['id'];
}

/** A Proxmox host of a site whose Talos VMs are spread over several: what each path puts on it, and what losing it does. */
export interface HostSummary extends HostFailure {
  /** Each path's share of this host: all of the LXC path on proxmox.node (none elsewhere), a Talos path's VMs placed here. */
  readonly demand: readonly PathDemand[];
  /** The host's capacity (GiB, or "unknown"): proxmox.capacity, or additionalHosts[].capacity ("not given" when unset). */
  readonly capacity: { readonly vcpu: Known; readonly memoryGiB: Known; readonly diskGiB: Known } | 'not given';
  /** Where the capacity comes from in the site file. */
  readonly capacityPath: string;
}

export interface Comparison {
  readonly site: string;
  readonly units: string;
  readonly host: {
    readonly node: string;
    /** Guests running on the node at assessment time. */
    readonly guestCount: number;
    /** The host's figures as the report and the site state them, in the report's "GB". */
    readonly asReported: {
      readonly allocated: { readonly vcpu: number; readonly memoryGB: number; readonly diskGB: number };
      readonly used: { readonly memoryGB: number; readonly diskGB: number };
      readonly capacity: { readonly vcpu: Known; readonly memoryGB: Known; readonly diskGB: Known };
    };
    /** The allocation in GiB (x GIB_PER_GB), the unit of the paths. */
    readonly allocated: Resources;
    /** The capacity in GiB (x GIB_PER_GB), or "unknown". */
    readonly capacity: { readonly vcpu: Known; readonly memoryGiB: Known; readonly diskGiB: Known };
    /** The conversion, written out with the site's figures. */
    readonly conversion: string;
  };
  readonly paths: readonly PathResources[];
  /** Each path on host.node: with several hosts, the Talos paths count only their VMs on host.node. */
  readonly onHost: readonly PathOnHost[];
  /**
   * Every Proxmox host, host.node first, when the Talos VMs may run on several
   * (proxmox.additionalHosts); absent for a single host, which carries everything.
   */
  readonly hosts?: readonly HostSummary[];
  readonly claims: readonly ClaimCheck[];
  readonly availability: readonly AvailabilityRow[];
  readonly operations: readonly OperationsRow[];
  readonly configDifferences: readonly ConfigDifference[];
}

/** Rounds away float noise (17.5 + 24.0000001) so figures and JSON stay readable and stable. */
export const round = (n: number): number => Math.round(n * 1000) / 1000;
export const fmt = (n: number): string => String(round(n));
const sum = (ns: readonly number[]): number => round(ns.reduce((a, b) => a + b, 0));
const plus = (ns: readonly number[]): string => ns.map(fmt).join(' + ');

function lxcResources(site: Site): PathResources {
  const cs = lxcContainers(site);
  return {
    id: 'lxc',
    label: `LXC: ${cs.length} containers`,
    vcpu: sum(cs.map((c) => c.sizing.cpu)),
    memoryGiB: sum(cs.map((c) => c.sizing.memoryGiB)),
    diskGiB: sum(cs.map((c) => c.sizing.storageGiB)),
    basis: 'cgroup ceilings (pct cores / memory / rootfs); memory is a limit, not a reservation',
    source: 'generated: lxc/create-containers.sh',
    survivesOneGuestDown: {
      value: false,
      why: `each service runs in exactly one container: losing it stops that service (the other ${cs.length - 1} keep running)`,
      wouldSurviveWith: 'a second container per service with its own data and a failover, which the report\'s Option 1 does not have',
    },
  };
}

/** What a lost Talos VM does to the services, for VMs with (or without) room for its requests. */
function talosSurvival(site: Site, workloads: TalosVmSizing['workload']['services'], roomForOneDown: boolean, nPlusOne: { cores: number; memoryGiB: number }): SurvivalFlag {
  const n = site.talos.nodes.length;
  // Every workload replicated, one pod per failure domain: a lost VM takes one pod of some.
  if (workloads.every((w) => w.replicas > 1)) {
    return {
      value: true,
      why: `every workload runs replicas on different VMs (${wordList(workloads.map((w) => `${w.name} ${w.replicas}`), 'and')}): a lost VM takes one pod of some, the others keep serving; its pods wait for it`,
    };
  }
  const volumes = volumeStory(site);
  // With Proxmox CSI the disk can already move to another VM of its host (or any host on shared storage).
  const movable = volumes.kind === 'local-path'
    ? ['volumes that can follow a pod to another VM: Proxmox CSI (re-attaches the Proxmox disk to the VM the pod moves to) or replicated storage (Longhorn, Ceph RBD) instead of local-path']
    : [];
  const room = roomForOneDown
    ? `the other ${n - 1} VMs have room for every CPU/memory request`
    : `the other ${n - 1} VMs lack the CPU/memory for the lost VM's requests (${nPlusOne.cores} cores / ${nPlusOne.memoryGiB} GiB per VM would do)`;
  // The generated placement is required pod (anti-)affinity: a group never moves to another
  // group's VM, whatever the storage or headroom.
  const placement = 'the placement rules in charts/common/placement.ts made preferred instead of required';
  const needs = [...(roomForOneDown ? [] : [`N+1 CPU/RAM (${nPlusOne.cores} cores / ${nPlusOne.memoryGiB} GiB per VM)`]), ...movable, placement];
  const reasons = [
    room,
    volumes.holds,
    'pod anti-affinity holds each service group to its own VM',
  ];
  return {
    value: false,
    why: `${reasons.join('; ')}: the services on the lost VM wait for it`,
    wouldSurviveWith: needs.join(', and '),
  };
}

function talosResources(site: Site): PathResources[] {
  const t = talosVmSizing(site);
  const n = t.nodes.length;
  const diskPerNode = t.perNode.osDiskGiB + t.perNode.dataDiskGiB;
  const sized: PathResources = {
    id: 'talos',
    label: `Talos: ${n} VMs as sized`,
    vcpu: t.totals.cores,
    memoryGiB: t.totals.memoryGiB,
    // Proxmox CSI: the claims are Proxmox disks beside the VMs' own (t.volumesGiB is 0 with local-path).
    diskGiB: t.totals.osDiskGiB + t.totals.dataDiskGiB + t.volumesGiB,
    basis: `${n} x (${t.perNode.cores} cores, ${t.perNode.memoryGiB} GiB, ${t.perNode.osDiskGiB} + ${t.perNode.dataDiskGiB} GiB disks)${t.volumesGiB > 0 ? ` + ${t.volumesGiB} GiB of Proxmox CSI volumes` : ''}: requests + ${t.overheadPerNode.cpu} CPU / ${t.overheadPerNode.memoryGiB} GiB overhead per node; VM memory is reserved (no ballooning)`,
    source: 'talos/vm-sizing.ts talosVmSizing()',
    survivesOneGuestDown: talosSurvival(site, t.workload.services, t.fitsWithOneNodeDown, t.sizeForOneNodeDown),
  };
  if (t.fitsWithOneNodeDown) return [sized];
  const down = t.sizeForOneNodeDown;
  return [sized, {
    id: 'talos-n-plus-1',
    // N+1 for CPU and memory only: whether services survive a lost VM is survivesOneGuestDown.
    label: `Talos: ${n} VMs, N+1 CPU/RAM`,
    vcpu: down.cores * n,
    memoryGiB: down.memoryGiB * n,
    diskGiB: diskPerNode * n + t.volumesGiB,
    basis: `${n} x (${down.cores} cores, ${down.memoryGiB} GiB): ${n - 1} VMs hold every CPU/memory request; disks as sized`,
    source: 'talos/vm-sizing.ts sizeForOneNodeDown',
    survivesOneGuestDown: talosSurvival(site, t.workload.services, true, down),
  }];
}

/** One Talos VM of each Talos path: the VMs are identical, so a host's share is its VM count times this. */
function talosVmSize(t: TalosVmSizing, id: PathResources['id']): Resources {
  const diskGiB = t.perNode.osDiskGiB + t.perNode.dataDiskGiB;
  return id === 'talos-n-plus-1'
    ? { vcpu: t.sizeForOneNodeDown.cores, memoryGiB: t.sizeForOneNodeDown.memoryGiB, diskGiB }
    : { vcpu: t.perNode.cores, memoryGiB: t.perNode.memoryGiB, diskGiB };
}

/** What each path puts on Proxmox node `node`: the containers on proxmox.node, the Talos VMs where talos.nodes[].host says. */
function demandOn(site: Site, t: TalosVmSizing, paths: readonly PathResources[], node: string): PathDemand[] {
  const vms = talosNodesOn(site, node).length;
  return paths.map((p) => {
    if (p.id === 'lxc') {
      const here = node === site.proxmox.node;
      return { id: p.id, vcpu: here ? p.vcpu : 0, memoryGiB: here ? p.memoryGiB : 0, diskGiB: here ? p.diskGiB : 0 };
    }
    const vm = talosVmSize(t, p.id);
    // The CSI disks of the services planned on this host's VMs (the etcd snapshot's lands where its job first runs).
    const here = new Set(talosNodesOn(site, node).map((x) => x.hostname));
    const volumes = t.nodes.filter((x) => here.has(x.hostname)).reduce((sum, x) => sum + x.volumesGiB, 0);
    return { id: p.id, vcpu: round(vms * vm.vcpu), memoryGiB: round(vms * vm.memoryGiB), diskGiB: round(vms * vm.diskGiB + volumes) };
  });
}

/** What path `p` puts on host.node (proxmox.node, hosts[0]): all of it on a single host; with several, the Talos paths' VMs there only. */
export function onHostNode(c: Pick<Comparison, 'hosts'>, p: PathResources): Resources {
  return c.hosts?.[0].demand.find((d) => d.id === p.id) ?? p;
}

/**
 * "1 of 3 VMs on hv-east" when the Talos VMs are spread over several hosts, for labels of figures
 * that count only host.node's share; undefined on a single host (every VM is there).
 */
export function talosShareOnHostNode(c: Pick<Comparison, 'hosts'>): string | undefined {
  const hosts = c.hosts;
  return hosts && `${hosts[0].talosVms.length} of ${hosts.reduce((n, h) => n + h.talosVms.length, 0)} VMs on ${hosts[0].node}`;
}

function known(v: number | undefined): Known {
  return v === undefined ? 'unknown' : v;
}

function share(value: number, capacity: Known): Known {
  return capacity === 'unknown' ? 'unknown' : round((value / capacity) * 100);
}

/**
 * `onNode` is each path's share on proxmox.node and `share` the Talos label suffix ("1 of 3 VMs
 * on hv-east", absent on a single host), for the claims about that host's allocation.
 */
function claimChecks(site: Site, paths: readonly PathResources[], onNode: (p: PathResources) => Resources, share?: string): ClaimCheck[] {
  const r = REPORT_FIGURES;
  const cs = lxcContainers(site);
  const lxc = paths.find((p) => p.id === 'lxc')!;
  const talos = paths.filter((p) => p.id !== 'lxc');
  const { allocated, used } = site.proxmox;
  const cpu = cs.map((c) => c.sizing.cpu);
  const mem = cs.map((c) => c.sizing.memoryGiB);
  const disk = cs.map((c) => c.sizing.storageGiB);
  const haVcpu = round(r.haClaim.nodes * lxc.vcpu);
  const haMem = round(r.haClaim.nodes * lxc.memoryGiB);
  // The report's own sums, in its own figures (it adds its host "GB" to its per-service "GB").
  const memAfter = round(allocated.memoryGB + lxc.memoryGiB);
  const diskAfter = round(allocated.diskGB + lxc.diskGiB);
  // The same in one unit: the host's GB converted to GiB (gbToGiB), the paths' GiB as they are.
  const memGiB = gbToGiB(allocated.memoryGB);
  const diskGiB = gbToGiB(allocated.diskGB);
  const inGiB = (host: number, hostGiB: number, add: number, what: string) =>
    `${fmt(host)} GB = ${fmt(hostGiB)} GiB + ${fmt(add)} GiB = ${fmt(hostGiB + add)} GiB${what}`;
  const memPct = Math.round((used.memoryGB / allocated.memoryGB) * 100);
  const diskPct = Math.round((used.diskGB / allocated.diskGB) * 100);
  const talosText = (f: (p: PathResources) => string) => talos.map((p) => `${p.label}: ${f(p)}`).join('; ');
  // The host's allocation plus what each Talos path puts on that host.
  const talosOnHost = (f: (r: Resources) => string) => talos.map((p) => `${p.label}${share ? ` (${share})` : ''}: ${f(onNode(p))}`).join('; ');
  const [phaseLow, phaseHigh] = [sum(r.timelinePhases.phases.map((p) => p[0])), sum(r.timelinePhases.phases.map((p) => p[1]))];
  return [
    {
      id: 'stack-totals',
      quote: r.stackTotals.quote,
      arithmetic: `vCPU ${plus(cpu)} = ${fmt(lxc.vcpu)}; memory ${plus(mem)} = ${fmt(lxc.memoryGiB)}; disk ${plus(disk)} = ${fmt(lxc.diskGiB)}`,
      arithmeticHolds: lxc.vcpu === r.stackTotals.vcpu && lxc.memoryGiB === r.stackTotals.memoryGB && lxc.diskGiB === r.stackTotals.diskGB,
      finding: 'the LXC path commits exactly these as container limits, the report\'s per-service GB taken as GiB (pct sizes in MiB and GiB)',
    },
    {
      id: 'ha-claim',
      quote: r.haClaim.quote,
      arithmetic: `${r.haClaim.nodes} x ${fmt(lxc.vcpu)} vCPU = ${fmt(haVcpu)}; ${r.haClaim.nodes} x ${fmt(lxc.memoryGiB)} GB = ${fmt(haMem)}`,
      arithmeticHolds: haVcpu === r.haClaim.vcpu && haMem === r.haClaim.memoryGB,
      finding: `the figure is ${r.haClaim.nodes} full copies of the stack; Kubernetes schedules each single-replica service once. `
        + `${talosText((p) => `${fmt(p.vcpu)} vCPU / ${fmt(p.memoryGiB)} GiB, i.e. the claim is ${fmt(r.haClaim.vcpu / p.vcpu)}x / ${fmt(r.haClaim.memoryGB / p.memoryGiB)}x too high`)} `
        + '(its 72 taken as GiB, like the per-service figures it multiplies)',
    },
    {
      id: 'memory-after',
      quote: r.memoryAllocatedAfter.quote,
      arithmetic: `${fmt(allocated.memoryGB)} allocated + ${plus(mem)} = ${fmt(memAfter)} GB`,
      arithmeticHolds: memAfter === r.memoryAllocatedAfter.memoryGB,
      finding: `the report adds its host GB to per-service GiB; in one unit: LXC: ${inGiB(allocated.memoryGB, memGiB, lxc.memoryGiB, ' (as limits)')}. `
        + `${talosOnHost((p) => inGiB(allocated.memoryGB, memGiB, p.memoryGiB, ', reserved'))}`,
    },
    {
      id: 'disk-after',
      quote: r.diskAllocatedAfter.quote,
      arithmetic: `${fmt(allocated.diskGB)} allocated + ${plus(disk)} = ${fmt(diskAfter)} GB`,
      arithmeticHolds: diskAfter === r.diskAllocatedAfter.diskGB,
      finding: `in one unit: LXC: ${inGiB(allocated.diskGB, diskGiB, lxc.diskGiB, '')}. `
        + `${talosOnHost((p) => inGiB(allocated.diskGB, diskGiB, p.diskGiB, ' (thin-provisioned)'))}`,
    },
    {
      id: 'utilization',
      quote: r.utilization.quote,
      arithmetic: `${fmt(used.memoryGB)} / ${fmt(allocated.memoryGB)} = ${memPct} %; ${fmt(used.diskGB)} / ${fmt(allocated.diskGB)} = ${diskPct} %`,
      arithmeticHolds: memPct === r.utilization.memoryPercent && diskPct === r.utilization.diskPercent,
      finding: 'these are shares of what is allocated to guests, not of the host: the host\'s capacity is not in the report',
    },
    {
      id: 'deploy-time',
      quote: `${r.lxcDeployHours.quote}; ${r.timelinePhases.quote}`,
      arithmetic: `${r.timelinePhases.phases.map(([a, b]) => `${a}-${b}`).join(' + ')} = ${phaseLow}-${phaseHigh} hours`,
      arithmeticHolds: phaseLow === r.timelinePhases.total[0] && phaseHigh === r.timelinePhases.total[1],
      finding: `the phases sum to ${phaseLow}-${phaseHigh} h, not ${r.timelinePhases.total.join('-')} h; and that timeline is the LXC plan, so Option 1's "2-3 hours" is Phase 2 alone and the LXC total equals the ${r.talosDeployHours.range.join('-')} h quoted for Talos. Report estimates, not measurements`,
    },
  ];
}

function availability(site: Site): AvailabilityRow[] {
  const t = talosVmSizing(site);
  const others = lxcContainers(site).length - 1;
  const n = t.nodes.length;
  const members = controlPlanes(site).length;
  // local-path volumes pin a service to its VM; with Proxmox CSI the placement alone does.
  const pin = volumeStory(site).kind === 'local-path' ? 'local-path volumes pin' : 'the placement pins';
  const vmDown = t.fitsWithOneNodeDown
    ? `the other ${n - 1} VMs have room for every request, but ${pin} each service to its VM: the services on the lost VM wait for it`
    : `the other ${n - 1} VMs lack room for the lost VM's requests (${t.sizeForOneNodeDown.cores} cores / ${t.sizeForOneNodeDown.memoryGiB} GiB per VM would do), and ${pin} each service to its VM anyway: the services on the lost VM stay down; the cluster (etcd ${etcdQuorum(members)} of ${members}) stays up`;
  // Replicas sit on different VMs (charts/common/placement.ts): one lost VM leaves the others serving.
  const replicated = t.workload.services.filter((s) => s.replicas > 1);
  const pods = wordList(replicated.map((s) => `${s.name} (${s.replicas} pods)`), 'and');
  // Every workload replicated: a lost VM takes one pod of some, never a whole service.
  const allReplicated = replicated.length === t.workload.services.length;
  const vmDownReplicas = replicated.length === 0 ? vmDown
    : allReplicated
      ? `every workload runs replicas on different VMs (${pods}): each keeps running on the other VMs; ${pin} the lost VM's pods to it until it is back`
      : `${vmDown}; ${pods} keep${replicated.length === 1 ? 's' : ''} running on the other VMs with a replica`;
  return [
    { failure: 'one guest lost (container or VM)', lxc: `that container's service is down; the other ${others} keep running`, talos: vmDownReplicas },
    {
      failure: 'guest OS / platform upgrade',
      lxc: 'each container restarts on its own, one service at a time',
      talos: allReplicated ? 'rolling, one VM at a time; every workload keeps its other replicas running meanwhile' : 'rolling, one VM at a time; the services on the VM being upgraded are down meanwhile',
    },
    ...(isMultiHost(site)
      ? hostFailures(site).map((f) => ({
        failure: hostFailure(f.node),
        lxc: f.lxcSurvives ? `not affected: the containers run on ${site.proxmox.node}` : 'everything down',
        talos: talosHostLoss(f, t, site),
      }))
      : [{ failure: hostFailure(site.proxmox.node), lxc: 'everything down', talos: `everything down: all ${n} VMs share the host. Surviving a host needs 3 physical hosts and storage that outlives one` }]),
  ];
}

const hostFailure = (node: string) => `${node} lost or rebooted (power, disk, kernel, Proxmox upgrade)`;

/** The Talos path when host `f.node` is lost: its VMs, etcd's quorum without them, the services that wait. */
function talosHostLoss(f: HostFailure, t: TalosVmSizing, site: Site): string {
  const { storageClass } = site.kubernetes;
  const { members: n, left, quorum, keepsQuorum } = f.etcd;
  const k = f.talosVms.length;
  if (k === 0) return `not affected: no Talos VM runs on ${f.node}`;
  if (k === f.allVms) return `everything down: all ${k} VMs run on ${f.node}`;
  const vms = f.talosVms.join(', ');
  const down = `${vms} down (${k} of ${f.allVms} VMs); etcd ${keepsQuorum ? 'keeps' : 'loses'} quorum (${left} of ${n} members left, ${quorum} needed)`;
  const services = f.servicesDown.join(', ');
  const one = f.servicesDown.length === 1;
  if (!keepsQuorum) {
    return `${down}: the Kubernetes API stops and nothing is rescheduled until ${f.node} is back; `
      + (f.servicesDown.length > 0 ? `${services} (planned on ${vms}) ${one ? 'is' : 'are'} down, the` : 'no stack service is planned there; the')
      + ` services on the other VMs keep running, unmanaged. Keeping etcd up needs at most ${n - quorum} of the ${n} control planes on one host, so at least ${Math.ceil(n / (n - quorum))} hosts`;
  }
  // The snapshot job reads etcd through the first control plane (charts/platform/etcd-backup.ts); its
  // volume is local-path too, on whichever VM its first job ran.
  const snapshots = f.snapshotNode
    ? `the etcd snapshots stop until ${f.node} is back: the backup job reads etcd through the first control plane, ${f.snapshotNode}`
    : `the etcd snapshots only if their volume is not on ${vms}`;
  const kept = f.servicesDegraded.map((d) => `${d.service} on ${d.left.join(', ')} (${d.left.length} of ${d.replicas} replicas)`);
  const stays = `${down}: the cluster stays up and the add-on pods move to the other VMs (${snapshots})`
    + (kept.length > 0 ? `; ${wordList(kept, 'and')} keep${kept.length === 1 ? 's' : ''} running` : '');
  if (f.servicesDown.length === 0) {
    return kept.length > 0 ? `${stays}: every service keeps running` : `${stays}; no stack service is planned on ${vms}: every service keeps running`;
  }
  const held = f.serviceVms.join(', ');
  const many = f.serviceVms.length > 1;
  const volumes = volumeStory(site);
  const needs = [
    ...(volumes.kind === 'csi-shared' ? [] : ['storage that outlives it (replicated, e.g. Ceph RBD or Longhorn, instead of node-local volumes)']),
    'the placement rules in charts/common/placement.ts made preferred instead of required',
    ...(many ? [`room on the other VMs for the requests of ${f.serviceVms.length} lost ones`]
      : t.fitsWithOneNodeDown ? [] : [`N+1 CPU/RAM (${t.sizeForOneNodeDown.cores} cores / ${t.sizeForOneNodeDown.memoryGiB} GiB per VM)`]),
  ];
  return `${stays}; ${services} ${one ? 'waits' : 'wait'} for ${f.node}: the placement holds ${one ? 'it' : 'them'} on ${held} (required node affinity), `
    + (volumes.kind === 'local-path'
      ? `and ${one ? 'its volume' : 'their volumes'} (StorageClass ${storageClass}, local-path-provisioner) stay${one ? 's' : ''} ${volumes.staysOn(many, f.node)}. `
      : `and ${one ? 'its volume' : 'their volumes'} (${volumes.classText}) ${volumes.staysOn(many, f.node)}. `)
    + `Surviving the host needs ${wordList(needs, 'and')}`;
}

export function computeComparison(site: Site): Comparison {
  const paths = [lxcResources(site), ...talosResources(site)];
  const multiHost = isMultiHost(site);
  const { allocated, used, capacity } = site.proxmox;
  const capacityAsGiven = { vcpu: known(capacity.vcpu), memoryGB: known(capacity.memoryGB), diskGB: known(capacity.diskGB) };
  const inGiB = (v: Known): Known => (v === 'unknown' ? v : gbToGiB(v));
  const hostCapacity = { vcpu: capacityAsGiven.vcpu, memoryGiB: inGiB(capacityAsGiven.memoryGB), diskGiB: inGiB(capacityAsGiven.diskGB) };
  const hostAllocated: Resources = { vcpu: allocated.vcpu, memoryGiB: gbToGiB(allocated.memoryGB), diskGiB: gbToGiB(allocated.diskGB) };
  const sizing = talosVmSizing(site);
  const hosts: HostSummary[] | undefined = multiHost
    ? hostFailures(site).map((f) => {
      const host = proxmoxHosts(site).find((h) => h.node === f.node)!;
      const given = host.capacity;
      const capacity: HostSummary['capacity'] = f.node === site.proxmox.node ? hostCapacity
        : given ? { vcpu: known(given.vcpu), memoryGiB: inGiB(known(given.memoryGB)), diskGiB: inGiB(known(given.diskGB)) } : 'not given';
      return { ...f, demand: demandOn(site, sizing, paths, f.node), capacity, capacityPath: `${host.path}.capacity` };
    })
    : undefined;
  // Each path's share on proxmox.node, the host the site's allocation and capacity describe.
  const onNode = (p: PathResources): Resources => onHostNode({ hosts }, p);
  return {
    site: site.name,
    units: 'vCPU; memory and disk in GiB (2^30 bytes) throughout. The host\'s figures are the report\'s "GB" (kept as given in host.asReported), '
      + 'read as SI gigabytes and converted before they are added: GiB = GB x 10^9 / 2^30. '
      + 'Were the report\'s GB Proxmox\'s GiB, the host figures would be 7.4 % higher',
    host: {
      node: site.proxmox.node,
      guestCount: site.proxmox.guestCount,
      asReported: {
        allocated: { vcpu: allocated.vcpu, memoryGB: allocated.memoryGB, diskGB: allocated.diskGB },
        used: { memoryGB: used.memoryGB, diskGB: used.diskGB },
        capacity: capacityAsGiven,
      },
      allocated: hostAllocated,
      capacity: hostCapacity,
      conversion: [
        `memory ${fmt(allocated.memoryGB)} GB x 10^9 / 2^30 = ${fmt(hostAllocated.memoryGiB)} GiB`,
        `disk ${fmt(allocated.diskGB)} GB x 10^9 / 2^30 = ${fmt(hostAllocated.diskGiB)} GiB allocated`,
      ].join('; '),
    },
    paths,
    onHost: paths.map((p) => {
      const here = onNode(p);
      const after: Resources = {
        vcpu: round(hostAllocated.vcpu + here.vcpu), memoryGiB: round(hostAllocated.memoryGiB + here.memoryGiB), diskGiB: round(hostAllocated.diskGiB + here.diskGiB),
      };
      return {
        id: p.id,
        allocatedAfter: after,
        shareOfCapacityPercent: {
          vcpu: share(after.vcpu, hostCapacity.vcpu), memoryGiB: share(after.memoryGiB, hostCapacity.memoryGiB), diskGiB: share(after.diskGiB, hostCapacity.diskGiB),
        },
      };
    }),
    ...(hosts ? { hosts } : {}),
    claims: claimChecks(site, paths, onNode, talosShareOnHostNode({ hosts })),
    availability: availability(site),
    operations: operationsRows(site),
    configDifferences: pathDifferences(site),
  };
}
