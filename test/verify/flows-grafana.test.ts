/**
 * checkGrafana against a fake Grafana API (test/verify/support/fake-grafana.ts: no Grafana server
 * can run here) whose datasources come from the site's provisioning file. The tests prove which
 * datasources checkGrafana expects (the site's), that it logs in for every API call, how it tells
 * a missing or drifted datasource from an unhealthy one, and the next steps it gives.
 */
import * as YAML from 'yaml';
import { grafanaDatasources, grafanaDatasourcesYaml } from '../../charts/grafana/provisioning';
import { stackTopology } from '../../charts/topology';
import { parseSite, type Site } from '../../site';
import { directEndpoint } from '../../verify/http';
import type { BasicAuth } from '../../verify/flows/context';
import { checkGrafana } from '../../verify/flows/grafana';
import { SECOND_SITE } from '../support/second-site';
import { startFakeGrafana, type FakeGrafana, type FakeGrafanaOptions } from './support/fake-grafana';
import { testContext } from './support/flow-context';

const site = parseSite({}).site;
const admin = { username: 'admin', password: 'admin-password-from-the-secret' };
const provisioned = (s: Site) => grafanaDatasources(s, stackTopology(s, 'kubernetes')).datasources;

const running: FakeGrafana[] = [];
async function check(options: Partial<FakeGrafanaOptions> = {}, checked: Site = site, served: Site = site, auth: BasicAuth = admin) {
  const grafana = await startFakeGrafana(served, { admin, ...options });
  running.push(grafana);
  return { grafana, results: await checkGrafana(testContext(checked), directEndpoint('grafana', grafana.url), auth) };
}
afterAll(async () => { for (const g of running) await g.close(); });

describe('checkGrafana on a working Grafana', () => {
  test('passes health, login and one row per datasource the site provisions', async () => {
    const { results } = await check();
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['grafana/health', 'pass'],
      ['grafana/login', 'pass'],
      ...provisioned(site).map((d) => [`grafana/datasource/${d.uid}`, 'pass']),
    ]);
    expect(results[0].detail).toBe('Grafana 12.0.0, database ok');
  });

  test('logs in as the admin for every API call but /api/health, and asks each provisioned uid', async () => {
    const { grafana } = await check();
    expect(grafana.requests.filter((r) => !r.startsWith('GET /api/health ')).every((r) => r.endsWith(` ${admin.username}`))).toBe(true);
    for (const d of provisioned(site)) expect(grafana.requests).toContain(`GET /api/datasources/uid/${d.uid} admin`);
  });

  test('checks a datasource without a server-side health check (Alertmanager) through Grafana\'s proxy', async () => {
    const { grafana, results } = await check();
    const am = provisioned(site).find((d) => d.type === 'alertmanager')!;
    expect(grafana.requests).toContain(`GET /api/datasources/proxy/uid/${am.uid}/api/v2/status admin`);
    expect(results.find((r) => r.id === `grafana/datasource/${am.uid}`)!.detail).toMatch(/through Grafana's proxy answered 200 \(the plugin has no health check of its own\)$/);
  });
});

describe('checkGrafana on a broken Grafana', () => {
  test('fails a datasource the site provisions and Grafana lacks, naming it', async () => {
    const [first, ...rest] = provisioned(site);
    const file = YAML.parse(grafanaDatasourcesYaml(site, stackTopology(site, 'kubernetes')));
    file.datasources = file.datasources.filter((d: { uid: string }) => d.uid !== first.uid);
    const { results } = await check({ datasourcesYaml: YAML.stringify(file) });
    expect(results.find((r) => r.id === `grafana/datasource/${first.uid}`)).toMatchObject({
      status: 'fail',
      detail: `datasource ${first.name} (uid ${first.uid}) is not in Grafana`,
      next: expect.stringContaining('ConfigMap monitoring/grafana-provisioning'),
    });
    for (const d of rest) expect(results.find((r) => r.id === `grafana/datasource/${d.uid}`)!.status).toBe('pass');
  });

  test('fails an unhealthy datasource with Grafana\'s message, naming the Secret its password comes from', async () => {
    const prometheus = provisioned(site).find((d) => d.type === 'prometheus')!;
    const { results } = await check({ faults: { [prometheus.uid]: 'bad_response: 401 Unauthorized' } });
    expect(results.find((r) => r.id === `grafana/datasource/${prometheus.uid}`)).toMatchObject({
      status: 'fail',
      detail: `Grafana's health check of ${prometheus.name} failed (HTTP 400): bad_response: 401 Unauthorized`,
      next: expect.stringContaining(`Secret monitoring/${site.prometheus.webAuthSecret} (key password, env PROMETHEUS_PASSWORD of Grafana)`),
    });
  });

  test('fails a proxied datasource whose service does not answer through Grafana', async () => {
    const am = provisioned(site).find((d) => d.type === 'alertmanager')!;
    const { results } = await check({ faults: { [am.uid]: 502 } });
    expect(results.find((r) => r.id === `grafana/datasource/${am.uid}`)).toMatchObject({
      status: 'fail',
      detail: `GET /api/v2/status through Grafana's proxy to ${am.url} answered HTTP 502: fake proxy fault 502`,
      next: expect.stringContaining(`Secret monitoring/${site.alertmanager.webAuthSecret}`),
    });
  });

  test('fails with "credentials rejected" naming the admin Secret, and checks no datasource', async () => {
    const { results, grafana } = await check({}, site, site, { ...admin, password: 'wrong' });
    expect(results.map((r) => [r.id, r.status])).toEqual([['grafana/health', 'pass'], ['grafana/login', 'fail']]);
    expect(results[1]).toMatchObject({
      detail: expect.stringMatching(/^credentials rejected by grafana at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401, user admin\)$/),
      next: expect.stringContaining(`Secret monitoring/${site.grafana.adminSecret} (keys admin-user, admin-password)`),
    });
    expect(grafana.requests.some((r) => r.includes('/api/datasources/'))).toBe(false);
  });

  test('a login read from the local Secrets file: names the file, says to compare it with the cluster\'s Secret and how Grafana takes a new password', async () => {
    // GIVEN the password verify read from the generated file, which the cluster's Secret does not hold
    const file = '.secrets/kubernetes/monitoring-secrets.yaml';
    // WHEN
    const { results } = await check({}, site, site, { ...admin, password: 'wrong', source: file });
    // THEN
    expect(results[1]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^credentials rejected by grafana at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401, user admin, read from \.secrets\/kubernetes\/monitoring-secrets\.yaml\)$/),
      next: `the password in ${file} is not the one the cluster's Secret monitoring/${site.grafana.adminSecret} (keys admin-user, admin-password) holds, or grafana has not taken it yet: `
        + `kubectl apply -f ${file}, then set the admin password to the Secret's with \`grafana cli admin reset-admin-password\` in Grafana's pod (Grafana reads the Secret on its first start only); `
        + `or, if the cluster's Secret is the right one, move ${file} aside so verify reads the Secret`,
    });
  });

  test('a login read from the cluster\'s Secret itself: says Grafana does not run with it, nothing about a file', async () => {
    const other = parseSite({ kubernetes: { namespace: 'observability' }, grafana: { adminSecret: 'grafana-login' } }).site;
    const { results } = await check({}, other, other, { ...admin, password: 'wrong', source: 'Secret observability/grafana-login' });
    expect(results[1].detail).toMatch(/\(HTTP 401, user admin, read from Secret observability\/grafana-login\)$/);
    expect(results[1].next).toMatch(/^grafana does not run with the login that Secret observability\/grafana-login \(keys admin-user, admin-password\) holds: set the admin password to the Secret's with `grafana cli admin reset-admin-password`/);
  });

  test('fails health when Grafana reports its database failing', async () => {
    const { results } = await check({ database: 'failing' });
    expect(results[0]).toMatchObject({ id: 'grafana/health', status: 'fail', detail: 'Grafana reports its database as failing' });
  });
});

