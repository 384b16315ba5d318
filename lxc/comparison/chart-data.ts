/** What comparison.svg shows, as data: one bar per path and resource, stacked in two parts. */
import { type Comparison, fmt, type PathResources } from './model';

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

/** The x-axis name of a path: its label and whether it survives losing one of its guests. */
export function chartPathName(p: PathResources): string {
  return `${p.label} (survives 1 ${p.id === 'lxc' ? 'container' : 'VM'} down: ${p.survivesOneGuestDown.value ? 'yes' : 'no'})`;
}

export const EXISTING = 'existing guests (allocated)';
export const MONITORING = 'monitoring stack';

export function chartData(c: Comparison): { bars: Bar[]; capacity: { resource: string; value: number }[] } {
  const bars = RESOURCES.flatMap(({ key, title }) => c.paths.flatMap((p) => [
    { resource: title, path: chartPathName(p), part: EXISTING, value: c.host.allocated[key], order: 0 },
    { resource: title, path: chartPathName(p), part: MONITORING, value: p[key], order: 1 },
  ]));
  const capacity = RESOURCES.flatMap(({ key, title }) => {
    const v = c.host.capacity[key];
    return v === 'unknown' ? [] : [{ resource: title, value: v }];
  });
  return { bars, capacity };
}

/** Figures the chart shows, as text (alt text in COMPARISON.md). */
export function chartAltText(c: Comparison): string {
  return c.paths.map((p) => `${chartPathName(p)}: ${fmt(p.vcpu)} vCPU, ${fmt(p.memoryGiB)} GiB, ${fmt(p.diskGiB)} GiB disk`).join('; ');
}
