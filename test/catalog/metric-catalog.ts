/**
 * The metric catalog (issue 11 item 2): what each pinned exporter exposes, one fixture per
 * exporter and version under test/fixtures/metric-catalog/, each naming its upstream source; which
 * catalog answers for which scrape job of prometheus.yml; and the check that every metric a
 * PromQL query reads, and every label it filters or groups on, exists there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScrapeConfig } from '../../charts/prometheus/config-model';
import { parsePromql, type Selector } from './promql-selectors';

export const CATALOG_DIR = path.join(__dirname, '..', 'fixtures', 'metric-catalog');

/** A label list of "*": any label (ALERTS carries its rule's and its series' labels). */
export const ANY_LABEL = '*';

export interface MetricCatalog {
  readonly exporter: string;
  readonly version: string;
  /** Upstream repository@tag and files, or the binary and how it was run. */
  readonly source: string;
  /** metric name -> its labels (target labels such as job and instance are not listed: the scrape adds them). */
  readonly metrics: Readonly<Record<string, readonly string[]>>;
}

export function loadCatalogs(): Map<string, MetricCatalog> {
  const out = new Map<string, MetricCatalog>();
  for (const file of fs.readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.json')).sort()) {
    out.set(file.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(CATALOG_DIR, file), 'utf8')) as MetricCatalog);
  }
  return out;
}

/** Series Prometheus makes itself for every target (scrape) or from its rules (ALERTS): answer for every job. */
export const SYNTHETIC_CATALOG = 'prometheus-synthetic-3.14.0';

/**
 * Which catalogs answer for a job of charts/prometheus/prometheus-config.ts, first match wins.
 * A job no row matches fails the test: a new job needs its exporter's catalog.
 */
export const JOB_CATALOGS: ReadonlyArray<{ readonly job: RegExp; readonly catalogs: readonly string[] }> = [
  { job: /^prometheus$/, catalogs: ['prometheus-3.14.0'] },
  { job: /^alertmanager$/, catalogs: ['alertmanager-0.34.0'] },
  { job: /^loki$/, catalogs: ['loki-3.7.6'] },
  { job: /^grafana$/, catalogs: ['grafana-13.2.0'] },
  // The guests, pve01 and (on LXC) the stack's containers; node_exporter on the Talos nodes.
  { job: /^(node|talos-nodes)$/, catalogs: ['node_exporter-1.12.1'] },
  { job: /^pve$/, catalogs: ['pve_exporter-3.10.0'] },
  // /probe of the multi-target pattern: the probe's series, not the exporter's own /metrics.
  { job: /^blackbox-/, catalogs: ['blackbox_exporter-0.28.0'] },
  { job: /^uptime-kuma$/, catalogs: ['uptime-kuma-2.5.3'] },
  { job: /^kube-state-metrics$/, catalogs: ['kube-state-metrics-2.20.0'] },
  { job: /^kube-state-metrics-telemetry$/, catalogs: ['kube-state-metrics-telemetry-2.20.0'] },
  { job: /^kubernetes-apiservers$/, catalogs: ['kube-apiserver-1.36.3'] },
  { job: /^kubernetes-nodes$/, catalogs: ['kubelet-1.36.3'] },
  { job: /^kubernetes-cadvisor$/, catalogs: ['cadvisor-kubelet-1.36.3'] },
  { job: /^etcd$/, catalogs: ['etcd-3.6.8'] },
  // Pods that opt in with prometheus.io/scrape: the syslog gateway and cluster-logs, both Grafana Alloy.
  { job: /^kubernetes-pods$/, catalogs: ['alloy-1.18.1'] },
  // LXC: the syslog gateway (Alloy) in the Loki container.
  { job: /^syslog-gateway$/, catalogs: ['alloy-1.18.1'] },
];

/**
 * Node labels the kubelet and cAdvisor jobs copy with labelmap (__meta_kubernetes_node_label_*):
 * the labels a Talos node carries (well-known labels of Kubernetes, plus the control-plane role).
 */
export const TALOS_NODE_LABELS = [
  'beta_kubernetes_io_arch', 'beta_kubernetes_io_os', 'kubernetes_io_arch', 'kubernetes_io_hostname', 'kubernetes_io_os',
  'node_role_kubernetes_io_control_plane', 'node_kubernetes_io_exclude_from_external_load_balancers',
];

/** A scrape job as the check sees it: its catalogs and the labels the scrape adds to every series. */
export interface JobView {
  readonly job: string;
  readonly catalogs: readonly MetricCatalog[];
  readonly targetLabels: ReadonlySet<string>;
  readonly honorLabels: boolean;
}

export function jobViews(scrapeConfigs: readonly ScrapeConfig[], catalogs: ReadonlyMap<string, MetricCatalog>): JobView[] {
  return scrapeConfigs.map((j) => {
    const row = JOB_CATALOGS.find((r) => r.job.test(j.job_name));
    if (!row) throw new Error(`scrape job ${j.job_name} has no row in JOB_CATALOGS (test/catalog/metric-catalog.ts): add its exporter's catalog`);
    const missing = row.catalogs.filter((c) => !catalogs.has(c));
    if (missing.length > 0) throw new Error(`scrape job ${j.job_name}: no catalog ${missing.join(', ')} in ${CATALOG_DIR}`);
    const labels = new Set(['job', 'instance']);
    for (const c of j.static_configs ?? []) for (const l of Object.keys(c.labels ?? {})) labels.add(l);
    for (const r of j.relabel_configs ?? []) {
      if (r.action === 'labelmap') TALOS_NODE_LABELS.forEach((l) => labels.add(l));
      else if (r.target_label && !r.target_label.startsWith('__') && (r.action ?? 'replace') === 'replace') labels.add(r.target_label);
    }
    return { job: j.job_name, catalogs: row.catalogs.map((c) => catalogs.get(c)!), targetLabels: labels, honorLabels: j.honor_labels === true };
  });
}

