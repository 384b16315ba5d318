import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { IMAGES } from '../../charts/common/images';
import { describeWithBinary, run } from '../support/binaries';
import { pinnedModule } from '../upstream/pins';
import { readObjects } from '../support/dist-tree';
import { synthToTemp, tempDir } from '../support/synth-once';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';

/** blackbox_exporter of the release the image pins (test/upstream/build.sh). */
describeWithBinary('blackbox_exporter', 'the blackbox exporter accepts its synthesized config', () => {
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  const configText = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'blackbox-exporter-config') as unknown as { data: Record<string, string> }).data['blackbox.yml'];
  const dir = tempDir('blackbox-');
  const check = (text: string) => {
    const file = path.join(dir, `blackbox-${fs.readdirSync(dir).length}.yml`);
    fs.writeFileSync(file, text);
    return run('blackbox_exporter', ['--config.check', `--config.file=${file}`]);
  };

  test('is the release the blackbox exporter image pins (go.mod pin, and what the binary reports)', () => {
    expect(pinnedModule('blackbox', 'github.com/prometheus/blackbox_exporter')).toBe(IMAGES.blackboxExporter.tag);
    expect(run('blackbox_exporter', ['--version']).output).toContain(`blackbox_exporter, version ${IMAGES.blackboxExporter.tag.replace(/^v/, '')}`);
  });

  test('the LXC path\'s blackbox.yml passes', () => {
    const result = check(fs.readFileSync(path.join(outDir, 'lxc', 'prometheus', 'etc', 'blackbox', 'blackbox.yml'), 'utf8'));
    expect(result.output).toMatch(/Config file is ok/);
    expect(result.status).toBe(0);
  });

  test('--config.check passes', () => {
    const result = check(configText);
    expect(result.output).toMatch(/Config file is ok/);
    expect(result.status).toBe(0);
  });

  test('fails when a module has an unknown key (the check bites)', () => {
    const result = check(configText.replace('follow_redirects', 'follow_redirectz'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/field follow_redirectz not found/);
  });

  test('every module Prometheus asks for exists in the config', () => {
    const modules = Object.keys(YAML.parse(configText).modules);
    const prom = YAML.parse((objects.find((o) => o.metadata.name === 'prometheus-config') as unknown as { data: Record<string, string> }).data['prometheus.yml']);
    const asked = prom.scrape_configs.filter((j: { metrics_path?: string }) => j.metrics_path === '/probe').flatMap((j: { params: { module: string[] } }) => j.params.module);
    expect(asked.length).toBeGreaterThan(0);
    for (const m of asked) expect(modules).toContain(m);
  });
});

describe('exporter integrations of the report', () => {
  const objects = readObjects(synthToTemp().outDir);
  const prom = YAML.parse((objects.find((o) => o.metadata.name === 'prometheus-config') as unknown as { data: Record<string, string> }).data['prometheus.yml']);
  const job = (name: string) => prom.scrape_configs.find((j: { job_name: string }) => j.job_name === name);

  test('pve_exporter is scraped with the Proxmox API\'s host and port as its target', () => {
    expect(job('pve').static_configs[0].targets).toEqual(['10.88.140.151:8006']);
    expect(job('pve').relabel_configs.at(-1)).toEqual({ target_label: '__address__', replacement: 'pve-exporter.monitoring.svc:9221' });
  });

  // pve_exporter passes `target` to proxmoxer's ProxmoxAPI(host): a port after the host is used,
  // none means 8006 (proxmoxer backends/https.py). So the API URL's port must travel in `target`.
  test.each([
    ['https://pve.example.com:8443', 'pve.example.com:8443'],
    ['https://pve.example.com/', 'pve.example.com:443'],
    ['https://[fd00::151]:8006', '[fd00::151]:8006'],
  ])('an API URL %s makes the pve target %s', (apiUrl, target) => {
    const site = parseSite({ proxmox: { apiUrl } }).site;
    const pve = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs.find((j) => j.job_name === 'pve')!;
    expect(pve.static_configs![0].targets).toEqual([target]);
  });

  test('blackbox probes Uptime Kuma, Wazuh, CheckMK and the Proxmox API', () => {
    const probed = prom.scrape_configs.filter((j: { metrics_path?: string }) => j.metrics_path === '/probe')
      .flatMap((j: { static_configs: { labels: { name: string } }[] }) => j.static_configs.map((s) => s.labels.name));
    expect(probed).toEqual(expect.arrayContaining(['uptime-kuma', 'wazuh-api', 'checkmk', 'pve01-api']));
  });

  test('node_exporter is scraped on every guest with an address and on pve01', () => {
    expect(job('node').static_configs.map((s: { labels: { name: string } }) => s.labels.name)).toEqual(['pve01', 'wazuh', 'checkmk', 'uptime-kuma', 'nginx-proxy-manager', 'cloudflare-tunnel']);
  });

  test('the pve_exporter credentials are a Secret referenced by name, never inline', () => {
    const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'pve-exporter') as unknown as { spec: any };
    expect(dep.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'pve-exporter' } }]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });
});
