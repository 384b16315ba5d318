import { GrafanaServer } from '../../charts/grafana/grafana-chart';
import { DASHBOARD_FOLDERS, DASHBOARD_UIDS, GENERATED_TAG } from '../../charts/grafana/dashboards/catalog';
import { PVE_GUEST_NAME_LABEL } from '../../charts/grafana/dashboards/proxmox';
import { DATASOURCE_UIDS, grafanaDashboards, grafanaDatasources } from '../../charts/grafana/provisioning';
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import { SECOND_SITE } from '../support/second-site';
import { describeWithShared } from '../support/shared-dir';
import { findObject, siteWith, synthChart } from '../components/component-support';
import {
  contentPanelsOf, grafanaSchemas, interpolate, type Json, logqlErrors, panelsOf, promqlErrors, queriesOf,
} from './support';

const { site, objects } = synthChart(GrafanaServer);
/** The dashboards as the pod reads them: the ConfigMap's values, parsed back. */
const written: Json[] = Object.values(findObject(objects, 'ConfigMap', 'grafana-dashboards').data as Record<string, string>).map((t) => JSON.parse(t));
const byUid = (uid: string): Json => written.find((d) => d.uid === uid)!;
const lxcDashboards: Json[] = grafanaDashboards(site, 'lxc').map((d) => JSON.parse(d.json));

