/**
 * `npm run compare [-- --site FILE] [--out DIR]`: writes only the comparison (default
 * dist/comparison), atomically, from the site file or the embedded report defaults.
 */
import * as path from 'node:path';
import { loadSite, SiteError } from '../site';
import { writeTreeAtomically } from '../render/atomic-tree';
import { COMPARISON_DIR, renderComparison } from './comparison/render-comparison';

function main(argv: string[]): number {
  let siteFile = process.env.SITE || undefined;
  let outDir = path.join('dist', COMPARISON_DIR);
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if ((flag !== '--site' && flag !== '--out') || !value) {
      console.error(`error: unknown or incomplete argument "${flag}"; use --site FILE and --out DIR`);
      return 2;
    }
    if (flag === '--site') siteFile = value;
    else outDir = value;
  }
  try {
    const loaded = loadSite(siteFile);
    for (const w of loaded.warnings) console.error(`warning: ${w}`);
    const prefix = `${COMPARISON_DIR}/`;
    const files = renderComparison(loaded.site).map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
    writeTreeAtomically(outDir, files);
    console.log(`wrote ${files.map((f) => f.path).join(', ')} from ${loaded.source} into ${outDir}`);
    return 0;
  } catch (err) {
    if (err instanceof SiteError) {
      console.error(`error: ${err.message}\nnothing was written.`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
