/**
 * Remote write (site prometheus.remoteWrite): Prometheus also pushes every sample to existing
 * remote storages (Mimir, Thanos Receive, VictoriaMetrics, another Prometheus), one remote_write
 * queue each, with basic auth read from the files of the operator's Secret, and prometheus-mixin's
 * remote-storage alerts (prometheus/prometheus documentation/prometheus-mixin/alerts.libsonnet)
 * on the metrics Prometheus 3.14 registers per queue (storage/remote/queue_manager.go:
 * prometheus_remote_storage_samples_total, _samples_failed_total, _queue_highest_timestamp_seconds,
 * _queue_highest_sent_timestamp_seconds, _shards_desired, _shards_max; labels remote_name, url).
 * The local TSDB and its retention stay as they are.
 */
import type { Site } from '../../site';
import { DASHBOARD_UIDS } from '../grafana/dashboards/catalog';
import type { RemoteWriteConfig } from './config-model';
import type { AlertDefinitionGroup } from './rules/alert';

/** Where each authSecret is mounted (Kubernetes) or placed by the operator (LXC): <dir>/<secret>/{username,password}. */
export const REMOTE_WRITE_DIR = '/etc/prometheus/remote-write';
export const REMOTE_WRITE_USERNAME_KEY = 'username';
export const REMOTE_WRITE_PASSWORD_KEY = 'password';

export const remoteWriteAuthDir = (secret: string): string => `${REMOTE_WRITE_DIR}/${secret}`;

/** The Secrets the remote writes read, once each, in site order (two queues may share one). */
export function remoteWriteAuthSecrets(site: Site): string[] {
  return [...new Set(site.prometheus.remoteWrite.flatMap((r) => (r.authSecret ? [r.authSecret] : [])))];
}

/** prometheus.yml's remote_write section; undefined without remote storages (the key is left out). */
export function remoteWriteConfigs(site: Site): RemoteWriteConfig[] | undefined {
  if (site.prometheus.remoteWrite.length === 0) return undefined;
  return site.prometheus.remoteWrite.map((r) => ({
    name: r.name,
    url: r.url,
    // Files, read on every push: a rotated password needs no restart, and none sits in the ConfigMap.
    ...(r.authSecret ? {
      basic_auth: {
        username_file: `${remoteWriteAuthDir(r.authSecret)}/${REMOTE_WRITE_USERNAME_KEY}`,
        password_file: `${remoteWriteAuthDir(r.authSecret)}/${REMOTE_WRITE_PASSWORD_KEY}`,
      },
    } : {}),
    ...(r.headers && Object.keys(r.headers).length > 0 ? { headers: { ...r.headers } } : {}),
  }));
}

const JOB = 'job="prometheus"';

/** prometheus-mixin's remote-storage alerts, only when the site writes somewhere. */
export function remoteWriteRuleGroups(site: Site): AlertDefinitionGroup[] {
  if (site.prometheus.remoteWrite.length === 0) return [];
  const ns = site.kubernetes.namespace;
  const logs = `\`kubectl -n ${ns} logs prometheus-0 --tail=200 | grep -i remote\` (LXC: \`pct exec <ct> -- journalctl -u prometheus -n 200 | grep -i remote\`)`;
  const secrets = remoteWriteAuthSecrets(site);
  const secretCheck = secrets.length > 0
    ? [`The credentials: \`kubectl -n ${ns} get secret ${secrets.join(' ')}\` (keys ${REMOTE_WRITE_USERNAME_KEY}, ${REMOTE_WRITE_PASSWORD_KEY}; LXC: the files under ${REMOTE_WRITE_DIR}/).`]
    : [];
  const queues = site.prometheus.remoteWrite.map((r) => `${r.name} (${r.url})`).join(', ');
  const dashboard = DASHBOARD_UIDS.stackHealth;
  const sent = `rate(prometheus_remote_storage_samples_total{${JOB}}[5m])`;
  const failed = `rate(prometheus_remote_storage_samples_failed_total{${JOB}}[5m])`;
  return [{
    name: 'remote-write',
    rules: [
      {
        alert: 'PrometheusRemoteStorageFailures', expr: `(${failed} / (${failed} + ${sent})) * 100 > 1`, for: '15m', severity: 'critical',
        summary: 'Prometheus fails to write samples to {{ $labels.remote_name }}',
        description: '{{ printf "%.1f" $value }}% of the samples for {{ $labels.remote_name }} ({{ $labels.url }}) are rejected: they are missing there for good.', dashboard,
        runbook: {
          meaning: `The remote storage answers pushes with an error Prometheus does not retry (a 4xx: wrong credentials, an unknown tenant, samples too old or out of order, a limit of the receiver). Rejected samples are dropped; the local TSDB still has them. Queues: ${queues}.`,
          check: ['Prometheus UI → Status → Runtime & Build information → remote write; Grafana Explore: `rate(prometheus_remote_storage_samples_failed_total[5m])` by remote_name.', logs + ': the HTTP status and the receiver\'s message.', ...secretCheck],
          fix: ['401/403: put the right username and password into the Secret (Prometheus reads the files on every push, no restart); 400 with "out of order" or "too old": two Prometheus write the same series (give each its own external labels); a receiver limit: raise it there.'],
        },
      },
      {
        alert: 'PrometheusRemoteWriteBehind',
        expr: `(max_over_time(prometheus_remote_storage_queue_highest_timestamp_seconds{${JOB}}[5m]) - max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${JOB}}[5m])) > 120`,
        for: '15m', severity: 'critical',
        summary: 'Remote write to {{ $labels.remote_name }} is behind',
        description: 'The queue for {{ $labels.remote_name }} ({{ $labels.url }}) is {{ printf "%.1f" $value }}s behind the newest sample: the receiver is slow, down or unreachable.', dashboard,
        runbook: {
          meaning: 'Prometheus retries what the receiver does not take (5xx, timeouts, no connection) and falls behind. It keeps about two hours of WAL: a queue that stays behind longer loses the samples it has not sent.',
          check: [logs + ': `unable to read basic auth` (the Secret or one of its keys is missing), `context deadline exceeded`, `connection refused`.', ...secretCheck, 'From the Prometheus pod\'s node or container: `curl -sv <url>` (DNS, firewall, TLS).'],
          fix: ['A missing Secret: create it with keys username and password (the mount is optional, so Prometheus runs without it and retries). Otherwise bring the receiver back or open the path to it (egress from the stack namespace or the Prometheus container to the URL); if it is merely slow, it needs more ingest capacity there.'],
        },
      },
      {
        alert: 'PrometheusRemoteWriteDesiredShards',
        expr: `max_over_time(prometheus_remote_storage_shards_desired{${JOB}}[5m]) > max_over_time(prometheus_remote_storage_shards_max{${JOB}}[5m])`,
        for: '15m', severity: 'warning',
        summary: 'Remote write to {{ $labels.remote_name }} needs more shards than allowed',
        description: 'Prometheus wants {{ $value }} shards for {{ $labels.remote_name }} ({{ $labels.url }}), more than its max_shards: it cannot keep up at this latency.', dashboard,
        runbook: {
          meaning: 'Each shard sends one batch at a time; the receiver answers so slowly that even the maximum number of shards falls behind. PrometheusRemoteWriteBehind follows if it lasts.',
          check: ['Grafana Explore: `prometheus_remote_storage_shards_desired` and `prometheus_remote_storage_sent_batch_duration_seconds` by remote_name.'],
          fix: ['Make the receiver answer faster (closer, more capacity); raising max_shards in the queue config only helps if the receiver scales with it.'],
        },
      },
    ],
  }];
}
