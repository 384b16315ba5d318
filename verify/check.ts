/**
 * One verify finding: what was checked, whether it held, why not, and what to do next. Every
 * check of `npm run verify` (drift, health, flows) reports in this shape, so the table, the JSON
 * and the exit code are made in one place (verify/report.ts).
 */

/** pass: held. fail: did not hold. warn: worth a look, not a failure. skip: could not be checked (the reason says why). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export type CheckGroup = 'drift' | 'health' | 'metrics' | 'logs' | 'alerts' | 'grafana';

export interface CheckResult {
  readonly group: CheckGroup;
  /** Stable identifier for automation, e.g. `health/pvc/monitoring/data-prometheus-0`. */
  readonly id: string;
  /** What was checked, one line, e.g. `PVC monitoring/data-prometheus-0 bound, 100Gi local-path`. */
  readonly title: string;
  readonly status: CheckStatus;
  /** Why it failed (or was skipped, or warns); for a pass, the measured value. */
  readonly detail?: string;
  /** The next step for the operator when it did not pass. */
  readonly next?: string;
  /** Extra lines shown under the row (a compact diff, down targets), at most a few dozen. */
  readonly lines?: readonly string[];
}

export function pass(group: CheckGroup, id: string, title: string, detail?: string): CheckResult {
  return { group, id, title, status: 'pass', detail };
}

export function fail(group: CheckGroup, id: string, title: string, detail: string, next: string, lines?: readonly string[]): CheckResult {
  return { group, id, title, status: 'fail', detail, next, lines };
}

export function warn(group: CheckGroup, id: string, title: string, detail: string, next?: string, lines?: readonly string[]): CheckResult {
  return { group, id, title, status: 'warn', detail, next, lines };
}

export function skip(group: CheckGroup, id: string, title: string, detail: string, next?: string): CheckResult {
  return { group, id, title, status: 'skip', detail, next };
}

/** The run passes when no check failed; warnings and skips (a controller that is not installed) do not fail it. */
export function verdict(results: readonly CheckResult[]): 'passed' | 'failed' {
  return results.some((r) => r.status === 'fail') ? 'failed' : 'passed';
}
