/**
 * The LXC-versus-Talos comparison, computed from the site alone: resources per path against
 * pve01's allocation, the report's claims re-checked with the arithmetic shown, availability,
 * operations and the config differences. COMPARISON.md, comparison.json and the chart all
 * render this one object.
 */
import type { Site } from '../../site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { lxcContainers } from '../containers';
import { type ConfigDifference, pathDifferences } from '../parity';
import { type OperationsRow, operationsRows } from './operations';
import { REPORT_FIGURES } from './report-figures';

/** A host figure the site may not know. */
export type Known = number | 'unknown';

export interface Resources {
  readonly vcpu: number;
  /** GiB for the paths; the report's "GB" for the host (the site keeps the report's numbers). */
  readonly memoryGB: number;
  readonly diskGB: number;
}

export interface PathResources extends Resources {
  readonly id: 'lxc' | 'talos' | 'talos-one-vm-down';
  readonly label: string;
  /** What the numbers are: ceilings, reservations... */
  readonly basis: string;
  readonly source: string;
}

export interface PathOnHost {
  readonly id: PathResources['id'];
  /** pve01's allocation plus this path. */
  readonly allocatedAfter: Resources;
  /** allocatedAfter as a share of the host's capacity, or "unknown". */
  readonly shareOfCapacityPercent: { readonly vcpu: Known; readonly memoryGB: Known; readonly diskGB: Known };
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

export interface Comparison {
  readonly site: string;
  readonly units: string;
  readonly host: {
    readonly node: string;
    /** Guests running on the node at assessment time. */
    readonly guestCount: number;
    readonly allocated: Resources;
    readonly used: { readonly memoryGB: number; readonly diskGB: number };
    readonly capacity: { readonly vcpu: Known; readonly memoryGB: Known; readonly diskGB: Known };
  };
  readonly paths: readonly PathResources[];
  readonly onHost: readonly PathOnHost[];
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
    memoryGB: sum(cs.map((c) => c.sizing.memoryGiB)),
    diskGB: sum(cs.map((c) => c.sizing.storageGiB)),
    basis: 'cgroup ceilings (pct cores / memory / rootfs); memory is a limit, not a reservation',
    source: 'generated: lxc/create-containers.sh',
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
    memoryGB: t.totals.memoryGiB,
    diskGB: t.totals.osDiskGiB + t.totals.dataDiskGiB,
    basis: `${n} x (${t.perNode.cores} cores, ${t.perNode.memoryGiB} GiB, ${t.perNode.osDiskGiB} + ${t.perNode.dataDiskGiB} GiB disks): requests + ${t.overheadPerNode.cpu} CPU / ${t.overheadPerNode.memoryGiB} GiB overhead per node; VM memory is reserved (no ballooning)`,
    source: 'talos/vm-sizing.ts talosVmSizing()',
  };
  if (t.fitsWithOneNodeDown) return [sized];
  const down = t.sizeForOneNodeDown;
  return [sized, {
    id: 'talos-one-vm-down',
    label: `Talos: ${n} VMs, room for 1 down`,
    vcpu: down.cores * n,
    memoryGB: down.memoryGiB * n,
    diskGB: diskPerNode * n,
    basis: `${n} x (${down.cores} cores, ${down.memoryGiB} GiB): two nodes hold every request; disks as sized`,
    source: 'talos/vm-sizing.ts sizeForOneNodeDown',
  }];
}

function known(v: number | undefined): Known {
  return v === undefined ? 'unknown' : v;
}

function share(value: number, capacity: Known): Known {
  return capacity === 'unknown' ? 'unknown' : round((value / capacity) * 100);
}

