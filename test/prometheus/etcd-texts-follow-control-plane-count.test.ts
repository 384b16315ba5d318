/**
 * The etcd and node texts follow the control planes of talos.nodes (each an etcd member): five
 * members say "three of five" and that one loss leaves room for another, three say "two of three"
 * and "without redundancy"; workers add nodes, not members. The quorum alert's threshold is counted from the
 * scraped members, so it is three of five there: promtool shows it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { kubernetesDashboard } from '../../charts/grafana/dashboards/kubernetes';
import { alertDefinitionGroups, prometheusRuleGroups, prometheusRulesYaml } from '../../charts/prometheus/rules';
import { etcdMembers } from '../../charts/prometheus/rules/etcd';
import { spelled } from '../../site/words';
import { etcdQuorum, parseSite, type Site } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { contentPanelsOf, type Json } from '../grafana/support';
import { WORKERS_SITE } from '../support/workers-site';

/** The default site with five control planes, 10.70.0.21-25, VMs 211-215. */
const FIVE = parseSite({
  talos: { nodes: [1, 2, 3, 4, 5].map((i) => ({ hostname: `talos-cp-${i}`, address: `10.70.0.2${i}`, vmid: 210 + i })) },
}).site;
const THREE = parseSite({}).site;

const definitions = (site: Site) => alertDefinitionGroups(site, 'kubernetes').flatMap((g) => g.rules);
const definition = (site: Site, alert: string) => definitions(site).find((d) => d.alert === alert)!;
const annotation = (site: Site, alert: string) => prometheusRuleGroups(site, 'kubernetes').groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!.annotations;
const nodeReadyPanel = (site: Site) => contentPanelsOf(kubernetesDashboard(site) as unknown as Json).find((p) => p.title === 'Node ready')!;

describe('etcd quorum in the texts', () => {
  test('the fixture has five control planes; quorum is three of them', () => {
    expect(FIVE.talos.nodes.map((n) => `${n.hostname} ${n.address} ${n.vmid}`)).toEqual([1, 2, 3, 4, 5].map((i) => `talos-cp-${i} 10.70.0.2${i} 21${i}`));
    expect(etcdMembers(FIVE)).toEqual({ total: 5, quorum: 3, spareAfterOneLoss: 1 });
    expect(etcdMembers(THREE)).toEqual({ total: 3, quorum: 2, spareAfterOneLoss: 0 });
    expect([3, 5, 12].map(spelled)).toEqual(['three', 'five', '12']);
  });

  test('five members: "three of five" keep quorum, one loss leaves room for one more', () => {
    expect(annotation(FIVE, 'EtcdMemberDown').description).toContain('; three of five members keep quorum.');
    expect(definition(FIVE, 'EtcdMemberDown').runbook.meaning).toContain('The cluster works with four of five, with room for one more loss.');
    expect(definition(FIVE, 'EtcdInsufficientMembers').runbook.meaning).toMatch(/^Fewer than three of the five members answer/);
    expect(annotation(FIVE, 'KubeNodeNotReady').description).toContain('With one of five nodes down the cluster runs, with room for one more loss:');
    expect(definition(FIVE, 'KubeNodeNotReady').runbook.meaning).toContain('etcd keeps quorum with three of five members.');
    expect(nodeReadyPanel(FIVE).description).toContain('with one of five down the cluster runs with room for one more loss.');
  });

  test('three members keep the texts they had: "two of three", no redundancy after one loss', () => {
    expect(annotation(THREE, 'EtcdMemberDown').description).toContain('; two of three members keep quorum.');
    expect(definition(THREE, 'EtcdMemberDown').runbook.meaning).toContain('The cluster works with two of three, with no margin left.');
    expect(definition(THREE, 'EtcdInsufficientMembers').runbook.meaning).toMatch(/^Fewer than two of the three members answer/);
    expect(annotation(THREE, 'KubeNodeNotReady').description).toContain('With one of three nodes down the cluster runs, without redundancy:');
    expect(nodeReadyPanel(THREE).description).toContain('with one of three down the cluster runs without redundancy.');
  });

  test('three control planes and two workers: three members, quorum two, and the node texts count five nodes', () => {
    expect(etcdMembers(WORKERS_SITE)).toEqual({ total: 3, quorum: 2, spareAfterOneLoss: 0 });
    expect(annotation(WORKERS_SITE, 'EtcdMemberDown').description).toContain('; two of three members keep quorum.');
    expect(definition(WORKERS_SITE, 'EtcdInsufficientMembers').runbook.meaning).toMatch(/^Fewer than two of the three members answer/);
    expect(annotation(WORKERS_SITE, 'KubeNodeNotReady').description).toContain(
      'One of five nodes down: a worker takes only its pods; a control plane also takes one of the three etcd members, after which the cluster runs without redundancy:');
    expect(definition(WORKERS_SITE, 'KubeNodeNotReady').runbook.meaning).toContain('etcd keeps quorum with two of three members (a worker is none of them).');
    // The quorum runbook lists the VMs that matter to etcd: the control planes, not the workers.
    const insufficient = definition(WORKERS_SITE, 'EtcdInsufficientMembers').runbook.check.join(' ');
    expect(insufficient).toContain('control planes: talos-cp-1 is VM 211 on pve01, talos-cp-2 is VM 212 on pve02, talos-cp-3 is VM 213 on pve03)');
    expect(insufficient).not.toContain('talos-w-1');
    expect(nodeReadyPanel(WORKERS_SITE).description).toContain(
      'with one of five down the cluster runs; a lost control plane also takes one of the three etcd members (then without redundancy).');
  });

  test('with five members no rule, runbook or Node ready panel speaks of three members', () => {
    const texts = [
      ...definitions(FIVE).flatMap((d) => [d.summary, d.description, d.runbook.meaning, ...d.runbook.check, ...d.runbook.fix]),
      nodeReadyPanel(FIVE).description as string,
    ];
    expect(texts.filter((t) => /\b(two|three) of (the )?three\b|\bone of three\b|\ball three\b/.test(t))).toEqual([]);
  });
});

describeWithBinary('promtool', 'promtool: EtcdInsufficientMembers fires below the quorum of the members there are', () => {
  const cases = (members: number, up: number) => ({
    interval: '1m',
    // All up for 5 minutes, then `up` of them.
    input_series: Array.from({ length: members }, (_, i) => ({
      series: `up{job="etcd",instance="talos-cp-${i + 1}"}`, values: i < up ? '1x15' : '1x4 0x10',
    })),
    alert_rule_test: [{
      eval_time: '12m', alertname: 'EtcdInsufficientMembers',
      exp_alerts: up >= etcdQuorum(members) ? [] : [{
        exp_labels: { job: 'etcd', severity: 'critical' },
        exp_annotations: { ...annotation(FIVE, 'EtcdInsufficientMembers'), description: `Only ${up} members are up: the Kubernetes API is read-only or down.` },
      }],
    }],
  });

  test.each([
    [5, 3, 'quiet'], [5, 2, 'fires'], [3, 2, 'quiet'], [3, 1, 'fires'],
  ])('%i members, %i up: %s', (members, up, _outcome) => {
    const dir = tempDir('etcd-quorum-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(FIVE, 'kubernetes'));
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests: [cases(members, up)] }));
    const result = run('promtool', ['test', 'rules', 'tests.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
