/**
 * Every alert of either platform, counted from the definitions (never by hand): each has a
 * promtool case that fires it and a time at which it is quiet (test/prometheus/alert-cases.ts),
 * a severity from the policy, a description with its value, a runbook_url into an existing
 * section of docs/runbooks.md and a dashboard link to an existing dashboard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { alertDefinitionGroups, prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';
import { runbookAnchor, runbooksDocumentUrl, SEVERITIES, type AlertDefinition } from '../../charts/prometheus/rules/alert';
import { wazuhLokiRuleGroups } from '../../charts/integrations/wazuh-rules';
import { SAME_OBJECT_LABELS } from '../../charts/alertmanager/alertmanager-config';
import { DASHBOARD_UIDS } from '../../charts/grafana/dashboards/catalog';
import { RUNBOOKS_PATH, runbooksMarkdown } from '../../render/runbooks';
import { loadSite, parseSite } from '../../site';
import type { Platform } from '../../charts/topology';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { ALERT_CASES, ALWAYS_FIRING, type AlertCase } from './alert-cases';

const site = loadSite().site;
const PLATFORMS: readonly Platform[] = ['kubernetes', 'lxc'];
const definitions = (platform: Platform): AlertDefinition[] => alertDefinitionGroups(site, platform).flatMap((g) => [...g.rules]);
const allDefinitions = PLATFORMS.flatMap(definitions);
const alertNames = [...new Set(allDefinitions.map((d) => d.alert))];
const lokiRules = wazuhLokiRuleGroups(site).flatMap((g) => g.rules);

/** What Prometheus' template engine makes of the annotation templates the rules use. */
function render(template: string, labels: Record<string, string>, value: string): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: string) => labels[name] ?? '')
    .replace(/\{\{ \$value( \| \w+)? \}\}/g, value);
}

/** The promtool test group of one case, against the rules of one platform. */
function promtoolGroup(c: AlertCase, platform: Platform): object {
  const defs = definitions(platform).filter((d) => d.alert === c.alert);
  const rules = prometheusRuleGroups(site, platform).groups.flatMap((g) => g.rules).filter((r) => r.alert === c.alert);
  const exp = c.fires.map((f) => {
    const severity = f.severity ?? defs[0].severity;
    const rule = rules.find((r) => r.labels.severity === severity)!;
    const labels = { ...f.labels, severity };
    return {
      exp_labels: labels,
      exp_annotations: {
        summary: render(rule.annotations.summary, labels, f.value),
        description: render(rule.annotations.description, labels, f.value),
        runbook_url: rule.annotations.runbook_url,
        dashboard: rule.annotations.dashboard,
      },
    };
  });
  return {
    interval: '1m',
    input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
    alert_rule_test: [
      ...(ALWAYS_FIRING.includes(c.alert) ? [] : [{ eval_time: c.quietAt, alertname: c.alert, exp_alerts: [] }]),
      { eval_time: c.firesAt, alertname: c.alert, exp_alerts: exp },
    ],
  };
}

describe('every alert has a firing and a quiet promtool case (counted from the rule definitions)', () => {
  test('at least 45 alert rules in all, Prometheus (both platforms) and Loki\'s ruler', () => {
    const prometheusRules = new Set(allDefinitions.map((d) => `${d.alert}/${d.severity}`));
    expect(prometheusRules.size + lokiRules.length).toBeGreaterThanOrEqual(45);
  });

  test.each(alertNames)('%s has a case: every severity it comes in fires, and it is quiet at another time', (alert) => {
    // One case, or more when an alert has several ways to fire (each case fires and is quiet).
    const cases = ALERT_CASES.filter((c) => c.alert === alert);
    expect(cases.length).toBeGreaterThanOrEqual(1);
    const severities = [...new Set(allDefinitions.filter((d) => d.alert === alert).map((d) => d.severity))];
    const fired = new Set(cases.flatMap((c) => c.fires.map((f) => f.severity ?? severities[0])));
    for (const c of cases) {
      expect(c.fires.length).toBeGreaterThan(0);
      expect(severities.length === 1 || c.fires.every((f) => f.severity)).toBe(true);
      if (!ALWAYS_FIRING.includes(alert)) expect(c.quietAt).toMatch(/^\d+m$/);
    }
    expect([...fired].sort()).toEqual([...severities].sort());
  });

  test('every firing alert names its object with a label Alertmanager groups and inhibits by (Watchdog aside)', () => {
    const unnamed = ALERT_CASES.filter((c) => !ALWAYS_FIRING.includes(c.alert))
      .flatMap((c) => c.fires.filter((f) => !Object.keys(f.labels).some((l) => SAME_OBJECT_LABELS.includes(l))).map(() => c.alert));
    expect(unnamed).toEqual([]);
  });

  test('no case is left for an alert that no longer exists', () => {
    expect(ALERT_CASES.map((c) => c.alert).filter((a) => !alertNames.includes(a))).toEqual([]);
  });

  test('the Kubernetes-only alerts are all in the kubernetes group, and only the LXC path lacks them', () => {
    const lxc = new Set(definitions('lxc').map((d) => d.alert));
    const kubernetesGroup = new Set(alertDefinitionGroups(site, 'kubernetes').find((g) => g.name === 'kubernetes')!.rules.map((r) => r.alert));
    expect(definitions('kubernetes').map((d) => d.alert).filter((a) => !lxc.has(a)).every((a) => kubernetesGroup.has(a))).toBe(true);
    expect([...kubernetesGroup].filter((a) => lxc.has(a))).toEqual([]);
  });
});

