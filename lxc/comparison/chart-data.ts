/** What comparison.svg shows, as data: one bar per path and resource, stacked in two parts. */
import { type Comparison, fmt, onHostNode, type PathResources, talosShareOnHostNode } from './model';

export interface Bar {
  readonly resource: string;
  readonly path: string;
  readonly part: string;
  /** vCPU or GiB. */
  readonly value: number;
  /** Stacking order, bottom first. */
  readonly order: number;
}

export const RESOURCES = [
  { key: 'vcpu', title: 'vCPU' },
  { key: 'memoryGiB', title: 'Memory (GiB)' },
  { key: 'diskGiB', title: 'Disk (GiB)' },
] as const;

/**
 * The x-axis name of a path: its label, on several hosts how many of its VMs host.node carries
 * (the bar shows only those), and whether it survives losing one of its guests.
 */
export function chartPathName(c: Comparison, p: PathResources): string {
  const share = p.id === 'lxc' ? undefined : talosShareOnHostNode(c);
  return `${p.label}${share ? `, ${share}` : ''} (survives 1 ${p.id === 'lxc' ? 'container' : 'VM'} down: ${p.survivesOneGuestDown.value ? 'yes' : 'no'})`;
}

export const EXISTING = 'existing guests (allocated)';
export const MONITORING = 'monitoring stack';

export function chartData(c: Comparison): { bars: Bar[]; capacity: { resource: string; value: number }[] } {
  // host.node's allocation under what each path puts on host.node (on several hosts, its VMs there).
  const bars = RESOURCES.flatMap(({ key, title }) => c.paths.flatMap((p) => [
    { resource: title, path: chartPathName(c, p), part: EXISTING, value: c.host.allocated[key], order: 0 },
    { resource: title, path: chartPathName(c, p), part: MONITORING, value: onHostNode(c, p)[key], order: 1 },
  ]));
  const capacity = RESOURCES.flatMap(({ key, title }) => {
    const v = c.host.capacity[key];
    return v === 'unknown' ? [] : [{ resource: title, value: v }];
  });
  return { bars, capacity };
}

/** Figures the chart shows, as text (alt text in COMPARISON.md). */
export function chartAltText(c: Comparison): string {
  return c.paths.map((p) => {
    const r = onHostNode(c, p);
    return `${chartPathName(c, p)}: ${fmt(r.vcpu)} vCPU, ${fmt(r.memoryGiB)} GiB, ${fmt(r.diskGiB)} GiB disk`;
  }).join('; ');
}
