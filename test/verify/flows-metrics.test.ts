/**
 * checkMetrics against a real Prometheus 3 (the pinned build) running the site's prometheus.yml
 * and rules on loopback behind the site's web-auth login. Its static jobs scrape real peers: a
 * node_exporter (Debian's 1.5), the blackbox exporter with the site's blackbox.yml, Prometheus
 * itself; pve_exporter, which cannot run here, is a one-metric stand-in that also answers the
 * probes; the alertmanager job's target is a closed port. The rules are the site's with one group left out and one rule made
 * to fail at evaluation. One Prometheus serves every test; the flow runs against it as the CLI
 * would, through directEndpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { blackboxConfigYaml } from '../../charts/exporters/blackbox-config';
import { prometheusRuleGroups } from '../../charts/prometheus/rules';
import { randomPassword, stackSecretSpecs } from '../../charts/secrets/stack-secrets';
import { parseSite, type Site } from '../../site';
import type { CheckResult } from '../../verify/check';
import { directEndpoint } from '../../verify/http';
import { checkMetrics } from '../../verify/flows/metrics';
import { expectedRuleGroups, expectedScrapeJobs } from '../../verify/flows/metrics-expectations';
import { tempDir } from '../support/synth-once';
import { basicAuth, eventually, freePort, relocatePaths, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';
import { testContext } from './support/flow-context';
import { listenHttp, type HttpPeer } from './support/http-peer';
import { describeWithBinaries } from '../support/binaries';
import { loopbackPrometheusConfig } from './support/loopback-prometheus';

/**
 * The rule group left out of the rules Prometheus loads, and the rule made to fail: its right
 * side holds two series with the same (empty) match group, an evaluation error from the first
 * evaluation on, whatever has been scraped.
 */
const DROPPED_GROUP = 'proxmox';
const BROKEN = { group: 'probes', rule: 'EndpointSlow', expr: 'vector(1) * on() (vector(1) or label_replace(vector(1), "x", "y", "", ""))' };

