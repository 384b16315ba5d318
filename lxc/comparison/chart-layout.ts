/**
 * Geometry of comparison.svg, computed from the comparison alone: one column per resource
 * (vCPU, memory, disk), one bar per path stacking the host's existing allocation under the
 * path's own commitment, each column on its own scale from 0, and a dashed line at the host's
 * capacity where it is known. Pure numbers (pixels); chart-svg.ts turns them into markup.
 *
 * Drawn here rather than by a chart library: vega-lite and vega took about a seventh of every
 * synth (issue 13) for a picture of six numbers per column.
 */
import type { Comparison } from './model';
import { chartData, EXISTING, RESOURCES } from './chart-data';

/** Pixels. */
export const PLOT_WIDTH = 200;
export const PLOT_HEIGHT = 260;
const COLUMN_GAP = 56;
const MARGIN = 10;
const TITLE_SIZE = 14;
const TEXT_SIZE = 11;
const LABEL_ANGLE_DEG = 30;
/** Wanted number of y ticks (the scale picks a round step near it): one per 40 px, as vega-lite. */
export const TICKS = Math.ceil(PLOT_HEIGHT / 40);
/** Share of a band the bar fills (the rest is the gap between bars). */
const BAR_FILL = 0.7;

/** Average advance of a sans-serif character in em: widths are estimated (no font metrics offline). */
const CHAR_EM = 0.58;
export const textWidth = (text: string, size: number): number => text.length * size * CHAR_EM;

