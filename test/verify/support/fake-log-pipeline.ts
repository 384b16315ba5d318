/**
 * A FAKE of the stack's log path, syslog gateway then Loki: neither Grafana Alloy nor Grafana Loki
 * can run on this machine (Debian's `loki` package is a different program), so checkLogs is tested
 * against this stand-in. It is built to be strict where the real path is, and from the site's own
 * files, not from verify's code:
 * - the listeners come from the site's rendered config.alloy text (read with the tests' own Alloy
 *   reader): one UDP and, when the site has it, one TCP socket on the same port, each parsing only
 *   the syslog format its listener names, so a line in the wrong format is rejected as Alloy would;
 * - TCP takes octet-counted (RFC 6587) or newline framing, told apart by the first byte, as Alloy's
 *   listener does; anything else is a framing error;
 * - stored lines get the listener's labels plus those of the config's relabel rules (host, app,
 *   source_ip, level, facility; the last two named after the RFC 5424 keywords, which may differ
 *   in wording from Alloy's), and Loki keeps the MSG part as the line;
 * - the Loki side answers /loki/api/v1/query_range for the LogQL subset `{name="value", ...}`
 *   followed by `|= "text"` filters, with 400 for anything else, as Loki does for a bad query.
 * Faults: `tcp: 'refuse'` (no TCP listener), `tcp: 'drop'` (accepts and discards), `lokiKeepsNothing`
 * (the gateway takes lines, Loki never shows them), `lokiAnswer` (every query answered 200 with
 * another body: a proxy's HTML page, JSON of another shape).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { alloySyslogConfig } from '../../../charts/syslog/alloy-config';
import type { Site } from '../../../site';
import { parseAlloy, type Parsed, type ParsedBlock } from '../../components/alloy-parser';
import { freePort } from '../../prometheus/loopback-daemon';
import { listenHttp, type HttpPeer } from './http-peer';

export interface FakeLogPipelineOptions {
  /** @default 'listen' */
  readonly tcp?: 'listen' | 'refuse' | 'drop';
  /** @default false */
  readonly lokiKeepsNothing?: boolean;
  /** A 200 body every query_range gets instead of Loki's answer; HTML when it starts with `<`. @default - Loki's answer */
  readonly lokiAnswer?: string;
  /** Lines Loki holds from the start, as the cluster's other sources (Talos, pods, events) would have sent them. @default - none */
  readonly preloaded?: readonly StoredLine[];
}

/** What a listener parsed out of one message. */
export interface ReceivedMessage {
  readonly transport: 'udp' | 'tcp';
  readonly format: 'rfc3164' | 'rfc5424';
  /** TCP only. */
  readonly framing?: 'octet-counted' | 'newline';
  readonly hostname: string;
  readonly appName: string;
  readonly severity: number;
  readonly facility: number;
  readonly message: string;
}

export interface StoredLine {
  readonly labels: Readonly<Record<string, string>>;
  readonly timeNs: bigint;
  readonly line: string;
}

export interface FakeLogPipeline {
  readonly syslog: { readonly host: string; readonly port: number };
  readonly lokiUrl: string;
  readonly received: ReceivedMessage[];
  /** Messages a listener could not take, with why. */
  readonly rejected: { transport: 'udp' | 'tcp'; reason: string }[];
  /** Every LogQL query Loki was asked. */
  readonly queries: string[];
  close(): Promise<void>;
}

