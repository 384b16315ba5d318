/**
 * What the Grafana tests share: walking a dashboard's panels and queries, the PromQL/LogQL syntax
 * checks (lezer parsers, variables interpolated as Grafana does) and the JSON-schema validation
 * against ../shared/schemas/grafana (the foundation SDK's schemas).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SHARED_DIR } from '../support/shared-dir';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of a lezer parser the syntax checks use. */
interface SyntaxParser {
  parse(input: string): { iterate(spec: { enter(node: { type: { isError: boolean } }): void }): void };
}
// Both packages are "type": "module" with a CommonJS build under `require`; a static import from
// this CommonJS test file trips TS1479, so they are required (what ts-jest emits anyway).
export const { parser: promqlParser } = require('@prometheus-io/lezer-promql') as { parser: SyntaxParser }; // eslint-disable-line @typescript-eslint/no-require-imports
export const { parser: logqlParser } = require('@grafana/lezer-logql') as { parser: SyntaxParser }; // eslint-disable-line @typescript-eslint/no-require-imports

/** Every panel, rows and the panels inside collapsed rows included. */
export const panelsOf = (d: Json): Json[] => d.panels.flatMap((p: Json) => [p, ...(p.panels ?? [])]);
/** Every panel that is not a row. */
export const contentPanelsOf = (d: Json): Json[] => panelsOf(d).filter((p) => p.type !== 'row');
/** Every query with its effective datasource (its own, else its panel's). */
export const queriesOf = (d: Json): Json[] => panelsOf(d).flatMap((p) => (p.targets ?? []).map((t: Json) => ({ ...t, datasource: t.datasource ?? p.datasource, panel: p.title })));

/** Number of error nodes in a lezer parse tree. */
export function syntaxErrors(p: SyntaxParser, expr: string): number {
  let errors = 0;
  p.parse(expr).iterate({ enter: (node) => { if (node.type.isError) errors += 1; } });
  return errors;
}

/** Grafana's built-in interval variables, as a duration the parsers accept. */
const BUILT_IN = /\$__(rate_interval|interval|range|auto)\b/g;

/**
 * A query as Grafana would send it: built-in intervals replaced by a duration, and each dashboard
 * variable `$name` by its current value ("All" by the variable's allValue).
 */
export function interpolate(d: Json, expr: string): string {
  const variables: Json[] = d.templating?.list ?? [];
  let out = expr.replace(BUILT_IN, '5m');
  // Longest names first, so $agent never eats the start of $agents.
  for (const v of [...variables].sort((a, b) => b.name.length - a.name.length)) {
    const current = v.current?.value;
    const first = Array.isArray(current) ? current[0] : current;
    const value = first === '$__all' ? v.allValue : (first ?? v.query ?? '');
    out = out.split(`$${v.name}`).join(String(value));
  }
  return out;
}

export function promqlErrors(d: Json, expr: string): number {
  return syntaxErrors(promqlParser, interpolate(d, expr));
}

export function logqlErrors(d: Json, expr: string): number {
  return syntaxErrors(logqlParser, interpolate(d, expr));
}

/**
 * Ajv over ../shared/schemas/grafana (foundation SDK JSON schemas, validators.md §4): the classic
 * dashboard, then each panel's options/custom field config and each query against its plugin.
 */
export function grafanaSchemas(): { dashboardErrors(d: Json): string[]; unitIds: Set<string> } {
  const dir = path.join(SHARED_DIR, 'schemas', 'grafana');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const id = (name: string) => `file:///grafana/${name}.json`;
  for (const name of ['dashboard', 'timeseries', 'stat', 'bargauge', 'logs', 'prometheus', 'loki']) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, `${name}.jsonschema.json`), 'utf8')), id(name));
  }
  const unitsSchema = JSON.parse(fs.readFileSync(path.join(dir, 'units.jsonschema.json'), 'utf8')) as { definitions: Record<string, { const?: string }> };
  const unitIds = new Set(Object.values(unitsSchema.definitions).map((u) => u.const).filter((c): c is string => typeof c === 'string'));
  const get = (ref: string): ValidateFunction | undefined => ajv.getSchema(ref);
  const run = (label: string, fn: ValidateFunction | undefined, data: unknown): string[] => {
    if (!fn) return [`${label}: no schema`];
    return fn(data) ? [] : (fn.errors ?? []).map((e) => `${label} ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
  };
  return {
    unitIds,
    dashboardErrors(d: Json): string[] {
      const errors = run('dashboard', get(id('dashboard')), d);
      for (const panel of contentPanelsOf(d)) {
        errors.push(...run(`${panel.type} options`, get(`${id(panel.type)}#/definitions/Options`), panel.options ?? {}));
        const custom = get(`${id(panel.type)}#/definitions/FieldConfig`);
        if (custom) errors.push(...run(`${panel.type} fieldConfig.custom`, custom, panel.fieldConfig?.defaults?.custom ?? {}));
      }
      for (const query of queriesOf(d)) {
        const { panel: _panel, ...q } = query;
        errors.push(...run(`${query.datasource.type} query`, get(id(query.datasource.type)), q));
      }
      return errors;
    },
  };
}
