import * as fs from 'node:fs';
import * as path from 'node:path';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { stackTopology, type Platform } from '../../charts/topology';
import { siteWith } from '../components/component-support';
import {
  ANY_LABEL, checkPromql, type CatalogContext, closest, jobViews, JOB_CATALOGS, loadCatalogs, type MetricCatalog, parsePromqlSelectors, report, SYNTHETIC_CATALOG,
} from './metric-catalog';
import { logqlLabels, LOG_LABELS, WAZUH_FIELDS } from './logql-labels';
import { platformQueries, recordingRuleNames } from './queries';

// GIVEN the default site with every integration on (UptimeKuma, Wazuh and CheckMK guests)
const site = siteWith();
const catalogs = loadCatalogs();
const PLATFORMS: readonly Platform[] = ['kubernetes', 'lxc'];

function contextFor(platform: Platform): CatalogContext {
  const synthetic: Record<string, readonly string[]> = { ...catalogs.get(SYNTHETIC_CATALOG)!.metrics };
  for (const r of recordingRuleNames(site, platform)) synthetic[r] = [ANY_LABEL];
  return { jobs: jobViews(prometheusConfig(site, stackTopology(site, platform)).scrape_configs, catalogs), synthetic };
}

describe('The metric catalog fixtures', () => {
  test.each([...catalogs.keys()])('%s names its exporter, version and upstream source, and lists metrics with label names', (file) => {
    const c: MetricCatalog = catalogs.get(file)!;
    expect(file).toBe(`${file.replace(/-[^-]+$/, '')}-${c.version.replace(/^Kubernetes /, '')}`);
    expect(c.exporter.length).toBeGreaterThan(0);
    expect(c.source).toMatch(/@v?\d|\.tools\/bin\//);
    expect(Object.keys(c.metrics).length).toBeGreaterThan(0);
    for (const [name, labels] of Object.entries(c.metrics)) {
      expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      for (const l of labels) expect(l === ANY_LABEL || /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l)).toBe(true);
    }
  });

  test('every catalog answers for a scrape job, and every job of both platforms has its catalogs', () => {
    const used = new Set([SYNTHETIC_CATALOG, ...JOB_CATALOGS.flatMap((r) => r.catalogs)]);
    expect([...catalogs.keys()].filter((c) => !used.has(c))).toEqual([]);
    for (const platform of PLATFORMS) expect(() => contextFor(platform)).not.toThrow();
  });
});

describe.each(PLATFORMS)('Every PromQL query on %s reads metrics and labels the pinned exporters expose', (platform) => {
  const ctx = contextFor(platform);
  const queries = platformQueries(site, platform);

  test('dashboards, Prometheus rules and CheckMK services: every metric in a catalog of a job its selector can read, every matched or grouped label one of its labels', () => {
    expect(queries.promql.length).toBeGreaterThan(platform === 'kubernetes' ? 100 : 80);
    const findings = queries.promql.flatMap((q) => checkPromql(q.expr, ctx).map((finding) => ({ source: q.source, finding })));
    expect(report(findings)).toBe('');
  });

  test('Prometheus template variables: label_values() of a known metric and one of its labels', () => {
    expect(queries.promqlVariables.length).toBeGreaterThan(4);
    const findings = queries.promqlVariables.flatMap((v) => {
      const found = checkPromql(`count by (${v.label}) (${v.expr})`, ctx);
      return found.map((finding) => ({ source: v.source, finding }));
    });
    expect(report(findings)).toBe('');
  });
});

describe('Every LogQL query uses the label scheme of docs/logs.md', () => {
  test('the scheme here is the one docs/logs.md documents', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'logs.md'), 'utf8');
    for (const label of LOG_LABELS) expect(doc.includes(`\`${label}\``) ? label : `${label} is not in docs/logs.md`).toBe(label);
  });

  test.each(PLATFORMS)('on %s: stream selectors only on scheme labels; filters and groupings on those or on fields the query parses', (platform) => {
    const { logql, logqlVariableLabels } = platformQueries(site, platform);
    expect(logql.length).toBeGreaterThan(15);
    const problems = logql.flatMap((q) => logqlLabels(q.expr).problems.map((p) => `${q.source}\n  query: ${q.expr}\n  ${p}`));
    problems.push(...logqlVariableLabels.filter((v) => !LOG_LABELS.includes(v.label)).map((v) => `${v.source}: label_values of "${v.label}", not a label of the scheme`));
    expect(problems.join('\n\n')).toBe('');
  });

  test('the Loki ruler\'s Wazuh rules are among the checked queries', () => {
    expect(platformQueries(site, 'kubernetes').logql.some((q) => q.source.startsWith('Loki ruler rule WazuhHighSeverityAlert'))).toBe(true);
  });
});

