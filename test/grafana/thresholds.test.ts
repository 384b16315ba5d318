import * as YAML from 'yaml';
import {
  CERT_EXPIRY_WARNING_DAYS, CLOCK_OFFSET_SECONDS_WARNING, CPU_BUSY_RATIO_WARNING, DISK_FREE_RATIO_WARNING, ETCD_DB_QUOTA_RATIO_CRITICAL,
  ETCD_LEADER_CHANGES_WARNING, MEMORY_AVAILABLE_RATIO_WARNING, PVE_STORAGE_USED_RATIO_WARNING, slowProbeSeconds,
} from '../../charts/common/thresholds';
import { DASHBOARD_UIDS } from '../../charts/grafana/dashboards/catalog';
import { grafanaDashboards } from '../../charts/grafana/provisioning';
import { prometheusRulesYaml } from '../../charts/prometheus/rules';
import type { Site } from '../../site';
import { siteWith } from '../components/component-support';
import { contentPanelsOf, type Json } from './support';

/** The dashboards' JSON and the rules' YAML exactly as they are written out. */
function emitted(site: Site): { panel(uid: string, title: string): Json; rule(alert: string): string } {
  const dashboards: Json[] = grafanaDashboards(site, 'kubernetes').map((f) => JSON.parse(f.json));
  const rules: Json[] = YAML.parse(prometheusRulesYaml(site, 'kubernetes')).groups.flatMap((g: Json) => g.rules);
  return {
    panel(uid, title) {
      const found = contentPanelsOf(dashboards.find((d) => d.uid === uid)!).find((p) => p.title === title);
      if (!found) throw new Error(`no panel "${title}" in ${uid}`);
      return found;
    },
    rule(alert) {
      const found = rules.find((r) => r.alert === alert);
      if (!found) throw new Error(`no rule ${alert}`);
      return found.expr as string;
    },
  };
}

/** The threshold step values of a panel (the first, -infinity, step left out). */
const steps = (panel: Json): number[] => panel.fieldConfig.defaults.thresholds.steps.slice(1).map((s: Json) => s.value);
/** The number a rule compares against: the first `<op> <number>` after `after` in its expression. */
function comparedTo(expr: string, op: string, after = ''): number {
  const tail = expr.slice(expr.indexOf(after));
  const m = new RegExp(`${op.replace(/[<>=]/g, (c) => `\\${c}`)} (-?[0-9.]+)`).exec(tail);
  if (!m) throw new Error(`no "${op} <number>" in ${expr}`);
  return Number(m[1]);
}

const site = siteWith();
const out = emitted(site);