describe('The generated dashboards', () => {
  test('at least 7 on Kubernetes, one per file, each with a unique stable uid from the catalog', () => {
    expect(written.length).toBeGreaterThanOrEqual(7);
    expect(written.map((d) => d.uid).sort()).toEqual(Object.values(DASHBOARD_UIDS).sort());
    expect(new Set(written.map((d) => d.title)).size).toBe(written.length);
  });

  test('the LXC path gets all of them but the Kubernetes one', () => {
    expect(lxcDashboards.map((d) => d.uid).sort()).toEqual(Object.values(DASHBOARD_UIDS).filter((u) => u !== DASHBOARD_UIDS.kubernetes).sort());
  });

  test('each is tagged "generated" and with its area, read-only, on a refreshing time range', () => {
    for (const d of written) {
      expect(d.tags).toContain(GENERATED_TAG);
      expect(d.tags.length).toBeGreaterThan(1);
      expect(d).toMatchObject({ editable: false, refresh: '1m', time: { to: 'now' } });
    }
  });

  test('every panel but a logs panel has a unit', () => {
    const missing = written.flatMap((d) => contentPanelsOf(d).filter((p) => p.type !== 'logs' && !p.fieldConfig?.defaults?.unit).map((p) => `${d.uid}: ${p.title}`));
    expect(missing).toEqual([]);
    expect(written.flatMap(contentPanelsOf).filter((p) => p.type !== 'logs').length).toBeGreaterThan(60);
  });

  test('every panel and query points at a provisioned datasource of the right type', () => {
    const provisioned = new Map(grafanaDatasources(site, stackTopology(site, 'kubernetes')).datasources.map((d) => [d.uid, d.type]));
    for (const d of written) {
      for (const p of contentPanelsOf(d)) expect([d.uid, p.title, provisioned.get(p.datasource.uid)]).toEqual([d.uid, p.title, p.datasource.type]);
      for (const q of queriesOf(d)) expect([d.uid, q.panel, provisioned.get(q.datasource.uid)]).toEqual([d.uid, q.panel, q.datasource.type]);
    }
    expect(Object.values(DATASOURCE_UIDS)).toEqual(expect.arrayContaining(['prometheus', 'loki']));
  });

  test('every PromQL query parses (lezer-promql, variables interpolated as Grafana does)', () => {
    const prom = written.flatMap((d) => queriesOf(d).filter((q) => q.datasource.type === 'prometheus').map((q) => ({ d, q })));
    expect(prom.length).toBeGreaterThan(50);
    for (const { d, q } of prom) expect({ uid: d.uid, expr: interpolate(d, q.expr), errors: promqlErrors(d, q.expr) }).toEqual({ uid: d.uid, expr: interpolate(d, q.expr), errors: 0 });
  });

  test('every LogQL query and every Loki variable query parses (lezer-logql)', () => {
    const logql = written.flatMap((d) => queriesOf(d).filter((q) => q.datasource.type === 'loki').map((q) => ({ d, expr: q.expr as string })));
    expect(logql.length).toBeGreaterThan(15);
    for (const { d, expr } of logql) expect({ uid: d.uid, expr: interpolate(d, expr), errors: logqlErrors(d, expr) }).toEqual({ uid: d.uid, expr: interpolate(d, expr), errors: 0 });
    // label_values(<selector>, label): the selector must be LogQL.
    const selectors = written.flatMap((d) => (d.templating?.list ?? []).filter((v: Json) => v.datasource?.type === 'loki')
      .map((v: Json) => ({ d, m: /^label_values\((\{.*\}), \w+\)$/.exec(v.query) })).filter(({ m }: { m: RegExpExecArray | null }) => m)
      .map(({ d: dd, m }: { d: Json; m: RegExpExecArray }) => ({ d: dd, expr: m[1] })));
    expect(selectors.length).toBeGreaterThan(1);
    for (const { d, expr } of selectors) expect(logqlErrors(d, expr)).toBe(0);
  });

  test('every Prometheus variable query\'s selector parses', () => {
    const vars = written.flatMap((d) => (d.templating?.list ?? []).filter((v: Json) => v.datasource?.type === 'prometheus').map((v: Json) => ({ d, v })));
    expect(vars.length).toBeGreaterThan(5);
    for (const { d, v } of vars) {
      const m = /^label_values\((.+), (\w+)\)$/.exec(v.query);
      expect(m).not.toBeNull();
      expect({ uid: d.uid, query: v.query, errors: promqlErrors(d, m![1]) }).toEqual({ uid: d.uid, query: v.query, errors: 0 });
    }
  });

  test('the syntax checks bite: a broken query or an unknown variable is reported', () => {
    const d = byUid(DASHBOARD_UIDS.hosts);
    expect(promqlErrors(d, 'sum(rate(node_cpu_seconds_total{job=~"$job"}[$__rate_interval])')).toBeGreaterThan(0);
    expect(logqlErrors(d, '{source=~"$source"')).toBeGreaterThan(0);
    expect(promqlErrors(d, 'rate(x[$undefined_variable])')).toBeGreaterThan(0);
  });

  test('rows are expanded with their panels below them, inside the 24-column grid, with unique ids and no overlap', () => {
    for (const d of written) {
      const panels = d.panels as Json[];
      for (const row of panels.filter((p) => p.type === 'row')) expect(row).toMatchObject({ collapsed: false, panels: [] });
      const cells = new Set<string>();
      for (const p of panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`) ? `${d.uid} ${p.title} overlaps at ${x},${y}` : '').toBe('');
            cells.add(`${x},${y}`);
          }
        }
      }
      const ids = panelsOf(d).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test.each([['kubernetes' as const, written], ['lxc' as const, lxcDashboards]])('on %s every dashboard link resolves: by uid to a provisioned dashboard, by tag to at least one other', (_platform, dashboards) => {
    const uids = new Set(dashboards.map((d) => d.uid));
    for (const d of dashboards) {
      expect(d.links.length).toBeGreaterThan(1);
      for (const link of d.links as Json[]) {
        // In the header, not hidden in the controls menu.
        expect(link.placement).toBeUndefined();
        if (link.type === 'link') {
          const m = /^\/d\/([\w-]+)(\?.*)?$/.exec(link.url);
          expect({ from: d.uid, url: link.url, resolves: m !== null && uids.has(m[1]) && m[1] !== d.uid }).toEqual({ from: d.uid, url: link.url, resolves: true });
        } else {
          expect(link.type).toBe('dashboards');
          expect(dashboards.filter((o) => o.uid !== d.uid && link.tags.every((t: string) => o.tags.includes(t))).length).toBeGreaterThan(0);
        }
      }
    }
  });

  test('links that set a variable name one the target dashboard has', () => {
    for (const d of written) {
      for (const link of (d.links as Json[]).filter((l) => l.type === 'link' && l.url.includes('?'))) {
        const [, uid, query] = /^\/d\/([\w-]+)\?(.*)$/.exec(link.url)!;
        const names = (byUid(uid).templating?.list ?? []).map((v: Json) => v.name);
        for (const [key] of new URLSearchParams(query)) expect(names).toContain(key.replace(/^var-/, ''));
      }
    }
  });

  test('the dashboards are the same on every build, and the same on both paths', () => {
    expect(grafanaDashboards(site, 'kubernetes').map((d) => d.json)).toEqual(grafanaDashboards(site, 'kubernetes').map((d) => d.json));
    for (const d of lxcDashboards) expect(d).toEqual(byUid(d.uid));
  });

  test('the Kubernetes dashboard lives in its own folder, which the LXC path does not provision', () => {
    const files = grafanaDashboards(site, 'kubernetes');
    expect(files.filter((f) => f.folder.uid === DASHBOARD_FOLDERS.kubernetes.uid).map((f) => JSON.parse(f.json).uid)).toEqual([DASHBOARD_UIDS.kubernetes]);
    expect(grafanaDashboards(site, 'lxc').map((f) => f.folder.uid)).not.toContain(DASHBOARD_FOLDERS.kubernetes.uid);
  });

  describeWithShared('schemas/grafana', 'against the Grafana foundation SDK JSON schemas', () => {
    // Built lazily: a skipped describe still runs its body to collect tests.
    let schemas: ReturnType<typeof grafanaSchemas> | undefined;
    const grafana = () => (schemas ??= grafanaSchemas());

    test.each(Object.entries(DASHBOARD_UIDS))('%s validates, with every panel\'s options and every query', (_name, uid) => {
      expect(grafana().dashboardErrors(byUid(uid))).toEqual([]);
    });

    test('every unit is one Grafana knows', () => {
      const units = written.flatMap((d) => contentPanelsOf(d).map((p) => p.fieldConfig?.defaults?.unit).filter((u) => u !== undefined));
      expect(units.filter((u) => !grafana().unitIds.has(u))).toEqual([]);
    });

    test('fails when a bar gauge option has a value the plugin does not accept', () => {
      const broken = JSON.parse(JSON.stringify(byUid(DASHBOARD_UIDS.proxmox)));
      broken.panels.find((p: Json) => p.type === 'bargauge').options.displayMode = 'sideways';
      expect(grafana().dashboardErrors(broken).join('\n')).toMatch(/bargauge options \/displayMode must be equal to one of the allowed values/);
    });
  });
});

describe('Metric and label names the dashboards rely on', () => {
  const exprs = (uid: string) => queriesOf(byUid(uid)).map((q) => q.expr).join('\n');

  test('Proxmox: pve_exporter 3.10 names (cluster.py), counters with _total, joined to pve_guest_info by id', () => {
    for (const metric of ['pve_up{', 'pve_cpu_usage_ratio{', 'pve_memory_usage_bytes{', 'pve_memory_size_bytes{', 'pve_disk_usage_bytes{', 'pve_disk_size_bytes{',
      'pve_network_receive_bytes_total{', 'pve_network_transmit_bytes_total{', 'pve_disk_read_bytes_total{', 'pve_disk_written_bytes_total{',
      'pve_guest_info{', 'pve_node_info', 'pve_storage_info', 'pve_uptime_seconds{']) {
      expect(exprs(DASHBOARD_UIDS.proxmox)).toContain(metric);
    }
    // The deprecated gauges (no _total) are not used.
    expect(exprs(DASHBOARD_UIDS.proxmox)).not.toMatch(/pve_network_(receive|transmit)_bytes\{|pve_disk_(read|write)_bytes\{/);
  });

  test(`the guest name is ${PVE_GUEST_NAME_LABEL}: the pve job's target has a name label and does not honor the exporter's`, () => {
    const pve = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs.find((j) => j.job_name === 'pve')!;
    expect(pve.static_configs?.every((c) => c.labels && 'name' in c.labels)).toBe(true);
    expect(pve.honor_labels).toBeFalsy();
  });

  test('probes: blackbox and UptimeKuma series of the jobs prometheus.yml scrapes', () => {
    const jobs = prometheusConfig(siteWith(), stackTopology(site, 'kubernetes')).scrape_configs.map((j) => j.job_name);
    const probes = exprs(DASHBOARD_UIDS.probes);
    for (const metric of ['probe_success{', 'probe_duration_seconds{', 'probe_http_status_code{', 'probe_ssl_earliest_cert_expiry{', 'monitor_status{', 'monitor_response_time{', 'monitor_cert_days_remaining{']) {
      expect(probes).toContain(metric);
    }
    const named = [...probes.matchAll(/job="([^"]+)"/g)].map((m) => m[1]);
    for (const job of named) expect(jobs).toContain(job);
  });

  test('every job a Kubernetes or hosts query names is a scrape job of prometheus.yml on Kubernetes', () => {
    const jobs = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs.map((j) => j.job_name);
    const prom = [DASHBOARD_UIDS.kubernetes, DASHBOARD_UIDS.proxmox, DASHBOARD_UIDS.hosts].flatMap((uid) => queriesOf(byUid(uid)).filter((q) => q.datasource.type === 'prometheus').map((q) => q.expr as string));
    const named = [...new Set(prom.flatMap((e) => [...e.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1])))];
    expect(named.length).toBeGreaterThan(2);
    for (const job of named) expect(jobs).toContain(job);
  });

  test('security: the Wazuh stream is the one the gateway writes, parsed with json into rule_level, rule_id, rule_description, agent_name', () => {
    const security = exprs(DASHBOARD_UIDS.security);
    expect(security).toContain('{job="syslog", app="ossec"} | json | __error__=""');
    for (const field of ['rule_level', 'rule_id', 'rule_description', 'agent_name']) expect(security).toContain(field);
  });

  test('logs: volume by source over every stream, and the label scheme\'s labels', () => {
    const logs = exprs(DASHBOARD_UIDS.logs);
    expect(logs).toContain('sum by (source) (count_over_time({source=~"$source", host=~"$host", app=~"$app"} [$__interval]))');
    expect(interpolate(byUid(DASHBOARD_UIDS.logs), 'sum by (source) (count_over_time({source=~"$source"}[$__interval]))'))
      .toBe('sum by (source) (count_over_time({source=~".+"}[5m]))');
  });
});

describe('The Proxmox dashboard on several Proxmox hosts', () => {
  // GIVEN the second site: hv-east (proxmox.node), hv-west, hv-north
  const multi = grafanaDashboards(parseSite(SECOND_SITE).site, 'kubernetes').map((d) => JSON.parse(d.json)).find((d) => d.uid === DASHBOARD_UIDS.proxmox)!;

  test('names every host in its description and node row', () => {
    expect(multi.description).toMatch(/^Proxmox nodes hv-east, hv-west, hv-north as pve_exporter reads them/);
    expect(panelsOf(multi).filter((p) => p.type === 'row').map((p) => p.title)).toContain('Nodes hv-east, hv-west, hv-north');
  });

  test('the node panels select every node and tell the nodes\' series apart', () => {
    const nodePanels = contentPanelsOf(multi).filter((p) => /^(Node|Proxmox API)/.test(p.title));
    const exprs = nodePanels.flatMap((p) => p.targets.map((t: Json) => t.expr as string));
    expect(exprs.filter((e) => e.includes('pve_') && !e.includes('id=~"node/.+"'))).toEqual([]);
    expect(exprs.some((e) => /hv-east|pve01/.test(e))).toBe(false);
    const memory = nodePanels.find((p) => p.title === 'Node memory')!;
    expect(memory.targets.map((t: Json) => t.legendFormat)).toEqual(['{{id}} used', '{{id}} total']);
  });

  test('a single host keeps its one-node titles and legends', () => {
    const single = byUid(DASHBOARD_UIDS.proxmox);
    expect(panelsOf(single).filter((p) => p.type === 'row').map((p) => p.title)).toContain('Node pve01');
    expect(contentPanelsOf(single).find((p) => p.title === 'Node memory')!.targets.map((t: Json) => t.legendFormat)).toEqual(['used', 'total']);
  });
});
