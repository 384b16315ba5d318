/**
 * docs/dashboards.svg: what a user finds in Grafana, drawn from the dashboard definitions
 * themselves. One small map per dashboard (its folder and title above it), each panel a box at
 * its gridPos on Grafana's 24-column grid with its title and panel type, coloured by type; rows
 * as thin bands. Rendered offline with the project's vega setup (render/vega-svg.ts:
 * synchronous, no canvas, stable SVG ids), so the file only changes when a dashboard does.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Field } from 'vega-lite/build/src/channeldef';
import type { LayerSpec } from 'vega-lite/build/src/spec';
import { renderSvg } from './vega-svg';
import type { Site } from '../site';
import type { Platform } from '../charts/topology';
import { grafanaDashboards } from '../charts/grafana/provisioning';

/** Pixels per grid column and per grid row (Grafana draws a row 30 px high; a third keeps the picture small). */
const COLUMN_PX = 20;
const ROW_PX = 10;
const GRID_COLUMNS = 24;
/** Dashboards side by side. */
const COLUMNS = 2;

/** Panel types in legend order, each with its colour; rows are the grey bands. */
const PANEL_TYPES = [
  { type: 'stat', color: '#73bf69' },
  { type: 'timeseries', color: '#5794f2' },
  { type: 'bargauge', color: '#ff9830' },
  { type: 'logs', color: '#b877d9' },
  { type: 'row', color: '#d8d9da' },
] as const;

export interface OverviewPanel {
  readonly dashboard: string;
  readonly type: string;
  readonly title: string;
  readonly x: number;
  readonly x2: number;
  readonly y: number;
  readonly y2: number;
}

export interface OverviewDashboard {
  /** "Folder / Dashboard title": the heading of its map. */
  readonly heading: string;
  /** Grid rows the dashboard spans. */
  readonly rows: number;
  readonly panels: readonly OverviewPanel[];
}

interface GridPanel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  panels?: GridPanel[];
}

/** Every dashboard provisioned on the platform, in folder order, with its panels' grid boxes. */
export function overviewData(site: Site, platform: Platform): OverviewDashboard[] {
  return grafanaDashboards(site, platform).map((file) => {
    const d = JSON.parse(file.json) as { title: string; panels: GridPanel[] };
    const heading = `${file.folder.title} / ${d.title}`;
    const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => ({
      dashboard: heading, type: p.type, title: p.title,
      x: p.gridPos.x, x2: p.gridPos.x + p.gridPos.w, y: p.gridPos.y, y2: p.gridPos.y + p.gridPos.h,
    }));
    return { heading, rows: Math.max(...panels.map((p) => p.y2)), panels };
  });
}

function dashboardMap(d: OverviewDashboard): LayerSpec<Field> {
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: [0, GRID_COLUMNS] }, axis: null };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: [0, d.rows], reverse: true }, axis: null };
  const colour = {
    field: 'type', type: 'nominal' as const, title: 'panel type',
    scale: { domain: PANEL_TYPES.map((t) => t.type), range: PANEL_TYPES.map((t) => t.color) },
  };
  // Pixels a label may take: the box's width less a margin (vega cuts it with an ellipsis).
  const limit = { expr: `(datum.x2 - datum.x) * ${COLUMN_PX} - 8` };
  return {
    title: { text: d.heading, anchor: 'start' as const, fontSize: 12 },
    width: GRID_COLUMNS * COLUMN_PX,
    height: d.rows * ROW_PX,
    data: { values: [...d.panels] },
    layer: [
      {
        mark: { type: 'rect' as const, stroke: 'white', strokeWidth: 1.5, cornerRadius: 2 },
        encoding: { x, x2: { field: 'x2' }, y, y2: { field: 'y2' }, color: colour },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, dy: 2, fontSize: 9, fontWeight: 'bold' as const, limit },
        encoding: { x, y, text: { field: 'title' } },
      },
      {
        transform: [{ filter: "datum.type !== 'row'" }],
        mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, dy: 13, fontSize: 8, color: '#333333', limit },
        encoding: { x, y, text: { field: 'type' } },
      },
    ],
  };
}

export function dashboardsOverviewSpec(site: Site, platform: Platform = 'kubernetes'): TopLevelSpec {
  const dashboards = overviewData(site, platform);
  const panels = dashboards.reduce((n, d) => n + d.panels.filter((p) => p.type !== 'row').length, 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `The ${dashboards.length} Grafana dashboards of site ${site.name} (${panels} panels)`,
      subtitle: [
        'Each panel at its place on Grafana\'s grid, coloured by type; grey bands are rows. Folder / dashboard above each.',
        platform === 'kubernetes' ? 'The LXC path provisions the same dashboards but "Kubernetes and Talos".' : 'The LXC path.',
      ],
      anchor: 'start' as const,
    },
    config: { font: 'sans-serif', view: { stroke: '#cccccc' }, legend: { orient: 'top' as const, labelLimit: 0 }, concat: { spacing: 24 } },
    columns: COLUMNS,
    concat: dashboards.map(dashboardMap),
    resolve: { scale: { color: 'shared' } },
  };
}

export function dashboardsOverviewSvg(site: Site, platform: Platform = 'kubernetes'): string {
  return renderSvg(dashboardsOverviewSpec(site, platform));
}

/** The picture's path in the repository (written by `npm run readme`). */
export const DASHBOARDS_PICTURE = 'docs/dashboards.svg';
