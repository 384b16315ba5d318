/**
 * The remote-write alert group and queue config in-process: what the promtool test in
 * test/prometheus/remote-write.test.ts checks through promtool (absent in the mutation sandbox).
 */
import { remoteWriteConfigs, remoteWriteRuleGroups } from '../../charts/prometheus/remote-write';
import { parseSite } from '../../site';

const site = (remoteWrite: object[]) => parseSite({ kubernetes: { namespace: 'obs' }, prometheus: { remoteWrite: remoteWrite as never } }).site;

test('the group holds prometheus-mixin\'s three alerts with their expressions, waits and severities', () => {
  const [group] = remoteWriteRuleGroups(site([{ name: 'a', url: 'https://a.lan/push' }]));
  expect(group.name).toBe('remote-write');
  expect(group.rules.map((r) => [r.alert, r.expr, r.for, r.severity])).toEqual([
    ['PrometheusRemoteStorageFailures', '(rate(prometheus_remote_storage_samples_failed_total{job="prometheus"}[5m]) / (rate(prometheus_remote_storage_samples_failed_total{job="prometheus"}[5m]) + rate(prometheus_remote_storage_samples_total{job="prometheus"}[5m]))) * 100 > 1', '15m', 'critical'],
    ['PrometheusRemoteWriteBehind', '(max_over_time(prometheus_remote_storage_queue_highest_timestamp_seconds{job="prometheus"}[5m]) - max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{job="prometheus"}[5m])) > 120', '15m', 'critical'],
    ['PrometheusRemoteWriteDesiredShards', 'max_over_time(prometheus_remote_storage_shards_desired{job="prometheus"}[5m]) > max_over_time(prometheus_remote_storage_shards_max{job="prometheus"}[5m])', '15m', 'warning'],
  ]);
  for (const r of group.rules) {
    expect(r.summary).toContain('{{ $labels.remote_name }}');
    expect(r.description).toContain('({{ $labels.url }})');
    expect(r.runbook.meaning.length).toBeGreaterThan(40);
    for (const line of [...r.runbook.check, ...r.runbook.fix]) expect(line.length).toBeGreaterThan(20);
    expect(r.runbook.fix.length).toBe(1);
  }
  expect(group.rules[0].runbook.meaning).toContain('Queues: a (https://a.lan/push).');
  expect(group.rules[1].runbook.check[0]).toMatch(/^`kubectl -n obs logs prometheus-0 --tail=200 \| grep -i remote` \(LXC: .*\): `unable to read basic auth`/);
});

test('the runbooks name the credentials Secrets only when a queue has one', () => {
  const checks = (rw: object[]) => remoteWriteRuleGroups(site(rw))[0].rules.map((r) => r.runbook.check.filter((c) => c.startsWith('The credentials')));
  expect(checks([{ name: 'a', url: 'https://a.lan/push' }])).toEqual([[], [], []]);
  const line = 'The credentials: `kubectl -n obs get secret s1 s2` (keys username, password; LXC: the files under /etc/prometheus/remote-write/).';
  expect(checks([{ name: 'a', url: 'https://a.lan/push', authSecret: 's1' }, { name: 'b', url: 'https://b.lan/push', authSecret: 's2' }])).toEqual([[line], [line], []]);
});

test('no group and no queues without remote storages; an empty headers map writes no headers', () => {
  expect(remoteWriteRuleGroups(site([]))).toEqual([]);
  expect(remoteWriteConfigs(site([]))).toBeUndefined();
  expect(remoteWriteConfigs(site([{ name: 'a', url: 'https://a.lan/push', headers: {} }]))).toEqual([{ name: 'a', url: 'https://a.lan/push' }]);
});
