/**
 * The building blocks every dashboard here is made of: panels with a unit, an optional alert
 * threshold and their queries; template variables; links to the other dashboards; a layout of
 * expanded rows on Grafana's 24-column grid. Built on the Grafana Foundation SDK so the compiler
 * checks field names and enums; the dashboard files only say what to show.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { GENERATED_TAG, type DashboardUid } from './catalog';

/** Must equal DATASOURCE_UIDS in ../provisioning.ts (kept here to avoid an import cycle; a test pins them). */
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const LOKI: common.DataSourceRef = { type: 'loki', uid: 'loki' };

export type DatasourceKind = 'prometheus' | 'loki';

export interface Query {
  readonly expr: string;
  /** Legend template (`{{label}}`). @default - Grafana's: the series' labels. */
  readonly legend?: string;
  /** One value per series at the end of the range (stat and bar gauge panels). @default false */
  readonly instant?: boolean;
}

/** A threshold step as Grafana stores it: from `value` up, this colour (`null` = from -infinity). */
export type ThresholdStep = dashboard.Threshold;

/** Green, turning red at `limit` and above (a "used" ratio, a duration). */
export function redFrom(limit: number): ThresholdStep[] {
  return [{ value: null, color: 'green' }, { value: limit, color: 'red' }];
}

/** Red below `limit`, green from it (a "free" ratio, days left, up == 1). */
export function redBelow(limit: number): ThresholdStep[] {
  return [{ value: null, color: 'red' }, { value: limit, color: 'green' }];
}

/** Value mappings of a 0/1 health series. */
export const UP_DOWN: dashboard.ValueMapping[] = [
  { type: dashboard.MappingType.ValueToText, options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } } },
];

export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and what to do about it: the hover text of its title. */
  readonly description: string;
  /** A Grafana unit id (`percentunit`, `bytes`, `s`, ...; the SDK's `units` module names them). */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** @default 'prometheus' */
  readonly datasource?: DatasourceKind;
  /** The alert threshold drawn on the panel. @default - none: no colouring. */
  readonly thresholds?: readonly ThresholdStep[];
  readonly mappings?: readonly dashboard.ValueMapping[];
  /** Grid columns of 24. @default 8 */
  readonly span?: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
}

const ref = (kind: DatasourceKind): common.DataSourceRef => (kind === 'loki' ? LOKI : PROMETHEUS);
const refId = (i: number): string => String.fromCharCode(65 + i);

function target(kind: DatasourceKind, q: Query, i: number): cog.Builder<cog.Dataquery> {
  if (kind === 'loki') {
    const t = new loki.DataqueryBuilder().datasource(LOKI).expr(q.expr).refId(refId(i))
      .queryType(q.instant ? loki.LokiQueryType.Instant : loki.LokiQueryType.Range);
    return q.legend === undefined ? t : t.legendFormat(q.legend);
  }
  const t = new prometheus.DataqueryBuilder().datasource(PROMETHEUS).expr(q.expr).refId(refId(i));
  if (q.legend !== undefined) t.legendFormat(q.legend);
  return q.instant ? t.instant() : t.range();
}

/** The options every panel kind shares, applied to any of the SDK's panel builders. */
type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | bargauge.PanelBuilder;

function withCommon<B extends AnyPanelBuilder>(panel: B, spec: PanelSpec): B {
  const kind = spec.datasource ?? 'prometheus';
  panel.title(spec.title).description(spec.description).datasource(ref(kind)).unit(spec.unit)
    .span(spec.span ?? 8).height(spec.height ?? 8);
  if (spec.thresholds) panel.thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([...spec.thresholds]));
  if (spec.mappings) panel.mappings([...spec.mappings]);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  spec.queries.forEach((q, i) => panel.withTarget(target(kind, q, i)));
  return panel;
}

const bottomLegend = () => new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true);

export interface GraphOptions {
  /** Bars instead of lines (counts per interval, such as log volume). @default false */
  readonly bars?: boolean;
  /** Stack the series. @default false */
  readonly stacked?: boolean;
}