/** A label set that may hold anything. */
const ANY: ReadonlySet<string> = new Set([ANY_LABEL]);

/** Labels of `metric` as scraped by `job`, or undefined when none of its catalogs has it. */
export function labelsIn(job: JobView, metric: string): ReadonlySet<string> | undefined {
  const own = job.catalogs.flatMap((c) => (Object.hasOwn(c.metrics, metric) ? [c.metrics[metric]] : []));
  if (own.length === 0) return undefined;
  const labels = new Set(job.targetLabels);
  for (const l of own.flat()) {
    if (l === ANY_LABEL) return ANY;
    // honor_labels off: a label the target also sets keeps the target's value, the exporter's moves to exported_<label>.
    if (job.targetLabels.has(l) && !job.honorLabels) labels.add(`exported_${l}`);
    else labels.add(l);
  }
  return labels;
}

/** The jobs a selector can read: those its job matchers admit (every job when it has none). */
export function jobsOf(selector: Selector, jobs: readonly JobView[]): JobView[] {
  return jobs.filter((j) => selector.matchers.filter((m) => m.label === 'job').every((m) => {
    const matches = m.op === '=' || m.op === '!=' ? j.job === m.value : new RegExp(`^(?:${m.value})$`).test(j.job);
    return m.op === '=' || m.op === '=~' ? matches : !matches;
  }));
}

export interface CatalogContext {
  readonly jobs: readonly JobView[];
  /** Series every job has (up, scrape_*) and series of the rules (ALERTS, recording rules). */
  readonly synthetic: Readonly<Record<string, readonly string[]>>;
}

export interface Finding {
  readonly query: string;
  readonly message: string;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The known names nearest to `name` (at most three). */
export function closest(name: string, known: Iterable<string>): string[] {
  return [...new Set(known)].map((k) => ({ k, d: distance(name, k) })).sort((a, b) => a.d - b.d || a.k.localeCompare(b.k)).slice(0, 3).map((x) => x.k);
}

/** Labels a selector's series can carry, or undefined when its metric is unknown or has no name. */
function selectorLabels(s: Selector, ctx: CatalogContext): ReadonlySet<string> | undefined {
  if (!s.metric) return undefined;
  if (Object.hasOwn(ctx.synthetic, s.metric)) {
    const l = ctx.synthetic[s.metric];
    return l.includes(ANY_LABEL) ? ANY : new Set([...l, ...jobsOf(s, ctx.jobs).flatMap((j) => [...j.targetLabels])]);
  }
  const sets = jobsOf(s, ctx.jobs).map((j) => labelsIn(j, s.metric!)).filter((x): x is ReadonlySet<string> => x !== undefined);
  if (sets.length === 0) return undefined;
  return sets.some((x) => x === ANY) ? ANY : new Set(sets.flatMap((x) => [...x]));
}

/**
 * Every metric of the query must be in a catalog of a job its selector can read (or be synthetic);
 * every label a matcher or a grouping clause names must be a label of those series.
 */
export function checkPromql(query: string, ctx: CatalogContext): Finding[] {
  const parsed = parsePromql(query);
  const findings: Finding[] = [];
  if (parsed.syntaxErrors > 0) return [{ query, message: 'does not parse (lezer-promql)' }];
  for (const s of parsed.selectors) {
    if (!s.metric) continue;
    const jobs = jobsOf(s, ctx.jobs);
    const labels = selectorLabels(s, ctx);
    if (!labels) {
      const known = [...Object.keys(ctx.synthetic), ...jobs.flatMap((j) => j.catalogs.flatMap((c) => Object.keys(c.metrics)))];
      findings.push({
        query,
        message: `unknown metric "${s.metric}" in ${s.text}: not in the catalogs of job(s) ${jobs.map((j) => j.job).join(', ') || '(none matches its job matcher)'}; closest known: ${closest(s.metric, known).join(', ')}`,
      });
      continue;
    }
    if (labels === ANY) continue;
    for (const m of s.matchers) {
      if (!labels.has(m.label)) {
        findings.push({ query, message: `metric "${s.metric}" has no label "${m.label}" (matcher in ${s.text}); its labels: ${[...labels].sort().join(', ')}; closest: ${closest(m.label, labels).join(', ')}` });
      }
    }
  }
  for (const g of parsed.groupings) {
    const sets = g.selectors.map((s) => selectorLabels(s, ctx));
    // Unknown metrics are reported above; a scope without selectors (vector(0)) has nothing to check.
    if (sets.length === 0 || sets.some((x) => x === undefined || x === ANY) || g.created.includes(g.label)) continue;
    const union = new Set(sets.flatMap((x) => [...x!]));
    if (!union.has(g.label)) {
      findings.push({ query, message: `${g.clause} (${g.label}): no series of ${g.selectors.map((s) => s.metric ?? s.text).join(', ')} has label "${g.label}"; closest: ${closest(g.label, union).join(', ')}` });
    }
  }
  return findings;
}

/** Findings as one readable block (what a failing test prints). */
export function report(findings: readonly { source: string; finding: Finding }[]): string {
  return findings.map(({ source, finding }) => `${source}\n  query: ${finding.query}\n  ${finding.message}`).join('\n\n');
}

export { parsePromql as parsePromqlSelectors } from './promql-selectors';
