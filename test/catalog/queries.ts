/**
 * Every query the stack ships, with where it comes from: the dashboards' targets and template
 * variables (variables filled in as Grafana does, test/grafana/support.ts), Prometheus' rules on
 * each platform, CheckMK's PromQL services, and Loki's ruler rules.
 */
import * as YAML from 'yaml';
import { grafanaDashboards } from '../../charts/grafana/provisioning';
import { checkmkPromqlServices } from '../../charts/integrations/checkmk-queries';
import { lokiRuleFiles } from '../../charts/integrations/wazuh-rules';
import { prometheusRuleGroups } from '../../charts/prometheus/rules';
import type { Platform } from '../../charts/topology';
import type { Site } from '../../site';
import { interpolate, type Json, queriesOf } from '../grafana/support';

export interface SourcedQuery {
  /** Where it is: "dashboard hosts-node-exporter, panel CPU busy", "rule HostHighCpu", ... */
  readonly source: string;
  readonly expr: string;
}

/** `label_values(<selector>, <label>)`: a Prometheus or Loki query variable. */
const LABEL_VALUES = /^label_values\((?:(.+), )?(\w+)\)$/;

export interface PlatformQueries {
  readonly promql: SourcedQuery[];
  /** label_values variables of Prometheus: the selector must read a known metric that has the label. */
  readonly promqlVariables: Array<SourcedQuery & { readonly label: string }>;
  readonly logql: SourcedQuery[];
  /** Stream labels a Loki label_values variable lists or filters on. */
  readonly logqlVariableLabels: Array<{ readonly source: string; readonly label: string }>;
}

export function platformQueries(site: Site, platform: Platform): PlatformQueries {
  const out: PlatformQueries = { promql: [], promqlVariables: [], logql: [], logqlVariableLabels: [] };
  for (const file of grafanaDashboards(site, platform)) {
    const d = JSON.parse(file.json) as Json;
    for (const q of queriesOf(d)) {
      const entry = { source: `${platform} dashboard ${d.uid}, panel "${q.panel}"`, expr: interpolate(d, q.expr) };
      (q.datasource.type === 'loki' ? out.logql : out.promql).push(entry);
    }
    for (const v of (d.templating?.list ?? []) as Json[]) {
      const m = v.type === 'query' ? LABEL_VALUES.exec(v.query) : null;
      if (!m) continue;
      const source = `${platform} dashboard ${d.uid}, variable $${v.name}`;
      if (v.datasource?.type === 'loki') {
        out.logqlVariableLabels.push({ source, label: m[2] });
        if (m[1]) out.logql.push({ source, expr: interpolate(d, m[1]) });
      } else if (m[1]) {
        out.promqlVariables.push({ source, expr: interpolate(d, m[1]), label: m[2] });
      }
    }
  }
  for (const g of prometheusRuleGroups(site, platform).groups) {
    for (const r of g.rules as Array<{ alert?: string; record?: string; expr: string }>) {
      out.promql.push({ source: `${platform} Prometheus rule ${r.alert ?? r.record} (group ${g.name})`, expr: r.expr });
    }
  }
  for (const s of checkmkPromqlServices(site)) {
    for (const m of s.metric_components) out.promql.push({ source: `CheckMK service "${s.service_description}", metric "${m.metric_label}"`, expr: m.promql_query });
  }
  for (const f of lokiRuleFiles(site)) {
    const { groups } = YAML.parse(f.content) as { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }> };
    for (const g of groups) for (const r of g.rules) out.logql.push({ source: `Loki ruler rule ${r.alert ?? r.record} (${f.name}, group ${g.name})`, expr: r.expr });
  }
  return out;
}

/** Recording rules' names: series the rules make, with whatever labels their expressions keep. */
export function recordingRuleNames(site: Site, platform: Platform): string[] {
  return prometheusRuleGroups(site, platform).groups.flatMap((g) => (g.rules as Array<{ record?: string }>).flatMap((r) => (r.record ? [r.record] : [])));
}
