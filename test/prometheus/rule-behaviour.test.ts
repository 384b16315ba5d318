/** Alert rules checked for Prometheus 3.x syntax (lezer-promql) and their site-derived thresholds; promtool cases are in alert-cases.ts. */
import { durationSeconds, loadSite, parseSite } from '../../site';
import { etcdBackupStaleSeconds, prometheusRuleGroups, slowProbeSeconds } from '../../charts/prometheus/rules';
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

// What each alert does (fires, stays quiet, renders its annotations) is in alert-cases.ts, run by alert-coverage.test.ts.
