/**
 * A real Prometheus 3 server (the pinned release, built from its Go module by
 * test/upstream/build.sh) runs the synthesized StatefulSet's container: its args, its config and
 * rules, the web-auth and Alertmanager-client Secrets, each file where the pod mounts it, below a
 * temp root. Its own probes (the promtool commands in the manifest) pass, a rule evaluated on a
 * local target's fixed metrics goes pending, another fires on them, and it and the Watchdog reach a
 * local HTTP receiver standing in for Alertmanager, logged in with the password Alertmanager expects.
 *
 * The only changes to the synthesized files: absolute paths moved below the temp root; the
 * listen address on 127.0.0.1; the Alertmanager target and the `node` job's targets pointed at
 * the local receiver and target; scrape and evaluation intervals of 1s so the test takes seconds.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { IMAGES } from '../../charts/common/images';
import { stackSecrets } from '../../charts/secrets/stack-secrets';
import { parseSite } from '../../site';
import { describeWithBinary, run, toolPath } from '../support/binaries';
import { readObjects } from '../support/dist-tree';
import { pinnedModule, prometheusRelease } from '../upstream/pins';
import { synthToTemp, tempDir } from '../support/synth-once';
import { basicAuth, eventually, relocatePaths, startDaemon, type LoopbackDaemon } from './loopback-daemon';

interface Received { path: string; authorization?: string; alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[] }

function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** How long a rule may take to evaluate and its alert to travel; CI runs this beside API-server suites on two cores (30 s was missed once). */
const DELIVERY_WAIT_MS = 90000;