interface Listener { transport: 'udp' | 'tcp'; format: 'rfc3164' | 'rfc5424'; labels: Record<string, string> }

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) (-|\[.*?\]) ?(.*)$/s;
const RFC3164 = /^<(\d{1,3})>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d:\d\d:\d\d) (\S+) ([^:[\s]+)(?:\[\d+\])?: (.*)$/s;

export async function startFakeLogPipeline(site: Site, options: FakeLogPipelineOptions = {}): Promise<FakeLogPipeline> {
  const config = parseAlloy(alloySyslogConfig(site));
  const listeners = listenersOf(config);
  const relabel = relabelRulesOf(config);
  const received: ReceivedMessage[] = [];
  const rejected: { transport: 'udp' | 'tcp'; reason: string }[] = [];
  const queries: string[] = [];
  const stored: StoredLine[] = [...(options.preloaded ?? [])];

  const take = (listener: Listener, raw: string, sourceIp: string, framing?: ReceivedMessage['framing']) => {
    const parsed = parse(listener.format, raw);
    if (typeof parsed === 'string') {
      rejected.push({ transport: listener.transport, reason: parsed });
      return;
    }
    const message: ReceivedMessage = { transport: listener.transport, format: listener.format, framing, ...parsed };
    received.push(message);
    if (listener.transport === 'tcp' && options.tcp === 'drop') return;
    if (options.lokiKeepsNothing) return;
    const meta: Record<string, string> = {
      __syslog_message_hostname: message.hostname,
      __syslog_connection_ip_address: sourceIp,
      __syslog_message_app_name: message.appName,
      __syslog_message_severity: SEVERITIES[message.severity],
      __syslog_message_facility: FACILITIES[message.facility] ?? String(message.facility),
    };
    const labels = { ...listener.labels, ...Object.fromEntries(relabel.map(([source, target]) => [target, meta[source] ?? ''])) };
    stored.push({ labels, timeNs: BigInt(Date.now()) * 1_000_000n, line: message.message });
  };

  let port = 0;
  let udp: dgram.Socket | undefined;
  let tcp: net.Server | undefined;
  const tcpSockets = new Set<net.Socket>();
  // UDP and TCP on one port number, as the syslog Service has them: retry until both bind.
  for (let attempt = 0; attempt < 10 && !udp; attempt++) {
    port = await freePort();
    const udpListener = listeners.find((l) => l.transport === 'udp');
    const tcpListener = listeners.find((l) => l.transport === 'tcp');
    try {
      if (udpListener) {
        udp = await bindUdp(port, (msg, rinfo) => take(udpListener, msg.toString('utf8'), rinfo.address));
      }
      if (tcpListener && options.tcp !== 'refuse') {
        tcp = await listenTcp(port, (socket) => {
          tcpSockets.add(socket);
          socket.on('close', () => tcpSockets.delete(socket));
          readFrames(socket, (raw, framing) => take(tcpListener, raw, socket.remoteAddress ?? '', framing), (reason) => rejected.push({ transport: 'tcp', reason }));
        });
      }
    } catch {
      udp?.close();
      udp = undefined;
    }
  }
  if (!udp) throw new Error('could not bind UDP and TCP on one loopback port');

  const loki: HttpPeer = await listenHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loki');
    if (url.pathname !== '/loki/api/v1/query_range') {
      res.writeHead(404).end('404 page not found');
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    queries.push(query);
    if (options.lokiAnswer !== undefined) {
      res.writeHead(200, { 'Content-Type': options.lokiAnswer.startsWith('<') ? 'text/html' : 'application/json' }).end(options.lokiAnswer);
      return;
    }
    const selection = parseQuery(query);
    if (typeof selection === 'string') {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`parse error : ${selection}`);
      return;
    }
    const start = BigInt(url.searchParams.get('start') ?? '0');
    const end = BigInt(url.searchParams.get('end') ?? String(BigInt(Date.now()) * 1_000_000n));
    const lines = stored.filter((s) => s.timeNs >= start && s.timeNs <= end
      && Object.entries(selection.matchers).every(([k, v]) => s.labels[k] === v)
      && selection.contains.every((text) => s.line.includes(text)));
    const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
    for (const s of lines) {
      const key = JSON.stringify(Object.entries(s.labels).sort());
      if (!streams.has(key)) streams.set(key, { stream: { ...s.labels }, values: [] });
      streams.get(key)!.values.push([String(s.timeNs), s.line]);
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [...streams.values()], stats: {} } }));
  });

  return {
    syslog: { host: '127.0.0.1', port },
    lokiUrl: loki.url,
    received,
    rejected,
    queries,
    close: async () => {
      udp?.close();
      for (const s of tcpSockets) s.destroy();
      await new Promise<void>((done) => (tcp ? tcp.close(() => done()) : done()));
      await loki.close();
    },
  };
}

function listenersOf(config: ParsedBlock[]): Listener[] {
  const source = config.find((b) => b.name === 'loki.source.syslog');
  if (!source) throw new Error('config.alloy has no loki.source.syslog block');
  return source.blocks.filter((b) => b.name === 'listener').map((b) => {
    const attr = Object.fromEntries(b.attributes) as Record<string, Parsed>;
    return { transport: attr.protocol as Listener['transport'], format: attr.syslog_format as Listener['format'], labels: attr.labels as Record<string, string> };
  });
}