describe('checkGrafana on answers that are not Grafana\'s (a proxy\'s page, JSON of another shape)', () => {
  const prometheus = provisioned(site).find((d) => d.type === 'prometheus')!;
  const base = `/api/datasources/uid/${prometheus.uid}`;
  const row = (results: Awaited<ReturnType<typeof check>>['results']) => results.find((r) => r.id === `grafana/datasource/${prometheus.uid}`)!;

  test('an HTML page for a datasource fails that datasource only, saying the body is not JSON and asking whether the address is Grafana', async () => {
    const { results, grafana } = await check({ pages: { [base]: '<html>proxy login</html>' } });
    expect(row(results)).toMatchObject({
      status: 'fail',
      detail: `${grafana.url}${base} answered HTTP 200 with a body that is not JSON: <html>proxy login</html>`,
      next: `check that ${grafana.url} is grafana itself, not a proxy or another service`,
    });
    expect(results.filter((r) => r !== row(results)).every((r) => r.status === 'pass')).toBe(true);
  });

  test('{} for a datasource fails it, naming the shape it lacks', async () => {
    const { results, grafana } = await check({ pages: { [base]: '{}' } });
    expect(row(results)).toMatchObject({ status: 'fail', detail: `GET ${base} at ${grafana.url} answered JSON that is not a Grafana datasource (type, url): {}` });
  });

  test('an HTML page for a health check fails the datasource, saying the body is not JSON', async () => {
    const { results, grafana } = await check({ pages: { [`${base}/health`]: '<html>proxy login</html>' } });
    expect(row(results)).toMatchObject({ status: 'fail', detail: `${grafana.url}${base}/health answered HTTP 200 with a body that is not JSON: <html>proxy login</html>` });
  });

  test('{} for a health check fails the datasource: no status OK', async () => {
    const { results } = await check({ pages: { [`${base}/health`]: '{}' } });
    expect(row(results)).toMatchObject({ status: 'fail', detail: `Grafana's health check of ${prometheus.name} answered HTTP 200 without status OK: {}` });
  });

  test('{} for the logged-in user fails the login row and checks no datasource', async () => {
    const { results, grafana } = await check({ pages: { '/api/user': '{}' } });
    expect(results.map((r) => [r.id, r.status])).toEqual([['grafana/health', 'pass'], ['grafana/login', 'fail']]);
    expect(results[1].detail).toBe(`GET /api/user at ${grafana.url} answered JSON that is not a Grafana user (login): {}`);
    expect(grafana.requests.some((r) => r.includes('/api/datasources/'))).toBe(false);
  });
});

describe('checkGrafana follows the site', () => {
  const second = parseSite(SECOND_SITE).site;

  test('the second site\'s Grafana (namespace observability) passes with its own datasource URLs', async () => {
    const { results } = await check({}, second, second);
    expect(provisioned(second).map((d) => d.url)).toContain('http://prometheus-query.observability.svc:9090');
    expect(results.every((r) => r.status === 'pass')).toBe(true);
  });

  test('a Grafana provisioned for another site fails each datasource, showing both URLs', async () => {
    const { results } = await check({}, second, site);
    const prometheus = results.find((r) => r.id === 'grafana/datasource/prometheus')!;
    expect(prometheus).toMatchObject({ status: 'fail', lines: ['Grafana: type prometheus, url http://prometheus.monitoring.svc:9090', 'site:    type prometheus, url http://prometheus-query.observability.svc:9090'] });
    expect(prometheus.next).toContain('ConfigMap observability/grafana-provisioning');
  });
});