describe('A threshold in a dashboard equals the one its alert rule fires at', () => {
  // [constant, its value, dashboard, panel, alert, comparison in the rule, the step the panel draws]
  const cases: Array<[string, number, string, string, string, string, number]> = [
    ['DISK_FREE_RATIO_WARNING', DISK_FREE_RATIO_WARNING, DASHBOARD_UIDS.hosts, 'Filesystem free now', 'HostFilesystemAlmostFull', '<', DISK_FREE_RATIO_WARNING],
    ['DISK_FREE_RATIO_WARNING', DISK_FREE_RATIO_WARNING, DASHBOARD_UIDS.hosts, 'Filesystem free', 'HostFilesystemAlmostFull', '<', DISK_FREE_RATIO_WARNING],
    ['MEMORY_AVAILABLE_RATIO_WARNING', MEMORY_AVAILABLE_RATIO_WARNING, DASHBOARD_UIDS.hosts, 'Memory available', 'HostMemoryPressure', '<', MEMORY_AVAILABLE_RATIO_WARNING],
    ['CPU_BUSY_RATIO_WARNING', CPU_BUSY_RATIO_WARNING, DASHBOARD_UIDS.hosts, 'CPU busy', 'HostHighCpu', '>', CPU_BUSY_RATIO_WARNING],
    ['CPU_BUSY_RATIO_WARNING', CPU_BUSY_RATIO_WARNING, DASHBOARD_UIDS.proxmox, 'Node CPU busy', 'HostHighCpu', '>', CPU_BUSY_RATIO_WARNING],
    ['CLOCK_OFFSET_SECONDS_WARNING', CLOCK_OFFSET_SECONDS_WARNING, DASHBOARD_UIDS.hosts, 'Clock offset', 'HostClockSkew', '>', CLOCK_OFFSET_SECONDS_WARNING],
    ['PVE_STORAGE_USED_RATIO_WARNING', PVE_STORAGE_USED_RATIO_WARNING, DASHBOARD_UIDS.proxmox, 'Storage used', 'ProxmoxStorageAlmostFull', '>', PVE_STORAGE_USED_RATIO_WARNING],
    ['CERT_EXPIRY_WARNING_DAYS', CERT_EXPIRY_WARNING_DAYS, DASHBOARD_UIDS.probes, 'Certificate expires in', 'TlsCertificateExpiring', '<', CERT_EXPIRY_WARNING_DAYS],
    ['ETCD_LEADER_CHANGES_WARNING', ETCD_LEADER_CHANGES_WARNING, DASHBOARD_UIDS.kubernetes, 'Leader changes in 15m', 'EtcdFrequentLeaderChanges', '>=', ETCD_LEADER_CHANGES_WARNING],
    ['ETCD_DB_QUOTA_RATIO_CRITICAL', ETCD_DB_QUOTA_RATIO_CRITICAL, DASHBOARD_UIDS.kubernetes, 'Database quota used', 'EtcdDatabaseQuotaLowSpace', '>', ETCD_DB_QUOTA_RATIO_CRITICAL],
    // A "used" panel draws the complement of a "free" or "available" rule threshold.
    ['MEMORY_AVAILABLE_RATIO_WARNING', MEMORY_AVAILABLE_RATIO_WARNING, DASHBOARD_UIDS.proxmox, 'Node memory used', 'HostMemoryPressure', '<', 1 - MEMORY_AVAILABLE_RATIO_WARNING],
  ];

  test.each(cases)('%s (%d): %s "%s" and alert %s', (_name, constant, uid, title, alert, op, drawn) => {
    // GIVEN the constant WHEN both files are emitted THEN the panel's step and the rule's number are it
    expect(steps(out.panel(uid, title))).toContain(drawn);
    expect(comparedTo(out.rule(alert), op)).toBe(constant);
  });

  test('EndpointSlow and the probe duration panel: slowProbeSeconds(site), for the default and for a faster scrape interval', () => {
    for (const s of [site, siteWith({ prometheus: { scrapeInterval: '5s' } })]) {
      const o = emitted(s);
      expect(steps(o.panel(DASHBOARD_UIDS.probes, 'Probe duration'))).toEqual([slowProbeSeconds(s)]);
      expect(comparedTo(o.rule('EndpointSlow'), '>', 'probe_duration_seconds')).toBe(slowProbeSeconds(s));
    }
    expect(slowProbeSeconds(siteWith({ prometheus: { scrapeInterval: '5s' } }))).not.toBe(slowProbeSeconds(site));
  });

  test('UptimeKuma\'s certificate rule (the report\'s site scrapes its UptimeKuma guest) and panel share the blackbox rule\'s days', () => {
    expect(steps(out.panel(DASHBOARD_UIDS.probes, 'Monitored certificates expire in'))).toEqual([CERT_EXPIRY_WARNING_DAYS]);
    expect(comparedTo(out.rule('UptimeKumaCertificateExpiring'), '<', 'monitor_cert_days_remaining')).toBe(CERT_EXPIRY_WARNING_DAYS);
  });

  test('the blackbox certificate rule counts the same days in seconds', () => {
    expect(out.rule('TlsCertificateExpiring')).toBe(`probe_ssl_earliest_cert_expiry - time() < ${CERT_EXPIRY_WARNING_DAYS} * 86400`);
  });

  test('the comparison reader bites: a rule at another value is reported', () => {
    expect(comparedTo('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.15', '<')).not.toBe(MEMORY_AVAILABLE_RATIO_WARNING);
  });
});
