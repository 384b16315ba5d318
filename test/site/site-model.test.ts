import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASSUMED_DEFAULTS, loadSite, parseSite } from '../../site';
import { siteJsonSchemaText } from '../../site/json-schema';

describe('the embedded default site', () => {
  const { site, warnings } = loadSite();

  test('carries the report figures', () => {
    expect(site.proxmox).toMatchObject({ apiUrl: 'https://10.88.140.151:8006', node: 'pve01', guestCount: 9, allocated: { vcpu: 18, memoryGB: 17.5, diskGB: 71 } });
    expect(site.network).toMatchObject({ vlanId: 70, cidr: '10.70.0.0/24', gateway: '10.70.0.1', dhcpRange: { start: '10.70.0.100', end: '10.70.0.200' } });
    expect([site.prometheus, site.grafana, site.loki, site.alertmanager].map((s) => [s.address, s.cpu, s.memoryGiB, s.storageGiB])).toEqual([
      ['10.70.0.10', 4, 8, 100], ['10.70.0.11', 2, 4, 50], ['10.70.0.12', 4, 8, 100], ['10.70.0.13', 2, 4, 50],
    ]);
    expect([site.prometheus.retention, site.loki.retention, site.alertmanager.retention]).toEqual(['15d', '14d', '720h']);
    expect(site.grafana.externalUrl).toBe('https://monitoring.yourdomain.com');
    expect(site.proxmox.guests.map((g) => [g.vmid, g.name])).toEqual([[101, 'wazuh'], [103, 'checkmk'], [106, 'uptime-kuma'], [107, 'nginx-proxy-manager'], [108, 'cloudflare-tunnel']]);
  });

  test('warns once per assumed value, that no receiver is configured, and that no dead man\'s switch is', () => {
    expect(warnings.filter((w) => w.startsWith('assumed '))).toHaveLength(ASSUMED_DEFAULTS.length);
    expect(warnings.filter((w) => !w.startsWith('assumed '))).toEqual([
      expect.stringMatching(/^alertmanager\.receivers: none configured/),
      expect.stringMatching(/^alertmanager\.heartbeat: unset; nobody is told when Prometheus or Alertmanager itself is down/),
    ]);
    expect(new Set(warnings).size).toBe(warnings.length);
  });

  test('an overcommitted host (vCPUs, thin disks) is a warning, not an error', () => {
    const { warnings: w } = parseSite({ proxmox: { capacity: { vcpu: 8, diskGB: 50, memoryGB: 64 } } });
    expect(w.filter((line) => line.startsWith('proxmox.capacity'))).toEqual([
      expect.stringMatching(/^proxmox\.capacity\.vcpu: below proxmox\.allocated\.vcpu; the host is overcommitted \(normal for vCPUs\)/),
      expect.stringMatching(/^proxmox\.capacity\.diskGB: below proxmox\.allocated\.diskGB; the host is overcommitted \(normal for thin-provisioned disks\)/),
    ]);
  });

  test('two webhooks may share one URL Secret (same key)', () => {
    expect(() => parseSite({ alertmanager: { receivers: { webhooks: [{ name: 'a', urlSecret: 'hook' }, { name: 'b', urlSecret: 'hook' }] }, heartbeat: { urlSecret: 'hook' } } })).not.toThrow();
  });

  test('a site with a heartbeat is not warned about it', () => {
    const { warnings: w } = parseSite({ alertmanager: { heartbeat: { urlSecret: 'deadman-url' } } });
    expect(w.some((line) => line.startsWith('alertmanager.heartbeat'))).toBe(false);
  });

  test('a site with a receiver is not warned about receivers', () => {
    const { warnings: w } = parseSite({ alertmanager: { receivers: { webhooks: [{ name: 'ops', url: 'https://hooks.example.com/x' }] } } });
    expect(w.some((line) => line.startsWith('alertmanager.receivers'))).toBe(false);
  });

  test('accepts the other forms operators use: ssh Git URLs, nested repo paths, cron ranges', () => {
    const { site: s } = parseSite({ gitops: { repoUrl: 'git@git.example.com:homelab/monitoring.git', path: 'clusters/pve01/dist' }, backups: { schedule: '30 1 * * 1-5' } });
    expect(s.gitops.path).toBe('clusters/pve01/dist');
  });

  test('a site file that sets an assumed value silences its warning', () => {
    const { warnings: w } = parseSite({ network: { managementCidr: '192.168.1.0/24' } });
    expect(w.some((line) => line.includes('network.managementCidr'))).toBe(false);
    expect(w.filter((line) => line.startsWith('assumed '))).toHaveLength(ASSUMED_DEFAULTS.length - 1);
  });

  test('a partial override keeps every other default', () => {
    const { site: s } = parseSite({ prometheus: { cpu: 6 } });
    expect(s.prometheus).toMatchObject({ cpu: 6, memoryGiB: 8, storageGiB: 100, retention: '15d', address: '10.70.0.10' });
  });
});

describe('site.schema.json', () => {
  test('is generated from the same schema as the validator and committed up to date', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'site.schema.json'), 'utf8');
    expect(committed).toBe(siteJsonSchemaText());
  });

  test('shows the report defaults to editors and rejects unknown keys', () => {
    const schema = JSON.parse(siteJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.prometheus.properties.retention.default).toBe('15d');
    expect(schema.properties.network.properties.vlanId.default).toBe(70);
  });
});
