/**
 * config.alloy of the syslog gateway: Grafana Alloy receives syslog from every VLAN and pushes
 * it to Loki (Promtail, the old route, is end-of-life since 2026-03; research §7).
 *
 * - UDP carries classic BSD syslog (RFC 3164): what rsyslog's `*.* @host:514` and most network
 *   gear and appliances send.
 * - TCP carries RFC 5424 (octet-counted or newline framing, detected from the first byte): what
 *   rsyslog sends with `template="RSYSLOG_SyslogRFC5424Format" TCP_Framing="octet-counted"`;
 *   reliable and with real timestamps. (Alloy v1.18 would parse RFC 3164 on TCP too; RFC 5424 is
 *   kept for its year, zone and structured data.)
 * One listener parses one format, so the transports map to the formats this way; the senders'
 * rsyslog lines are generated from these listeners (rsyslog-snippet.ts).
 */
import type { Site } from '../../site';
import { PORTS } from '../topology';
import { type AlloyBlock, formatAlloy, ref } from './alloy-syntax';
import { talosLogBlocks } from './talos-logs';

/** Stream labels every syslog line carries; Loki queries select on them (`{job="syslog"}`). */
export const SYSLOG_JOB = 'syslog';

export type SyslogTransport = 'udp' | 'tcp';

/** Largest UDP syslog message kept whole: a datagram's maximum payload, what csyslogd may send (OS_MAXSTR). */
export const UDP_MAX_MESSAGE_BYTES = 65536;

export interface SyslogListener {
  readonly transport: SyslogTransport;
  readonly format: 'rfc3164' | 'rfc5424';
}

/** The listeners the site asks for: UDP always (the report's rule), TCP when site.syslog.tcp. */
export function syslogListeners(site: Site): SyslogListener[] {
  return [
    { transport: 'udp', format: 'rfc3164' },
    ...(site.syslog.tcp ? [{ transport: 'tcp', format: 'rfc5424' } as const] : []),
  ];
}

/**
 * Parsed syslog header fields become labels. proc_id and msg_id stay out (unbounded
 * cardinality). The sender's address arrives unchanged (Local traffic policy on Kubernetes, a
 * local port redirect on LXC), so it is kept as `source_ip`: it names a device whose hostname
 * field is empty or wrong, and is bounded by the number of senders like `host`.
 */
const LABEL_RULES: ReadonlyArray<readonly [string, string]> = [
  ['__syslog_message_hostname', 'host'],
  ['__syslog_connection_ip_address', 'source_ip'],
  ['__syslog_message_app_name', 'app'],
  ['__syslog_message_severity', 'level'],
  ['__syslog_message_facility', 'facility'],
];

function listenerBlock(listener: SyslogListener): AlloyBlock {
  return {
    name: 'listener',
    attributes: [
      ['address', `0.0.0.0:${PORTS.syslogContainer}`],
      ['protocol', listener.transport],
      ['syslog_format', listener.format],
      // RFC 3164 timestamps carry neither year nor time zone, so UDP lines keep the time they
      // arrived (UDP is delivered at once); RFC 5424 timestamps are RFC 3339 and are kept.
      ['use_incoming_timestamp', listener.format === 'rfc5424'],
      ['labels', { job: SYSLOG_JOB, source: SYSLOG_JOB, transport: listener.transport }],
      // A UDP read takes at most this many bytes and drops the rest of the datagram (Alloy's
      // default 8192): Wazuh's csyslogd sends a whole alert as JSON in one datagram of up to 64 KiB.
      ...(listener.transport === 'udp' ? [['max_message_length', UDP_MAX_MESSAGE_BYTES] as const] : []),
    ],
  };
}

export interface GatewayOptions {
  /** Also receive Talos machine logs (charts/syslog/talos-logs.ts; Kubernetes only). @default false */
  readonly talosLogs?: boolean;
}

/** The gateway's config as Alloy blocks (the typed model the tests inspect). */
export function alloySyslogBlocks(site: Site, options: GatewayOptions = {}): AlloyBlock[] {
  return [
    {
      name: 'loki.relabel',
      label: 'syslog',
      // Only the exported `rules` are used; forward_to is required all the same.
      attributes: [['forward_to', []]],
      blocks: LABEL_RULES.map(([source, target]) => ({
        name: 'rule',
        attributes: [['source_labels', [source]], ['target_label', target]],
      })),
    },
    {
      name: 'loki.source.syslog',
      label: 'gateway',
      attributes: [
        ['relabel_rules', ref('loki.relabel.syslog.rules')],
        ['forward_to', [ref('loki.write.loki.receiver')]],
      ],
      blocks: syslogListeners(site).map(listenerBlock),
    },
    ...(options.talosLogs ? talosLogBlocks(site, 'loki.write.loki.receiver') : []),
    {
      name: 'loki.write',
      label: 'loki',
      // The gateway runs beside Loki (same pod on Kubernetes, same container on LXC): loopback,
      // which no NetworkPolicy or firewall rule has to admit.
      blocks: [{ name: 'endpoint', attributes: [['url', `http://127.0.0.1:${PORTS.loki}/loki/api/v1/push`]] }],
    },
  ];
}

/** config.alloy text. */
export function alloySyslogConfig(site: Site, options: GatewayOptions = {}): string {
  return formatAlloy(alloySyslogBlocks(site, options));
}
