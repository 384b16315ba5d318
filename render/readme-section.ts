/**
 * The README's comparison headline is generated from the embedded default site, never typed by
 * hand: `npm run readme` rewrites the block between the markers, and a test fails when the
 * committed README differs from what would be generated.
 */
import { comparisonHeadline } from '../lxc';
import type { Site } from '../site';

export const COMPARISON_START = '<!-- generated:comparison (npm run readme; do not edit) -->';
export const COMPARISON_END = '<!-- end:comparison -->';

export function comparisonBlock(site: Site): string {
  return `${COMPARISON_START}\n${comparisonHeadline(site, 'dist/comparison').trim()}\n${COMPARISON_END}`;
}

/** The README text with its comparison block replaced; throws when the markers are missing. */
export function readmeWithComparison(readme: string, site: Site): string {
  const start = readme.indexOf(COMPARISON_START);
  const end = readme.indexOf(COMPARISON_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${COMPARISON_START} … ${COMPARISON_END}`);
  return readme.slice(0, start) + comparisonBlock(site) + readme.slice(end + COMPARISON_END.length);
}
