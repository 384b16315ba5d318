/**
 * One syslog test line in the format and framing the gateway's listener parses (Alloy's
 * loki.source.syslog, charts/syslog/alloy-config.ts): RFC 3164 or RFC 5424 per listener, a
 * datagram per message on UDP, octet-counted frames (RFC 6587, what the site's rsyslog snippet
 * sends) on TCP.
 */
import type { SyslogStream } from './syslog-streams';

/** HOSTNAME and APP-NAME of every test line: they become the `host` and `app` labels, one stream per transport whatever the run. */
export const TEST_LINE_SENDER = 'monitoring-verify';
/** facility user (1) * 8 + severity informational (6). */
const PRIORITY = 14;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The syslog message (without framing) carrying `text`. */
export function syslogMessage(format: SyslogStream['format'], text: string, time: Date): string {
  if (format === 'rfc5424') {
    // <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
    return `<${PRIORITY}>1 ${time.toISOString()} ${TEST_LINE_SENDER} ${TEST_LINE_SENDER} - verify - ${text}`;
  }
  // <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG (day space-padded; no year or zone: the gateway keeps the arrival time).
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${MONTHS[time.getUTCMonth()]} ${String(time.getUTCDate()).padStart(2, ' ')} ${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}`;
  return `<${PRIORITY}>${stamp} ${TEST_LINE_SENDER} ${TEST_LINE_SENDER}: ${text}`;
}

/** The bytes that go on the wire: the message itself in a datagram, `LENGTH SP MESSAGE` on TCP. */
export function syslogFrame(transport: SyslogStream['transport'], message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return transport === 'udp' ? bytes : Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}
