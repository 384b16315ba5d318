/**
 * Logs flow: one test line per syslog transport the site's gateway listens on (UDP always, TCP
 * when site.syslog.tcp), each in the format that listener parses, then Loki is asked for it until
 * it shows up or the deadline passes. One result per transport.
 *
 * Each line carries `<runId>-<transport>` in its text and is found by a LogQL line filter under
 * the listener's own stream labels. The run id stays out of the labels (one new stream per run
 * would grow Loki's index without bound); host and app are the constant TEST_LINE_SENDER.
 */
import { fail, pass, type CheckResult } from '../check';
import type { ServiceEndpoint } from '../http';
import type { FlowContext } from './context';
import { callAs, failedAs, FlowFailure, isArrayOf, isRecord, isString, isStringMap, type Shape } from './flow-request';
import { pollUntil, secondsSince } from './poll';
import { sendSyslog } from './syslog-send';
import { syslogFrame, syslogMessage } from './syslog-message';
import { syslogStreams, type SyslogStream } from './syslog-streams';

export interface SyslogTarget {
  /** Where the gateway's syslog Service answers: site.loki.address, or another address of it. */
  readonly host: string;
  /** site.syslog.port, or a forwarded port. */
  readonly port: number;
}

/** How far before the send the Loki query starts, and past now it ends: room for clock skew (RFC 5424 lines keep the sender's time). */
const QUERY_MARGIN_NS = 15n * 60n * 1_000_000_000n;

interface LokiStream { stream: Record<string, string>; values: [string, string][] }
interface LokiStreams { data: { result: LokiStream[] } }

const STREAMS: Shape<LokiStreams> = {
  what: 'a Loki streams result (data.result, a list of streams with [time, line] values)',
  test: (v): v is LokiStreams => isRecord(v) && isRecord(v.data) && isArrayOf(v.data.result, (r): r is LokiStream => isRecord(r) && isStringMap(r.stream)
    && isArrayOf(r.values, (pair): pair is [string, string] => Array.isArray(pair) && pair.length === 2 && isString(pair[0]) && isString(pair[1]))),
};

const GROUP = 'logs';

/** The LogQL query that finds `tag` under the stream's labels. */
export function testLineQuery(stream: SyslogStream, tag: string): string {
  const selector = Object.entries(stream.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return `{${selector}} |= ${JSON.stringify(tag)}`;
}

export async function checkLogs(ctx: FlowContext, loki: ServiceEndpoint, syslog: SyslogTarget): Promise<CheckResult[]> {
  const streams = syslogStreams(ctx.site);
  const sentAt = Date.now();
  const start = BigInt(sentAt) * 1_000_000n - QUERY_MARGIN_NS;
  const outcome = new Map<SyslogStream['transport'], CheckResult>();
  const title = (s: SyslogStream) => `syslog over ${s.transport.toUpperCase()} reaches Loki`;
  const id = (s: SyslogStream) => `logs/syslog-${s.transport}`;
  const tag = (s: SyslogStream) => `${ctx.runId}-${s.transport}`;

  for (const stream of streams) {
    const text = `${tag(stream)} test line from npm run verify for site ${ctx.site.name}, no action needed`;
    try {
      await sendSyslog(stream.transport, syslog.host, syslog.port, syslogFrame(stream.transport, syslogMessage(stream.format, text, new Date())));
    } catch (e) {
      outcome.set(stream.transport, fail(GROUP, id(stream), title(stream),
        `could not send the test line over ${stream.transport.toUpperCase()} to ${syslog.host}:${syslog.port}: ${(e as Error).message}`,
        `check the syslog Service (${stream.transport.toUpperCase()} ${ctx.site.syslog.port} on ${ctx.site.loki.address}) and the syslog-gateway container in Loki's pod`));
    }
  }

  const find = async (stream: SyslogStream): Promise<CheckResult | undefined> => {
    const query = testLineQuery(stream, tag(stream));
    const end = BigInt(Date.now()) * 1_000_000n + QUERY_MARGIN_NS;
    const path = `/loki/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), limit: '5', direction: 'backward' })}`;
    try {
      const body = await callAs(loki, 'GET', path, STREAMS);
      const hit = body.data.result.find((r) => r.values.some(([, line]) => line.includes(tag(stream))));
      return hit && pass(GROUP, id(stream), title(stream), `found in Loki ${secondsSince(sentAt)} s after sending, stream ${labelText(hit.stream)}`);
    } catch (e) {
      if (e instanceof FlowFailure) return failedAs(GROUP, id(stream), title(stream), new FlowFailure(`${e.detail} (query ${query})`, e.next, e.lines));
      throw e;
    }
  };
  const pending = () => streams.filter((s) => !outcome.has(s.transport));
  await pollUntil(ctx, (s) => `logs: waiting for the ${pending().map((p) => p.transport.toUpperCase()).join(' and ')} test line in Loki (${s} s)`, async () => {
    for (const stream of pending()) {
      const result = await find(stream);
      if (result) outcome.set(stream.transport, result);
    }
    return pending().length === 0 ? true : undefined;
  });
  for (const stream of pending()) {
    outcome.set(stream.transport, fail(GROUP, id(stream), title(stream),
      `the ${stream.transport.toUpperCase()} test line sent to ${syslog.host}:${syslog.port} did not show up in Loki within ${secondsSince(sentAt)} s (query ${testLineQuery(stream, tag(stream))})`,
      stream.transport === 'udp'
        ? `UDP is dropped without a word: check that UDP ${syslog.port} reaches ${syslog.host} from this machine, then the syslog-gateway container's log in Loki's pod (parse or push errors)`
        : 'check the syslog-gateway container\'s log in Loki\'s pod (parse or push errors) and Loki\'s log'));
  }
  return streams.map((s) => outcome.get(s.transport)!);
}

function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}
