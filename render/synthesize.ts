/** The synth run: load and validate the site, render, then replace dist/ atomically. */
import * as path from 'node:path';
import { loadSite, LoadedSite } from '../site';
import { writeTreeAtomically } from './atomic-tree';
import type { OutputFile } from './output-file';
import { renderDist } from './pipeline';

export interface SynthesizeOptions {
  /** Site file (YAML). @default - the embedded default: the report's values */
  readonly siteFile?: string;
  /** The GitOps tree to replace. @default 'dist' under projectRoot */
  readonly outDir?: string;
  /** Where relative paths (outDir, the secrets directory) are resolved. @default process.cwd() */
  readonly projectRoot?: string;
  /** Called with the staging tree before it replaces outDir; throwing aborts the run (tests inject failures here). */
  readonly beforeSwap?: (stagingDir: string) => void;
}

export interface SynthesisResult {
  readonly loaded: LoadedSite;
  readonly outDir: string;
  readonly files: readonly OutputFile[];
}

export function synthesize(options: SynthesizeOptions = {}): SynthesisResult {
  const root = options.projectRoot ?? process.cwd();
  const outDir = path.resolve(root, options.outDir ?? 'dist');
  const loaded = loadSite(options.siteFile);
  const files = renderDist(loaded.site);
  writeTreeAtomically(outDir, files, { beforeSwap: options.beforeSwap });
  return { loaded, outDir, files };
}
