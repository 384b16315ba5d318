/**
 * CheckMK reads this Prometheus (site.integrations.checkmk): a user `checkmk` in Prometheus' web
 * config with a generated password (kept across runs, added to an older secrets file without
 * rotating anything), a network path from each CheckMK guest on both platforms, and the special
 * agents' settings in dist/integrations/checkmk, whose PromQL queries promtool and a real
 * Prometheus check. Switched off, or without a CheckMK guest, none of it exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as bcrypt from 'bcryptjs';
import * as YAML from 'yaml';
import { checkmkIntegrationFiles, PROMETHEUS_AGENT_FILE, ALERTING_RULES_AGENT_FILE, CHECKMK_README_FILE } from '../../charts/integrations/checkmk';
import { checkmkPromqlServices } from '../../charts/integrations/checkmk-queries';
import { PrometheusServer } from '../../charts/prometheus/prometheus-server';
import { prometheusArgs } from '../../charts/prometheus/prometheus-args';
import { prometheusConfigYaml } from '../../charts/prometheus/prometheus-config';
import { prometheusRulesYaml } from '../../charts/prometheus/rules';
import { stackSecrets } from '../../charts/secrets/stack-secrets';
import { stackTopology } from '../../charts/topology';
import { containerFirewallRules } from '../../lxc/firewall';
import { planStackSecretsFile, stackSecretsFile } from '../../render/stack-secrets-file';
import type { Site, SiteInput } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { findObject, siteWith, synthChart } from '../components/component-support';
import { basicAuth, eventually, relocatePaths, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';

type Json = Record<string, any>;

const CHECKMK = { vmid: 103, name: 'nms', role: 'checkmk' as const, address: '172.16.3.3' };
const KUMA = { vmid: 106, name: 'status', role: 'uptime-kuma' as const, address: '172.16.3.6' };
const withCheckmk = (input: SiteInput = {}, guest: Json = CHECKMK): Site => siteWith({ ...input, proxmox: { guests: [guest as typeof CHECKMK, KUMA] } });
const counter = () => { let n = 0; return () => `pw-${++n}`; };
const webUsers = (values: Record<string, string>) => YAML.parse(values['web.yml']).basic_auth_users as Record<string, string>;
const prometheusSecret = (site: Site) => stackSecrets(site, counter()).find((s) => s.metadata.name === site.prometheus.webAuthSecret)!.stringData;

describe('the network path from CheckMK to Prometheus follows the guest', () => {
  const objects = (site: Site) => synthChart(PrometheusServer, site).objects;

  test('Kubernetes: the LoadBalancer and the NetworkPolicy admit each CheckMK guest /32 on 9090, beside the management VLAN', () => {
    // GIVEN a CheckMK guest outside the management VLAN
    const site = withCheckmk();
    const lb = findObject(objects(site), 'Service', 'prometheus-lb');
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24', '172.16.3.3/32']);
    const policy = findObject(objects(site), 'NetworkPolicy', 'prometheus');
    expect(policy.spec.ingress).toEqual([{
      ports: [{ port: 9090, protocol: 'TCP' }],
      from: [{ ipBlock: { cidr: '10.88.140.0/24' } }, { ipBlock: { cidr: '172.16.3.3/32' } }, { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/part-of': 'monitoring-stack' } } }],
    }]);
  });

  test('a moved CheckMK guest moves its rule, on both platforms', () => {
    const moved = withCheckmk({}, { ...CHECKMK, address: '192.168.77.4' });
    expect(findObject(objects(moved), 'Service', 'prometheus-lb').spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24', '192.168.77.4/32']);
    expect(JSON.stringify(findObject(objects(moved), 'NetworkPolicy', 'prometheus'))).not.toContain('172.16.3.3');
    expect(containerFirewallRules(moved, 'prometheus').filter((r) => r.port === 9090).map((r) => r.sources)).toEqual([['10.88.140.0/24', '10.70.0.11'], ['192.168.77.4/32']]);
  });

  test('LXC: the Prometheus container\'s firewall admits the CheckMK guest on 9090, saying why', () => {
    const rule = containerFirewallRules(withCheckmk(), 'prometheus').find((r) => r.sources?.includes('172.16.3.3/32'));
    expect(rule).toEqual({ protocol: 'tcp', port: 9090, sources: ['172.16.3.3/32'], why: expect.stringContaining('CheckMK') });
  });

  test.each([
    ['switched off', withCheckmk({ integrations: { checkmk: { enabled: false } } })],
    ['without a CheckMK guest', withCheckmk({}, { ...CHECKMK, role: 'other' })],
    ['whose CheckMK guest has no address', withCheckmk({}, { vmid: 103, name: 'nms', role: 'checkmk' })],
  ])('%s: no extra source anywhere, no files, no user', (_case, site) => {
    expect(findObject(objects(site), 'Service', 'prometheus-lb').spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24']);
    expect(findObject(objects(site), 'NetworkPolicy', 'prometheus').spec.ingress[0].from).toHaveLength(2);
    expect(containerFirewallRules(site, 'prometheus').filter((r) => r.port === 9090)).toHaveLength(1);
    expect(checkmkIntegrationFiles(site)).toEqual([]);
    const secret = prometheusSecret(site);
    expect(Object.keys(webUsers(secret))).toEqual(['monitoring']);
    expect(Object.keys(secret).sort()).toEqual(['password', 'username', 'web.yml']);
  });
});

describe('the files for CheckMK', () => {
  const site = withCheckmk();
  const files = checkmkIntegrationFiles(site);
  const file = (p: string) => files.find((f) => f.path === p)!.content;

  test('three files under integrations/checkmk/', () => {
    expect(files.map((f) => f.path)).toEqual([
      'integrations/checkmk/prometheus-special-agent.json', 'integrations/checkmk/alerting-rules-special-agent.json', 'integrations/checkmk/README.md',
    ]);
  });

  test('both special agents: Prometheus\' address without scheme, http, user checkmk, the password named by Secret and key', () => {
    for (const p of [PROMETHEUS_AGENT_FILE, ALERTING_RULES_AGENT_FILE]) {
      expect(JSON.parse(file(p))).toMatchObject({
        connection: '10.70.0.10:9090', protocol: 'http',
        auth_basic: ['auth_login', { username: 'checkmk', password: { secret: 'prometheus-web-auth', namespace: 'monitoring', key: 'checkmk-password' } }],
      });
    }
    expect(JSON.parse(file(ALERTING_RULES_AGENT_FILE)).ignore_alerts.ignore_alert_rules).toEqual(['Watchdog']);
  });

  test('they follow the site: Prometheus\' address, the Secret, the namespace, the guests', () => {
    const custom = withCheckmk({ prometheus: { address: '10.70.0.40', webAuthSecret: 'prom-login' }, kubernetes: { namespace: 'obs' } });
    const agent = JSON.parse(checkmkIntegrationFiles(custom).find((f) => f.path === PROMETHEUS_AGENT_FILE)!.content);
    expect(agent.connection).toBe('10.70.0.40:9090');
    expect(agent.auth_basic[1].password).toEqual({ secret: 'prom-login', namespace: 'obs', key: 'checkmk-password' });
    expect(agent.promql_checks.filter((s: Json) => s.host_name).map((s: Json) => s.host_name)).toEqual(['pve01', 'nms', 'status']);
    const readme = checkmkIntegrationFiles(withCheckmk({}, { ...CHECKMK, address: '192.168.77.4' })).find((f) => f.path === CHECKMK_README_FILE)!.content;
    expect(readme).toContain('`192.168.77.4/32`');
    expect(readme).not.toContain('172.16.3.3');
  });

  test('no generated value lands in them: not the passwords, not a hash', () => {
    const values = Object.values(prometheusSecret(site)).concat(...stackSecrets(site, counter()).map((s) => Object.values(s.stringData)));
    const text = files.map((f) => f.content).join('\n');
    for (const v of values.filter((x) => x.startsWith('pw-'))) expect(text).not.toContain(v);
    expect(text).not.toMatch(/\$2[aby]\$/);
  });

  test('every PromQL service has at least one query; the UptimeKuma service only while UptimeKuma is scraped', () => {
    const services = checkmkPromqlServices(site);
    expect(services.every((s) => s.metric_components.length > 0)).toBe(true);
    expect(services.map((s) => s.service_description)).toContain('UptimeKuma monitors (via Prometheus)');
    expect(checkmkPromqlServices(withCheckmk({ integrations: { uptimeKuma: { enabled: false } } })).map((s) => s.service_description))
      .not.toContain('UptimeKuma monitors (via Prometheus)');
  });
});

describe('the checkmk user and its generated password', () => {
  test('a new Secret holds both users in web.yml, each password matching its hash', () => {
    const secret = prometheusSecret(withCheckmk());
    const users = webUsers(secret);
    expect(Object.keys(users)).toEqual(['monitoring', 'checkmk']);
    expect(secret['checkmk-username']).toBe('checkmk');
    expect(bcrypt.compareSync(secret['checkmk-password'], users.checkmk)).toBe(true);
    expect(bcrypt.compareSync(secret.password, users.monitoring)).toBe(true);
    expect(secret['checkmk-password']).not.toBe(secret.password);
  });

  describe('an older secrets file (no checkmk user) is completed, nothing rotated', () => {
    // GIVEN the file an earlier version wrote: the same three Secrets, prometheus-web-auth without checkmk
    const dir = path.join(tempDir('checkmk-upgrade-'), 'keys');
    const file = stackSecretsFile(dir);
    const oldSite = withCheckmk({ integrations: { checkmk: { enabled: false } } });
    const old = stackSecrets(oldSite, counter());
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, old.map((m) => `---\n${YAML.stringify(m)}`).join(''), { mode: 0o600 });
    const oldProm = old.find((m) => m.metadata.name === 'prometheus-web-auth')!.stringData;

    // WHEN a synth with CheckMK plans the file
    const plan = planStackSecretsFile(dir, withCheckmk(), () => 'new-checkmk-password');
    const now = (name: string) => plan.manifests.find((m) => m.metadata.name === name)!.stringData;

    test('the other Secrets are unchanged, the existing user keeps its password and its very hash', () => {
      expect(now('grafana-admin')).toEqual(old[0].stringData);
      expect(now('alertmanager-web-auth')).toEqual(old[1].stringData);
      expect(now('prometheus-web-auth').password).toBe(oldProm.password);
      expect(webUsers(now('prometheus-web-auth')).monitoring).toBe(webUsers(oldProm).monitoring);
    });

    test('checkmk is added with a new password and its hash, and the run says so', () => {
      const prom = now('prometheus-web-auth');
      expect(prom['checkmk-password']).toBe('new-checkmk-password');
      expect(bcrypt.compareSync('new-checkmk-password', webUsers(prom).checkmk)).toBe(true);
      expect(plan.messages).toEqual([expect.stringMatching(/^Secret monitoring\/prometheus-web-auth in .*: added checkmk-username, checkmk-password; changed web\.yml for this site, the other values kept: apply it/)]);
      expect(plan.changes).toHaveLength(1);
    });

    test('written, the next run keeps everything and changes nothing', () => {
      const change = plan.changes[0];
      if (change.kind === 'remove') throw new Error('expected a write');
      fs.writeFileSync(file, change.content, { mode: 0o600 });
      const again = planStackSecretsFile(dir, withCheckmk(), () => { throw new Error('no new password may be made'); });
      expect(again.changes).toEqual([]);
      expect(again.messages).toEqual([]);
    });

    test('CheckMK switched off again removes the user and its password, the other user untouched', () => {
      const off = planStackSecretsFile(dir, oldSite, () => { throw new Error('no new password may be made'); });
      const prom = off.manifests.find((m) => m.metadata.name === 'prometheus-web-auth')!.stringData;
      expect(Object.keys(webUsers(prom))).toEqual(['monitoring']);
      expect(webUsers(prom).monitoring).toBe(webUsers(oldProm).monitoring);
      expect(Object.keys(prom).sort()).toEqual(['password', 'username', 'web.yml']);
      expect(off.messages).toEqual([expect.stringMatching(/removed checkmk-username, checkmk-password; changed web\.yml/)]);
    });
  });
});

describeWithBinary('promtool', 'the PromQL queries for CheckMK are valid PromQL (promtool check rules)', () => {
  test('each query, as a recording rule, passes check rules with no lint finding', () => {
    const queries = checkmkPromqlServices(withCheckmk()).flatMap((s) => s.metric_components.map((m) => m.promql_query));
    expect(queries.length).toBeGreaterThan(10);
    const dir = tempDir('checkmk-promql-');
    const file = path.join(dir, 'checkmk.yml');
    fs.writeFileSync(file, YAML.stringify({ groups: [{ name: 'checkmk', rules: queries.map((expr, i) => ({ record: `checkmk:query_${i}`, expr })) }] }));
    const result = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', file]);
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(result.status).toBe(0);
  });

  test('a broken query is rejected (the check bites)', () => {
    const dir = tempDir('checkmk-promql-bad-');
    const file = path.join(dir, 'bad.yml');
    fs.writeFileSync(file, YAML.stringify({ groups: [{ name: 'checkmk', rules: [{ record: 'checkmk:bad', expr: 'count(up == 0 or vector(0)' }] }] }));
    expect(run('promtool', ['check', 'rules', file]).status).not.toBe(0);
  });
});

describeWithBinary('prometheus', 'CheckMK against a real Prometheus (the LXC path\'s config, rules and flags, the generated web config)', () => {
  const site = withCheckmk();
  const topology = stackTopology(site, 'lxc');
  const secret = prometheusSecret(site);
  const root = tempDir('checkmk-live-');
  const checkmk = basicAuth('checkmk', secret['checkmk-password']);
  let prometheus: LoopbackDaemon;

  beforeAll(async () => {
    // Every file where the flags and the config say, below a temp root: the only change made.
    const place = (p: string, content: string) => { fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true }); fs.writeFileSync(path.join(root, p), content); };
    place('/etc/prometheus/prometheus.yml', relocatePaths(prometheusConfigYaml(site, topology), root));
    place(`${topology.prometheusRulesDir}/alerts.yml`, prometheusRulesYaml(site, 'lxc'));
    place('/etc/prometheus/web/web.yml', secret['web.yml']);
    for (const p of ['/etc/prometheus/web/password', topology.alertmanagerPasswordFile, '/etc/prometheus/uptime-kuma/api-key']) place(p, 'x');
    prometheus = await startDaemon('prometheus', (port) => prometheusArgs(site, topology)
      .map((a) => (a.startsWith('--web.listen-address=') ? `--web.listen-address=127.0.0.1:${port}` : relocatePaths(a, root))));
    await eventually(async () => ((await fetch(`${prometheus.url}/-/ready`, { headers: checkmk })).status === 200 ? true : undefined), 30000, 'Prometheus to be ready');
  });
  afterAll(() => prometheus?.stop());

  test('user checkmk runs every query of the special agent and gets exactly one value without labels', async () => {
    // Let the rules evaluate once and the scrapes fail (most targets are unreachable here): realistic data.
    await new Promise((r) => setTimeout(r, 3000));
    for (const service of checkmkPromqlServices(site)) {
      for (const m of service.metric_components) {
        const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(m.promql_query)}`, { headers: checkmk });
        const body = await r.json() as { data: { resultType: string; result: { metric: Json; value: [number, string] }[] } };
        expect({ query: m.promql_query, type: body.data.resultType, results: body.data.result.length, labels: body.data.result[0]?.metric })
          .toEqual({ query: m.promql_query, type: 'vector', results: 1, labels: {} });
      }
    }
  });

  test('it reads the alerting rules as the second special agent does', async () => {
    const r = await fetch(`${prometheus.url}/api/v1/rules`, { headers: checkmk });
    expect(r.status).toBe(200);
    const groups = ((await r.json()) as { data: { groups: { name: string }[] } }).data.groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['stack', 'uptime-kuma']));
  });

  test('it cannot change anything: admin API, lifecycle and write receivers are off', async () => {
    const post = (p: string) => fetch(`${prometheus.url}${p}`, { method: 'POST', headers: checkmk }).then(async (r) => `${r.status} ${(await r.text()).trim()}`);
    const adminOff = '500 {"status":"error","errorType":"unavailable","error":"admin APIs disabled"}';
    expect(await post('/api/v1/admin/tsdb/snapshot')).toBe(adminOff);
    expect(await post('/api/v1/admin/tsdb/delete_series?match[]=up')).toBe(adminOff);
    expect(await post('/api/v1/admin/tsdb/clean_tombstones')).toBe(adminOff);
    expect(await post('/-/reload')).toBe('403 Lifecycle API is not enabled.');
    expect(await post('/-/quit')).toBe('403 Lifecycle API is not enabled.');
    expect(await post('/api/v1/write')).toMatch(/^404 remote write receiver needs to be enabled/);
    expect(await post('/api/v1/otlp/v1/metrics')).toMatch(/^404 otlp write receiver needs to be enabled/);
  });

  test('a wrong password is refused', async () => {
    expect((await fetch(`${prometheus.url}/api/v1/query?query=up`, { headers: basicAuth('checkmk', 'wrong') })).status).toBe(401);
  });
});