describeWithBinary('promtool', 'promtool test rules: every case against each platform\'s rules', () => {
  test.each(PLATFORMS)('%s', (platform) => {
    const present = new Set(definitions(platform).map((d) => d.alert));
    const dir = tempDir(`alert-cases-${platform}-`);
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, platform));
    const tests = ALERT_CASES.filter((c) => present.has(c.alert)).map((c) => promtoolGroup(c, platform));
    expect(new Set(ALERT_CASES.filter((c) => present.has(c.alert)).map((c) => c.alert)).size).toBe(present.size);
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests }));
    const result = run('promtool', ['test', 'rules', 'tests.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a case that expects the wrong value fails (the comparison bites)', () => {
    const dir = tempDir('alert-cases-broken-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'lxc'));
    const c = ALERT_CASES.find((x) => x.alert === 'HostMemoryPressure')!;
    const broken = promtoolGroup({ ...c, fires: [{ ...c.fires[0], value: '6%' }] }, 'lxc');
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests: [broken] }));
    expect(run('promtool', ['test', 'rules', 'tests.yml'], dir).status).not.toBe(0);
  });
});

describe('every alert carries the policy\'s severity, its value, a runbook section and a dashboard', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', RUNBOOKS_PATH), 'utf8');
  const anchors = new Set([...doc.matchAll(/^## (\w+)$/gm)].map((m) => runbookAnchor(m[1])));
  const uids = new Set<string>(Object.values(DASHBOARD_UIDS));
  const emitted = [
    ...PLATFORMS.flatMap((p) => prometheusRuleGroups(site, p).groups.flatMap((g) => g.rules)),
    ...lokiRules,
  ].map((r) => ({ alert: r.alert, severity: r.labels.severity, annotations: r.annotations as Record<string, string> }));

  test.each(emitted.map((r) => [`${r.alert} (${r.severity})`, r] as const))('%s', (_name, r) => {
    expect(SEVERITIES).toContain(r.severity);
    expect(r.annotations.summary.length).toBeGreaterThan(0);
    expect(r.annotations.description).toMatch(/\{\{ \$value( \| humanize\w*)? \}\}/);
    const [doc, anchor] = r.annotations.runbook_url.split('#');
    expect(doc).toBe(runbooksDocumentUrl(site));
    expect(anchors).toContain(anchor);
    expect(anchor).toBe(runbookAnchor(r.alert));
    const dashboard = /^(.*)\/d\/([\w-]+)$/.exec(r.annotations.dashboard);
    expect(dashboard?.[1]).toBe(site.grafana.externalUrl.replace(/\/+$/, ''));
    expect(uids).toContain(dashboard?.[2]);
  });

  test('the Kubernetes dashboard is linked only by Kubernetes-only alerts (the LXC path has no such dashboard)', () => {
    const lxc = prometheusRuleGroups(site, 'lxc').groups.flatMap((g) => g.rules);
    expect(lxc.filter((r) => r.annotations.dashboard.endsWith(`/d/${DASHBOARD_UIDS.kubernetes}`)).map((r) => r.alert)).toEqual([]);
  });
});

describe('runbooks document', () => {
  test('docs/runbooks.md is the generated one (run `node build/run.cjs runbooks` when this fails)', () => {
    expect(fs.readFileSync(path.join(__dirname, '..', '..', RUNBOOKS_PATH), 'utf8')).toBe(runbooksMarkdown(site));
  });

  test('has one section per alert name, with what it means, how to check and how to fix', () => {
    const doc = runbooksMarkdown(site);
    const headings = [...doc.matchAll(/^## (\w+)$/gm)].map((m) => m[1]);
    const expected = [...alertNames, ...new Set(lokiRules.map((r) => r.alert))];
    expect([...headings].sort()).toEqual([...new Set(expected)].sort());
    for (const name of expected) {
      const body = doc.split(`\n## ${name}\n`)[1].split('\n## ')[0];
      expect(body).toContain('**What it means.**');
      expect(body).toMatch(/\*\*How to check\*\*\n\n- /);
      expect(body).toMatch(/\*\*How to fix\*\*\n\n- /);
    }
  });

  test('opens with the severity policy', () => {
    expect(runbooksMarkdown(site)).toMatch(/## Severity policy[\s\S]*\*\*critical\*\* pages someone now[\s\S]*\*\*warning\*\* a ticket[\s\S]*\*\*info\*\* informs/);
  });
});

describe('runbook_url base', () => {
  const urlFor = (gitops: object, alertmanager: object = {}) => runbooksDocumentUrl(parseSite({ gitops, alertmanager }).site);

  test('an https repository: the file on the branch, as GitHub and GitLab show it', () => {
    expect(urlFor({ repoUrl: 'https://git.example.com/homelab/monitoring.git', branch: 'main' })).toBe('https://git.example.com/homelab/monitoring/blob/main/dist/runbooks.md');
  });

  test('an SSH repository: https on the same host', () => {
    expect(urlFor({ repoUrl: 'git@forge.lab.example:infra/observability.git', branch: 'production' })).toBe('https://forge.lab.example/infra/observability/blob/production/dist/runbooks.md');
    expect(urlFor({ repoUrl: 'ssh://git@forge.lab.example:2222/infra/observability.git', branch: 'main' })).toBe('https://forge.lab.example/infra/observability/blob/main/dist/runbooks.md');
  });

  test('the file follows gitops.path: the site\'s own runbooks in its dist/', () => {
    expect(urlFor({ repoUrl: 'https://git.example.com/homelab/monitoring.git', branch: 'main', path: 'clusters/east' })).toBe('https://git.example.com/homelab/monitoring/blob/main/clusters/east/runbooks.md');
  });

  test('alertmanager.runbookBaseUrl wins', () => {
    expect(urlFor({}, { runbookBaseUrl: 'https://wiki.example/runbooks.html' })).toBe('https://wiki.example/runbooks.html');
  });
});
