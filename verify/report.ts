/**
 * What the operator reads: a table per check group with ✓ / ✗ / ! / - , the reason and the next
 * step under each row that did not pass; or one JSON document (`--json`) for automation. Long runs
 * of passes in drift and health (one per object) fold into one row: the failures are the news.
 */
import type { CheckGroup, CheckResult, CheckStatus } from './check';
import { verdict } from './check';

export interface RunHeader {
  readonly site: string;
  /** kubeconfig context and API server URL, when a cluster was used. */
  readonly context?: string;
  readonly server?: string;
  readonly distDir?: string;
  /** Test signals sent by this run carry this id (label verify_run, syslog text). */
  readonly runId: string;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };
/** Groups whose passes are folded into one row when there are more than this many. */
const FOLD_AFTER = 6;
const FOLDED_GROUPS: readonly CheckGroup[] = ['drift', 'health'];
/** Extra lines (a diff, down targets) shown per row in the table; --json has them all. */
const MAX_LINES = 12;

export function counts(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const c: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

function row(r: CheckResult): string[] {
  const lines = [`  ${MARK[r.status]} ${r.title}${r.detail ? ` — ${r.detail}` : ''}`];
  for (const l of (r.lines ?? []).slice(0, MAX_LINES)) lines.push(`      ${l}`);
  if ((r.lines?.length ?? 0) > MAX_LINES) lines.push(`      … ${r.lines!.length - MAX_LINES} more (--json shows all)`);
  if (r.status !== 'pass' && r.next) lines.push(`      next: ${r.next}`);
  return lines;
}

export function formatTable(header: RunHeader, results: readonly CheckResult[]): string {
  const out: string[] = [];
  out.push(`verify ${header.site}${header.context ? ` — context ${header.context} (${header.server})` : ''}${header.distDir ? `, Git: ${header.distDir}` : ''}`);
  const groups = [...new Set(results.map((r) => r.group))];
  for (const group of groups) {
    const mine = results.filter((r) => r.group === group);
    const c = counts(mine);
    out.push('', `${group} (${c.pass}/${mine.length} passed${c.fail ? `, ${c.fail} failed` : ''}${c.warn ? `, ${c.warn} to look at` : ''}${c.skip ? `, ${c.skip} skipped` : ''})`);
    const passes = mine.filter((r) => r.status === 'pass');
    const fold = FOLDED_GROUPS.includes(group) && passes.length > FOLD_AFTER;
    if (fold) out.push(`  ${MARK.pass} ${passes.length} checks passed (--json lists them)`);
    for (const r of mine) if (!(fold && r.status === 'pass')) out.push(...row(r));
  }
  const c = counts(results);
  out.push('', `${verdict(results) === 'passed' ? 'PASSED' : 'FAILED'}: ${c.pass} passed, ${c.fail} failed, ${c.warn} to look at, ${c.skip} skipped (test signals of this run: ${header.runId})`);
  return `${out.join('\n')}\n`;
}

export function formatJson(header: RunHeader, results: readonly CheckResult[]): string {
  return `${JSON.stringify({ verdict: verdict(results), ...header, counts: counts(results), checks: results }, null, 2)}\n`;
}
