/**
 * On a site with several Proxmox hosts (test/support/second-site.ts: hv-east = proxmox.node,
 * hv-west, hv-north, one Talos VM on each) the alerts and runbooks send the operator to the host
 * that carries the thing: a guest alert takes the `node` of the host whose pve_exporter scrape
 * reported its onboot status, a Talos VM is looked for on its talos.nodes[].host, and lines that
 * concern every host list them all. Guests (proxmox.guests) stay on proxmox.node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { alertDefinitionGroups, prometheusRuleGroups, prometheusRulesYaml, type AlertRule } from '../../charts/prometheus/rules';
import { runbooksMarkdown } from '../../render/runbooks';
import { parseSite } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { SECOND_SITE } from '../support/second-site';
import { tempDir } from '../support/synth-once';

const site = parseSite(SECOND_SITE).site;
const rules = prometheusRuleGroups(site, 'kubernetes').groups.flatMap((g) => g.rules);
const rule = (alert: string): AlertRule => rules.find((r) => r.alert === alert)!;
const runbook = (alert: string) => alertDefinitionGroups(site, 'kubernetes').flatMap((g) => g.rules).find((d) => d.alert === alert)!.runbook;
const runbookText = (alert: string) => { const r = runbook(alert); return [r.meaning, ...r.check, ...r.fix].join('\n'); };

/** Annotations as Prometheus renders them for these labels and value (the templates used here). */
const rendered = (r: AlertRule, labels: Record<string, string>, value: string) => Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, v
  .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: string) => labels[name] ?? '')
  .replace(/\{\{ \$value( \| \w+)? \}\}/g, value)]));