describeWithBinaries(['prometheus', 'prometheus-node-exporter', 'blackbox_exporter'], 'checkMetrics against a real Prometheus', () => {
  const site = parseSite({}).site;
  const root = tempDir('verify-metrics-');
  const daemons: LoopbackDaemon[] = [];
  let pve: HttpPeer | undefined;
  let url = '';
  let login = { username: '', password: '' };
  let results: CheckResult[] = [];
  const result = (id: string) => results.find((r) => r.id === id);
  const hostOf = (u: string) => new URL(u).host;

  beforeAll(async () => {
    const web = stackSecretSpecs(site).find((s) => s.role === 'prometheus-web-auth')!.make(() => randomPassword());
    login = { username: web.username, password: web.password };
    const closedPort = await freePort();

    const nodeExporter = await startDaemon('prometheus-node-exporter', (port) => [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.time', '--collector.meminfo']);
    daemons.push(nodeExporter);
    fs.writeFileSync(path.join(root, 'blackbox.yml'), blackboxConfigYaml());
    const blackbox = await startDaemon('blackbox_exporter', (port) => [`--config.file=${path.join(root, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${port}`]);
    daemons.push(blackbox);
    pve = await listenHttp((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end('# TYPE pve_up gauge\npve_up{id="node/pve01"} 1\n'); });
    // A target down on its first scrape is reported at once: the exporters must answer before Prometheus starts.
    for (const exporter of [nodeExporter, blackbox]) await eventually(async () => ((await fetch(`${exporter.url}/metrics`)).ok ? true : undefined), 20000, `${exporter.url} to answer`);

    const rules = {
      groups: prometheusRuleGroups(site, 'kubernetes').groups
        .filter((g) => g.name !== DROPPED_GROUP)
        .map((g) => (g.name !== BROKEN.group ? g : { ...g, rules: g.rules.map((r) => (r.alert === BROKEN.rule ? { ...r, expr: BROKEN.expr } : r)) })),
    };
    const mount = (podPath: string, text: string) => {
      const file = path.join(root, podPath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    mount('/etc/prometheus/rules/alerts.yml', YAML.stringify(rules));
    mount('/etc/prometheus/web/password', web.password);
    mount('/etc/alertmanager-client/password', 'unused');
    mount('/etc/prometheus/uptime-kuma/api-key', 'unused');
    fs.writeFileSync(path.join(root, 'web.yml'), web['web.yml']);

    const prometheus = await startDaemon('prometheus', (port) => {
      const config = loopbackPrometheusConfig(site, {
        interval: '2s',
        alertmanager: `127.0.0.1:${closedPort}`,
        // Probes (blackbox, pve) ask the stand-in, which answers any path with 200.
        probeTarget: hostOf(pve!.url),
        scrapeAddress: {
          prometheus: `127.0.0.1:${port}`,
          alertmanager: `127.0.0.1:${closedPort}`,
          loki: hostOf(blackbox.url),
          grafana: hostOf(nodeExporter.url),
          node: hostOf(nodeExporter.url),
          pve: hostOf(pve!.url),
          'blackbox-http-2xx-self-signed': hostOf(blackbox.url),
          'blackbox-http-2xx': hostOf(blackbox.url),
          'blackbox-tcp-connect': hostOf(blackbox.url),
          // Any real exporter stands for kube-state-metrics here: these checks are about the job, not its metrics.
          'kube-state-metrics': hostOf(nodeExporter.url),
          'kube-state-metrics-telemetry': hostOf(nodeExporter.url),
          'uptime-kuma': hostOf(nodeExporter.url),
        },
      });
      fs.writeFileSync(path.join(root, 'prometheus.yml'), relocatePaths(YAML.stringify(config), root));
      return [`--config.file=${path.join(root, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(root, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${path.join(root, 'web.yml')}`];
    });
    daemons.push(prometheus);
    url = prometheus.url;
    await eventually(async () => ((await fetch(`${url}/-/ready`, { headers: basicAuth(login.username, login.password) })).status === 200 ? true : undefined),
      40000, 'Prometheus to be ready').catch((e: Error) => { throw new Error(`${e.message}; its output:\n${prometheus.output().slice(-3000)}`); });

    results = await checkMetrics(testContext(site, { waitMs: 40000 }), directEndpoint('prometheus', url), login);
  }, 90000);

  afterAll(async () => {
    for (const d of daemons) d.stop();
    await pve?.close();
  });

  test('gives one result for readiness, each scrape job and each rule group of the site, in that order', () => {
    expect(results.map((r) => r.id)).toEqual([
      'metrics/ready',
      ...expectedScrapeJobs(site).map((j) => `metrics/job/${j.job}`),
      ...expectedRuleGroups(site).map((g) => `metrics/rules/${g.name}`),
    ]);
  });

  test('passes every static job whose targets answer, counting the site\'s targets', () => {
    const healthy = expectedScrapeJobs(site).filter((j) => j.instances && j.job !== 'alertmanager');
    expect(healthy.length).toBeGreaterThan(5);
    for (const job of healthy) {
      expect(result(`metrics/job/${job.job}`)).toMatchObject({ status: 'pass', detail: `${job.instances!.length}/${job.instances!.length} up` });
    }
    // node: the Proxmox host and every guest with an address, all answered by the one node_exporter.
    expect(result('metrics/job/node')!.detail).toBe(`${site.proxmox.guests.length + 1}/${site.proxmox.guests.length + 1} up`);
  });

  test('fails the job whose target is a closed port, with Prometheus\' own scrape error', () => {
    const am = result('metrics/job/alertmanager')!;
    expect(am).toMatchObject({ status: 'fail', detail: '0/1 up (1 down)' });
    expect(am.lines).toEqual([expect.stringMatching(new RegExp(`^alertmanager\\.${site.kubernetes.namespace}\\.svc:9093: .*connection refused`))]);
    expect(am.next).toMatch(/exporter runs/);
  });

  test('warns for a discovered job that found no targets (outside a cluster nothing is discovered)', () => {
    expect(result('metrics/job/kubernetes-pods')).toMatchObject({ status: 'warn', detail: 'discovered no targets' });
    expect(result('metrics/job/etcd')).toMatchObject({ status: 'warn', detail: 'discovered no targets' });
    expect(result('metrics/job/talos-nodes')).toMatchObject({ status: 'warn', detail: 'discovered no targets' });
  });

  test('fails a job Prometheus could not set up (no service-account token or CA outside a pod), pointing at its log', () => {
    // kubernetes-pods, talos-nodes and etcd discover without credentials: outside a cluster they find nothing (the warn above).
    const unset = expectedScrapeJobs(site).filter((j) => !j.instances && !['kubernetes-pods', 'talos-nodes', 'etcd'].includes(j.job));
    expect(unset.map((j) => j.job)).toEqual(['kubernetes-apiservers', 'kubernetes-nodes', 'kubernetes-cadvisor']);
    for (const job of unset) {
      expect(result(`metrics/job/${job.job}`)).toMatchObject({
        status: 'fail',
        detail: `Prometheus has no scrape pool for job ${job.job}: its running prometheus.yml lacks the job, or it could not set the job up`,
        next: expect.stringContaining(`look for "${job.job}" in Prometheus' log`),
      });
    }
  });

  test('fails a rule group Prometheus did not load, naming it', () => {
    expect(result(`metrics/rules/${DROPPED_GROUP}`)).toMatchObject({ status: 'fail', detail: `rule group ${DROPPED_GROUP} is not loaded`, next: expect.stringContaining('re-apply dist/ (ConfigMap monitoring/prometheus-rules)') });
  });

  test('fails a group with a rule that does not evaluate, with Prometheus\' evaluation error', () => {
    const group = result(`metrics/rules/${BROKEN.group}`)!;
    expect(group.status).toBe('fail');
    expect(group.detail).toMatch(/\(1 failing\)$/);
    expect(group.lines).toEqual([expect.stringMatching(new RegExp(`^${BROKEN.rule}: .*(duplicate series|many-to-many)`))]);
  });

  test('passes the groups loaded as the site has them, after their first evaluation', () => {
    for (const group of expectedRuleGroups(site).filter((g) => g.name !== DROPPED_GROUP && g.name !== BROKEN.group)) {
      expect(result(`metrics/rules/${group.name}`)).toMatchObject({ status: 'pass', detail: expect.stringMatching(/evaluated without error$/) });
    }
  });

  test('fails a static job when the site has a target Prometheus does not scrape (expectations follow the site)', async () => {
    // GIVEN a site with one more guest than the Prometheus runs with
    const grown: Site = parseSite({ proxmox: { guests: [...site.proxmox.guests, { vmid: 120, name: 'extra', address: '10.88.140.120' }] } }).site;
    // WHEN
    const node = (await checkMetrics(testContext(grown, { waitMs: 0 }), directEndpoint('prometheus', url), login)).find((r) => r.id === 'metrics/job/node')!;
    // THEN
    expect(node).toMatchObject({ status: 'fail', detail: `${grown.proxmox.guests.length}/${grown.proxmox.guests.length + 1} up (1 missing)` });
    expect(node.lines).toEqual(['10.88.140.120:9100: not a target, though the site\'s prometheus.yml has it']);
  });

  test('fails with "credentials rejected" naming the site\'s Secret when the password is wrong', async () => {
    const other = parseSite({ kubernetes: { namespace: 'observability' }, prometheus: { webAuthSecret: 'prom-login' } }).site;
    const rejected = await checkMetrics(testContext(other, { waitMs: 0 }), directEndpoint('prometheus', url), { ...login, password: 'not-the-password' });
    expect(rejected).toEqual([expect.objectContaining({ id: 'metrics/ready', status: 'fail', detail: expect.stringMatching(/^credentials rejected by prometheus at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401/) })]);
    expect(rejected[0].next).toContain('Secret observability/prom-login');
  });

  test('a rejected login read from the cluster\'s Secret says Prometheus does not run with that Secret\'s values', async () => {
    const other = parseSite({ kubernetes: { namespace: 'observability' }, prometheus: { webAuthSecret: 'prom-login' } }).site;
    const rejected = await checkMetrics(testContext(other, { waitMs: 0 }), directEndpoint('prometheus', url), { ...login, password: 'not-the-password', source: 'Secret observability/prom-login' });
    expect(rejected).toEqual([expect.objectContaining({
      id: 'metrics/ready',
      status: 'fail',
      detail: expect.stringMatching(/\(HTTP 401, user monitoring, read from Secret observability\/prom-login\)$/),
      next: 'prometheus does not run with the login that Secret observability/prom-login (keys username, password) holds: restart prometheus\'s pod',
    })]);
  });
});
