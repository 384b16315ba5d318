/**
 * The generated web-auth Secret against a real Prometheus (the pinned 3.14, on loopback; its
 * exporter-toolkit checks basic auth on every path). Shows why the probes cannot be plain httpGet,
 * and that Prometheus' own scrape job logs in with the password file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { stackSecrets } from '../../charts/secrets/stack-secrets';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import { describeWithBinary } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { basicAuth, eventually, startDaemon, type LoopbackDaemon } from './loopback-daemon';

describeWithBinary('prometheus', 'Prometheus with the generated web config', () => {
  const site = parseSite({}).site;
  const secret = stackSecrets(site).find((s) => s.metadata.name === site.prometheus.webAuthSecret)!;
  const dir = tempDir('prom-live-');
  const login = basicAuth(secret.stringData.username, secret.stringData.password);
  let prometheus: LoopbackDaemon;

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'web.yml'), secret.stringData['web.yml']);
    fs.writeFileSync(path.join(dir, 'password'), secret.stringData.password);
    prometheus = await startDaemon('prometheus', (port) => {
      // The synthesized self-scrape job, pointed at this instance and this password file.
      const self = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs.find((j) => j.job_name === 'prometheus')!;
      const job = { ...self, static_configs: [{ targets: [`127.0.0.1:${port}`] }], basic_auth: { ...self.basic_auth!, password_file: path.join(dir, 'password') } };
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), YAML.stringify({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [job] }));
      return [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${path.join(dir, 'web.yml')}`];
    });
    await eventually(async () => ((await fetch(`${prometheus.url}/-/ready`, { headers: login })).status === 200 ? true : undefined), 30000, 'Prometheus to be ready');
  });
  afterAll(() => prometheus?.stop());

  test('/-/ready and /-/healthy refuse a request without credentials (so probes must authenticate)', async () => {
    for (const p of ['/-/ready', '/-/healthy', '/api/v1/status/buildinfo']) {
      expect([p, (await fetch(`${prometheus.url}${p}`)).status]).toEqual([p, 401]);
      expect([p, (await fetch(`${prometheus.url}${p}`, { headers: login })).status]).toEqual([p, 200]);
    }
  });

  test('its own scrape job logs in: up{job="prometheus"} is 1', async () => {
    const up = await eventually(async () => {
      const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`, { headers: login });
      const body = await r.json() as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1];
    }, 30000, 'a self-scrape');
    expect(up).toBe('1');
  });
});
