/**
 * The heartbeat route against a real Alertmanager (Debian's 0.25 on loopback, which predates
 * url_file: the copy names a local URL instead): the Watchdog alert pings once per interval,
 * every interval. The repeat logic is the same in 0.34 (notify/dedup_stage.go needsUpdate).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { alertmanagerConfig, HEARTBEAT_RECEIVER } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import { describeWithBinary } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { eventually, freePort, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';

const INTERVAL_SECONDS = 2;

describeWithBinary('prometheus-alertmanager', 'the dead man\'s switch in a running Alertmanager', () => {
  let alertmanager: LoopbackDaemon | undefined;
  let receiver: http.Server | undefined;
  const pings: number[] = [];

  beforeAll(async () => {
    const site = parseSite({ alertmanager: { heartbeat: { urlSecret: 'deadman-url', interval: `${INTERVAL_SECONDS}s` } } }).site;
    const config = alertmanagerConfig(site, stackTopology(site, 'kubernetes'));
    const port = await freePort();
    receiver = http.createServer((_req, res) => { pings.push(Date.now()); res.end('ok'); }).listen(port, '127.0.0.1');
    const heartbeat = config.receivers.find((r) => r.name === HEARTBEAT_RECEIVER)!;
    heartbeat.webhook_configs = [{ url: `http://127.0.0.1:${port}/ping`, send_resolved: false }];
    const dir = tempDir('am-heartbeat-');
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), YAML.stringify(config));
    alertmanager = await startDaemon('prometheus-alertmanager', (p) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${p}`, '--cluster.listen-address=',
    ]);
    await eventually(async () => ((await fetch(`${alertmanager!.url}/-/ready`)).ok ? true : undefined), 30000, 'Alertmanager to be ready');
    // As Prometheus sends it: an end time in the future, resent while the rule fires.
    const watchdog = [{ labels: { alertname: 'Watchdog', severity: 'info' }, endsAt: new Date(Date.now() + 3600_000).toISOString() }];
    await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(watchdog) });
    await new Promise((r) => setTimeout(r, 6 * INTERVAL_SECONDS * 1000 + 500));
  }, 60000);
  afterAll(() => { alertmanager?.stop(); receiver?.close(); });

  test('Watchdog pings at once, then once every interval without a gap', () => {
    expect(pings.length).toBeGreaterThanOrEqual(6);
    const gaps = pings.slice(1).map((t, i) => (t - pings[i]) / 1000);
    for (const gap of gaps) expect(gap).toBeLessThan(INTERVAL_SECONDS * 1.5);
  });
});
