/**
 * Every flow check against a service that does not answer (a closed loopback port) or answers
 * as something else (an HTML page, JSON of another shape): each returns fail rows naming the
 * endpoint and a next step, at once, without waiting for its deadline and without throwing.
 */
import { parseSite } from '../../site';
import { directEndpoint } from '../../verify/http';
import { checkAlerts } from '../../verify/flows/alerts';
import { checkGrafana } from '../../verify/flows/grafana';
import { checkLogs } from '../../verify/flows/logs';
import { checkMetrics } from '../../verify/flows/metrics';
import { freePort } from '../prometheus/loopback-daemon';
import { testContext } from './support/flow-context';
import { listenHttp, type HttpPeer } from './support/http-peer';

const site = parseSite({}).site;
const auth = { username: 'monitoring', password: 'x' };
/** Long enough that a flow waiting for it would fail the test's own timeout. */
const WAIT_MS = 120_000;

describe('flow checks against a closed port', () => {
  let port = 0;
  beforeAll(async () => { port = await freePort(); });
  const endpoint = (service: string) => directEndpoint(service, `http://127.0.0.1:${port}`);
  /** The fields of a fail row for "no answer". */
  const unreachable = (service: string) => ({
    status: 'fail',
    detail: expect.stringMatching(new RegExp(`^no answer from ${service} at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
    next: `check that ${service} is running and ready, and that http://127.0.0.1:${port} is reachable from this machine`,
  });
  const row = (fields: object) => expect.objectContaining(fields);

  test('metrics: one fail row for readiness', async () => {
    expect(await checkMetrics(testContext(site, { waitMs: WAIT_MS }), endpoint('prometheus'), auth)).toEqual([row({ ...unreachable('prometheus'), id: 'metrics/ready' })]);
  });

  test('alerts: one fail row for the status, and no later step tried', async () => {
    expect(await checkAlerts(testContext(site, { waitMs: WAIT_MS }), endpoint('alertmanager'), auth)).toEqual([row({ ...unreachable('alertmanager'), id: 'alerts/status' })]);
  });

  test('grafana: one fail row for health', async () => {
    expect(await checkGrafana(testContext(site, { waitMs: WAIT_MS }), endpoint('grafana'), auth)).toEqual([row({ ...unreachable('grafana'), id: 'grafana/health' })]);
  });

  test('logs: a fail row per transport, TCP refused by the gateway, UDP for want of Loki', async () => {
    const results = await checkLogs(testContext(site, { waitMs: WAIT_MS }), endpoint('loki'), { host: '127.0.0.1', port });
    expect(results).toEqual([
      row({ ...unreachable('loki'), id: 'logs/syslog-udp', detail: expect.stringMatching(new RegExp(`^no answer from loki at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED .*\\(query \\{job="syslog", source="syslog", transport="udp"\\}`)) }),
      expect.objectContaining({ id: 'logs/syslog-tcp', status: 'fail', detail: expect.stringMatching(/^could not send the test line over TCP/) }),
    ]);
  });
});

describe('flow checks against something that is not the service', () => {
  let page: HttpPeer | undefined;
  beforeAll(async () => { page = await listenHttp((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>router login</html>'); }); });
  afterAll(() => page?.close());

  test('metrics: a page that is not JSON fails the API row, asking whether the address is Prometheus at all', async () => {
    const results = await checkMetrics(testContext(site, { waitMs: WAIT_MS }), directEndpoint('prometheus', page!.url), auth);
    expect(results.map((r) => [r.id, r.status])).toEqual([['metrics/ready', 'pass'], ['metrics/api', 'fail']]);
    expect(results[1]).toMatchObject({ detail: expect.stringContaining('with a body that is not JSON: <html>router login</html>'), next: `check that ${page!.url} is prometheus itself, not a proxy or another service` });
  });
});

describe.each([
  ['an HTML page', '<html>router login</html>', /with a body that is not JSON: <html>router login<\/html>/],
  ['{}', '{}', /answered JSON that is not .*: \{\}|reports its database as unknown/],
  ['[]', '[]', /answered JSON that is not .*: \[\]/],
])('flow checks against a server answering every request with 200 and %s', (_name, body, why) => {
  let server: HttpPeer | undefined;
  const requests: string[] = [];
  beforeAll(async () => {
    server = await listenHttp((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': body.startsWith('<') ? 'text/html' : 'application/json' }).end(body);
    });
  });
  afterAll(() => server?.close());
  const endpoint = (service: string) => directEndpoint(service, server!.url);
  const port = () => server!.port;
  /** Every row a pass or a fail with a reason and a next step; at least one fail, for the odd answer. */
  const judged = (rows: readonly { status: string; detail?: string; next?: string }[]) => {
    expect(rows.every((r) => r.status === 'pass' || (r.status === 'fail' && r.detail && r.next))).toBe(true);
    expect(rows.filter((r) => r.status === 'fail').map((r) => r.detail)).toContainEqual(expect.stringMatching(why));
  };

  test('metrics resolves with fail rows, at once', async () => {
    judged(await checkMetrics(testContext(site, { waitMs: WAIT_MS }), endpoint('prometheus'), auth));
  });

  test('alerts resolves with fail rows, at once, and posts no test alert', async () => {
    judged(await checkAlerts(testContext(site, { waitMs: WAIT_MS }), endpoint('alertmanager'), auth));
    expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
  });

  test('grafana resolves with fail rows, at once', async () => {
    judged(await checkGrafana(testContext(site, { waitMs: WAIT_MS }), endpoint('grafana'), auth));
  });

  test('logs resolves with a fail row per transport, at once', async () => {
    const rows = await checkLogs(testContext(site, { waitMs: WAIT_MS }), endpoint('loki'), { host: '127.0.0.1', port: port() });
    judged(rows);
    expect(rows.map((r) => [r.id, r.status])).toEqual([['logs/syslog-udp', 'fail'], ['logs/syslog-tcp', 'fail']]);
  });
});
