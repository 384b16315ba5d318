/**
 * checkLogSources against the fake Loki of test/verify/support/fake-log-pipeline.ts (no Loki
 * binary runs here), holding the lines the cluster's other log sources would have sent. The
 * lines carry the labels the stack's own configs give (the Talos listener's and the cluster log
 * collector's), so a query that drifts from those labels finds nothing and fails here.
 */
import { clusterLogBlocks } from '../../charts/logs/cluster-logs-config';
import { talosLogBlocks } from '../../charts/syslog/talos-logs';
import { parseSite, type SiteInput } from '../../site';
import { directEndpoint } from '../../verify/http';
import { checkLogSources, logSourceExpectations } from '../../verify/flows/log-sources';
import { startFakeLogPipeline, type StoredLine } from './support/fake-log-pipeline';
import { testContext } from './support/flow-context';
import { logqlSyntaxErrors } from './support/logql';

const VARIED: SiteInput = {
  kubernetes: { namespace: 'observability' },
  talos: { nodes: [{ hostname: 'kube-a', address: '10.70.0.51', vmid: 501 }, { hostname: 'kube-b', address: '10.70.0.52', vmid: 502 }, { hostname: 'kube-c', address: '10.70.0.53', vmid: 503 }] },
};
const site = parseSite(VARIED).site;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const MINUTE_NS = 60n * 1_000_000_000n;

/** The static labels each pipeline of the stack's own config puts on its lines. */
const talosStatic = () => {
  const process = talosLogBlocks(site, 'loki.write.loki.receiver').find((b) => b.name === 'loki.process')!;
  return Object.fromEntries(process.blocks!.find((b) => b.name === 'stage.static_labels')!.attributes!)['values'] as Record<string, string>;
};
const kubernetesStatic = () => {
  const process = clusterLogBlocks(site).find((b) => b.name === 'loki.process')!;
  return Object.fromEntries(process.blocks!.find((b) => b.name === 'stage.static_labels')!.attributes!)['values'] as Record<string, string>;
};

function clusterLines(ageNs = MINUTE_NS): StoredLine[] {
  const t = nowNs() - ageNs;
  return [
    ...['kube-a', 'kube-b', 'kube-c'].map((host) => ({ labels: { ...talosStatic(), host, service: 'machined', level: 'info' }, timeNs: t, line: '{"msg":"[talos] ok"}' })),
    { labels: { ...kubernetesStatic(), job: 'observability/loki', namespace: 'observability', pod: 'loki-0', container: 'loki', host: 'kube-a' }, timeNs: t, line: 'level=info msg=flushed' },
    { labels: { ...kubernetesStatic(), job: 'kubernetes-events', namespace: 'observability' }, timeNs: t, line: 'name=cluster-logs reason=Started' },
  ];
}

describe('checkLogSources', () => {
  test('expects a stream per Talos node, pod logs of the stack\'s namespace and events, each a valid LogQL selector', () => {
    const expected = logSourceExpectations(site);
    expect(expected.map((e) => e.selector)).toEqual([
      '{source="talos", host="kube-a"}', '{source="talos", host="kube-b"}', '{source="talos", host="kube-c"}',
      '{source="kubernetes", namespace="observability"}', '{job="kubernetes-events"}',
    ]);
    for (const e of expected) expect(logqlSyntaxErrors(e.selector)).toBe(0);
  });

  test('passes when every source has a recent line under the labels the stack gives it', async () => {
    const pipeline = await startFakeLogPipeline(site, { preloaded: clusterLines() });
    try {
      const results = await checkLogSources(testContext(site, { waitMs: 2000 }), directEndpoint('loki', pipeline.lokiUrl));
      expect(results.map((r) => [r.id, r.status])).toEqual([
        ['logs/talos-kube-a', 'pass'], ['logs/talos-kube-b', 'pass'], ['logs/talos-kube-c', 'pass'], ['logs/pods', 'pass'], ['logs/events', 'pass'],
      ]);
    } finally {
      await pipeline.close();
    }
  });

  test('a silent node fails by name with what to check; lines older than the window do not count', async () => {
    const lines = clusterLines().filter((l) => l.labels.host !== 'kube-b');
    const stale = clusterLines(20n * MINUTE_NS).filter((l) => l.labels.host === 'kube-b');
    const pipeline = await startFakeLogPipeline(site, { preloaded: [...lines, ...stale] });
    try {
      const results = await checkLogSources(testContext(site, { waitMs: 600 }), directEndpoint('loki', pipeline.lokiUrl));
      const failed = results.filter((r) => r.status === 'fail');
      expect(failed).toEqual([expect.objectContaining({
        id: 'logs/talos-kube-b',
        detail: 'no line in the last 15 min under {source="talos", host="kube-b"}',
        next: expect.stringContaining('talosctl -n 10.70.0.52 logs machined'),
      })]);
    } finally {
      await pipeline.close();
    }
  });

  test('a source switched off is not expected; all off, nothing is asked', async () => {
    expect(logSourceExpectations(parseSite({ ...VARIED, integrations: { logs: { talos: false } } }).site).map((e) => e.id)).toEqual(['logs/pods', 'logs/events']);
    const off = parseSite({ ...VARIED, integrations: { logs: { talos: false, pods: false, events: false } } }).site;
    const pipeline = await startFakeLogPipeline(off);
    try {
      expect(await checkLogSources(testContext(off, { waitMs: 200 }), directEndpoint('loki', pipeline.lokiUrl))).toEqual([]);
      expect(pipeline.queries).toEqual([]);
    } finally {
      await pipeline.close();
    }
  });
});