function claimChecks(site: Site, paths: readonly PathResources[]): ClaimCheck[] {
  const r = REPORT_FIGURES;
  const cs = lxcContainers(site);
  const lxc = paths.find((p) => p.id === 'lxc')!;
  const talos = paths.filter((p) => p.id !== 'lxc');
  const { allocated, used } = site.proxmox;
  const cpu = cs.map((c) => c.sizing.cpu);
  const mem = cs.map((c) => c.sizing.memoryGiB);
  const disk = cs.map((c) => c.sizing.storageGiB);
  const haVcpu = round(r.haClaim.nodes * lxc.vcpu);
  const haMem = round(r.haClaim.nodes * lxc.memoryGB);
  const memAfter = round(allocated.memoryGB + lxc.memoryGB);
  const diskAfter = round(allocated.diskGB + lxc.diskGB);
  const memPct = Math.round((used.memoryGB / allocated.memoryGB) * 100);
  const diskPct = Math.round((used.diskGB / allocated.diskGB) * 100);
  const talosText = (f: (p: PathResources) => string) => talos.map((p) => `${p.label}: ${f(p)}`).join('; ');
  const [phaseLow, phaseHigh] = [sum(r.timelinePhases.phases.map((p) => p[0])), sum(r.timelinePhases.phases.map((p) => p[1]))];
  return [
    {
      id: 'stack-totals',
      quote: r.stackTotals.quote,
      arithmetic: `vCPU ${plus(cpu)} = ${fmt(lxc.vcpu)}; memory ${plus(mem)} = ${fmt(lxc.memoryGB)}; disk ${plus(disk)} = ${fmt(lxc.diskGB)}`,
      arithmeticHolds: lxc.vcpu === r.stackTotals.vcpu && lxc.memoryGB === r.stackTotals.memoryGB && lxc.diskGB === r.stackTotals.diskGB,
      finding: 'the LXC path commits exactly these as container limits',
    },
    {
      id: 'ha-claim',
      quote: r.haClaim.quote,
      arithmetic: `${r.haClaim.nodes} x ${fmt(lxc.vcpu)} vCPU = ${fmt(haVcpu)}; ${r.haClaim.nodes} x ${fmt(lxc.memoryGB)} GB = ${fmt(haMem)}`,
      arithmeticHolds: haVcpu === r.haClaim.vcpu && haMem === r.haClaim.memoryGB,
      finding: `the figure is ${r.haClaim.nodes} full copies of the stack; Kubernetes schedules each single-replica service once. `
        + `${talosText((p) => `${fmt(p.vcpu)} vCPU / ${fmt(p.memoryGB)} GiB, i.e. the claim is ${fmt(r.haClaim.vcpu / p.vcpu)}x / ${fmt(r.haClaim.memoryGB / p.memoryGB)}x too high`)}`,
    },
    {
      id: 'memory-after',
      quote: r.memoryAllocatedAfter.quote,
      arithmetic: `${fmt(allocated.memoryGB)} allocated + ${plus(mem)} = ${fmt(memAfter)} GB`,
      arithmeticHolds: memAfter === r.memoryAllocatedAfter.memoryGB,
      finding: `true for LXC (as limits). ${talosText((p) => `${fmt(allocated.memoryGB)} + ${fmt(p.memoryGB)} = ${fmt(allocated.memoryGB + p.memoryGB)} GB, reserved`)}`,
    },
    {
      id: 'disk-after',
      quote: r.diskAllocatedAfter.quote,
      arithmetic: `${fmt(allocated.diskGB)} allocated + ${plus(disk)} = ${fmt(diskAfter)} GB`,
      arithmeticHolds: diskAfter === r.diskAllocatedAfter.diskGB,
      finding: `true for LXC. ${talosText((p) => `${fmt(allocated.diskGB)} + ${fmt(p.diskGB)} = ${fmt(allocated.diskGB + p.diskGB)} GB (thin-provisioned)`)}`,
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
  const localPath = site.kubernetes.storageClass === 'local-path';
  const vmDown = t.fitsWithOneNodeDown
    ? (localPath
      ? `the other ${n - 1} VMs have room for every request, but local-path volumes pin each service to its VM: the services on the lost VM wait for it`
      : `the other ${n - 1} VMs have room for every request: services are rescheduled if their volumes can move`)
    : `the other ${n - 1} VMs lack room for the lost VM's requests (${t.sizeForOneNodeDown.cores} cores / ${t.sizeForOneNodeDown.memoryGiB} GiB per VM would do)${localPath ? ', and local-path volumes pin each service to its VM anyway' : ''}: the services on the lost VM stay down; the cluster (etcd ${Math.floor(n / 2) + 1} of ${n}) stays up`;
  return [
    { failure: 'one guest lost (container or VM)', lxc: `that container's service is down; the other ${others} keep running`, talos: vmDown },
    { failure: 'guest OS / platform upgrade', lxc: 'each container restarts on its own, one service at a time', talos: t.fitsWithOneNodeDown && !localPath ? 'rolling, one VM at a time, services move' : 'rolling, one VM at a time; the services on the VM being upgraded are down meanwhile' },
    { failure: `${site.proxmox.node} lost or rebooted (power, disk, kernel, Proxmox upgrade)`, lxc: 'everything down', talos: `everything down: all ${n} VMs share the host. Surviving a host needs 3 physical hosts and storage that outlives one` },
  ];
}

export function computeComparison(site: Site): Comparison {
  const paths = [lxcResources(site), ...talosResources(site)];
  const { allocated, used, capacity } = site.proxmox;
  const hostCapacity = { vcpu: known(capacity.vcpu), memoryGB: known(capacity.memoryGB), diskGB: known(capacity.diskGB) };
  return {
    site: site.name,
    units: 'vCPU; memory and disk in GiB for the paths and in the report\'s "GB" for the host (the site keeps the report\'s numbers, so the two are added as they stand)',
    host: {
      node: site.proxmox.node,
      guestCount: site.proxmox.guestCount,
      allocated: { vcpu: allocated.vcpu, memoryGB: allocated.memoryGB, diskGB: allocated.diskGB },
      used: { memoryGB: used.memoryGB, diskGB: used.diskGB },
      capacity: hostCapacity,
    },
    paths,
    onHost: paths.map((p) => {
      const after = { vcpu: round(allocated.vcpu + p.vcpu), memoryGB: round(allocated.memoryGB + p.memoryGB), diskGB: round(allocated.diskGB + p.diskGB) };
      return {
        id: p.id,
        allocatedAfter: after,
        shareOfCapacityPercent: {
          vcpu: share(after.vcpu, hostCapacity.vcpu), memoryGB: share(after.memoryGB, hostCapacity.memoryGB), diskGB: share(after.diskGB, hostCapacity.diskGB),
        },
      };
    }),
    claims: claimChecks(site, paths),
    availability: availability(site),
    operations: operationsRows(site),
    configDifferences: pathDifferences(site),
  };
}