describe('alert and runbook texts name the right Proxmox host', () => {
  test('a guest alert names the host in the `node` label its onboot status comes with', () => {
    for (const alert of ['ProxmoxGuestDown', 'ProxmoxGuestNotBackedUp']) {
      expect(rule(alert).expr).toContain('* on (id) group_left (node) topk by (id) (1, pve_onboot_status == 1)');
      expect(rule(alert).annotations.description).toMatch(/^A guest of \{\{ \$labels\.node \}\} /);
    }
    expect(runbook('ProxmoxGuestDown').check[0]).toMatch(/^On the host in the alert's `node` label \(hv-east, hv-west, hv-north\): /);
  });

  test('the pve_exporter alert tells which host\'s scrape failed and gives the API of every host to try', () => {
    expect(rule('ProxmoxExporterDown').annotations.description).toMatch(/^The Proxmox scrape of \{\{ \$labels\.name \}\} \(\{\{ \$labels\.instance \}\}\)/);
    for (const api of ['https://192.168.50.5:8443', 'https://192.168.50.6:8443', 'https://192.168.50.7:8006']) {
      expect(runbookText('ProxmoxExporterDown')).toContain(`\`curl -k ${api}/api2/json/version\``);
    }
  });

  test('a storage alert points at the host its id names', () => {
    expect(runbook('ProxmoxStorageAlmostFull').check[0]).toMatch(/^On the host its id names \(storage\/<node>\/<storage>; one of hv-east, hv-west, hv-north\): /);
  });

  test('a Talos VM is looked for on its own host, by vmid', () => {
    const placement = 'kube-a is VM 441 on hv-east, kube-b is VM 442 on hv-west, kube-c is VM 443 on hv-north';
    expect(runbook('KubeNodeNotReady').check).toContain(`On the Talos VM's host (${placement}): \`qm status <vmid>\` of the Talos VM.`);
    expect(runbook('EtcdHighFsyncDurations').check[0]).toBe(`On the Talos VM's host (${placement}): \`iostat -x 5\`; the Proxmox dashboard's disk panels for the Talos VMs.`);
    expect(runbookText('EtcdInsufficientMembers')).toContain(`\`pvesh get /cluster/resources --type vm\` lists the Talos VMs of every host (control planes: ${placement})`);
    expect(runbooksMarkdown(site)).toContain(`\`<vmid>\` (a guest on hv-east, or a Talos VM on its host: ${placement})`);
  });

  test('a host\'s NIC errors point at its own bridge (the hosts\' bridges differ)', () => {
    expect(runbook('HostNetworkReceiveErrors').fix[0]).toContain('check its host\'s bridge (hv-east: vmbr2, hv-west: vmbr3, hv-north: vmbr2)');
  });

  test('every runbook line that names proxmox.node names the other hosts too, unless it is about a guest (the guests are on proxmox.node)', () => {
    // GIVEN every line of the runbooks and of the rules' annotations
    const lines = [...runbooksMarkdown(site).split('\n'), ...rules.flatMap((r) => Object.values(r.annotations))];
    // THEN a line naming hv-east alone is about a guest
    const hostOnly = lines.filter((l) => l.includes('hv-east') && !(l.includes('hv-west') && l.includes('hv-north')));
    expect(hostOnly.length).toBeGreaterThan(0);
    expect(hostOnly.filter((l) => !/guest/i.test(l))).toEqual([]);
  });

  test('a single-host site keeps its texts: guests and Talos VMs on proxmox.node, the set join, no `node` label', () => {
    const single = parseSite({}).site;
    const singleRules = prometheusRuleGroups(single, 'kubernetes').groups.flatMap((g) => g.rules);
    expect(singleRules.find((r) => r.alert === 'ProxmoxGuestDown')!.expr).toBe('pve_up{id=~"(lxc|qemu)/.+"} == 0 and on (id) pve_onboot_status == 1');
    expect(singleRules.find((r) => r.alert === 'ProxmoxGuestDown')!.annotations.description).toMatch(/^A guest of pve01 /);
    expect(runbooksMarkdown(single)).toContain('- On pve01: `qm status <vmid>` of the Talos VM.');
  });
});

describeWithBinary('promtool', 'promtool: guest alerts join the onboot status of the guest\'s own host', () => {
  // Cluster collectors from proxmox.node's scrape (hv-east's API); node collectors from each host's.
  const EAST = { job: 'pve', instance: '192.168.50.5:8443', name: 'hv-east' };
  const WEST = { job: 'pve', instance: '192.168.50.6:8443', name: 'hv-west' };
  /** A second pve target asking hv-west (its API by another address). */
  const WEST_AGAIN = { job: 'pve', instance: '192.168.50.6:8006', name: 'hv-west' };
  const sel = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',');
  const expected = (alert: string, id: string, value: string) => {
    const labels = { ...EAST, id, node: 'hv-west', severity: rule(alert).labels.severity };
    return { exp_labels: labels, exp_annotations: rendered(rule(alert), labels, value) };
  };
  const cases = [
    {
      interval: '1m',
      input_series: [
        // Talos VM kube-b on hv-west: stopped, starts on boot.
        { series: `pve_up{${sel(EAST)},id="qemu/442"}`, values: '0x10' },
        { series: `pve_onboot_status{${sel(WEST)},id="qemu/442",node="hv-west",type="qemu"}`, values: '1x10' },
        // A guest on hv-east: stopped, not started on boot.
        { series: `pve_up{${sel(EAST)},id="lxc/306"}`, values: '0x10' },
        { series: `pve_onboot_status{${sel(EAST)},id="lxc/306",node="hv-east",type="lxc"}`, values: '0x10' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'ProxmoxGuestDown', exp_alerts: [] },
        { eval_time: '7m', alertname: 'ProxmoxGuestDown', exp_alerts: [expected('ProxmoxGuestDown', 'qemu/442', '0')] },
      ],
    },
    {
      interval: '1m',
      input_series: [
        { series: `pve_not_backed_up_info{${sel(EAST)},id="qemu/442"}`, values: '1x80' },
        { series: `pve_onboot_status{${sel(WEST)},id="qemu/442",node="hv-west",type="qemu"}`, values: '1x80' },
      ],
      alert_rule_test: [
        { eval_time: '30m', alertname: 'ProxmoxGuestNotBackedUp', exp_alerts: [] },
        { eval_time: '65m', alertname: 'ProxmoxGuestNotBackedUp', exp_alerts: [expected('ProxmoxGuestNotBackedUp', 'qemu/442', '1')] },
      ],
    },
  ];

  /** `promtool test rules` on the site's rules; a rule that fails to evaluate fails the run. */
  const promtoolTest = (tests: object[]) => {
    const dir = tempDir('multi-host-rules-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests }));
    return run('promtool', ['test', 'rules', 'tests.yml'], dir);
  };

  test('a stopped Talos VM on hv-west fires once, with node="hv-west" and "A guest of hv-west"', () => {
    const result = promtoolTest(cases);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
    expect(expected('ProxmoxGuestDown', 'qemu/442', '0').exp_annotations.description).toMatch(/^A guest of hv-west set to start on boot/);
  });

  test('two onboot series for one guest (a live migration, two targets asking one host) still fire once, with a node', () => {
    // The firing alerts of one rule per guest, and those whose node is one of the given hosts.
    const firing = (alert: string, eval_time: string, nodes: string) => [
      { expr: `count by (id) (ALERTS{alertname="${alert}",alertstate="firing"})`, eval_time, exp_samples: [{ labels: '{id="qemu/442"}', value: 1 }] },
      { expr: `count by (id) (ALERTS{alertname="${alert}",alertstate="firing",node=~"${nodes}"})`, eval_time, exp_samples: [{ labels: '{id="qemu/442"}', value: 1 }] },
    ];
    const result = promtoolTest([
      {
        // Talos VM kube-b migrating from hv-west to hv-east: both hosts report its onboot status.
        interval: '1m',
        input_series: [
          { series: `pve_up{${sel(EAST)},id="qemu/442"}`, values: '0x10' },
          { series: `pve_not_backed_up_info{${sel(EAST)},id="qemu/442"}`, values: '1x80' },
          { series: `pve_onboot_status{${sel(WEST)},id="qemu/442",node="hv-west",type="qemu"}`, values: '1x80' },
          { series: `pve_onboot_status{${sel(EAST)},id="qemu/442",node="hv-east",type="qemu"}`, values: '1x80' },
        ],
        promql_expr_test: [...firing('ProxmoxGuestDown', '7m', 'hv-west|hv-east'), ...firing('ProxmoxGuestNotBackedUp', '65m', 'hv-west|hv-east')],
      },
      {
        // Two pve targets asking hv-west: the same node twice, so the alert is exactly the usual one.
        interval: '1m',
        input_series: [
          { series: `pve_up{${sel(EAST)},id="qemu/442"}`, values: '0x10' },
          { series: `pve_onboot_status{${sel(WEST)},id="qemu/442",node="hv-west",type="qemu"}`, values: '1x10' },
          { series: `pve_onboot_status{${sel(WEST_AGAIN)},id="qemu/442",node="hv-west",type="qemu"}`, values: '1x10' },
        ],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'ProxmoxGuestDown', exp_alerts: [] },
          { eval_time: '7m', alertname: 'ProxmoxGuestDown', exp_alerts: [expected('ProxmoxGuestDown', 'qemu/442', '0')] },
        ],
      },
    ]);
    expect(result.output).not.toContain('many-to-many');
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