export interface Rect { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

export interface BarSegment extends Rect {
  readonly path: string;
  readonly part: string;
  readonly value: number;
  readonly color: string;
}

export interface ChartColumn {
  readonly resource: string;
  /** Left edge of the plot area. */
  readonly x: number;
  /** The scale's top value (niceScale of the highest bar or the capacity). */
  readonly max: number;
  readonly ticks: readonly { readonly value: number; readonly y: number }[];
  readonly segments: readonly BarSegment[];
  /** x-axis labels: the band centre each path's label is anchored at. */
  readonly labels: readonly { readonly path: string; readonly x: number }[];
  readonly capacity?: { readonly value: number; readonly y: number };
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly subtitle: readonly string[];
  /** Left edge and baselines of the title and of each subtitle line. */
  readonly textLeft: number;
  readonly titleY: number;
  readonly subtitleY: readonly number[];
  /** Top of the plot areas. */
  readonly plotTop: number;
  readonly columns: readonly ChartColumn[];
  /** Swatches (a box per bar part, a dashed line for the capacity when it is drawn), left to right. */
  readonly legend: { readonly y: number; readonly items: readonly { readonly label: string; readonly color: string; readonly x: number; readonly mark: 'box' | 'line' }[] };
  readonly titleSize: number;
  readonly textSize: number;
  readonly labelAngle: number;
}

export const PART_COLORS = { existing: '#9e9e9e', monitoring: '#1f77b4' } as const;
export const CAPACITY_COLOR = '#d62728';
const partColor = (part: string): string => (part === EXISTING ? PART_COLORS.existing : PART_COLORS.monitoring);

/**
 * The round step (1, 2 or 5 x 10^k) that splits [0, stop] into about `count` intervals, the one
 * nearest on a log scale (thresholds at sqrt(50), sqrt(10), sqrt(2)), as d3-array's
 * tickIncrement: a positive step, or for steps below 1 the negative of its inverse (-10 for
 * 0.1), so that multiples stay exact.
 */
export function tickIncrement(stop: number, count: number): number {
  const raw = stop / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.SQRT2 ? 2 : 1;
  return power >= 0 ? factor * 10 ** power : -(10 ** -power) / factor;
}

const multiple = (k: number, increment: number): number => (increment > 0 ? k * increment : k / -increment);

/**
 * A linear scale from 0 made nice as d3's scale.nice(count) does: the top rounded up to the
 * step, repeated until the step no longer changes. Returns the top and the tick values.
 */
export function niceScale(highest: number, count: number): { max: number; ticks: number[] } {
  let max = highest > 0 ? highest : 1;
  let increment = 0;
  for (let i = 0; i < 10; i++) {
    const next = tickIncrement(max, count);
    if (next === increment) break;
    increment = next;
    max = increment > 0 ? Math.ceil(max / increment) * increment : Math.ceil(max * -increment) / -increment;
  }
  const steps = Math.round(increment > 0 ? max / increment : max * -increment);
  return { max, ticks: Array.from({ length: steps + 1 }, (_, k) => multiple(k, increment)) };
}

/** Rounded for the markup: no float noise in the file (0.1 + 0.2), stable across platforms. */
export const px = (n: number): number => Math.round(n * 100) / 100;

export function comparisonChartLayout(c: Comparison): ChartLayout {
  const { bars, capacity } = chartData(c);
  const paths = [...new Set(bars.map((b) => b.path))];
  const unknown = RESOURCES.filter(({ key }) => c.host.capacity[key] === 'unknown').map((r) => r.title);
  const subtitle = [
    unknown.length === RESOURCES.length
      ? `${c.host.node} capacity: unknown (not in the report; set proxmox.capacity in the site)`
      : `dashed line: ${c.host.node} capacity${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    'existing guests: the report\'s GB converted to GiB (x 10^9 / 2^30)',
    ...(c.hosts ? [`Talos bars: only the VMs on ${c.host.node}; the others run on ${c.hosts.slice(1).map((h) => h.node).join(', ')} (${c.hosts.slice(1).every((h) => h.capacity === 'not given') ? 'capacity not given' : 'their capacity: COMPARISON.md'})`] : []),
  ];
  const title = `Resources committed on ${c.host.node}: LXC vs Talos`;

  const angle = (LABEL_ANGLE_DEG * Math.PI) / 180;
  const longestLabel = Math.max(...paths.map((p) => textWidth(p, TEXT_SIZE)));
  // Labels hang down-left from their band centre: room below the plots and left of the first one.
  const labelDrop = longestLabel * Math.sin(angle) + TEXT_SIZE;
  const labelReach = longestLabel * Math.cos(angle);
  const band = PLOT_WIDTH / paths.length;
  const yAxisWidth = 40;
  const left = MARGIN + Math.max(yAxisWidth, labelReach - band / 2);
  const titleY = MARGIN + TITLE_SIZE;
  const subtitleY = subtitle.map((_, i) => titleY + 4 + (i + 1) * (TEXT_SIZE + 4));
  const plotTop = MARGIN + TITLE_SIZE + 4 + subtitle.length * (TEXT_SIZE + 4) + 12 + TEXT_SIZE + 8;
  const plotBottom = plotTop + PLOT_HEIGHT;

  const columns = RESOURCES.map(({ title: resource }, i): ChartColumn => {
    const x = left + i * (PLOT_WIDTH + COLUMN_GAP);
    const mine = bars.filter((b) => b.resource === resource);
    const cap = capacity.find((k) => k.resource === resource)?.value;
    const highest = Math.max(cap ?? 0, ...paths.map((p) => mine.filter((b) => b.path === p).reduce((s, b) => s + b.value, 0)));
    const scale = niceScale(highest, TICKS);
    const max = scale.max;
    const y = (v: number) => plotBottom - (v / max) * PLOT_HEIGHT;
    const ticks = scale.ticks.map((value) => ({ value, y: px(y(value)) }));
    const segments = paths.flatMap((path, p) => {
      let base = 0;
      return mine.filter((b) => b.path === path).sort((a, b) => a.order - b.order).map((b) => {
        const top = base + b.value;
        const segment = { path, part: b.part, value: b.value, color: partColor(b.part), x: px(x + p * band + (band * (1 - BAR_FILL)) / 2), y: px(y(top)), width: px(band * BAR_FILL), height: px(y(base) - y(top)) };
        base = top;
        return segment;
      });
    });
    return {
      resource, x: px(x), max, ticks, segments,
      labels: paths.map((path, p) => ({ path, x: px(x + (p + 0.5) * band) })),
      ...(cap === undefined ? {} : { capacity: { value: cap, y: px(y(cap)) } }),
    };
  });

  const legendY = plotBottom + labelDrop + 24;
  const swatches = [
    ...[...new Set(bars.map((b) => b.part))].map((label) => ({ label, color: partColor(label), mark: 'box' as const })),
    ...(capacity.length > 0 ? [{ label: `${c.host.node} capacity`, color: CAPACITY_COLOR, mark: 'line' as const }] : []),
  ];
  let legendX = left;
  const items = swatches.map((swatch) => {
    const item = { ...swatch, x: px(legendX) };
    legendX += 16 + textWidth(swatch.label, TEXT_SIZE) + 24;
    return item;
  });
  const right = left + RESOURCES.length * PLOT_WIDTH + (RESOURCES.length - 1) * COLUMN_GAP + MARGIN;
  const width = Math.ceil(Math.max(right, MARGIN + textWidth(title, TITLE_SIZE), ...subtitle.map((s) => MARGIN + textWidth(s, TEXT_SIZE)), legendX) + MARGIN);
  return {
    width, height: Math.ceil(legendY + TEXT_SIZE + MARGIN), title, subtitle, textLeft: MARGIN, titleY, subtitleY, plotTop: px(plotTop), columns,
    legend: { y: px(legendY), items }, titleSize: TITLE_SIZE, textSize: TEXT_SIZE, labelAngle: LABEL_ANGLE_DEG,
  };
}
