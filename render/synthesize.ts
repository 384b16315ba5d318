/**
 * The synth run: load and validate the site once, create or reuse key material in the
 * git-ignored secrets directory, render, then replace dist/ atomically.
 */
import * as path from 'node:path';
import { loadSite, LoadedSite, SiteError } from '../site';
import { writeTreeAtomically } from './atomic-tree';
import { isPathInside } from './paths';
import type { OutputFile } from './output-file';
import { renderDist } from './pipeline';
import { ensureSecretFile, SecretFileResult } from './secret-files';
import { stackSecrets } from '../charts/secrets/stack-secrets';
import { configYaml } from '../charts/common/config-yaml';
import { synthesizeTalos, TalosSynthesis } from '../talos';

export interface SynthesizeOptions {
  /** Site file (YAML). @default - the embedded default: the report's values */
  readonly siteFile?: string;
  /** An already loaded site (then siteFile is ignored). @default - loaded from siteFile */
  readonly loaded?: LoadedSite;
  /** The GitOps tree to replace. @default 'dist' under projectRoot */
  readonly outDir?: string;
  /** Where relative paths (outDir, the secrets directory) are resolved. @default process.cwd() */
  readonly projectRoot?: string;
  /** Git-ignored directory for key material. @default site.talos.secretsDir under projectRoot */
  readonly secretsDir?: string;
  /** Called with the staging tree before it replaces outDir; throwing aborts the run (tests inject failures here). */
  readonly beforeSwap?: (stagingDir: string) => void;
}

export interface SynthesisResult {
  readonly loaded: LoadedSite;
  readonly outDir: string;
  readonly files: readonly OutputFile[];
  /** Key material kept in the secrets directory (created on this run or reused). */
  readonly secretFiles: readonly SecretFileResult[];
}

export function synthesize(options: SynthesizeOptions = {}): SynthesisResult {
  const loaded = options.loaded ?? loadSite(options.siteFile);
  const { outDir, secretsDir } = synthesisDirs(options, loaded);
  const files = renderDist(loaded.site);
  const secretFiles = [
    ensureSecretFile(path.join(secretsDir, 'kubernetes', 'monitoring-secrets.yaml'), () => stackSecrets(loaded.site).map((s) => `---\n${configYaml(s)}`).join('')),
  ];
  writeTreeAtomically(outDir, files, { beforeSwap: options.beforeSwap });
  return { loaded, outDir, files, secretFiles };
}

export interface FullSynthesisResult extends SynthesisResult {
  readonly talos: TalosSynthesis;
}

/**
 * `npm run synth`: everything, Talos included. The Talos secrets bundle and machine configs are
 * written before dist/ is swapped, so a damaged bundle stops the run with dist/ untouched.
 */
export async function synthesizeAll(options: SynthesizeOptions = {}): Promise<FullSynthesisResult> {
  const root = options.projectRoot ?? process.cwd();
  const loaded = options.loaded ?? loadSite(options.siteFile);
  const { secretsDir } = synthesisDirs(options, loaded);
  const talos = await synthesizeTalos(loaded.site, { projectRoot: root, secretsDir });
  return { ...synthesize({ ...options, loaded }), talos };
}

/**
 * Where dist/ and the secrets go. They must not overlap: dist/ is replaced whole on every run,
 * which would delete a secrets directory inside it (and a new bundle would be made each time).
 */
function synthesisDirs(options: SynthesizeOptions, loaded: LoadedSite): { outDir: string; secretsDir: string } {
  const root = options.projectRoot ?? process.cwd();
  const outDir = path.resolve(root, options.outDir ?? 'dist');
  const secretsDir = path.resolve(root, options.secretsDir ?? loaded.site.talos.secretsDir);
  if (isPathInside(secretsDir, outDir) || isPathInside(outDir, secretsDir)) {
    throw new SiteError(loaded.source, [{
      path: 'talos.secretsDir', value: loaded.site.talos.secretsDir,
      message: `overlaps the output directory ${outDir}, which is replaced on every synth (the secrets would be deleted); keep key material outside it, e.g. .secrets`,
    }]);
  }
  return { outDir, secretsDir };
}
