/**
 * comparison.svg is drawn by the project (lxc/comparison/chart-layout.ts, chart-svg.ts), not by a
 * chart library. These tests hold it to what a chart must get right: every bar as tall as its
 * value on its column's scale, stacked in order, the capacity line at the capacity, round ticks
 * as d3's scales choose them (vega's d3 scale is the oracle), labels inside the picture.
 */
import { DOMParser } from '@xmldom/xmldom';
import * as vega from 'vega';
import { computeComparison } from '../../lxc';
import { chartData, RESOURCES } from '../../lxc/comparison/chart-data';
import { comparisonChartLayout, niceScale, PLOT_HEIGHT, textWidth, TICKS, tickIncrement } from '../../lxc/comparison/chart-layout';
import { comparisonSvg } from '../../lxc/comparison/chart-svg';
import { parseSite, type SiteInput } from '../../site';
import { SECOND_SITE } from '../support/second-site';

const SITES: [string, SiteInput][] = [
  ['the report\'s site (capacity unknown)', {}],
  ['the second site', SECOND_SITE],
  ['a site with the whole capacity known', { proxmox: { capacity: { vcpu: 32, memoryGB: 64, diskGB: 1000 } } }],
  ['a site with only memory capacity known', { proxmox: { capacity: { memoryGB: 20 } } }],
];

describe('the y scales', () => {
  /** d3's linear scale inside vega, made nice with the same tick count. */
  const d3Nice = (highest: number) => {
    const s = (vega as unknown as { scale(type: string): () => { domain(d?: number[]): any; nice(n: number): any; ticks(n: number): number[] } })
      .scale('linear')().domain([0, highest]).nice(TICKS);
    return { max: s.domain()[1] as number, ticks: s.ticks(TICKS) };
  };

  test.each([0.05, 0.7, 1, 3, 7, 12.5, 18, 42, 61.298, 99.9, 100, 576, 999, 1001, 4321])('%p: top and ticks are the ones d3 picks', (highest) => {
    expect(niceScale(highest, TICKS)).toEqual(d3Nice(highest));
  });

  test('a step is 1, 2 or 5 times a power of ten, nearest on a log scale', () => {
    expect([tickIncrement(42, 7), tickIncrement(70, 7), tickIncrement(1000, 7), tickIncrement(0.7, 7)]).toEqual([5, 10, 200, -10]);
  });
});

describe.each(SITES)('comparison.svg for %s', (_name, input) => {
  const c = computeComparison(parseSite(input).site);
  const layout = comparisonChartLayout(c);
  const { bars, capacity } = chartData(c);
  const svg = comparisonSvg(c);
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');

  test('every bar segment is as tall as its value on its column\'s scale, stacked from the axis up', () => {
    expect(layout.columns.map((col) => col.resource)).toEqual(RESOURCES.map((r) => r.title));
    for (const col of layout.columns) {
      const bottom = layout.plotTop + PLOT_HEIGHT;
      const paths = [...new Set(col.segments.map((s) => s.path))];
      for (const path of paths) {
        const [existing, monitoring] = col.segments.filter((s) => s.path === path);
        expect(existing.part).toMatch(/^existing/);
        expect(existing.y + existing.height).toBeCloseTo(bottom, 1);
        expect(monitoring.y + monitoring.height).toBeCloseTo(existing.y, 1);
        for (const s of [existing, monitoring]) expect(s.height).toBeCloseTo((s.value / col.max) * PLOT_HEIGHT, 1);
      }
      expect(col.max).toBeGreaterThanOrEqual(Math.max(...paths.map((p) => col.segments.filter((s) => s.path === p).reduce((n, s) => n + s.value, 0))));
    }
  });

  test('draws one rect per bar segment with the figure the comparison computed', () => {
    const rects = Array.from(doc.getElementsByTagName('rect')).filter((r) => r.getAttribute('class') === 'bar');
    expect(rects.map((r) => [r.getAttribute('data-path'), r.getAttribute('data-part'), Number(r.getAttribute('data-value'))]).sort())
      .toEqual(bars.map((b) => [b.path, b.part, b.value]).sort());
  });

  test('draws the capacity line where the capacity is known, at the capacity', () => {
    const lines = Array.from(doc.getElementsByTagName('line')).filter((l) => l.getAttribute('class') === 'capacity');
    expect(lines.map((l) => Number(l.getAttribute('data-value')))).toEqual(capacity.map((k) => k.value));
    for (const col of layout.columns.filter((k) => k.capacity)) {
      expect(col.capacity!.y).toBeCloseTo(layout.plotTop + PLOT_HEIGHT - (col.capacity!.value / col.max) * PLOT_HEIGHT, 1);
      expect(col.max).toBeGreaterThanOrEqual(col.capacity!.value);
    }
  });

  test('names in the legend what it draws: the two bar parts, and the capacity line when there is one', () => {
    expect(layout.legend.items.map((i) => [i.label, i.mark])).toEqual([
      ['existing guests (allocated)', 'box'], ['monitoring stack', 'box'],
      ...(capacity.length > 0 ? [[`${c.host.node} capacity`, 'line']] : []),
    ]);
    for (const item of layout.legend.items) expect(item.x + 16 + textWidth(item.label, layout.textSize)).toBeLessThanOrEqual(layout.width);
  });

  test('keeps every label inside the picture', () => {
    const angle = (layout.labelAngle * Math.PI) / 180;
    for (const col of layout.columns) {
      for (const l of col.labels) expect(l.x - textWidth(l.path, layout.textSize) * Math.cos(angle)).toBeGreaterThanOrEqual(0);
      expect(col.x + 200).toBeLessThanOrEqual(layout.width);
    }
    expect(textWidth(layout.title, layout.titleSize)).toBeLessThanOrEqual(layout.width);
    expect(layout.legend.y).toBeLessThanOrEqual(layout.height);
  });

  test('is well-formed SVG with the figures as its accessible name', () => {
    const errors: string[] = [];
    new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(svg, 'image/svg+xml');
    expect(errors).toEqual([]);
    const root = doc.documentElement!;
    expect([root.getAttribute('width'), root.getAttribute('height')]).toEqual([String(layout.width), String(layout.height)]);
    expect(root.getAttribute('aria-label')).toContain(c.paths[0].label);
    // Coordinates rounded to 1/100 px: no float noise (352.6666666666667) in the file.
    expect(svg).not.toMatch(/ (x|y|x1|y1|x2|y2|width|height)="-?\d+\.\d{3,}"|translate\([^)]*\d\.\d{3,}/);
  });
});
