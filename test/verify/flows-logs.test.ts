/**
 * checkLogs against a fake syslog gateway and Loki (test/verify/support/fake-log-pipeline.ts: no
 * Alloy or Loki binary can run here). The fake is built from the site's rendered config.alloy and
 * parses strictly, so these tests prove what checkLogs puts on the wire (format per listener,
 * TCP framing, the run id in the line), the LogQL it asks (valid, on the site's stream labels),
 * and how it reports each way the path can break.
 */
import { SYSLOG_JOB, syslogListeners } from '../../charts/syslog/alloy-config';
import { parseSite } from '../../site';
import { directEndpoint } from '../../verify/http';
import { checkLogs } from '../../verify/flows/logs';
import { sendSyslog } from '../../verify/flows/syslog-send';
import { syslogFrame, syslogMessage } from '../../verify/flows/syslog-message';
import { eventually } from '../prometheus/loopback-daemon';
import { SECOND_SITE } from '../support/second-site';
import { startFakeLogPipeline, type FakeLogPipeline } from './support/fake-log-pipeline';
import { testContext } from './support/flow-context';
import { logqlSyntaxErrors } from './support/logql';

const site = parseSite({}).site;

describe('checkLogs on a working log path (the default site: UDP and TCP)', () => {
  let pipeline: FakeLogPipeline;
  const ctx = testContext(site);
  let results: Awaited<ReturnType<typeof checkLogs>>;

  beforeAll(async () => {
    pipeline = await startFakeLogPipeline(site);
    results = await checkLogs(ctx, directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog);
  });
  afterAll(() => pipeline?.close());

  test('passes one result per transport the site\'s gateway listens on', () => {
    expect(syslogListeners(site).map((l) => l.transport)).toEqual(['udp', 'tcp']);
    expect(results).toEqual([
      expect.objectContaining({ id: 'logs/syslog-udp', status: 'pass', detail: expect.stringMatching(/^found in Loki \d+ s after sending, stream \{job="syslog", source="syslog", transport="udp", host="monitoring-verify", /) }),
      expect.objectContaining({ id: 'logs/syslog-tcp', status: 'pass' }),
    ]);
  });

  test('sends one RFC 3164 datagram over UDP and one octet-counted RFC 5424 frame over TCP, each tagged with the run id', () => {
    expect(pipeline.rejected).toEqual([]);
    expect(pipeline.received).toEqual([
      expect.objectContaining({ transport: 'udp', format: 'rfc3164', framing: undefined, hostname: 'monitoring-verify', severity: 6, message: expect.stringContaining(`${ctx.runId}-udp test line from npm run verify`) }),
      expect.objectContaining({ transport: 'tcp', format: 'rfc5424', framing: 'octet-counted', hostname: 'monitoring-verify', severity: 6, message: expect.stringContaining(`${ctx.runId}-tcp test line from npm run verify`) }),
    ]);
  });

  test('asks Loki in valid LogQL for the line under the listener\'s own stream labels', () => {
    expect(new Set(pipeline.queries)).toEqual(new Set(['udp', 'tcp'].map((t) => `{job="${SYSLOG_JOB}", source="${SYSLOG_JOB}", transport="${t}"} |= "${ctx.runId}-${t}"`)));
    for (const query of pipeline.queries) expect({ query, errors: logqlSyntaxErrors(query) }).toEqual({ query, errors: 0 });
    expect(logqlSyntaxErrors('{job="syslog" |= "x"')).toBeGreaterThan(0);
  });

  test('the fake gateway rejects a line in the other listener\'s format (its strictness bites)', async () => {
    await sendSyslog('udp', pipeline.syslog.host, pipeline.syslog.port, syslogFrame('udp', syslogMessage('rfc5424', 'wrong format', new Date())));
    await eventually(async () => (pipeline.rejected.length > 0 ? true : undefined), 5000, 'the rejection');
    expect(pipeline.rejected).toEqual([{ transport: 'udp', reason: expect.stringMatching(/^not an RFC3164 message/) }]);
  });
});

describe('checkLogs on a broken log path', () => {
  const pipelines: FakeLogPipeline[] = [];
  const start = async (...args: Parameters<typeof startFakeLogPipeline>) => {
    const p = await startFakeLogPipeline(...args);
    pipelines.push(p);
    return p;
  };
  afterAll(async () => { for (const p of pipelines) await p.close(); });

  test('fails TCP only, at once, when the gateway refuses TCP connections', async () => {
    const pipeline = await start(site, { tcp: 'refuse' });
    const results = await checkLogs(testContext(site), directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog);
    expect(results.map((r) => [r.id, r.status])).toEqual([['logs/syslog-udp', 'pass'], ['logs/syslog-tcp', 'fail']]);
    expect(results[1].detail).toMatch(new RegExp(`^could not send the test line over TCP to 127\\.0\\.0\\.1:${pipeline.syslog.port}: .*ECONNREFUSED`));
    expect(results[1].next).toContain(`TCP ${site.syslog.port} on ${site.loki.address}`);
  });

  test('fails TCP only after the deadline when the gateway takes TCP lines and loses them', async () => {
    const pipeline = await start(site, { tcp: 'drop' });
    const ctx = testContext(site, { waitMs: 1500 });
    const results = await checkLogs(ctx, directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog);
    expect(results.map((r) => [r.id, r.status])).toEqual([['logs/syslog-udp', 'pass'], ['logs/syslog-tcp', 'fail']]);
    expect(results[1].detail).toMatch(new RegExp(`^the TCP test line sent to 127\\.0\\.0\\.1:${pipeline.syslog.port} did not show up in Loki within \\d+ s \\(query \\{job="syslog", source="syslog", transport="tcp"\\} \\|= "${ctx.runId}-tcp"\\)$`));
    expect(ctx.messages).toContainEqual(expect.stringMatching(/^logs: waiting for the TCP test line in Loki \(\d+ s\)$/));
  });

  test('fails both transports after the deadline when Loki never shows the lines, UDP\'s next step naming the port', async () => {
    const pipeline = await start(site, { lokiKeepsNothing: true });
    const results = await checkLogs(testContext(site, { waitMs: 1500 }), directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog);
    expect(results.map((r) => [r.id, r.status])).toEqual([['logs/syslog-udp', 'fail'], ['logs/syslog-tcp', 'fail']]);
    // The lines did reach the gateway: the loss is between it and Loki.
    expect(pipeline.received.map((m) => m.transport)).toEqual(['udp', 'tcp']);
    expect(results[0].next).toContain(`UDP ${pipeline.syslog.port} reaches 127.0.0.1`);
  });
});

describe('checkLogs when the Loki address answers something else (a proxy\'s page, JSON of another shape)', () => {
  const pipelines: FakeLogPipeline[] = [];
  afterAll(async () => { for (const p of pipelines) await p.close(); });
  /** Long enough that waiting for it would fail the test's own timeout: the rows must come at once. */
  const WAIT_MS = 120_000;
  const run = async (lokiAnswer: string) => {
    const pipeline = await startFakeLogPipeline(site, { lokiAnswer });
    pipelines.push(pipeline);
    const ctx = testContext(site, { waitMs: WAIT_MS });
    return { pipeline, ctx, results: await checkLogs(ctx, directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog) };
  };
  const query = (ctx: { runId: string }, t: string) => `(query {job="${SYSLOG_JOB}", source="${SYSLOG_JOB}", transport="${t}"} |= "${ctx.runId}-${t}")`;

  test('an HTML page fails each transport at once, saying the body is not JSON and asking whether the address is Loki', async () => {
    const { pipeline, ctx, results } = await run('<html>proxy login</html>');
    expect(results).toEqual(['udp', 'tcp'].map((t) => expect.objectContaining({
      id: `logs/syslog-${t}`,
      status: 'fail',
      detail: `${pipeline.lokiUrl}/loki/api/v1/query_range answered HTTP 200 with a body that is not JSON: <html>proxy login</html> ${query(ctx, t)}`,
      next: `check that ${pipeline.lokiUrl} is loki itself, not a proxy or another service`,
    })));
  });

  test('{} fails each transport at once, naming the shape a Loki answer has', async () => {
    const { pipeline, ctx, results } = await run('{}');
    expect(results).toEqual(['udp', 'tcp'].map((t) => expect.objectContaining({
      id: `logs/syslog-${t}`,
      status: 'fail',
      detail: `GET /loki/api/v1/query_range at ${pipeline.lokiUrl} answered JSON that is not a Loki streams result (data.result, a list of streams with [time, line] values): {} ${query(ctx, t)}`,
    })));
  });
});

describe('checkLogs follows the site', () => {
  test('the second site (no TCP listener) gets a UDP line and one result; nothing is sent over TCP', async () => {
    const second = parseSite(SECOND_SITE).site;
    expect(second.syslog.tcp).toBe(false);
    const pipeline = await startFakeLogPipeline(second);
    try {
      const ctx = testContext(second);
      const results = await checkLogs(ctx, directEndpoint('loki', pipeline.lokiUrl), pipeline.syslog);
      expect(results.map((r) => [r.id, r.status])).toEqual([['logs/syslog-udp', 'pass']]);
      expect(pipeline.received).toEqual([expect.objectContaining({ transport: 'udp', message: expect.stringContaining(`${ctx.runId}-udp test line from npm run verify for site ${second.name}`) })]);
    } finally {
      await pipeline.close();
    }
  });
});
