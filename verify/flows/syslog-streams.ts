/**
 * The syslog gateway's listeners as the site's config.alloy declares them: which transport
 * carries which syslog format, and the stream labels every line gets in Loki. Read from the
 * gateway's typed config (charts/syslog/alloy-config.ts), so the test lines and the Loki query
 * follow whatever the gateway is configured to accept and label.
 */
import { alloySyslogBlocks } from '../../charts/syslog/alloy-config';
import type { AlloyBlock, AlloyValue } from '../../charts/syslog/alloy-syntax';
import type { Site } from '../../site';

export interface SyslogStream {
  readonly transport: 'udp' | 'tcp';
  readonly format: 'rfc3164' | 'rfc5424';
  /** Labels the listener puts on every line, e.g. `{ job: 'syslog', transport: 'udp' }`. */
  readonly labels: Readonly<Record<string, string>>;
}

export function syslogStreams(site: Site): SyslogStream[] {
  const source = alloySyslogBlocks(site).find((b) => b.name === 'loki.source.syslog');
  return (source?.blocks ?? []).filter((b) => b.name === 'listener').map(streamOf);
}

function streamOf(listener: AlloyBlock): SyslogStream {
  const attributes = new Map<string, AlloyValue>(listener.attributes ?? []);
  const transport = attributes.get('protocol');
  const format = attributes.get('syslog_format');
  const labels = attributes.get('labels');
  if ((transport !== 'udp' && transport !== 'tcp') || (format !== 'rfc3164' && format !== 'rfc5424') || !isStringMap(labels)) {
    throw new Error(`a syslog listener in config.alloy has protocol ${String(transport)}, syslog_format ${String(format)}: verify/flows/syslog-streams.ts knows udp/tcp, rfc3164/rfc5424 and string labels`);
  }
  return { transport, format, labels };
}

function isStringMap(value: AlloyValue | undefined): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
