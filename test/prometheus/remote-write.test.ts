/**
 * prometheus.remoteWrite: the remote_write queues in prometheus.yml (basic auth from the files of
 * the operator's Secret, headers), the Secret volumes of the StatefulSet, the operator's Secret
 * and the LXC files, prometheus-mixin's remote-storage alerts; promtool reads the config and
 * fires the alerts; and a real Prometheus (the pinned 3.14, on loopback) pushes to a second one
 * started as a remote-write receiver behind basic auth: the samples arrive with the site label,
 * and a queue with a wrong password counts failed samples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import * as bcrypt from 'bcryptjs';
import { prometheusConfig, prometheusConfigYaml } from '../../charts/prometheus/prometheus-config';
import { remoteWriteRuleGroups } from '../../charts/prometheus/remote-write';
import { prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';
import { operatorSecretSpecs } from '../../charts/secrets/operator-secrets';
import { stackTopology } from '../../charts/topology';
import { containerPayloads } from '../../lxc/container-payloads';
import { parseSite, type SiteInput } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { readObjects } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { siteFrom, writeDeliveryTree } from '../gitops/delivery-tree';
import { basicAuth, eventually, relocatePaths, startDaemon, type LoopbackDaemon } from './loopback-daemon';

const INPUT: SiteInput = {
  prometheus: {
    remoteWrite: [
      { name: 'mimir', url: 'https://mimir.lan/api/v1/push', authSecret: 'mimir-push', headers: { 'X-Scope-OrgID': 'homelab' } },
      { name: 'thanos', url: 'http://10.88.140.50:19291/api/v1/receive' },
      { name: 'mimir-dr', url: 'https://mimir-dr.lan/api/v1/push', authSecret: 'mimir-push' },
    ],
  },
};
const site = parseSite(INPUT).site;
const defaults = parseSite({}).site;

describe('the remote_write section', () => {
  test('one queue per remote storage, in site order, credentials as files of the Secret\'s mount, headers as given', () => {
    expect(prometheusConfig(site, stackTopology(site, 'kubernetes')).remote_write).toEqual([
      {
        name: 'mimir', url: 'https://mimir.lan/api/v1/push',
        basic_auth: { username_file: '/etc/prometheus/remote-write/mimir-push/username', password_file: '/etc/prometheus/remote-write/mimir-push/password' },
        headers: { 'X-Scope-OrgID': 'homelab' },
      },
      { name: 'thanos', url: 'http://10.88.140.50:19291/api/v1/receive' },
      {
        name: 'mimir-dr', url: 'https://mimir-dr.lan/api/v1/push',
        basic_auth: { username_file: '/etc/prometheus/remote-write/mimir-push/username', password_file: '/etc/prometheus/remote-write/mimir-push/password' },
      },
    ]);
  });

  test('on the LXC path the queues read exactly the files the container payload asks the operator to place', () => {
    const files = prometheusConfig(site, stackTopology(site, 'lxc')).remote_write!.flatMap((r) => (r.basic_auth ? [r.basic_auth.username_file, r.basic_auth.password_file] : []));
    const placed = containerPayloads(site).prometheus.secrets.map((f) => f.path);
    expect([...new Set(files)].filter((f) => !placed.includes(f))).toEqual([]);
    expect(placed.filter((p) => p.startsWith('/etc/prometheus/remote-write/')).sort()).toEqual([...new Set(files)].sort());
  });

  test('without remote storages there is no remote_write key and no remote-write alert group', () => {
    expect(prometheusConfigYaml(defaults, stackTopology(defaults, 'kubernetes'))).not.toContain('remote_write');
    expect(remoteWriteRuleGroups(defaults)).toEqual([]);
    expect(prometheusRuleGroups(defaults, 'kubernetes').groups.map((g) => g.name)).not.toContain('remote-write');
  });

  test('every sample carries the site\'s external label, so the remote storage can tell sites apart', () => {
    expect(prometheusConfig(site, stackTopology(site, 'kubernetes')).global.external_labels).toEqual({ site: site.name });
  });
});

describe('what the cluster and the operator get', () => {
  const objects = readObjects(writeDeliveryTree(siteFrom(INPUT)));
  const statefulSet = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus') as any;
  const pod = statefulSet.spec.template.spec;

  test('each Secret is mounted once, optional, as a directory (updates reach the files without a restart)', () => {
    expect(pod.volumes.filter((v: any) => v.name.startsWith('remote-write-'))).toEqual([
      { name: 'remote-write-0', secret: { secretName: 'mimir-push', optional: true, items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }] } },
    ]);
    expect(pod.containers[0].volumeMounts.filter((m: any) => m.name.startsWith('remote-write-'))).toEqual([
      { name: 'remote-write-0', mountPath: '/etc/prometheus/remote-write/mimir-push', readOnly: true },
    ]);
  });

  test('the default site mounts none', () => {
    const plain = readObjects(writeDeliveryTree(siteFrom({}))).find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus') as any;
    expect(plain.spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('remote-write-0');
  });

  test('the operator fills one Secret per name, naming both queues that read it', () => {
    const spec = operatorSecretSpecs(site).find((s) => s.name === 'mimir-push')!;
    expect(spec.placeholder).toEqual({ username: 'REPLACE-WITH-SOPS', password: 'REPLACE-WITH-SOPS' });
    expect(spec.usedBy).toBe('Prometheus\' remote write mimir (https://mimir.lan/api/v1/push, HTTP basic auth); Prometheus\' remote write mimir-dr (https://mimir-dr.lan/api/v1/push, HTTP basic auth)');
    expect(operatorSecretSpecs(defaults).map((s) => s.name)).not.toContain('mimir-push');
  });

  test('the LXC Prometheus container lists the two files the operator places', () => {
    const files = containerPayloads(site).prometheus.secrets.filter((f) => f.path.startsWith('/etc/prometheus/remote-write/'));
    expect(files.map((f) => f.path)).toEqual(['/etc/prometheus/remote-write/mimir-push/username', '/etc/prometheus/remote-write/mimir-push/password']);
    expect(files[0].what).toContain('Secret mimir-push: mimir, mimir-dr');
  });
});

describe('site rules', () => {
  const problems = (input: SiteInput) => {
    try { parseSite(input); return []; } catch (e) { return (e as { problems?: unknown[] }).problems ?? [String(e)]; }
  };
  const rw = (entries: object[]): SiteInput => ({ prometheus: { remoteWrite: entries as never } });

  test('two queues of one name are refused, naming the first and its URL', () => {
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push' }, { name: 'a', url: 'https://b.lan/push' }]))).toEqual([{
      path: 'prometheus.remoteWrite.1.name', value: 'a', message: 'is already the name of prometheus.remoteWrite.0 (https://a.lan/push); give each remote write its own name',
    }]);
  });

  test.each(['content-type', 'User-Agent', 'X-Prometheus-Remote-Write-Version', 'Host'])('header %s is refused as one Prometheus sets', (header) => {
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push', headers: { [header]: 'x' } }]))).toEqual([{
      path: 'prometheus.remoteWrite.0.headers', value: header, message: 'is a header Prometheus sets itself on every push; remove it (tenant headers such as X-Scope-OrgID are fine)',
    }]);
  });

  test('an Authorization header is refused with the way to give credentials', () => {
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push', headers: { authorization: 'Bearer x' } }]))).toEqual([{
      path: 'prometheus.remoteWrite.0.headers', value: 'authorization', message: 'is set from credentials, not a header: put username and password into the Secret named by authSecret',
    }]);
  });

  test('tenant headers and a Secret shared by two queues are fine; a Secret shared with another role is not', () => {
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push', authSecret: 's', headers: { 'X-Scope-OrgID': 't', 'THANOS-TENANT': 't' } }, { name: 'b', url: 'https://b.lan/push', authSecret: 's' }]))).toEqual([]);
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push', authSecret: 'prometheus-web-auth' }]))).toEqual([{
      path: 'prometheus.remoteWrite.0.authSecret', value: 'prometheus-web-auth',
      message: 'is already the Secret of prometheus.webAuthSecret in namespace monitoring, which holds other keys; give each its own Secret name',
    }]);
  });

  test('two spellings of one header and a header value with a line break are refused', () => {
    expect(problems(rw([{ name: 'a', url: 'https://a.lan/push', headers: { 'X-Scope-OrgID': 't', 'x-scope-orgid': 'u' } }]))).toEqual([{
      path: 'prometheus.remoteWrite.0.headers', value: 'x-scope-orgid', message: 'is the header X-Scope-OrgID again (header names ignore case); keep one of them',
    }]);
    expect(JSON.stringify(problems(rw([{ name: 'a', url: 'https://a.lan/push', headers: { 'X-Scope-OrgID': 'a\r\nX-Evil: 1' } }])))).toMatch(/prometheus\.remoteWrite\.0\.headers\.X-Scope-OrgID.*header value on one line/);
  });

  test('a URL that is not http(s) is refused by the schema', () => {
    expect(JSON.stringify(problems(rw([{ name: 'a', url: 'ftp://a.lan/push' }])))).toMatch(/prometheus\.remoteWrite\.0\.url.*expected an http\(s\) URL/);
  });
});

describeWithBinary('promtool', 'promtool reads the remote_write config and fires the remote-storage alerts', () => {
  const dir = tempDir('remote-write-promtool-');

  test('promtool check config accepts the synthesized prometheus.yml with its remote_write queues', () => {
    const text = relocatePaths(prometheusConfigYaml(site, stackTopology(site, 'kubernetes')), dir, (_pod, moved) => {
      fs.mkdirSync(path.dirname(moved), { recursive: true });
      if (!moved.includes('*')) fs.writeFileSync(moved, moved.endsWith('.yml') ? 'groups: []\n' : 'x\n');
    });
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), text);
    const result = run('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'prometheus.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('promtool refuses a reserved header: the site rule matches what Prometheus enforces', () => {
    const config = prometheusConfig(site, stackTopology(site, 'kubernetes'));
    const broken = { ...config, scrape_configs: [], rule_files: [], remote_write: [{ name: 'x', url: 'https://x.lan/push', headers: { 'User-Agent': 'x' } }] };
    fs.writeFileSync(path.join(dir, 'broken.yml'), YAML.stringify(broken));
    const result = run('promtool', ['check', 'config', '--syntax-only', path.join(dir, 'broken.yml')]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/User-Agent is a reserved header\. It must not be changed/);
  });

  test('the alerts fire on failed pushes, a queue behind, and too few shards, and stay quiet while pushes succeed', () => {
    const q = 'job="prometheus",instance="prometheus-0",remote_name="mimir",url="https://mimir.lan/api/v1/push"';
    const labels = { job: 'prometheus', instance: 'prometheus-0', remote_name: 'mimir', url: 'https://mimir.lan/api/v1/push' };
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
    const cases = [
      // 10 of 110 samples a minute fail: 9.1 %.
      { alert: 'PrometheusRemoteStorageFailures', series: { [`prometheus_remote_storage_samples_total{${q}}`]: '0+100x40', [`prometheus_remote_storage_samples_failed_total{${q}}`]: '0x5 0+10x35' }, quiet: '5m', fires: '30m', severity: 'critical', value: '9.1' },
      // The newest sample moves on, the sent one stands still at 300 s from minute 5: 1500 s behind at minute 30.
      { alert: 'PrometheusRemoteWriteBehind', series: { [`prometheus_remote_storage_queue_highest_timestamp_seconds{${q}}`]: '0+60x40', [`prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${q}}`]: '0+60x5 300x35' }, quiet: '5m', fires: '30m', severity: 'critical', value: '1500.0' },
      { alert: 'PrometheusRemoteWriteDesiredShards', series: { [`prometheus_remote_storage_shards_desired{${q}}`]: '10x5 80x35', [`prometheus_remote_storage_shards_max{${q}}`]: '50x40' }, quiet: '5m', fires: '30m', severity: 'warning', value: '80' },
    ];
    const rules = prometheusRuleGroups(site, 'kubernetes').groups.flatMap((g) => g.rules);
    // The annotations as Prometheus' template engine renders them for this queue and value.
    const expected = (alert: string, value: string) => Object.fromEntries(Object.entries(rules.find((r) => r.alert === alert)!.annotations).map(([k, v]) => [k, v
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: keyof typeof labels) => labels[name])
      .replace(/\{\{ printf "%\.1f" \$value \}\}|\{\{ \$value \}\}/g, value)]));
    for (const c of cases) {
      const tests = {
        rule_files: ['alerts.yml'], evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
          alert_rule_test: [
            { eval_time: c.quiet, alertname: c.alert, exp_alerts: [] },
            { eval_time: c.fires, alertname: c.alert, exp_alerts: [{ exp_labels: { ...labels, severity: c.severity }, exp_annotations: expected(c.alert, c.value) }] },
          ],
        }],
      };
      const file = path.join(dir, `${c.alert}.test.yml`);
      fs.writeFileSync(file, YAML.stringify(tests));
      const result = run('promtool', ['test', 'rules', '--debug', file], dir);
      expect({ alert: c.alert, ok: result.status === 0, output: result.status === 0 ? '' : result.output }).toEqual({ alert: c.alert, ok: true, output: '' });
    }
  });
});

describeWithBinary('prometheus', 'a real Prometheus pushes to a remote-write receiver with the synthesized queues', () => {
  const dir = tempDir('remote-write-live-');
  const password = 'push-secret';
  let receiver: LoopbackDaemon;
  let sender: LoopbackDaemon;

  beforeAll(async () => {
    // The receiver: another Prometheus that accepts remote write, behind basic auth (exporter-toolkit web config).
    fs.mkdirSync(path.join(dir, 'receiver'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'receiver', 'web.yml'), YAML.stringify({ basic_auth_users: { pusher: bcrypt.hashSync(password, 4) } }));
    fs.writeFileSync(path.join(dir, 'receiver', 'prometheus.yml'), 'global: {}\n');
    receiver = await startDaemon('prometheus', (port) => [`--config.file=${path.join(dir, 'receiver', 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'receiver', 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${path.join(dir, 'receiver', 'web.yml')}`, '--web.enable-remote-write-receiver']);
    const login = basicAuth('pusher', password);
    await eventually(async () => ((await fetch(`${receiver.url}/-/ready`, { headers: login })).status === 200 ? true : undefined), 30000, 'the receiver to be ready');

    // The sender: the synthesized global section and remote_write queues (one with the right password,
    // one with a wrong one), pointed at the receiver, and a self-scrape so there is something to push.
    const live = parseSite({
      prometheus: {
        remoteWrite: [
          { name: 'good', url: `${receiver.url}/api/v1/write`, authSecret: 'good-push', headers: { 'X-Scope-OrgID': 'homelab' } },
          { name: 'bad', url: `${receiver.url}/api/v1/write`, authSecret: 'bad-push' },
        ],
      },
    }).site;
    const config = prometheusConfig(live, stackTopology(live, 'kubernetes'));
    const remote = YAML.parse(relocatePaths(YAML.stringify(config.remote_write), dir, (podPath, moved) => {
      fs.mkdirSync(path.dirname(moved), { recursive: true });
      fs.writeFileSync(moved, podPath.endsWith('username') ? 'pusher' : podPath.includes('good-push') ? password : 'wrong');
    }));
    sender = await startDaemon('prometheus', (port) => {
      fs.writeFileSync(path.join(dir, 'sender.yml'), YAML.stringify({
        global: { ...config.global, scrape_interval: '1s', scrape_timeout: '1s' },
        remote_write: remote.map((r: object) => ({ ...r, queue_config: { batch_send_deadline: '1s' } })),
        scrape_configs: [{ job_name: 'self', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
      }));
      return [`--config.file=${path.join(dir, 'sender.yml')}`, `--storage.tsdb.path=${path.join(dir, 'sender-data')}`, `--web.listen-address=127.0.0.1:${port}`];
    });
  }, 60000);
  afterAll(() => { sender?.stop(); receiver?.stop(); });

  const query = async (daemon: LoopbackDaemon, expr: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${daemon.url}/api/v1/query?query=${encodeURIComponent(expr)}`, { headers });
    return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };

  test('the samples arrive at the receiver with the site\'s external label', async () => {
    const result = await eventually(async () => {
      const r = await query(receiver, 'up{job="self"}', basicAuth('pusher', password));
      return r.length > 0 ? r : undefined;
    }, 60000, 'pushed samples at the receiver', () => (receiver.output().includes('level=ERROR') ? receiver.output() : undefined));
    expect(result[0].metric).toMatchObject({ job: 'self', site: parseSite({}).site.name });
  }, 70000);

  test('the queue with the wrong password counts failed samples (what PrometheusRemoteStorageFailures reads), the good one none', async () => {
    const failed = await eventually(async () => {
      const r = await query(sender, 'prometheus_remote_storage_samples_failed_total');
      const bad = r.find((s) => s.metric.remote_name === 'bad');
      return bad && Number(bad.value[1]) > 0 ? r : undefined;
    }, 60000, 'failed samples on the bad queue');
    expect(Number(failed.find((s) => s.metric.remote_name === 'good')!.value[1])).toBe(0);
    // The sender's log line for the bad queue carries the receiver's answer (the url= field holds a random port: match within the line).
    expect(sender.output().split('\n').filter((l) => l.includes('remote_name=bad') && /\b401\b.*Unauthorized|Unauthorized.*\b401\b|status 401/.test(l))).not.toEqual([]);
  }, 70000);
});