/** [source label, target label] of the config's loki.relabel rules. */
function relabelRulesOf(config: ParsedBlock[]): [string, string][] {
  const relabel = config.find((b) => b.name === 'loki.relabel');
  return (relabel?.blocks ?? []).filter((b) => b.name === 'rule').map((b) => {
    const attr = Object.fromEntries(b.attributes) as Record<string, Parsed>;
    return [(attr.source_labels as string[])[0], attr.target_label as string];
  });
}

/** The fields of one message, or why it does not parse as `format`. */
function parse(format: Listener['format'], raw: string): Omit<ReceivedMessage, 'transport' | 'format' | 'framing'> | string {
  const m = (format === 'rfc5424' ? RFC5424 : RFC3164).exec(raw);
  if (!m) return `not an ${format.toUpperCase()} message: ${JSON.stringify(raw.slice(0, 80))}`;
  const pri = Number(m[1]);
  if (pri > 191) return `priority ${pri} out of range`;
  const [hostname, appName, message] = format === 'rfc5424' ? [m[3], m[4], m[8]] : [m[5], m[6], m[7]];
  return { hostname, appName, severity: pri % 8, facility: Math.floor(pri / 8), message };
}

/** Octet-counted (`LEN SP MSG`) or newline-terminated frames, the kind decided by the first byte. */
function readFrames(socket: net.Socket, onFrame: (raw: string, framing: 'octet-counted' | 'newline') => void, onError: (reason: string) => void): void {
  let buffer = Buffer.alloc(0);
  const drain = () => {
    while (buffer.length > 0) {
      const first = buffer[0];
      if (first >= 0x31 && first <= 0x39) {
        const space = buffer.indexOf(0x20);
        if (space < 0) return;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length)) return fault(`bad octet count ${JSON.stringify(buffer.subarray(0, space).toString('ascii'))}`);
        if (buffer.length < space + 1 + length) return;
        onFrame(buffer.subarray(space + 1, space + 1 + length).toString('utf8'), 'octet-counted');
        buffer = buffer.subarray(space + 1 + length);
      } else if (first === 0x3c) {
        const newline = buffer.indexOf(0x0a);
        if (newline < 0) return;
        onFrame(buffer.subarray(0, newline).toString('utf8'), 'newline');
        buffer = buffer.subarray(newline + 1);
      } else {
        return fault(`frame starts with byte ${first}, neither a digit (octet counting) nor "<" (newline framing)`);
      }
    }
  };
  const fault = (reason: string) => {
    onError(reason);
    buffer = Buffer.alloc(0);
    socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => { buffer = Buffer.concat([buffer, chunk]); drain(); });
  // A half-close ends the stream: an unterminated newline frame is still a message.
  socket.on('end', () => {
    if (buffer.length > 0 && buffer[0] === 0x3c) onFrame(buffer.toString('utf8'), 'newline');
    else if (buffer.length > 0) onError(`stream ended inside a frame (${buffer.length} bytes left)`);
    socket.end();
  });
  socket.on('error', () => undefined);
}

/** The LogQL subset: a selector of equality matchers, then `|= "text"` filters. */
function parseQuery(query: string): { matchers: Record<string, string>; contains: string[] } | string {
  const m = /^\{\s*((?:[A-Za-z_]\w*\s*=\s*"(?:[^"\\]|\\.)*"\s*,?\s*)+)\}((?:\s*\|=\s*"(?:[^"\\]|\\.)*")*)\s*$/.exec(query);
  if (!m) return `the fake Loki takes {name="value", ...} |= "text" only, got ${JSON.stringify(query)}`;
  const matchers = Object.fromEntries([...m[1].matchAll(/([A-Za-z_]\w*)\s*=\s*("(?:[^"\\]|\\.)*")/g)].map(([, k, v]) => [k, JSON.parse(v) as string]));
  const contains = [...m[2].matchAll(/\|=\s*("(?:[^"\\]|\\.)*")/g)].map(([, v]) => JSON.parse(v) as string);
  return { matchers, contains };
}

function bindUdp(port: number, onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo) => void): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', onMessage);
    socket.bind(port, '127.0.0.1', () => { socket.off('error', reject); resolve(socket); });
  });
}

function listenTcp(port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(server); });
  });
}
