/**
 * Talos machine and service logs: each node's machine config names the log gateway as a logging
 * destination (`machine.logging.destinations`, json_lines over TCP: one JSON object per line with
 * `msg`, `talos-level`, `talos-service`, `talos-time` and the destination's extraTags), and the
 * gateway's listener turns each line into a Loki entry.
 *
 * Alloy has no GA component for newline-delimited JSON over TCP: `otelcol.receiver.tcplog` is
 * experimental, so a gateway that runs this listener starts with `--stability.level=experimental`
 * (Kubernetes only; the LXC path has no Talos nodes). `otelcol.exporter.loki` wraps the record as
 * `{"body": "<the Talos line>", ...}`, so the pipeline unwraps the body, takes the labels from the
 * Talos fields and keeps the Talos line itself as the log line (`| json` works on it in Grafana).
 * (pkg/translator/loki of opentelemetry-collector-contrib: JSON format by default, the body a
 * JSON string, and an `exporter="OTLP"` label on every stream.)
 */
import type { Site } from '../../site';
import { TALOS_LOG_HOST_TAG } from '../common/cluster-contract';
import { PORTS } from '../topology';
import { type AlloyBlock, ref } from './alloy-syntax';

/** Stream label values of Talos lines (the stack's label scheme: job and source on every line). */
export const TALOS_LOG_JOB = 'talos';
/** Alloy's flag that admits experimental components (otelcol.receiver.tcplog). */
export const ALLOY_EXPERIMENTAL_FLAG = '--stability.level=experimental';

/** JMESPath of a Talos field: its names carry a dash, so they are quoted. */
const field = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name}"`);

/**
 * The listener and its pipeline, ending in `forwardTo` (the gateway's loki.write receiver).
 * Labels: job and source "talos", host (the node), service (the Talos service: machined, etcd,
 * kubelet, ...) and level; the time is the node's `talos-time`.
 */
export function talosLogBlocks(site: Site, forwardTo: string): AlloyBlock[] {
  const hosts = site.talos.nodes.map((n) => n.hostname);
  return [
    {
      name: 'otelcol.receiver.tcplog',
      label: 'talos',
      attributes: [
        ['listen_address', `0.0.0.0:${PORTS.talosLogs}`],
      ],
      blocks: [{ name: 'output', attributes: [['logs', [ref('otelcol.exporter.loki.talos.input')]]] }],
    },
    {
      name: 'otelcol.exporter.loki',
      label: 'talos',
      attributes: [['forward_to', [ref('loki.process.talos.receiver')]]],
    },
    {
      name: 'loki.process',
      label: 'talos',
      attributes: [['forward_to', [ref(forwardTo)]]],
      blocks: [
        // The exporter's JSON envelope: the Talos line is its `body` string.
        { name: 'stage.json', attributes: [['expressions', { body: '' }]] },
        {
          name: 'stage.json',
          attributes: [
            ['source', 'body'],
            ['expressions', { host: field(TALOS_LOG_HOST_TAG), service: field('talos-service'), level: field('talos-level'), time: field('talos-time') }],
          ],
        },
        { name: 'stage.labels', attributes: [['values', { host: '', service: '', level: '' }]] },
        // The port is open to the pod network too (the nodes' connections arrive masqueraded), so a
        // line that names no node of the site is dropped rather than filed as a node's log.
        {
          name: 'stage.match',
          attributes: [
            // Hostnames are DNS labels (site validation): no character of theirs is special in RE2.
            ['selector', `{host!~"${hosts.join('|')}"}`],
            ['action', 'drop'],
            ['drop_counter_reason', 'not_a_talos_node'],
          ],
        },
        // The exporter labels every stream exporter="OTLP"; the scheme has no use for it.
        { name: 'stage.label_drop', attributes: [['values', ['exporter']]] },
        { name: 'stage.static_labels', attributes: [['values', { job: TALOS_LOG_JOB, source: TALOS_LOG_JOB }]] },
        { name: 'stage.timestamp', attributes: [['source', 'time'], ['format', 'RFC3339Nano']] },
        { name: 'stage.output', attributes: [['source', 'body']] },
      ],
    },
  ];
}
