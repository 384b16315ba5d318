/** Alert rules checked for what they do (promtool test rules) and for Prometheus 3.x syntax (lezer-promql). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { durationSeconds, loadSite, parseSite } from '../../site';
import { etcdBackupStaleSeconds, prometheusRuleGroups, prometheusRulesYaml, slowProbeSeconds } from '../../charts/prometheus/rules';
import { blackboxConfig, probeDeadlineSeconds } from '../../charts/exporters/blackbox-config';

const site = loadSite().site;

interface SyntaxNode { type: { isError: boolean }; from: number }
/** lezer-promql ships ESM typings for its CommonJS build; declare the one call used here. */
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(src: string): { iterate(spec: { enter(n: SyntaxNode): void }): void } } };

describe('alert expressions parse with the Prometheus 3.x grammar', () => {
  const rules = prometheusRuleGroups(site, 'kubernetes').groups.flatMap((g) => g.rules);
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

/** Writes the rules and a unit-test file into a fresh directory and runs `promtool test rules`. */
function promtoolTest(tests: object[]): { output: string; status: number | null } {
  const dir = tempDir('ruletest-');
  fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
  fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify({ rule_files: ['alerts.yml'], evaluation_interval: '1m', tests }));
  return run('promtool', ['test', 'rules', 'tests.yml'], dir);
}

describe('rules per platform', () => {
  test('the LXC path gets no Kubernetes rules (nothing there would ever feed them)', () => {
    expect(prometheusRuleGroups(site, 'lxc').groups.map((g) => g.name)).not.toContain('kubernetes');
    expect(prometheusRuleGroups(site, 'kubernetes').groups.map((g) => g.name)).toContain('kubernetes');
  });
});

describe('etcd backup staleness', () => {
  test('is two missed runs of the site\'s schedule plus an hour', () => {
    const stale = (schedule: string) => etcdBackupStaleSeconds(parseSite({ backups: { schedule } }).site);
    expect(stale('0 2 * * *')).toBe(49 * 3600); // daily (the report's 02:00)
    expect(stale('0 */6 * * *')).toBe(13 * 3600); // four a day
    expect(stale('30 3 * * 1-6')).toBe(97 * 3600); // not on Sundays: a skipped day counts
  });
});

describe('probe slowness', () => {
  test('the slow threshold sits below the deadline at which the exporter ends the probe', () => {
    // GIVEN the module timeout and Prometheus' scrape timeout (min(10s, interval)) minus the 0.5s offset
    for (const scrapeInterval of ['15s', '5s', '1m']) {
      const custom = parseSite({ prometheus: { scrapeInterval, evaluationInterval: scrapeInterval } }).site;
      const deadline = probeDeadlineSeconds(durationSeconds(scrapeInterval)!);
      expect(deadline).toBeLessThanOrEqual(5);
      expect(slowProbeSeconds(custom)).toBeLessThan(deadline);
    }
    expect(Object.values(blackboxConfig().modules).map((m) => m.timeout)).toEqual(['5s', '5s', '5s']);
    expect(slowProbeSeconds(site)).toBe(3);
  });
});

describeWithBinary('promtool', 'alert rules fire when they should (promtool test rules)', () => {
  test('EndpointSlow fires for a probe that succeeds slowly, and leaves a probe that timed out to EndpointDown', () => {
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        { series: 'probe_duration_seconds{job="blackbox-http-2xx",instance="http://slow/",name="slow"}', values: '4x20' },
        { series: 'probe_success{job="blackbox-http-2xx",instance="http://slow/",name="slow"}', values: '1x20' },
        // Cut off at the 5s module timeout: probe_duration_seconds stops at the deadline and the probe fails.
        { series: 'probe_duration_seconds{job="blackbox-http-2xx",instance="http://timeout/",name="timeout"}', values: '5.01x20' },
        { series: 'probe_success{job="blackbox-http-2xx",instance="http://timeout/",name="timeout"}', values: '0x20' },
      ],
      alert_rule_test: [
        { eval_time: '16m', alertname: 'EndpointSlow', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'blackbox-http-2xx', instance: 'http://slow/', name: 'slow' },
          exp_annotations: { summary: 'slow answers slowly', description: 'Probe takes 4s (slow above 3s).' } }] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('HostFilesystemFillingUp follows node-mixin: low free space AND the trend AND writable, 24h warning and 4h critical', () => {
    const filesystem = (mountpoint: string, avail: string, readonly = '0x80') => {
      const labels = `instance="b:9100",job="node",name="wazuh",mountpoint="${mountpoint}",fstype="ext4"`;
      return [
        { series: `node_filesystem_avail_bytes{${labels}}`, values: avail },
        { series: `node_filesystem_size_bytes{${labels}}`, values: '100x80' },
        { series: `node_filesystem_readonly{${labels}}`, values: readonly },
      ];
    };
    const labels = (mountpoint: string, severity: string) => ({ severity, instance: 'b:9100', job: 'node', name: 'wazuh', mountpoint, fstype: 'ext4' });
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        ...filesystem('/', '35-0.05x80'), // 31.75% free at 65m, empty in about 10h: warning only
        ...filesystem('/var', '15-0.1x80'), // 8.5% free at 65m, empty in 85 minutes: warning and critical
        ...filesystem('/srv', '80-0.1x80'), // falling as fast, but 73.5% free: nothing
        ...filesystem('/ro', '35-0.05x80', '1x80'), // as '/', but read-only: nothing
      ],
      alert_rule_test: [
        { eval_time: '30m', alertname: 'HostFilesystemFillingUp', exp_alerts: [] },
        { eval_time: '65m', alertname: 'HostFilesystemFillingUp', exp_alerts: [
          { exp_labels: labels('/', 'warning'), exp_annotations: { summary: 'wazuh / will fill within 24h', description: 'Free 31.75% and falling (linear prediction over the last 6 hours).' } },
          { exp_labels: labels('/var', 'warning'), exp_annotations: { summary: 'wazuh /var will fill within 24h', description: 'Free 8.5% and falling (linear prediction over the last 6 hours).' } },
          { exp_labels: labels('/var', 'critical'), exp_annotations: { summary: 'wazuh /var will fill within 4h', description: 'Free 8.5% and falling (linear prediction over the last 6 hours).' } },
        ] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('the Kubernetes and etcd rules fire on broken objects and stay quiet on healthy ones', () => {
    const ns = 'namespace="monitoring"';
    const result = promtoolTest([{
      interval: '1m',
      input_series: [
        // Crash looping shows as a waiting reason on and off (max_over_time bridges the gaps); the
        // series is gone once a container runs. Other waiting reasons are other alerts.
        { series: `kube_pod_container_status_waiting_reason{${ns},pod="grafana-0",container="grafana",reason="CrashLoopBackOff"}`, values: '1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _ 1 _ _' },
        { series: `kube_pod_container_status_waiting_reason{${ns},pod="loki-0",container="loki",reason="CrashLoopBackOff"}`, values: '1 _x29' },
        { series: `kube_pod_container_status_waiting_reason{${ns},pod="pve-exporter-1",container="pve-exporter",reason="CreateContainerConfigError"}`, values: '1x30' },
        { series: `kube_pod_container_status_waiting_reason{${ns},pod="grafana-1",container="grafana",reason="ContainerCreating"}`, values: '1x30' },
        { series: `kube_deployment_spec_replicas{${ns},deployment="blackbox-exporter"}`, values: '1x30' },
        { series: `kube_deployment_status_replicas_available{${ns},deployment="blackbox-exporter"}`, values: '0x30' },
        { series: `kube_deployment_spec_replicas{${ns},deployment="pve-exporter"}`, values: '1x30' },
        { series: `kube_deployment_status_replicas_available{${ns},deployment="pve-exporter"}`, values: '1x30' },
        { series: `kube_deployment_status_condition{${ns},deployment="pve-exporter",condition="Progressing",status="false"}`, values: '1x30' },
        { series: `kube_deployment_status_condition{${ns},deployment="pve-exporter",condition="Progressing",status="true"}`, values: '0x30' },
        { series: `kube_deployment_status_condition{${ns},deployment="blackbox-exporter",condition="Progressing",status="false"}`, values: '0x30' },
        { series: `kube_deployment_status_condition{${ns},deployment="blackbox-exporter",condition="Available",status="false"}`, values: '1x30' },
        { series: `kube_statefulset_replicas{${ns},statefulset="loki"}`, values: '1x30' },
        { series: `kube_statefulset_status_replicas_ready{${ns},statefulset="loki"}`, values: '0x30' },
        { series: `kube_statefulset_replicas{${ns},statefulset="prometheus"}`, values: '1x30' },
        { series: `kube_statefulset_status_replicas_ready{${ns},statefulset="prometheus"}`, values: '1x30' },
        // kube-state-metrics writes one series per condition status, 1 on the one that holds.
        ...['true', 'false', 'unknown'].map((status) => ({ series: `kube_node_status_condition{node="talos-cp-2",condition="Ready",status="${status}"}`, values: status === 'false' ? '1x30' : '0x30' })),
        ...['true', 'false', 'unknown'].map((status) => ({ series: `kube_node_status_condition{node="talos-cp-1",condition="Ready",status="${status}"}`, values: status === 'true' ? '1x30' : '0x30' })),
        ...['true', 'false', 'unknown'].map((status) => ({ series: `kube_node_status_condition{node="talos-cp-1",condition="MemoryPressure",status="${status}"}`, values: status === 'false' ? '1x30' : '0x30' })),
        { series: 'etcd_server_has_leader{job="etcd",instance="talos-cp-1"}', values: '1x30' },
        { series: 'etcd_server_has_leader{job="etcd",instance="talos-cp-2"}', values: '1x10 0x20' },
        { series: 'etcd_server_leader_changes_seen_total{job="etcd",instance="talos-cp-1"}', values: '0x30' },
        { series: 'etcd_server_leader_changes_seen_total{job="etcd",instance="talos-cp-3"}', values: '0+1x30' },
        { series: 'etcd_mvcc_db_total_size_in_bytes{job="etcd",instance="talos-cp-1"}', values: '100x30' },
        { series: 'etcd_server_quota_backend_bytes{job="etcd",instance="talos-cp-1"}', values: '1000x30' },
        { series: 'etcd_mvcc_db_total_size_in_bytes{job="etcd",instance="talos-cp-3"}', values: '900x30' },
        // Last success 175,000 s before the start; the threshold is 49 h (176,400 s): stale from
        // minute 23.3, firing 10 minutes later. Another CronJob as old never counts.
        { series: 'kube_cronjob_status_last_successful_time{namespace="etcd-backup",cronjob="etcd-backup"}', values: '-175000x45' },
        { series: 'kube_cronjob_status_last_successful_time{namespace="monitoring",cronjob="etcd-backup"}', values: '-175000x45' },
        // Just below the thresholds: 3 leader changes in 15 minutes, a database at 75 % of its quota.
        { series: 'etcd_server_leader_changes_seen_total{job="etcd",instance="talos-cp-2"}', values: '0x10 1 2 3x18' },
        { series: 'etcd_mvcc_db_total_size_in_bytes{job="etcd",instance="talos-cp-2"}', values: '750x30' },
        { series: 'etcd_server_quota_backend_bytes{job="etcd",instance="talos-cp-2"}', values: '1000x30' },
        { series: 'etcd_server_quota_backend_bytes{job="etcd",instance="talos-cp-3"}', values: '1000x30' },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'KubePodCrashLooping', exp_alerts: [] },
        { eval_time: '25m', alertname: 'KubePodCrashLooping', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'monitoring', pod: 'grafana-0', container: 'grafana', reason: 'CrashLoopBackOff' },
          exp_annotations: { summary: 'Pod monitoring/grafana-0 (grafana) is crash looping', description: 'kubectl -n monitoring logs grafana-0 -c grafana --previous' } }] },
        { eval_time: '30m', alertname: 'EtcdBackupMissing', exp_alerts: [] },
        { eval_time: '40m', alertname: 'EtcdBackupMissing', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'etcd-backup', cronjob: 'etcd-backup' },
          exp_annotations: { summary: 'The etcd backup has not succeeded for 2d 1h 16m 40s', description: 'Two scheduled runs (0 2 * * * UTC) missed: kubectl -n etcd-backup get jobs; kubectl -n etcd-backup logs job/<last>.' } }] },
        // Each 15-minute rule waits its 15 minutes.
        ...['KubeContainerWaiting', 'KubeDeploymentRolloutStuck', 'KubeDeploymentReplicasMismatch', 'KubeStatefulSetReplicasMismatch'].map((alertname) => ({ eval_time: '10m', alertname, exp_alerts: [] })),
        { eval_time: '25m', alertname: 'KubeContainerWaiting', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'monitoring', pod: 'pve-exporter-1', container: 'pve-exporter', reason: 'CreateContainerConfigError' },
          exp_annotations: { summary: 'Container monitoring/pve-exporter-1 (pve-exporter) cannot start: CreateContainerConfigError', description: 'kubectl -n monitoring describe pod pve-exporter-1: a wrong image tag, a missing Secret or ConfigMap key.' } }] },
        { eval_time: '25m', alertname: 'KubeDeploymentRolloutStuck', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'monitoring', deployment: 'pve-exporter', condition: 'Progressing', status: 'false' },
          exp_annotations: { summary: 'Deployment monitoring/pve-exporter rollout is stuck', description: 'It passed its progress deadline: kubectl -n monitoring rollout status deployment/pve-exporter.' } }] },
        { eval_time: '25m', alertname: 'KubeDeploymentReplicasMismatch', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'monitoring', deployment: 'blackbox-exporter' },
          exp_annotations: { summary: 'Deployment monitoring/blackbox-exporter has not the replicas it wants', description: 'Available replicas differ from the spec for 15 minutes: check its pods\' events.' } }] },
        { eval_time: '25m', alertname: 'KubeStatefulSetReplicasMismatch', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'monitoring', statefulset: 'loki' },
          exp_annotations: { summary: 'StatefulSet monitoring/loki has not the ready replicas it wants', description: 'Ready replicas differ from the spec for 15 minutes: check its pods and their claims.' } }] },
        { eval_time: '10m', alertname: 'KubeNodeNotReady', exp_alerts: [] },
        { eval_time: '25m', alertname: 'KubeNodeNotReady', exp_alerts: [{ exp_labels: { severity: 'warning', node: 'talos-cp-2', condition: 'Ready', status: 'true' },
          exp_annotations: { summary: 'Node talos-cp-2 is not ready', description: 'With one of three nodes down the cluster runs, without redundancy: talosctl -n <node> health.' } }] },
        { eval_time: '10m', alertname: 'EtcdNoLeader', exp_alerts: [] },
        { eval_time: '13m', alertname: 'EtcdNoLeader', exp_alerts: [{ exp_labels: { severity: 'critical', job: 'etcd', instance: 'talos-cp-2' },
          exp_annotations: { summary: 'etcd member talos-cp-2 has no leader', description: 'The Kubernetes API cannot write: talosctl -n <node> service etcd; talosctl -n <node> etcd members.' } }] },
        { eval_time: '25m', alertname: 'EtcdFrequentLeaderChanges', exp_alerts: [{ exp_labels: { severity: 'warning', job: 'etcd', instance: 'talos-cp-3' },
          exp_annotations: { summary: 'etcd member talos-cp-3 saw 15 leader changes in 15 minutes', description: 'Usually slow disks or a flaky network between the nodes: check the Proxmox host\'s I/O wait.' } }] },
        { eval_time: '25m', alertname: 'EtcdDatabaseQuotaLowSpace', exp_alerts: [{ exp_labels: { severity: 'critical', job: 'etcd', instance: 'talos-cp-3' },
          exp_annotations: { summary: 'etcd database of talos-cp-3 uses 90% of its quota', description: 'At the quota etcd refuses writes: talosctl -n <node> etcd defrag, and look for an object flood.' } }] },
      ],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a Talos node\'s local-path disk is watched by the hosts rules (job talos-nodes), its tmpfs is not', () => {
    const disk = (mountpoint: string, fstype: string, avail: string) => {
      const labels = `job="talos-nodes",instance="talos-cp-1",name="talos-cp-1",mountpoint="${mountpoint}",fstype="${fstype}"`;
      return [
        { series: `node_filesystem_avail_bytes{${labels}}`, values: avail },
        { series: `node_filesystem_size_bytes{${labels}}`, values: '100x30' },
        { series: `node_filesystem_readonly{${labels}}`, values: '0x30' },
      ];
    };
    const result = promtoolTest([{
      interval: '1m',
      input_series: [...disk('/var/mnt/local-path-provisioner', 'xfs', '5x30'), ...disk('/system', 'tmpfs', '1x30')],
      alert_rule_test: [{ eval_time: '20m', alertname: 'HostFilesystemAlmostFull', exp_alerts: [{
        exp_labels: { severity: 'warning', job: 'talos-nodes', instance: 'talos-cp-1', name: 'talos-cp-1', mountpoint: '/var/mnt/local-path-provisioner', fstype: 'xfs' },
        exp_annotations: { summary: 'talos-cp-1 /var/mnt/local-path-provisioner has less than 10% free', description: 'Free 5%.' },
      }] }],
    }]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('TargetDown, EndpointDown, HostFilesystemAlmostFull and Watchdog', () => {
    const dir = tempDir('ruletest-');
    fs.writeFileSync(path.join(dir, 'alerts.yml'), prometheusRulesYaml(site, 'kubernetes'));
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
          { series: 'node_filesystem_readonly{instance="a",name="checkmk",mountpoint="/",fstype="ext4"}', values: '0x30' },
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
            exp_annotations: { summary: 'Alerting pipeline is alive', description: 'Always firing; Alertmanager pings the dead man\'s switch (alertmanager.heartbeat) with it. If the pings stop, Prometheus or Alertmanager is down.' } }] },
        ],
      }],
    };
    fs.writeFileSync(path.join(dir, 'tests.yml'), YAML.stringify(tests));
    const result = run('promtool', ['test', 'rules', 'tests.yml'], dir);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