/** A time series; its thresholds, if any, drawn as a dashed line at the alert's limit. */
export function graph(spec: PanelSpec, options: GraphOptions = {}): timeseries.PanelBuilder {
  const panel = withCommon(new timeseries.PanelBuilder(), spec)
    .fillOpacity(options.bars ? 80 : 10)
    .lineWidth(1)
    .legend(bottomLegend())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (options.bars) panel.drawStyle(common.GraphDrawStyle.Bars);
  if (options.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.thresholds) {
    panel.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  return panel;
}

/** One big number per series, coloured by the thresholds (background) or by the value mappings. */
export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  return withCommon(new stat.PanelBuilder(), { span: 6, height: 4, ...spec })
    .colorMode(spec.thresholds || spec.mappings ? common.BigValueColorMode.Background : common.BigValueColorMode.None)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Horizontal bars, one per series: "which of them is worst now". */
export function barGauge(spec: PanelSpec): bargauge.PanelBuilder {
  return withCommon(new bargauge.PanelBuilder(), spec)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .showUnfilled(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

export interface LogsSpec {
  readonly title: string;
  readonly description: string;
  readonly expr: string;
  /** @default 24 */
  readonly span?: number;
  /** @default 12 */
  readonly height?: number;
}

/** Log lines, newest first. Logs panels have no unit: they show lines, not values. */
export function logLines(spec: LogsSpec): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(LOKI)
    .span(spec.span ?? 24)
    .height(spec.height ?? 12)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .withTarget(new loki.DataqueryBuilder().datasource(LOKI).refId('A').expr(spec.expr).queryType(loki.LokiQueryType.Range).maxLines(500));
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** `label_values(...)` (Grafana's query variable syntax for both datasources). */
  readonly query: string;
  /** @default 'prometheus' */
  readonly datasource?: DatasourceKind;
  /** Regex that "All" stands for; `.+` where the label must exist (a Loki selector needs one non-empty matcher). @default '.*' */
  readonly allValue?: string;
}

/** A multi-value query variable, "All" selected, refreshed with the time range. */
export function queryVariable(spec: VariableSpec): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(ref(spec.datasource ?? 'prometheus'))
    .query(spec.query)
    .definition(spec.query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(spec.allValue ?? '.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** A free-text variable (a line filter, a regex on a parsed field). */
export function textVariable(name: string, label: string, defaultValue: string): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder(name)
    .label(label)
    .defaultValue(defaultValue)
    .current({ selected: false, text: defaultValue, value: defaultValue });
}

/** A link to another generated dashboard by uid, optionally with variable values (`var-job=...`). */
export interface RelatedDashboard {
  readonly title: string;
  readonly uid: DashboardUid;
  readonly query?: string;
}

/** `/d/<uid>`: Grafana's dashboard URL; the uid is what a link must name (titles change). */
export function dashboardUrl(uid: DashboardUid, query?: string): string {
  return `/d/${uid}${query ? `?${query}` : ''}`;
}

/**
 * The SDK's link builder sets placement "inControlsMenu", which hides the link in the controls
 * dropdown (Grafana 12); without it the link sits in the dashboard's header, where it is seen.
 */
class HeaderLink implements cog.Builder<dashboard.DashboardLink> {
  constructor(private readonly link: dashboard.DashboardLinkBuilder) {}
  build(): dashboard.DashboardLink {
    const { placement: _placement, ...rest } = this.link.build();
    return rest;
  }
}

/**
 * The header links of a dashboard: a dropdown of every generated dashboard (by tag), then the
 * related ones by uid. Both keep the time range.
 */
export function dashboardLinks(related: readonly RelatedDashboard[]): Array<cog.Builder<dashboard.DashboardLink>> {
  return [
    new dashboard.DashboardLinkBuilder('Dashboards').type(dashboard.DashboardLinkType.Dashboards).tags([GENERATED_TAG])
      .asDropdown(true).keepTime(true).includeVars(false).targetBlank(false).icon('external link').tooltip(''),
    ...related.map((r) => new dashboard.DashboardLinkBuilder(r.title).type(dashboard.DashboardLinkType.Link)
      .url(dashboardUrl(r.uid, r.query)).tags([]).asDropdown(false).keepTime(true).includeVars(false).targetBlank(false)
      .icon('dashboard').tooltip(`Open "${r.title}"`)),
  ].map((link) => new HeaderLink(link));
}

/** A titled row and the panels under it. */
export interface Section {
  readonly title: string;
  readonly panels: ReadonlyArray<cog.Builder<dashboard.Panel>>;
}

export interface DashboardSpec {
  readonly uid: DashboardUid;
  readonly title: string;
  readonly description: string;
  /** Besides GENERATED_TAG, which every dashboard gets. */
  readonly tags: readonly string[];
  readonly variables?: ReadonlyArray<cog.Builder<dashboard.VariableModel>>;
  readonly related: readonly RelatedDashboard[];
  readonly sections: readonly Section[];
  /** @default 'now-6h' */
  readonly from?: string;
}

const GRID_COLUMNS = 24;

/**
 * Rows and panels with ids and grid positions, top to bottom: ids follow the page (Grafana keys
 * panel links and edits on them); a panel that would cross column 24 starts a new line.
 * Expanded rows: in Grafana's classic model only a collapsed row holds its panels; an expanded
 * row's panels follow it at the top level.
 */
export function layout(sections: readonly Section[]): Array<dashboard.Panel | dashboard.RowPanel> {
  const out: Array<dashboard.Panel | dashboard.RowPanel> = [];
  let id = 0;
  let y = 0;
  for (const section of sections) {
    const row = new dashboard.RowBuilder(section.title).collapsed(false).build();
    row.id = ++id;
    row.gridPos = { x: 0, y, w: GRID_COLUMNS, h: 1 };
    out.push(row);
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const builder of section.panels) {
      const panel = builder.build();
      const { w, h } = panel.gridPos ?? { w: 12, h: 8 };
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panel.id = ++id;
      panel.gridPos = { x, y, w, h };
      out.push(panel);
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return out;
}

/** The dashboard: read-only (provisioned from Git), browser time zone, shared crosshair. */
export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags, GENERATED_TAG])
    .readonly()
    .timezone('browser')
    .refresh('1m')
    .time({ from: spec.from ?? 'now-6h', to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .links(dashboardLinks(spec.related));
  for (const v of spec.variables ?? []) builder.withVariable(v);
  const built = builder.build();
  built.panels = layout(spec.sections);
  return built;
}
