/**
 * comparison.svg: grouped bars (one group per resource, one bar per path) stacking pve01's
 * existing allocation under each path's own commitment, drawn by vega-lite and rendered to SVG
 * in Node. Synchronous and deterministic: no canvas (text widths are estimated), SVG ids reset.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { type Comparison, fmt, type PathResources } from './model';

interface Bar {
  resource: string;
  path: string;
  part: string;
  value: number;
  order: number;
}

const RESOURCES = [
  { key: 'vcpu', title: 'vCPU' },
  { key: 'memoryGiB', title: 'Memory (GiB)' },
  { key: 'diskGiB', title: 'Disk (GiB)' },
] as const;

/** The x-axis name of a path: its label and whether it survives losing one of its guests. */
export function chartPathName(p: PathResources): string {
  return `${p.label} (survives 1 ${p.id === 'lxc' ? 'container' : 'VM'} down: ${p.survivesOneGuestDown.value ? 'yes' : 'no'})`;
}

const EXISTING = 'existing guests (allocated)';
const MONITORING = 'monitoring stack';

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

export function comparisonChartSpec(c: Comparison): TopLevelSpec {
  const { bars, capacity } = chartData(c);
  const unknown = RESOURCES.filter(({ key }) => c.host.capacity[key] === 'unknown').map((r) => r.title);
  const subtitle = unknown.length === RESOURCES.length
    ? `${c.host.node} capacity: unknown (not in the report; set proxmox.capacity in the site)`
    : `dashed line: ${c.host.node} capacity${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`;
  const units = `existing guests: the report's GB converted to GiB (x 10^9 / 2^30)`;
  const paths = c.paths.map(chartPathName);
  const barLayer = {
    mark: { type: 'bar' as const },
    encoding: {
      x: { field: 'path', type: 'nominal' as const, sort: paths, title: null, axis: { labelAngle: -30 } },
      y: { field: 'value', type: 'quantitative' as const, stack: 'zero' as const, title: null },
      color: { field: 'part', type: 'nominal' as const, sort: [EXISTING, MONITORING], scale: { range: ['#9e9e9e', '#1f77b4'] }, title: null },
      order: { field: 'order', type: 'quantitative' as const },
      tooltip: [{ field: 'path' }, { field: 'part' }, { field: 'value', type: 'quantitative' as const }],
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `Resources committed on ${c.host.node}: LXC vs Talos`, subtitle: [subtitle, units], anchor: 'start' },
    config: { font: 'sans-serif', legend: { orient: 'bottom', labelLimit: 0 }, axis: { labelLimit: 0 } },
    data: { values: [...bars.map((b) => ({ ...b, kind: 'bar' })), ...capacity.map((cap) => ({ ...cap, kind: 'capacity' }))] },
    facet: { column: { field: 'resource', type: 'nominal', sort: RESOURCES.map((r) => r.title), title: null } },
    spec: {
      width: 200,
      height: 260,
      layer: [
        { ...barLayer, transform: [{ filter: "datum.kind === 'bar'" }] },
        ...(capacity.length
          ? [{
            transform: [{ filter: "datum.kind === 'capacity'" }],
            mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#d62728' },
            encoding: { y: { field: 'value', type: 'quantitative' as const } },
          }]
          : []),
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** Exports of vega 5.33 its typings omit (vega-scenegraph's headless SVG renderer). */
interface VegaHeadless {
  resetSVGDefIds(): void;
  SVGStringRenderer: new (loader: unknown) => {
    initialize(el: null, width: number, height: number, origin: [number, number]): unknown;
    background(color: unknown): unknown;
    render(scene: unknown): unknown;
    svg(): string;
  };
}

/** Renders a vega-lite spec to SVG text synchronously (the same markup as vega's async toSVG). */
export function renderSvg(spec: TopLevelSpec): string {
  const compiled = vegaLite.compile(spec).spec;
  // Clip-path and gradient ids come from a module-level counter: reset it so output is stable.
  const headless = vega as unknown as VegaHeadless;
  headless.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  view.run();
  // vega keeps the full view size (data area + axes + legends) in these two fields; 5.33 has no getter.
  const internal = view as unknown as { _viewWidth?: number; _viewHeight?: number };
  if (typeof internal._viewWidth !== 'number' || typeof internal._viewHeight !== 'number') {
    throw new Error('vega View internals changed (no _viewWidth/_viewHeight): check the pinned vega version (5.33.1)');
  }
  const padding = view.padding() as { left: number; right: number; top: number; bottom: number };
  const origin = view.origin();
  const renderer = new headless.SVGStringRenderer(view.loader());
  renderer.initialize(
    null,
    internal._viewWidth + padding.left + padding.right,
    internal._viewHeight + padding.top + padding.bottom,
    [padding.left + origin[0], padding.top + origin[1]],
  );
  renderer.background(view.background());
  renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
  const svg = renderer.svg();
  view.finalize();
  return `${svg}\n`;
}

export function comparisonSvg(c: Comparison): string {
  return renderSvg(comparisonChartSpec(c));
}

/** Figures the chart shows, as text (alt text in COMPARISON.md). */
export function chartAltText(c: Comparison): string {
  return c.paths.map((p) => `${chartPathName(p)}: ${fmt(p.vcpu)} vCPU, ${fmt(p.memoryGiB)} GiB, ${fmt(p.diskGiB)} GiB disk`).join('; ');
}
