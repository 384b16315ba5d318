/** The synth run: load and validate the site, render, then replace dist/ atomically. */
import * as path from 'node:path';
import { loadSite, LoadedSite } from '../site';
import { writeTreeAtomically } from './atomic-tree';
import type { OutputFile } from './output-file';
import { renderDist } from './pipeline';
import { ensureSecretFile, SecretFileResult } from './secret-files';
import { stackSecrets } from '../charts/secrets/stack-secrets';
import { configYaml } from '../charts/common/config-yaml';

export interface SynthesizeOptions {
  /** Site file (YAML). @default - the embedded default: the report's values */
  readonly siteFile?: string;
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
  const root = options.projectRoot ?? process.cwd();
  const outDir = path.resolve(root, options.outDir ?? 'dist');
  const loaded = loadSite(options.siteFile);
  const files = renderDist(loaded.site);
  const secretsDir = path.resolve(root, options.secretsDir ?? loaded.site.talos.secretsDir);
  const secretFiles = [
    ensureSecretFile(path.join(secretsDir, 'kubernetes', 'monitoring-secrets.yaml'), () => stackSecrets(loaded.site).map((s) => `---\n${configYaml(s)}`).join('')),
  ];
  writeTreeAtomically(outDir, files, { beforeSwap: options.beforeSwap });
  return { loaded, outDir, files, secretFiles };
}
