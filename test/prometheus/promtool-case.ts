/**
 * One alert of a site's Kubernetes rules run by promtool: quiet at one time, firing with the
 * given labels and value (annotations rendered as Prometheus would) at another. Shared by the
 * tests of site-specific alerts (replicas, simple-scalable Loki) that the default site's
 * alert-coverage cases cannot reach.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { prometheusConfigYaml } from '../../charts/prometheus/prometheus-config';
import { prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';
import type { StackTopology } from '../../charts/topology';
import type { Site } from '../../site';
import { run } from '../support/binaries';
import { relocatePaths } from './loopback-daemon';

export interface PromtoolCase {
  readonly alert: string;
  /** Input series (promtool notation) by series selector. */
  readonly series: Record<string, string>;
  /** Evaluation time at which the alert must not fire, e.g. "10m". */
  readonly quiet: string;
  /** Evaluation time at which it fires once. */
  readonly fires: string;
  /** Its labels besides severity. */
  readonly labels: Record<string, string>;
  /** What {{ $value }} renders to then. */
  readonly value: string;
}

/** Runs the case in `dir` and expects promtool's SUCCESS (its output otherwise, in the assertion). */
export function expectPromtoolCase(site: Site, dir: string, c: PromtoolCase): void {
  fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
  const rule = prometheusRuleGroups(site, 'kubernetes').groups.flatMap((g) => g.rules).find((r) => r.alert === c.alert)!;
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, v
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: string) => c.labels[name] ?? '')
    .replace(/\{\{ \$value( \| humanize)? \}\}/g, c.value)]));
  const tests = {
    rule_files: ['alerts.yml'], evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: Object.entries(c.series).map(([s, values]) => ({ series: s, values })),
      alert_rule_test: [
        { eval_time: c.quiet, alertname: c.alert, exp_alerts: [] },
        { eval_time: c.fires, alertname: c.alert, exp_alerts: [{ exp_labels: { ...c.labels, severity: rule.labels.severity }, exp_annotations: annotations }] },
      ],
    }],
  };
  fs.writeFileSync(path.join(dir, `${c.alert}.test.yml`), YAML.stringify(tests));
  const result = run('promtool', ['test', 'rules', path.join(dir, `${c.alert}.test.yml`)], dir);
  expect({ alert: c.alert, output: result.status === 0 ? 'SUCCESS' : result.output }).toEqual({ alert: c.alert, output: 'SUCCESS' });
}

/**
 * `promtool check config --syntax-only` on the site's prometheus.yml in `dir`, its in-pod files
 * (passwords, rules) moved below `dir` and created, so only the configuration itself is judged.
 */
export function expectPromtoolCheckConfig(site: Site, topology: StackTopology, dir: string): void {
  const text = relocatePaths(prometheusConfigYaml(site, topology), dir, (_pod, moved) => {
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    if (!moved.includes('*')) fs.writeFileSync(moved, 'x\n');
  });
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), text);
  const result = run('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'prometheus.yml')]);
  expect(result.output).toContain('SUCCESS');
  expect(result.status).toBe(0);
}
