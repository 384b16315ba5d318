/**
 * checkAlerts against a real Alertmanager (Debian's 0.25 on loopback, the release the other live
 * Alertmanager tests use) running the site's alertmanager.yml behind the site's web-auth login
 * (--web.config.file, as the chart runs it). The site has a webhook receiver on loopback, so its
 * route tree has a real receiver besides `default`. Two more Alertmanagers run the same file with
 * one route put first that sends the test alert to the webhook: `misrouted` matches its alertname,
 * `unreadable` matches its severity with a Go regex JavaScript cannot read ((?i)). In both the
 * running tree no longer is the site's and a posted test alert would page someone. The only other
 * change to the file: group_wait 0s, so a notification, if any, leaves at once and its absence can
 * be asserted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { alertmanagerConfig } from '../../charts/alertmanager/alertmanager-config';
import { randomPassword, stackSecretSpecs } from '../../charts/secrets/stack-secrets';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import type { CheckResult } from '../../verify/check';
import { directEndpoint } from '../../verify/http';
import { siteReceivers } from '../../verify/flows/alert-routing';
import { checkAlerts, RUN_LABEL, TEST_ALERT_NAME, testAlertLabels } from '../../verify/flows/alerts';
import { describeWithBinary } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { basicAuth, eventually, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';
import { testContext, type TestContext } from './support/flow-context';
import { listenHttp, readBody, type HttpPeer } from './support/http-peer';

interface Notification { receiver: string; alerts: { labels: Record<string, string> }[] }
interface ListedAlert { labels: Record<string, string> }

describeWithBinary('prometheus-alertmanager', 'checkAlerts against a real Alertmanager', () => {
  const root = tempDir('verify-alerts-');
  const daemons: LoopbackDaemon[] = [];
  const notifications: Notification[] = [];
  let webhook: HttpPeer | undefined;
  let site = parseSite({}).site;
  let login = { username: '', password: '' };
  let asSite: LoopbackDaemon;
  let misrouted: LoopbackDaemon;
  let unreadable: LoopbackDaemon;
  let ctx: TestContext;
  let results: CheckResult[] = [];
  let misroutedCtx: TestContext;
  let misroutedResults: CheckResult[] = [];
  let unreadableCtx: TestContext;
  let unreadableResults: CheckResult[] = [];
  const result = (id: string, from = results) => from.find((r) => r.id === id);
  const server = async <T>(daemon: LoopbackDaemon, p: string): Promise<T> => {
    const r = await fetch(`${daemon.url}${p}`, { headers: basicAuth(login.username, login.password) });
    return (p.startsWith('/metrics') ? r.text() : r.json()) as Promise<T>;
  };

  beforeAll(async () => {
    webhook = await listenHttp(async (req, res) => {
      notifications.push(JSON.parse(await readBody(req)) as Notification);
      res.writeHead(200).end();
    });
    site = parseSite({ alertmanager: { receivers: { webhooks: [{ name: 'chat', url: `${webhook.url}/hook` }] } } }).site;
    const web = stackSecretSpecs(site).find((s) => s.role === 'alertmanager-web-auth')!.make(() => randomPassword());
    login = { username: web.username, password: web.password };
    fs.writeFileSync(path.join(root, 'web.yml'), web['web.yml']);

    const config = alertmanagerConfig(site, stackTopology(site, 'kubernetes'));
    config.route.group_wait = '0s';
    const first = (matcher: string) => ({ ...config, route: { ...config.route, routes: [{ receiver: 'chat', matchers: [matcher] }, ...config.route.routes!] } });
    const start = (name: string, text: object) => {
      fs.writeFileSync(path.join(root, `${name}.yml`), YAML.stringify(text));
      return startDaemon('prometheus-alertmanager', (port) => [
        `--config.file=${path.join(root, `${name}.yml`)}`, `--storage.path=${path.join(root, `${name}-data`)}`,
        `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${path.join(root, 'web.yml')}`, '--cluster.listen-address=',
      ]);
    };
    [asSite, misrouted, unreadable] = await Promise.all([
      start('as-site', config), start('misrouted', first(`alertname="${TEST_ALERT_NAME}"`)), start('unreadable', first('severity=~"(?i)NONE"')),
    ]);
    daemons.push(asSite, misrouted, unreadable);
    for (const d of daemons) {
      await eventually(async () => ((await fetch(`${d.url}/-/ready`, { headers: basicAuth(login.username, login.password) })).ok ? true : undefined), 30000, 'Alertmanager to be ready')
        .catch((e: Error) => { throw new Error(`${e.message}; its output:\n${d.output().slice(-3000)}`); });
    }

    ctx = testContext(site);
    results = await checkAlerts(ctx, directEndpoint('alertmanager', asSite.url), login);
    misroutedCtx = testContext(site);
    misroutedResults = await checkAlerts(misroutedCtx, directEndpoint('alertmanager', misrouted.url), login);
    unreadableCtx = testContext(site);
    unreadableResults = await checkAlerts(unreadableCtx, directEndpoint('alertmanager', unreadable.url), login);
  }, 90000);

  afterAll(async () => {
    for (const d of daemons) d.stop();
    await webhook?.close();
  });

  test('passes the status check: Alertmanager runs the site\'s receivers', () => {
    expect(result('alerts/status')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^Alertmanager 0\.25\.\d+, receivers default, chat; cluster disabled$/) });
  });

  test('routes the test alert where the site\'s route tree says (default, no integration) and says nobody was notified', () => {
    expect(siteReceivers(site, testAlertLabels(ctx))).toEqual(['default']);
    expect(results.map((r) => [r.id, r.status])).toEqual([['alerts/status', 'pass'], ['alerts/post', 'pass'], ['alerts/routed', 'pass'], ['alerts/resolved', 'pass']]);
    expect(result('alerts/routed')!.detail).toBe('routed to default as the site\'s route tree says; no integration on that route: nobody was notified');
    expect(result('alerts/post')!.detail).toMatch(/; the running route tree sends it to default, no integration$/);
  });

  test('leaves the test alert resolved on the server: not listed, and received once firing and once resolved', async () => {
    const listed = await server<ListedAlert[]>(asSite, '/api/v2/alerts');
    expect(listed.filter((a) => a.labels[RUN_LABEL] === ctx.runId)).toEqual([]);
    const metrics = await server<string>(asSite, '/metrics');
    // Summed over the API versions 0.25 counts separately.
    const received = (status: string) => [...metrics.matchAll(new RegExp(`^alertmanager_alerts_received_total\\{status="${status}"[^}]*\\} (\\d+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    expect([received('firing'), received('resolved')]).toEqual([1, 1]);
  });

  test('never notifies the site\'s webhook receiver, which a warning alert does reach', async () => {
    // GIVEN a warning, which the site's tree sends to the webhook, posted after the test alert
    await fetch(`${asSite.url}/api/v2/alerts`, {
      method: 'POST', headers: { ...basicAuth(login.username, login.password), 'Content-Type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'VerifyControl', severity: 'warning' } }]),
    });
    // WHEN it has arrived
    await eventually(async () => (notifications.some((n) => n.alerts.some((a) => a.labels.alertname === 'VerifyControl')) ? true : undefined), 20000, 'the warning at the webhook');
    // THEN the test alert has not, though it was posted first
    expect(notifications.filter((n) => n.alerts.some((a) => a.labels[RUN_LABEL] === ctx.runId))).toEqual([]);
  });

  /** Firing alerts Alertmanager has taken since it started, summed over the API versions 0.25 counts separately. */
  const firingReceived = async (daemon: LoopbackDaemon) => {
    const metrics = await server<string>(daemon, '/metrics');
    return [...metrics.matchAll(/^alertmanager_alerts_received_total\{status="firing"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  /** Posts an alert with the test alert's labels but another run id, and waits until the webhook has it: the route really pages. */
  const controlReachesWebhook = async (daemon: LoopbackDaemon, runId: string) => {
    const control = `control-${runId}`;
    await fetch(`${daemon.url}/api/v2/alerts`, {
      method: 'POST', headers: { ...basicAuth(login.username, login.password), 'Content-Type': 'application/json' },
      body: JSON.stringify([{ labels: { ...testAlertLabels({ ...ctx, runId }), [RUN_LABEL]: control } }]),
    });
    await eventually(async () => (notifications.some((n) => n.receiver === 'chat' && n.alerts.some((a) => a.labels[RUN_LABEL] === control)) ? true : undefined), 20000, 'the control alert at the webhook');
  };

  test('fails before posting when the running tree would send the test alert to a receiver with an integration, naming it', async () => {
    // THEN the flow stopped at the post step, saying which receiver would be notified and why
    expect(misroutedResults.map((r) => [r.id, r.status])).toEqual([['alerts/status', 'pass'], ['alerts/post', 'fail']]);
    expect(result('alerts/post', misroutedResults)).toMatchObject({
      detail: 'test alert not posted: Alertmanager\'s running route tree sends it to chat (webhook_configs): posting it would notify them',
      next: 'the running alertmanager.yml differs from the site\'s: re-apply dist/ (ConfigMap monitoring/alertmanager-config), then rerun verify (the site\'s route tree sends it to default, which notifies nobody)',
    });
    // AND Alertmanager never took it: nothing listed, no firing alert received at all
    const listed = await server<ListedAlert[]>(misrouted, '/api/v2/alerts');
    expect(listed.filter((a) => a.labels[RUN_LABEL] === misroutedCtx.runId)).toEqual([]);
    expect(await firingReceived(misrouted)).toBe(0);
    // AND the refusal mattered: the same labels with another run id do reach the webhook, the test alert did not
    await controlReachesWebhook(misrouted, misroutedCtx.runId);
    expect(notifications.filter((n) => n.alerts.some((a) => a.labels[RUN_LABEL] === misroutedCtx.runId))).toEqual([]);
  });

  test('fails before posting when a matcher of the running tree cannot be evaluated here: unknown counts as paging', async () => {
    expect(unreadableResults.map((r) => [r.id, r.status])).toEqual([['alerts/status', 'pass'], ['alerts/post', 'fail']]);
    expect(result('alerts/post', unreadableResults)!.detail).toMatch(/^test alert not posted: verify cannot tell where Alertmanager's running route tree sends it: the regex of matcher severity=~"\(\?i\)NONE" is not one JavaScript reads/);
    expect(await firingReceived(unreadable)).toBe(0);
    // Alertmanager itself reads (?i) and would have paged chat.
    await controlReachesWebhook(unreadable, unreadableCtx.runId);
    expect(notifications.filter((n) => n.alerts.some((a) => a.labels[RUN_LABEL] === unreadableCtx.runId))).toEqual([]);
  });

  test('fails with "credentials rejected" naming the site\'s Secret when the password is wrong, and posts nothing', async () => {
    const wrongCtx = testContext(site);
    const rejected = await checkAlerts(wrongCtx, directEndpoint('alertmanager', asSite.url), { ...login, password: 'not-the-password' });
    expect(rejected).toEqual([expect.objectContaining({ id: 'alerts/status', status: 'fail', detail: expect.stringMatching(/^credentials rejected by alertmanager at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401, user monitoring\)$/) })]);
    expect(rejected[0].next).toContain(`Secret monitoring/${site.alertmanager.webAuthSecret} (keys username, password)`);
    const listed = await server<ListedAlert[]>(asSite, '/api/v2/alerts');
    expect(listed.filter((a) => a.labels[RUN_LABEL] === wrongCtx.runId)).toEqual([]);
  });

  test('a rejected login read from the local Secrets file names the file and the cluster\'s Secret to compare it with', async () => {
    // GIVEN a site with its own namespace and Secret name, and a stale password in the local file
    const other = parseSite({ kubernetes: { namespace: 'observability' }, alertmanager: { webAuthSecret: 'am-login', receivers: site.alertmanager.receivers } }).site;
    const file = '.secrets/kubernetes/monitoring-secrets.yaml';
    // WHEN
    const rejected = await checkAlerts(testContext(other), directEndpoint('alertmanager', asSite.url), { ...login, password: 'stale', source: file });
    // THEN
    expect(rejected).toEqual([expect.objectContaining({ id: 'alerts/status', status: 'fail', detail: expect.stringMatching(/\(HTTP 401, user monitoring, read from \.secrets\/kubernetes\/monitoring-secrets\.yaml\)$/) })]);
    expect(rejected[0].next).toBe(`the password in ${file} is not the one the cluster's Secret observability/am-login (keys username, password) holds, or alertmanager has not taken it yet: `
      + `kubectl apply -f ${file}, then restart alertmanager's pod; or, if the cluster's Secret is the right one, move ${file} aside so verify reads the Secret`);
  });
});
