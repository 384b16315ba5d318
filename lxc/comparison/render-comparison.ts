/** dist/comparison: COMPARISON.md, comparison.json and comparison.svg from one computed comparison. */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';
import { comparisonSvg } from './chart-svg';
import { comparisonHeadlineMarkdown, comparisonMarkdown } from './markdown';
import { computeComparison } from './model';

export const COMPARISON_DIR = 'comparison';

export function renderComparison(site: Site): OutputFile[] {
  const comparison = computeComparison(site);
  return [
    { path: `${COMPARISON_DIR}/COMPARISON.md`, content: comparisonMarkdown(comparison) },
    { path: `${COMPARISON_DIR}/comparison.json`, content: `${JSON.stringify(comparison, null, 2)}\n` },
    { path: `${COMPARISON_DIR}/comparison.svg`, content: comparisonSvg(comparison) },
  ];
}

/** The README's headline section (markdown), computed from the same comparison. */
export function comparisonHeadline(site: Site, comparisonDir = `dist/${COMPARISON_DIR}`): string {
  return comparisonHeadlineMarkdown(computeComparison(site), comparisonDir);
}
