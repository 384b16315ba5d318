/**
 * Writes the catalogs that come from a real binary here (test/fixtures/metric-catalog/):
 * Prometheus 3.14.0 (its own /metrics, and the series it makes itself: up, scrape_*, ALERTS),
 * blackbox_exporter 0.28.0 (what /probe returns for each of the stack's modules) and etcd 3.6.8,
 * all from .tools/bin (test/upstream/build.sh). Each binary runs on loopback, is scraped, and the
 * metric names and label names of every series become the catalog. Run by hand after a version
 * bump (the other catalogs are read from upstream source; their fixtures name the files):
 *
 *   npx ts-node --swc test/catalog/generate-catalogs.ts
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { blackboxConfigYaml } from '../../charts/exporters/blackbox-config';
import { pinnedModule, prometheusRelease } from '../upstream/pins';
import { CATALOG_DIR, type MetricCatalog } from './metric-catalog';

const BIN = path.join(__dirname, '..', '..', '.tools', 'bin');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function get(url: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.text();
    } catch {
      // not up yet
    }
    await sleep(500);
  }
  throw new Error(`no answer from ${url}`);
}

/** Metric name -> label names, from the text exposition format. */
export function parseExposition(text: string): Record<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const labels = out.get(m[1]) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) labels.add(l[1]);
    out.set(m[1], labels);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
}

function write(file: string, catalog: MetricCatalog): void {
  fs.writeFileSync(path.join(CATALOG_DIR, `${file}.json`), `${JSON.stringify(catalog, null, 2)}\n`);
  console.log(`${file}.json: ${Object.keys(catalog.metrics).length} metrics`);
}

