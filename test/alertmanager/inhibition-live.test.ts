/**
 * The synthesized inhibit rules against a real Alertmanager (Debian's 0.25 on loopback; `equal`
 * works the same in 0.34: inhibit/inhibit.go compares the equal labels' values, a label missing
 * on both sides counting as equal). A critical alert mutes the warnings about the same object
 * only, never the rest of its host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertmanagerConfigYaml } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import { describeWithBinary } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { eventually, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';

type Labels = Record<string, string>;
interface ApiAlert { labels: Labels; status: { inhibitedBy: string[] } }

const PVE = { job: 'pve', instance: '10.88.140.151:8006', name: 'pve01' };
const WAZUH = { job: 'node', instance: '10.88.140.101:9100', name: 'wazuh' };
const KUMA = { job: 'uptime-kuma', instance: '10.88.140.106:3001', name: 'uptime-kuma' };
const LOKI = { job: 'loki', instance: 'loki.monitoring.svc:3100' };
const ALERTS: Record<string, Labels> = {
  guestDown: { alertname: 'ProxmoxGuestDown', severity: 'critical', ...PVE, id: 'lxc/101' },
  storageFull: { alertname: 'ProxmoxStorageAlmostFull', severity: 'warning', ...PVE, id: 'storage/local-lvm' },
  rootCritical: { alertname: 'HostFilesystemFillingUp', severity: 'critical', ...WAZUH, mountpoint: '/' },
  rootWarning: { alertname: 'HostFilesystemFillingUp', severity: 'warning', ...WAZUH, mountpoint: '/' },
  varWarning: { alertname: 'HostFilesystemAlmostFull', severity: 'warning', ...WAZUH, mountpoint: '/var' },
  memory: { alertname: 'HostMemoryPressure', severity: 'warning', ...WAZUH },
  // Objects behind one target: UptimeKuma's monitors, Loki's rule groups, Wazuh's rules.
  monitorDown: { alertname: 'UptimeKumaMonitorDown', severity: 'critical', ...KUMA, monitor_name: 'shop' },
  otherMonitorCert: { alertname: 'UptimeKumaCertificateExpiring', severity: 'warning', ...KUMA, monitor_name: 'wiki' },
  rulerFailing: { alertname: 'LokiRulerEvaluationFailures', severity: 'critical', ...LOKI, rule_group: 'wazuh' },
  lokiDiscarding: { alertname: 'LokiDiscardedSamples', severity: 'warning', ...LOKI, reason: 'rate_limited', tenant: 'fake' },
  wazuhCritical: { alertname: 'WazuhHighSeverityAlert', severity: 'critical', job: 'wazuh', instance: 'web-1', agent: 'web-1', rule_id: '5712' },
  wazuhOtherRule: { alertname: 'WazuhHighSeverityAlert', severity: 'warning', job: 'wazuh', instance: 'web-1', agent: 'web-1', rule_id: '31151' },
};

describeWithBinary('prometheus-alertmanager', 'inhibition in a running Alertmanager', () => {
  let alertmanager: LoopbackDaemon;
  let inhibited: Record<string, boolean> = {};

  beforeAll(async () => {
    const site = parseSite({}).site;
    const dir = tempDir('am-live-');
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerConfigYaml(site, stackTopology(site, 'kubernetes')));
    alertmanager = await startDaemon('prometheus-alertmanager', (port) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
    ]);
    await eventually(async () => ((await fetch(`${alertmanager.url}/-/ready`)).ok ? true : undefined), 30000, 'Alertmanager to be ready');
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Object.values(ALERTS).map((labels) => ({ labels }))),
    });
    expect(posted.status).toBe(200);
    // The inhibitor learns source alerts asynchronously: wait until the one expected muting shows.
    const alerts = await eventually(async () => {
      const list = await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json() as ApiAlert[];
      const rootWarning = list.find((a) => a.labels.alertname === 'HostFilesystemFillingUp' && a.labels.severity === 'warning');
      return list.length === Object.keys(ALERTS).length && rootWarning?.status.inhibitedBy.length ? list : undefined;
    }, 30000, 'the inhibitor to see the critical alerts');
    inhibited = Object.fromEntries(Object.entries(ALERTS).map(([key, labels]) => {
      const alert = alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v) && Object.keys(a.labels).length === Object.keys(labels).length)!;
      return [key, alert.status.inhibitedBy.length > 0];
    }));
  });
  afterAll(() => alertmanager?.stop());

  test('a critical filesystem alert mutes the warning about the same mountpoint', () => {
    expect(inhibited.rootWarning).toBe(true);
  });

  test('one guest down does not mute the Proxmox host\'s storage warning (same instance, another object)', () => {
    expect(inhibited.storageFull).toBe(false);
  });

  test('a critical alert on one filesystem mutes neither another filesystem nor the host\'s memory warning', () => {
    expect(inhibited.varWarning).toBe(false);
    expect(inhibited.memory).toBe(false);
  });

  test('critical alerts themselves are never muted', () => {
    expect([inhibited.guestDown, inhibited.rootCritical, inhibited.monitorDown, inhibited.rulerFailing, inhibited.wazuhCritical]).toEqual([false, false, false, false, false]);
  });

  test('objects behind one target stay apart: a down monitor, a failing rule group, a Wazuh rule mute nothing else', () => {
    expect([inhibited.otherMonitorCert, inhibited.lokiDiscarding, inhibited.wazuhOtherRule]).toEqual([false, false, false]);
  });
});
