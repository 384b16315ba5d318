/**
 * UptimeKuma's /metrics scraped by Prometheus (site.integrations.uptimeKuma), driven by the site:
 * every UptimeKuma guest on the site's port with its API key as the basic-auth password, on both
 * paths; switched off (or without an UptimeKuma guest) nothing of it is left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { PrometheusServer } from '../../charts/prometheus/prometheus-server';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';
import { dashboardUrl, runbookUrl } from '../../charts/prometheus/rules/alert';
import { DASHBOARD_UIDS } from '../../charts/grafana/dashboards/catalog';
import { blackboxProbes } from '../../charts/prometheus/scrape-targets';
import { UPTIME_KUMA_API_KEY_FILE } from '../../charts/prometheus/uptime-kuma';
import { operatorSecretSpecs, PLACEHOLDER_VALUE } from '../../charts/secrets/operator-secrets';
import { stackTopology } from '../../charts/topology';
import { containerPayloads } from '../../lxc/container-payloads';
import type { Site, SiteInput } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { findObject, siteWith, synthChart } from '../components/component-support';

type Json = Record<string, any>;

const GUESTS = [
  { vmid: 106, name: 'status-a', role: 'uptime-kuma' as const, address: '172.16.9.6' },
  { vmid: 107, name: 'status-b', role: 'uptime-kuma' as const, address: '172.16.9.7' },
  { vmid: 108, name: 'no-address', role: 'uptime-kuma' as const },
  { vmid: 109, name: 'other', role: 'other' as const, address: '172.16.9.9' },
];
const kumaSite = (uptimeKuma: Json = {}, guests: SiteInput['proxmox'] = { guests: GUESTS }): Site =>
  siteWith({ proxmox: guests, integrations: { uptimeKuma: { port: 3101, apiKeySecret: 'kuma-key', ...uptimeKuma } } });

const job = (site: Site, platform: 'kubernetes' | 'lxc' = 'kubernetes') =>
  prometheusConfig(site, stackTopology(site, platform)).scrape_configs.find((j) => j.job_name === 'uptime-kuma');
const pod = (site: Site) => findObject(synthChart(PrometheusServer, site).objects, 'StatefulSet', 'prometheus').spec.template.spec;

describe('Prometheus scrapes every UptimeKuma guest', () => {
  test('on the site\'s port, with the API key file as the basic-auth password, each guest named', () => {
    // GIVEN two UptimeKuma guests with an address (and one without), UptimeKuma on 3101
    const site = kumaSite();
    // THEN one job, one target per addressed guest
    expect(job(site)).toEqual({
      job_name: 'uptime-kuma',
      scheme: 'http',
      metrics_path: '/metrics',
      basic_auth: { username: '', password_file: '/etc/prometheus/uptime-kuma/api-key' },
      static_configs: [
        { targets: ['172.16.9.6:3101'], labels: { name: 'status-a' } },
        { targets: ['172.16.9.7:3101'], labels: { name: 'status-b' } },
      ],
    });
  });

  test('the blackbox probe of UptimeKuma uses the site\'s port, not 3001', () => {
    const probes = blackboxProbes(kumaSite()).filter((p) => p.name.startsWith('status-'));
    expect(probes).toEqual([
      { target: 'http://172.16.9.6:3101/', name: 'status-a', module: 'http_2xx' },
      { target: 'http://172.16.9.7:3101/', name: 'status-b', module: 'http_2xx' },
    ]);
    // The default site keeps UptimeKuma's own default.
    expect(blackboxProbes(siteWith()).find((p) => p.name === 'uptime-kuma')?.target).toBe('http://10.88.140.106:3001/');
  });

  test('the pod mounts key api-key of the operator\'s Secret exactly where the job reads it (optional: a missing key fails the scrape, not Prometheus)', () => {
    const spec = pod(kumaSite());
    const volume = spec.volumes.find((v: Json) => v.name === 'uptime-kuma-key');
    expect(volume).toEqual({ name: 'uptime-kuma-key', secret: { secretName: 'kuma-key', optional: true, items: [{ key: 'api-key', path: 'api-key' }] } });
    const mount = spec.containers[0].volumeMounts.find((m: Json) => m.name === 'uptime-kuma-key');
    expect(`${mount.mountPath}/${volume.secret.items[0].path}`).toBe(job(kumaSite())!.basic_auth!.password_file);
    expect(mount.readOnly).toBe(true);
  });

  test('the Secret is an operator Secret: a placeholder with SOPS, named by the site', () => {
    expect(operatorSecretSpecs(kumaSite()).find((s) => s.name === 'kuma-key')).toEqual({
      name: 'kuma-key', namespace: 'monitoring', usedBy: expect.stringContaining('UptimeKuma'), placeholder: { 'api-key': PLACEHOLDER_VALUE },
    });
  });

  test('on LXC the same job, and the key file is on the list of files the operator places', () => {
    const site = kumaSite();
    expect(job(site, 'lxc')).toEqual(job(site));
    const payload = containerPayloads(site).prometheus;
    expect(YAML.parse(payload.files.find((f) => f.path.endsWith('prometheus.yml'))!.content).scrape_configs).toContainEqual(job(site));
    expect(payload.secrets).toContainEqual({ path: UPTIME_KUMA_API_KEY_FILE, owner: 'prometheus', what: expect.stringMatching(/key api-key of Secret kuma-key/) });
  });

  test('the rule group is there with the job, on both platforms', () => {
    for (const platform of ['kubernetes', 'lxc'] as const) {
      const group = prometheusRuleGroups(kumaSite(), platform).groups.find((g) => g.name === 'uptime-kuma');
      expect(group?.rules.map((r) => r.alert)).toEqual(['UptimeKumaMonitorDown', 'UptimeKumaScrapeFailing', 'UptimeKumaCertificateExpiring']);
      expect(group?.rules.every((r) => r.annotations.summary.length > 0 && r.annotations.description.length > 0)).toBe(true);
    }
  });
});

describe.each([
  ['switched off', kumaSite({ enabled: false })],
  ['without an UptimeKuma guest', kumaSite({}, { guests: GUESTS.filter((g) => g.role !== 'uptime-kuma') })],
  ['whose UptimeKuma guest has no address', kumaSite({}, { guests: GUESTS.filter((g) => g.name === 'no-address') })],
])('an UptimeKuma integration %s leaves nothing behind', (_case, site) => {
  test('no scrape job, no rule group, no Secret mount, no placeholder, no LXC key file', () => {
    expect(job(site)).toBeUndefined();
    expect(job(site, 'lxc')).toBeUndefined();
    expect(prometheusRuleGroups(site, 'kubernetes').groups.map((g) => g.name)).not.toContain('uptime-kuma');
    const spec = pod(site);
    expect(spec.volumes.map((v: Json) => v.name)).not.toContain('uptime-kuma-key');
    expect(spec.containers[0].volumeMounts.map((m: Json) => m.name)).not.toContain('uptime-kuma-key');
    expect(operatorSecretSpecs(site).map((s) => s.name)).not.toContain('kuma-key');
    expect(containerPayloads(site).prometheus.secrets.map((s) => s.path)).not.toContain(UPTIME_KUMA_API_KEY_FILE);
  });
});

test('switched off, an UptimeKuma guest is still probed (reachability is not the integration)', () => {
  expect(blackboxProbes(kumaSite({ enabled: false })).map((p) => p.target)).toContain('http://172.16.9.6:3101/');
});

describeWithBinary('promtool', 'UptimeKuma alert rules (promtool test rules)', () => {
  const site = kumaSite();
  const promtoolTest = (tests: object[]) => {
    const dir = tempDir('kuma-rules-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests }));
    return run('promtool', ['test', 'rules', 'tests.yml'], dir);
  };
  const monitor = (id: string, name: string, extra = '') =>
    `job="uptime-kuma",instance="172.16.9.6:3101",name="status-a",monitor_id="${id}",monitor_name="${name}",monitor_type="http",monitor_url="https://${name}.example/",monitor_hostname="null",monitor_port="null"${extra}`;
  /** The links every alert carries (charts/prometheus/rules/alert.ts). */
  const links = (alert: string) => ({ runbook_url: runbookUrl(site, alert), dashboard: dashboardUrl(site, DASHBOARD_UIDS.probes) });
  const monitorLabels = (id: string, name: string) => ({
    job: 'uptime-kuma', instance: '172.16.9.6:3101', name: 'status-a', monitor_id: id, monitor_name: name, monitor_type: 'http',
    monitor_url: `https://${name}.example/`, monitor_hostname: 'null', monitor_port: 'null',
  });

  test('the whole rule file passes check rules with no lint finding', () => {
    const dir = tempDir('kuma-check-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'lxc'));
    const result = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', path.join(dir, 'alerts.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('UptimeKumaMonitorDown fires for a monitor DOWN for 5 minutes; not for UP, PENDING, MAINTENANCE or a short DOWN', () => {
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        { series: `monitor_status{${monitor('1', 'shop')}}`, values: '1 1 0x10' }, // DOWN from minute 2
        { series: `monitor_status{${monitor('2', 'blog')}}`, values: '1x12' }, // UP
        { series: `monitor_status{${monitor('3', 'api')}}`, values: '2x12' }, // PENDING (retrying)
        { series: `monitor_status{${monitor('4', 'mail')}}`, values: '3x12' }, // MAINTENANCE
        { series: `monitor_status{${monitor('5', 'flaky')}}`, values: '0 0 0 1 0 0 0 1 0 0 0 1 0' }, // never 5 minutes DOWN
      ],
      alert_rule_test: [
        { eval_time: '6m', alertname: 'UptimeKumaMonitorDown', exp_alerts: [] },
        { eval_time: '7m', alertname: 'UptimeKumaMonitorDown', exp_alerts: [{
          exp_labels: { severity: 'critical', ...monitorLabels('1', 'shop') },
          exp_annotations: { summary: 'UptimeKuma monitor shop is down', description: 'UptimeKuma on status-a has reported its http monitor shop DOWN for 5 minutes (status 0).', ...links('UptimeKumaMonitorDown') },
        }] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('UptimeKumaScrapeFailing fires when /metrics cannot be read for 5 minutes, names the Secret; quiet while it can', () => {
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        { series: 'up{job="uptime-kuma",instance="172.16.9.6:3101",name="status-a"}', values: '0x10' }, // e.g. 401: key revoked
        { series: 'up{job="uptime-kuma",instance="172.16.9.7:3101",name="status-b"}', values: '1x10' },
        { series: 'up{job="node",instance="172.16.9.6:9100",name="status-a"}', values: '0x10' }, // another job: TargetDown's
      ],
      alert_rule_test: [
        { eval_time: '4m', alertname: 'UptimeKumaScrapeFailing', exp_alerts: [] },
        { eval_time: '6m', alertname: 'UptimeKumaScrapeFailing', exp_alerts: [{
          exp_labels: { severity: 'critical', job: 'uptime-kuma', instance: '172.16.9.6:3101', name: 'status-a' },
          exp_annotations: {
            summary: 'Prometheus cannot read UptimeKuma on status-a',
            ...links('UptimeKumaScrapeFailing'),
            description: 'Its monitors are not watched by Alertmanager meanwhile (up = 0). Check that UptimeKuma runs on 172.16.9.6:3101 and that the API key in Secret kuma-key (key api-key) is active and not expired.',
          },
        }] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('UptimeKumaCertificateExpiring fires below 14 days for a valid certificate only, after an hour', () => {
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        { series: `monitor_cert_days_remaining{${monitor('1', 'shop')}}`, values: '10x80' },
        { series: `monitor_cert_is_valid{${monitor('1', 'shop')}}`, values: '1x80' },
        { series: `monitor_cert_days_remaining{${monitor('2', 'blog')}}`, values: '30x80' }, // far from expiry
        { series: `monitor_cert_is_valid{${monitor('2', 'blog')}}`, values: '1x80' },
        { series: `monitor_cert_days_remaining{${monitor('3', 'old')}}`, values: '-3x80' }, // already invalid: its monitor is DOWN
        { series: `monitor_cert_is_valid{${monitor('3', 'old')}}`, values: '0x80' },
      ],
      alert_rule_test: [
        { eval_time: '59m', alertname: 'UptimeKumaCertificateExpiring', exp_alerts: [] },
        { eval_time: '61m', alertname: 'UptimeKumaCertificateExpiring', exp_alerts: [{
          exp_labels: { severity: 'warning', ...monitorLabels('1', 'shop') },
          exp_annotations: { summary: 'Certificate of shop expires in 10 days', description: 'UptimeKuma on status-a sees the TLS certificate of https://shop.example/ expire within 14 days (10 left): renew it.', ...links('UptimeKumaCertificateExpiring') },
        }] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a wrong expectation fails (the test bites)', () => {
    const result = promtoolTest([{
      interval: '1m',
      input_series: [{ series: `monitor_status{${monitor('2', 'blog')}}`, values: '1x12' }],
      alert_rule_test: [{ eval_time: '10m', alertname: 'UptimeKumaMonitorDown', exp_alerts: [{ exp_labels: { severity: 'critical', ...monitorLabels('2', 'blog') } }] }],
    }]);
    expect(result.status).not.toBe(0);
  });

  test('a site with UptimeKuma on another port passes the full config check (promtool does not read basic-auth password files: the server reads them per scrape)', () => {
    const root = tempDir('kuma-config-');
    const config = prometheusConfig(site, stackTopology(site, 'lxc'));
    const moved = JSON.parse(JSON.stringify(config).replace(/"(\/etc\/[^"]+)"/g, (_m, p: string) => {
      const target = path.join(root, p.replace('*', 'alerts.yml'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, p.includes('rules') ? prometheusRulesYaml(site, 'lxc') : 'placeholder');
      return `"${path.join(root, p)}"`;
    }));
    const file = path.join(root, 'prometheus.yml');
    fs.writeFileSync(file, YAML.stringify(moved));
    const result = run('promtool', ['check', 'config', '--lint=all', '--lint-fatal', file]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('172.16.9.6:3101');
  });
});