const children: ChildProcess[] = [];
function start(binary: string, args: string[], cwd: string): ChildProcess {
  const child = spawn(path.join(BIN, binary), args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

async function prometheusCatalogs(dir: string): Promise<void> {
  const version = prometheusRelease(pinnedModule('prometheus', 'github.com/prometheus/prometheus')).slice(1);
  const port = await freePort();
  const deadAlertmanager = await freePort();
  // A rule of each kind, an Alertmanager nobody answers on and a size retention: the series
  // that only appear with them (rule group, notification and retention metrics) appear.
  fs.writeFileSync(path.join(dir, 'rules.yml'), 'groups:\n- name: g\n  interval: 1s\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n  - alert: Always\n    expr: vector(1)\n    for: 2s\n    labels: {severity: info}\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), [
    'global: {scrape_interval: 1s, evaluation_interval: 1s}',
    `alerting: {alertmanagers: [{static_configs: [{targets: ["127.0.0.1:${deadAlertmanager}"]}]}]}`,
    'rule_files: [rules.yml]',
    'storage: {tsdb: {retention: {size: 1GB}}}',
    `scrape_configs: [{job_name: prometheus, static_configs: [{targets: ["127.0.0.1:${port}"]}]}]`,
    '',
  ].join('\n'));
  start('prometheus', ['--config.file=prometheus.yml', `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.path=data'], dir);
  await get(`http://127.0.0.1:${port}/-/ready`);
  await sleep(8000);
  const metrics = parseExposition(await get(`http://127.0.0.1:${port}/metrics`));
  write(`prometheus-${version}`, {
    exporter: 'prometheus', version,
    source: `.tools/bin/prometheus (github.com/prometheus/prometheus ${pinnedModule('prometheus', 'github.com/prometheus/prometheus')} = v${version}, test/upstream/prometheus), scraped on its own /metrics with a recording rule, an alerting rule, an unreachable Alertmanager and a size retention configured (test/catalog/generate-catalogs.ts)`,
    metrics,
  });
  const series = JSON.parse(await get(`http://127.0.0.1:${port}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"up|scrape_.+|ALERTS|ALERTS_FOR_STATE"}')}`)) as { data: Array<Record<string, string>> };
  const synthetic: Record<string, string[]> = {};
  for (const s of series.data) {
    const name = s.__name__;
    const rest = Object.keys(s).filter((l) => !['__name__', 'job', 'instance'].includes(l));
    synthetic[name] = [...new Set([...(synthetic[name] ?? []), ...rest])].sort();
  }
  // ALERTS and ALERTS_FOR_STATE carry their rule's labels and those of the series that fired it.
  for (const name of ['ALERTS', 'ALERTS_FOR_STATE']) if (synthetic[name]) synthetic[name] = ['*'];
  write(`prometheus-synthetic-${version}`, {
    exporter: 'prometheus (series it makes itself: scrape series of every target, ALERTS of the rules)', version,
    source: `.tools/bin/prometheus v${version}: /api/v1/series of up, scrape_* and ALERTS* after scraping one target and evaluating an alerting rule (test/catalog/generate-catalogs.ts); labels besides job and instance; ALERTS' labels are the rule's and its series' ("*")`,
    metrics: Object.fromEntries(Object.entries(synthetic).sort(([a], [b]) => a.localeCompare(b))),
  });
}

async function blackboxCatalog(dir: string): Promise<void> {
  const version = pinnedModule('blackbox', 'github.com/prometheus/blackbox_exporter').slice(1);
  // A self-signed HTTPS target for the TLS series (http_2xx_self_signed skips verification).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const target = (server.address() as net.AddressInfo).port;
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'blackbox.yml'), blackboxConfigYaml());
  start('blackbox_exporter', ['--config.file=blackbox.yml', `--web.listen-address=127.0.0.1:${port}`], dir);
  await get(`http://127.0.0.1:${port}/-/healthy`);
  const probes: Array<[string, string]> = [
    ['http_2xx_self_signed', `https://127.0.0.1:${target}/`],
    ['http_2xx', `http://127.0.0.1:${port}/-/healthy`],
    ['tcp_connect', `127.0.0.1:${target}`],
  ];
  const metrics: Record<string, Set<string>> = {};
  for (const [module, t] of probes) {
    const text = await get(`http://127.0.0.1:${port}/probe?module=${module}&target=${encodeURIComponent(t)}`);
    for (const [name, labels] of Object.entries(parseExposition(text))) metrics[name] = new Set([...(metrics[name] ?? []), ...labels]);
  }
  server.close();
  write(`blackbox_exporter-${version}`, {
    exporter: 'blackbox_exporter (/probe)', version,
    source: `.tools/bin/blackbox_exporter (github.com/prometheus/blackbox_exporter v${version}, test/upstream/blackbox) with the stack's modules (charts/exporters/blackbox-config.ts): /probe of http_2xx (an HTTP target), http_2xx_self_signed (a self-signed HTTPS target) and tcp_connect (test/catalog/generate-catalogs.ts)`,
    metrics: Object.fromEntries(Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()])),
  });
}

async function etcdCatalog(dir: string): Promise<void> {
  const version = '3.6.8';
  const [client, peer] = [await freePort(), await freePort()];
  start('etcd', [path.join(dir, 'etcd'), String(client), String(peer)], dir);
  await get(`http://127.0.0.1:${client}/health`);
  await sleep(3000);
  write(`etcd-${version}`, {
    exporter: 'etcd', version,
    source: `.tools/bin/etcd (go.etcd.io/etcd/server/v3/embed v${version}, the version Kubernetes 1.36.3 pins; test/upstream/kubernetes/etcd), a single member scraped on its client listener's /metrics (test/catalog/generate-catalogs.ts)`,
    metrics: parseExposition(await get(`http://127.0.0.1:${client}/metrics`)),
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metric-catalog-'));
  try {
    await prometheusCatalogs(dir);
    await blackboxCatalog(dir);
    await etcdCatalog(dir);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    for (const c of children) c.kill('SIGKILL');
    process.exit(1);
  });
}