describeWithBinary('prometheus', 'the synthesized Prometheus, running (Prometheus 3 on loopback)', () => {
  const site = parseSite({}).site;
  const objects = readObjects(synthToTemp().outDir);
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus') as any;
  const container = sts.spec.template.spec.containers[0];
  const configMap = (name: string) => (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as any).data as Record<string, string>;
  const secrets = stackSecrets(site);
  const secret = (name: string) => secrets.find((s) => s.metadata.name === name)!.stringData as Record<string, string>;
  const root = tempDir('prom-pod-');
  const moved = (text: string) => relocatePaths(text, root);
  const received: Received[] = [];
  let prometheus: LoopbackDaemon;
  let receiver: http.Server;
  let target: http.Server;
  const login = basicAuth(secret(site.prometheus.webAuthSecret).username, secret(site.prometheus.webAuthSecret).password);

  /** Writes a file where the pod mounts it (below root). */
  const mount = (podPath: string, text: string) => {
    const file = path.join(root, podPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  beforeAll(async () => {
    ({ server: receiver } = await listen((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, alerts: body ? JSON.parse(body) : [] });
        res.writeHead(200).end();
      });
    }));
    const receiverPort = (receiver.address() as { port: number }).port;
    // Fixed metrics: a host whose clock is half a second off (HostClockSkew's condition), and that
    // booted a minute ago (HostRebooted, for: 0m).
    let targetPort: number;
    const bootTime = Math.floor(Date.now() / 1000) - 60;
    ({ server: target, port: targetPort } = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end([
        '# TYPE node_timex_offset_seconds gauge', 'node_timex_offset_seconds 0.5',
        '# TYPE node_boot_time_seconds gauge', `node_boot_time_seconds ${bootTime}`, '',
      ].join('\n'));
    }));

    const config = YAML.parse(configMap('prometheus-config')['prometheus.yml']);
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    config.alerting.alertmanagers[0].static_configs = [{ targets: [`127.0.0.1:${receiverPort}`] }];
    const node = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'node');
    node.static_configs = [{ ...node.static_configs[0], targets: [`127.0.0.1:${targetPort}`] }];
    mount('/etc/prometheus/prometheus.yml', moved(YAML.stringify(config)));
    mount('/etc/prometheus/probe-client.yml', moved(configMap('prometheus-config')['probe-client.yml']));
    for (const [file, text] of Object.entries(configMap('prometheus-rules'))) mount(`/etc/prometheus/rules/${file}`, text);
    mount('/etc/prometheus/web/web.yml', secret(site.prometheus.webAuthSecret)['web.yml']);
    mount('/etc/prometheus/web/password', secret(site.prometheus.webAuthSecret).password);
    mount('/etc/alertmanager-client/password', secret(site.alertmanager.webAuthSecret).password);
    fs.mkdirSync(path.join(root, 'prometheus'));

    prometheus = await startDaemon('prometheus', (port) => container.args.map((a: string) => (a.startsWith('--web.listen-address=') ? `--web.listen-address=127.0.0.1:${port}` : moved(a))));
    await eventually(async () => ((await fetch(`${prometheus.url}/-/ready`, { headers: login })).status === 200 ? true : undefined), 60000, 'Prometheus to be ready');
  }, 90000);

  afterAll(() => {
    prometheus?.stop();
    receiver?.close();
    target?.close();
  });

  test('runs the release the image pins, with the container\'s own flags', async () => {
    const info = await (await fetch(`${prometheus.url}/api/v1/status/buildinfo`, { headers: login })).json() as { data: { version: string } };
    expect(prometheusRelease(pinnedModule('prometheus', 'github.com/prometheus/prometheus'))).toBe(IMAGES.prometheus.tag);
    expect(info.data.version).toBe(IMAGES.prometheus.tag.replace(/^v/, ''));
    const flags = await (await fetch(`${prometheus.url}/api/v1/status/flags`, { headers: login })).json() as { data: Record<string, string> };
    expect(flags.data['web.external-url']).toBe(`http://${site.prometheus.address}:9090/`);
  });

  test('the manifest\'s startup, readiness and liveness probe commands succeed against it', () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
      const [bin, ...args] = probe.exec.command as string[];
      expect(bin).toBe('/bin/promtool');
      const result = spawnSync(toolPath('promtool')!, args.map((a) => moved(a).replace('http://localhost:9090', prometheus.url)), { encoding: 'utf8' });
      expect([args.join(' '), result.status, `${result.stdout}${result.stderr}`.trim()]).toEqual([args.join(' '), 0, expect.stringMatching(/is (Ready|Healthy)/)]);
    }
  });

  test('the probe command fails with a wrong password (it really authenticates)', () => {
    const client = path.join(root, 'wrong-client.yml');
    fs.writeFileSync(path.join(root, 'wrong-password'), 'not-the-password');
    fs.writeFileSync(client, YAML.stringify({ basic_auth: { username: 'monitoring', password_file: path.join(root, 'wrong-password') } }));
    const result = run('promtool', ['check', 'ready', `--url=${prometheus.url}`, `--http.config.file=${client}`]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/401|Unauthorized/);
  });

  test('a rule evaluated on a target\'s fixed metrics goes pending (HostClockSkew)', async () => {
    const alert = await eventually(async () => {
      const r = await fetch(`${prometheus.url}/api/v1/alerts`, { headers: login });
      const body = await r.json() as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      return body.data.alerts.find((a) => a.labels.alertname === 'HostClockSkew');
    }, DELIVERY_WAIT_MS, 'HostClockSkew to be pending');
    expect(alert).toMatchObject({ state: 'pending', labels: { alertname: 'HostClockSkew', job: 'node', name: 'pve01' } });
  }, DELIVERY_WAIT_MS + 10000);

  test('a rule firing on the target\'s metrics reaches the receiver (HostRebooted)', async () => {
    const delivery = await eventually(async () => received.find((r) => r.alerts.some((a) => a.labels.alertname === 'HostRebooted')), DELIVERY_WAIT_MS, 'HostRebooted to be delivered');
    expect(delivery.alerts.find((a) => a.labels.alertname === 'HostRebooted')!.labels).toMatchObject({ job: 'node', name: 'pve01', site: site.name });
  }, DELIVERY_WAIT_MS + 10000);

  test('the Watchdog fires and reaches the receiver at /api/v2/alerts, logged in as Alertmanager expects', async () => {
    const delivery = await eventually(async () => received.find((r) => r.alerts.some((a) => a.labels.alertname === 'Watchdog')), DELIVERY_WAIT_MS, 'the Watchdog to be delivered');
    expect(delivery.path).toBe('/api/v2/alerts');
    const am = secret(site.alertmanager.webAuthSecret);
    expect(delivery.authorization).toBe(basicAuth(am.username, am.password).Authorization);
    expect(delivery.alerts.find((a) => a.labels.alertname === 'Watchdog')!.labels).toMatchObject({ alertname: 'Watchdog', site: site.name });
  }, DELIVERY_WAIT_MS + 10000);
});
