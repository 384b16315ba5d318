/**
 * The log flows that need no test line: each source the site switches on must already have lines
 * in Loki, under the labels the stack gives it (docs/logs.md). Talos logs: a stream from every
 * node (host label = its hostname) in the last 15 minutes, as machined and the kubelet log all the
 * time. Pod logs: a line from a pod of the stack's namespace in the last 15 minutes (Prometheus,
 * Loki and Grafana log steadily). Events: a line in the last 24 hours (the collector's own pod was
 * scheduled, pulled and started, so there is at least that).
 *
 * One query per expectation, a plain stream selector with limit 1: cheap, and it cannot be
 * crowded out by a chattier stream.
 */
import { fail, pass, type CheckResult } from '../check';
import type { ServiceEndpoint } from '../http';
import type { Site } from '../../site';
import { KUBERNETES_EVENTS_JOB, KUBERNETES_LOG_SOURCE } from '../../charts/logs/cluster-logs-config';
import { TALOS_LOG_JOB } from '../../charts/syslog/talos-logs';
import type { FlowContext } from './context';
import { callAs, failedAs, FlowFailure, isArrayOf, isRecord, isStringMap, type Shape } from './flow-request';
import { pollUntil } from './poll';

export interface LogSourceExpectation {
  readonly id: string;
  readonly title: string;
  /** A LogQL stream selector. */
  readonly selector: string;
  /** How far back a line counts, seconds. */
  readonly windowSeconds: number;
  /** What to do when nothing is there. */
  readonly next: string;
}

const MINUTES_15 = 15 * 60;
const HOURS_24 = 24 * 3600;

export function logSourceExpectations(site: Site): LogSourceExpectation[] {
  const logs = site.integrations.logs;
  const ns = site.kubernetes.namespace;
  return [
    ...(logs.talos ? site.talos.nodes.map((n) => ({
      id: `logs/talos-${n.hostname}`,
      title: `Talos logs of ${n.hostname} reach Loki`,
      selector: `{source=${JSON.stringify(TALOS_LOG_JOB)}, host=${JSON.stringify(n.hostname)}}`,
      windowSeconds: MINUTES_15,
      next: `apply the node's machine config (machine.logging) with talosctl, then check \`talosctl -n ${n.address} logs machined\` for "log sender" errors and the talos-logs Service on ${site.loki.address}`,
    })) : []),
    ...(logs.pods ? [{
      id: 'logs/pods',
      title: 'pod logs reach Loki',
      selector: `{source=${JSON.stringify(KUBERNETES_LOG_SOURCE)}, namespace=${JSON.stringify(ns)}}`,
      windowSeconds: MINUTES_15,
      next: `check the cluster-logs Deployment in ${ns} (its log, and that its ClusterRole can read pods/log)`,
    }] : []),
    ...(logs.events ? [{
      id: 'logs/events',
      title: 'Kubernetes events reach Loki',
      selector: `{job=${JSON.stringify(KUBERNETES_EVENTS_JOB)}}`,
      windowSeconds: HOURS_24,
      next: `check the cluster-logs Deployment in ${ns} (its log, and that its ClusterRole can read events)`,
    }] : []),
  ];
}

interface LokiStreams { data: { result: { stream: Record<string, string>; values: unknown[] }[] } }

const STREAMS: Shape<LokiStreams> = {
  what: 'a Loki streams result (data.result, a list of streams with values)',
  test: (v): v is LokiStreams => isRecord(v) && isRecord(v.data)
    && isArrayOf(v.data.result, (r): r is LokiStreams['data']['result'][number] => isRecord(r) && isStringMap(r.stream) && Array.isArray(r.values)),
};

export async function checkLogSources(ctx: FlowContext, loki: ServiceEndpoint): Promise<CheckResult[]> {
  const expectations = logSourceExpectations(ctx.site);
  const outcome = new Map<string, CheckResult>();
  const look = async (e: LogSourceExpectation): Promise<CheckResult | undefined> => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const start = now - BigInt(e.windowSeconds) * 1_000_000_000n;
    const path = `/loki/api/v1/query_range?${new URLSearchParams({ query: e.selector, start: String(start), end: String(now), limit: '1', direction: 'backward' })}`;
    try {
      const body = await callAs(loki, 'GET', path, STREAMS);
      const hit = body.data.result.find((r) => r.values.length > 0);
      return hit && pass('logs', e.id, e.title, `a line in the last ${windowText(e.windowSeconds)} under ${e.selector}`);
    } catch (err) {
      if (err instanceof FlowFailure) return failedAs('logs', e.id, e.title, new FlowFailure(`${err.detail} (query ${e.selector})`, err.next, err.lines));
      throw err;
    }
  };
  const pending = () => expectations.filter((e) => !outcome.has(e.id));
  // Lines of a live source arrive within seconds: poll briefly in case the stack just started.
  await pollUntil(ctx, (s) => `logs: waiting for ${pending().map((e) => e.id.replace(/^logs\//, '')).join(', ')} in Loki (${s} s)`, async () => {
    for (const e of pending()) {
      const result = await look(e);
      if (result) outcome.set(e.id, result);
    }
    return pending().length === 0 ? true : undefined;
  });
  for (const e of pending()) {
    outcome.set(e.id, fail('logs', e.id, e.title, `no line in the last ${windowText(e.windowSeconds)} under ${e.selector}`, e.next));
  }
  return expectations.map((e) => outcome.get(e.id)!);
}

function windowText(seconds: number): string {
  return seconds >= 3600 ? `${seconds / 3600} h` : `${seconds / 60} min`;
}
