/**
 * `npm run compare [-- --site FILE] [--out DIR]`: writes only the comparison (default
 * dist/comparison), atomically, from the site file or the embedded report defaults.
 */
import * as path from 'node:path';
import { loadSite, SiteError } from '../site';
import { writeTreeAtomically } from '../render/atomic-tree';
import { parseSiteAndOutArgs, UsageError } from '../render/cli-args';
import { COMPARISON_DIR, renderComparison } from './comparison/render-comparison';

function main(argv: string[]): number {
  try {
    const args = parseSiteAndOutArgs(argv);
    const outDir = args.outDir ?? path.join('dist', COMPARISON_DIR);
    const loaded = loadSite(args.siteFile);
    for (const w of loaded.warnings) console.error(`warning: ${w}`);
    const prefix = `${COMPARISON_DIR}/`;
    const files = renderComparison(loaded.site).map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
    writeTreeAtomically(outDir, files);
    console.log(`wrote ${files.map((f) => f.path).join(', ')} from ${loaded.source} into ${outDir}`);
    return 0;
  } catch (err) {
    if (err instanceof SiteError || err instanceof UsageError) {
      console.error(`error: ${err.message}\nnothing was written.`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