describe('The catalog check bites', () => {
  const ctx = contextFor('kubernetes');
  const queries = platformQueries(site, 'kubernetes').promql;
  const real = (needle: string) => {
    const q = queries.find((x) => x.expr.includes(needle));
    if (!q) throw new Error(`no query reads ${needle}`);
    return q;
  };

  test('fails when a dashboard query renames a metric, naming the query, the metric and the closest known names', () => {
    // GIVEN the Hosts dashboard's memory query, with node_exporter's name shortened
    const q = real('node_memory_MemAvailable_bytes');
    expect(q.source).toMatch(/dashboard hosts-node-exporter/);
    const broken = q.expr.replace(/node_memory_MemAvailable_bytes/g, 'node_memory_MemAvailable');
    // WHEN checked
    const findings = checkPromql(broken, ctx);
    // THEN the unknown name is reported with what it should have been
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0].query).toBe(broken);
    expect(findings[0].message).toMatch(/unknown metric "node_memory_MemAvailable".*job\(s\) .*node.*closest known: node_memory_MemAvailable_bytes/);
    expect(checkPromql(q.expr, ctx)).toEqual([]);
  });

  test('fails when a Prometheus rule renames a metric', () => {
    // GIVEN HostMemoryPressure with node_exporter's total memory under a wrong name
    const q = real('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes <');
    expect(q.source).toMatch(/Prometheus rule HostMemoryPressure/);
    const broken = q.expr.replace('node_memory_MemTotal_bytes', 'node_memory_total_bytes');
    // THEN the check names the rule's query, the unknown name and the right one among the closest
    expect(checkPromql(q.expr, ctx)).toEqual([]);
    expect(checkPromql(broken, ctx).map((f) => f.message).join()).toMatch(/unknown metric "node_memory_total_bytes".*closest known: .*node_memory_MemTotal_bytes/);
  });

  test('fails when a rule reads a metric of an exporter its job does not run', () => {
    // GIVEN the EndpointDown rule reading blackbox's series as if the pve job exported them
    const q = real('probe_success == 0');
    expect(checkPromql('probe_success{job="pve"} == 0', ctx).map((f) => f.message).join()).toMatch(/unknown metric "probe_success".*job\(s\) pve;/);
    expect(checkPromql(q.expr, ctx)).toEqual([]);
  });

  test('fails when a query matches or groups on a label the metric does not have', () => {
    const q = real('pve_storage_info');
    expect(checkPromql(q.expr, ctx)).toEqual([]);
    const grouped = checkPromql(q.expr.replace('group_left (storage, plugintype)', 'group_left (storage, plugin)'), ctx);
    expect(grouped.map((f) => f.message).join()).toMatch(/group_left \(plugin\): .*closest: plugintype/);
    const matched = checkPromql('kube_pod_status_phase{phase="Pending", namespce="monitoring"}', ctx);
    expect(matched.map((f) => f.message).join()).toMatch(/has no label "namespce".*closest: namespace/);
  });

  test('the exporter\'s own "name" label of pve_guest_info is exported_name: the pve target sets name', () => {
    expect(checkPromql('pve_guest_info{exported_name="x"}', ctx)).toEqual([]);
    expect(checkPromql('count by (name) (pve_guest_info)', ctx)).toEqual([]);
    expect(checkPromql('pve_guest_info{nam="x"}', ctx).length).toBe(1);
  });

  test('a LogQL stream selector on a label outside the scheme is reported', () => {
    expect(logqlLabels('{job="syslog", hostname="pve01"}').problems.join()).toMatch(/stream selector label "hostname".*closest: host/);
    expect(logqlLabels('sum by (agent_nme) (count_over_time({job="syslog", app="ossec"} | json [5m]))').problems.join()).toMatch(/agent_nme/);
    expect(logqlLabels('{job="syslog", app="ossec"} | json | rule_level >= 3').problems).toEqual([]);
  });

  test('the selectors come from the syntax tree: strings and function names are not metrics', () => {
    const parsed = parsePromqlSelectors('label_replace(up{job="node"}, "host", "$1", "instance", "node_load1") or vector(0)');
    expect(parsed.selectors.map((s) => s.metric)).toEqual(['up']);
    expect(closest('node_memory_MemAvailable', ['node_memory_MemAvailable_bytes', 'node_memory_MemFree_bytes', 'up'])[0]).toBe('node_memory_MemAvailable_bytes');
    expect(WAZUH_FIELDS).toEqual(expect.arrayContaining(['rule_level', 'agent_name']));
  });
});
