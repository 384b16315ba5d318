import { fail, pass, skip, warn, type CheckResult } from '../../verify/check';
import { formatJson, formatTable } from '../../verify/report';

const header = { site: 'lab (site.yaml)', context: 'admin@lab', server: 'https://10.70.0.20:6443', distDir: '/repo/dist', runId: 'verify-20261202t143000z-abcdef' };

const driftPasses = Array.from({ length: 8 }, (_, i) => pass('drift', `drift/cm/${i}`, `ConfigMap monitoring/c${i}`));

describe('verify report', () => {
  const results: CheckResult[] = [
    ...driftPasses,
    fail('drift', 'drift/deploy/grafana', 'Deployment monitoring/grafana', '2 fields differ', 'let the GitOps controller sync', Array.from({ length: 14 }, (_, i) => `spec.f${i}: a → b`)),
    warn('drift', 'drift/prune/x', 'ConfigMap monitoring/old', 'carries our label, not in Git', 'delete it or let the controller prune'),
    pass('metrics', 'metrics/job/node', 'job node', '3/3 up'),
    skip('alerts', 'alerts/x', 'Alertmanager cluster', 'single replica'),
  ];
  const table = formatTable(header, results);

  test('a failure shows its reason, at most 12 diff lines, and the next step', () => {
    expect(table).toContain('  ✗ Deployment monitoring/grafana — 2 fields differ\n      spec.f0: a → b\n');
    expect(table).toContain('      spec.f11: a → b\n      … 2 more (--json shows all)\n      next: let the GitOps controller sync\n');
    expect(table).not.toContain('spec.f12');
  });

  test('many passes of one object each fold into one row; flow passes stay listed', () => {
    expect(table).toContain('drift (8/10 passed, 1 failed, 1 to look at)\n  ✓ 8 checks passed (--json lists them)\n');
    expect(table).not.toContain('ConfigMap monitoring/c0');
    expect(table).toContain('metrics (1/1 passed)\n  ✓ job node — 3/3 up\n');
    expect(table).toContain('  - Alertmanager cluster — single replica\n');
  });

  test('the last line gives the verdict, the counts and the run id of the test signals', () => {
    expect(table.trimEnd().split('\n').pop()).toBe('FAILED: 9 passed, 1 failed, 1 to look at, 1 skipped (test signals of this run: verify-20261202t143000z-abcdef)');
    expect(formatTable(header, [pass('metrics', 'a', 'b')])).toContain('\nPASSED: 1 passed, 0 failed');
  });

  test('--json carries every check with its lines, the verdict and the header', () => {
    const doc = JSON.parse(formatJson(header, results));
    expect(doc).toMatchObject({ verdict: 'failed', context: 'admin@lab', runId: header.runId, counts: { pass: 9, fail: 1, warn: 1, skip: 1 } });
    expect(doc.checks).toHaveLength(results.length);
    expect(doc.checks[8].lines).toHaveLength(14);
  });
});
