/** Alert rules checked for what they do (promtool test rules) and for Prometheus 3.x syntax (lezer-promql). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { loadSite } from '../../site';
import { prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';

const site = loadSite().site;

interface SyntaxNode { type: { isError: boolean }; from: number }
/** lezer-promql ships ESM typings for its CommonJS build; declare the one call used here. */
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(src: string): { iterate(spec: { enter(n: SyntaxNode): void }): void } } };

describe('alert expressions parse with the Prometheus 3.x grammar', () => {
  const rules = prometheusRuleGroups(site).groups.flatMap((g) => g.rules);
  test.each(rules.map((r) => [r.alert, r.expr] as const))('%s', (_name, expr) => {
    const errors: number[] = [];
    parser.parse(expr).iterate({ enter: (n) => { if (n.type.isError) errors.push(n.from); } });
    expect(errors).toEqual([]);
  });

  test('fails for a broken expression (the parser bites)', () => {
    let errors = 0;
    parser.parse('sum(rate(x[5m]) by (a)').iterate({ enter: (n) => { if (n.type.isError) errors++; } });
    expect(errors).toBeGreaterThan(0);
  });
});

describeWithBinary('promtool', 'alert rules fire when they should (promtool test rules)', () => {
  test('TargetDown, EndpointDown, HostFilesystemAlmostFull and Watchdog', () => {
    const dir = tempDir('ruletest-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site));
    const tests = {
      rule_files: ['alerts.yml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series: 'up{job="node",instance="10.88.140.101:9100",name="wazuh"}', values: '1 0x10' },
          { series: 'probe_success{job="blackbox-http-2xx",instance="http://10.88.140.106:3001/",name="uptime-kuma"}', values: '0x10' },
          { series: 'node_filesystem_avail_bytes{instance="a",name="checkmk",mountpoint="/",fstype="ext4"}', values: '5x30' },
          { series: 'node_filesystem_size_bytes{instance="a",name="checkmk",mountpoint="/",fstype="ext4"}', values: '100x30' },
        ],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'TargetDown', exp_alerts: [] },
          { eval_time: '7m', alertname: 'TargetDown', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'node', instance: '10.88.140.101:9100', name: 'wazuh' },
            exp_annotations: { summary: 'Target 10.88.140.101:9100 of job node is down', description: 'Prometheus could not scrape 10.88.140.101:9100 for 5 minutes.' } }] },
          { eval_time: '6m', alertname: 'EndpointDown', exp_alerts: [{ exp_labels: { severity: 'critical', job: 'blackbox-http-2xx', instance: 'http://10.88.140.106:3001/', name: 'uptime-kuma' },
            exp_annotations: { summary: 'uptime-kuma (http://10.88.140.106:3001/) is unreachable', description: 'Blackbox probe failing for 5 minutes.' } }] },
          { eval_time: '20m', alertname: 'HostFilesystemAlmostFull', exp_alerts: [{ exp_labels: { severity: 'warning', instance: 'a', name: 'checkmk', mountpoint: '/', fstype: 'ext4' },
            exp_annotations: { summary: 'checkmk / has less than 10% free', description: 'Free 5%.' } }] },
          { eval_time: '1m', alertname: 'Watchdog', exp_alerts: [{ exp_labels: { severity: 'info' },
            exp_annotations: { summary: 'Alerting pipeline is alive', description: 'Always firing. If it stops arriving, Prometheus or Alertmanager is down.' } }] },
        ],
      }],
    };
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify(tests));
    const result = run('promtool', ['test', 'rules', 'tests.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
