/**
 * `describe` for a suite that needs several real binaries: every missing one is reported (a
 * visible SKIPPED line each, or under CI=true an error), as describeWithBinary does for one.
 */
import { requireTool } from '../../support/binaries';

export function describeWithBinaries(bins: readonly string[], title: string, body: () => void): void {
  const missing = bins.filter((bin) => !requireTool(bin, title));
  if (missing.length === 0) describe(title, body);
  else describe.skip(`${title} [SKIPPED: ${missing.join(', ')} not installed]`, body);
}
