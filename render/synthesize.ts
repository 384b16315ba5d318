/**
 * The synth run as one transaction: load and validate the site once, render everything in
 * memory (Talos configs, the generated Secrets, dist/), stage dist/ beside itself, then write
 * the secrets directory and swap dist/ in. Any failure before the last step changes nothing;
 * a failure while writing undoes what was written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSite, LoadedSite, SiteError } from '../site';
import { stageTree } from './atomic-tree';
import { UsageError } from './cli-args';
import { isPathInside } from './paths';
import type { OutputFile } from './output-file';
import { renderDist } from './pipeline';
import { applySecretChanges, type SecretChange, type SecretFileResult } from './secret-files';
export { stackSecretsFile } from './stack-secrets-file';
import { planStackSecretsFile, stackSecretsWithoutValues } from './stack-secrets-file';
import { planTalos, type TalosSynthesis } from '../talos';
import { replacedTalosBundles, talosSecretsPaths } from '../talos/secrets-store';
import { SECRETS_DIR } from '../gitops/layers';
import { isEncrypting, TALOS_ENCRYPTED_DIR } from './encrypted-layout';

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
  /** What changed in the generated Secrets file (renamed, moved or added Secrets), one line each. */
  readonly secretMessages: readonly string[];
}

/**
 * dist/ and the generated Kubernetes Secrets, without Talos (tests). Encryption is asynchronous
 * and covers the Talos bundle: a site with secrets.encryption sops-age needs synthesizeAll.
 */
export function synthesize(options: SynthesizeOptions = {}): SynthesisResult {
  const loaded = options.loaded ?? loadSite(options.siteFile);
  if (isEncrypting(loaded.site)) throw new Error('synthesize() writes no encrypted files; use synthesizeAll() for a site with secrets.encryption: sops-age');
  const { outDir, secretsDir } = synthesisDirs(options, loaded);
  const files = renderDist(loaded.site);
  const secrets = planStackSecretsFile(secretsDir, loaded.site);
  commit(outDir, files, secrets.changes, options.beforeSwap);
  return { loaded, outDir, files, secretFiles: secrets.results, secretMessages: secrets.messages };
}

export interface FullSynthesisResult extends SynthesisResult {
  readonly talos: TalosSynthesis;
}

export interface FullSynthesizeOptions extends SynthesizeOptions {
  /** Encrypt every file in dist/ afresh (new data keys), even unchanged ones: `secrets rotate`. @default false */
  readonly reencrypt?: boolean;
  /** Environment the age identities are read from (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `npm run synth`: everything, Talos included, in one transaction. With secrets.encryption
 * sops-age, the Secrets and the Talos key material also go into dist/ encrypted, and whatever the
 * secrets directory lost is restored from those copies instead of being generated anew.
 */
export async function synthesizeAll(options: FullSynthesizeOptions = {}): Promise<FullSynthesisResult> {
  const root = options.projectRoot ?? process.cwd();
  const loaded = options.loaded ?? loadSite(options.siteFile);
  const { site } = loaded;
  const { outDir, secretsDir } = synthesisDirs(options, loaded);
  const talosPaths = talosSecretsPaths(root, secretsDir);
  // The SOPS and age code, and the look at what the secrets directory lacks, only when something
  // is or was encrypted (a site switched back to none still restores from what dist/ holds).
  const hasEncryptedCopies = [TALOS_ENCRYPTED_DIR, SECRETS_DIR].some((d) => fs.existsSync(path.join(outDir, d)));
  const encryption = isEncrypting(site) || hasEncryptedCopies ? loadEncryption(secretsDir, options.env) : undefined;
  const recovered = encryption
    ? await encryption.recoverFromDist(outDir, encryption.identities, {
      stackSecrets: stackSecretsWithoutValues(secretsDir, site).length > 0,
      talosBundle: !fs.existsSync(talosPaths.secretsFile),
      talosAdmin: !fs.existsSync(talosPaths.adminFile),
    })
    : { generated: [] };
  const talos = await planTalos(site, {
    projectRoot: root, secretsDir, recovered: { bundle: recovered.talosBundle, admin: recovered.talosAdmin, from: path.join(outDir, TALOS_ENCRYPTED_DIR) },
  });
  const secrets = planStackSecretsFile(secretsDir, site, undefined, recovered.generated);
  const encrypted = encryption
    ? await encryption.renderEncryptedFiles({
      site, outDir, identities: encryption.identities, generated: secrets.manifests, talos: talos.plaintext,
      replacedBundles: replacedTalosBundles(talosPaths), reencrypt: options.reencrypt,
    })
    : { files: [], messages: [] };
  const files = [...renderDist(site), ...encrypted.files];
  commit(outDir, files, [...talos.changes, ...secrets.changes], options.beforeSwap);
  return {
    loaded, outDir, files, secretFiles: secrets.results, secretMessages: [...(encryption?.skipped ?? []), ...secrets.messages, ...encrypted.messages],
    talos: { secretFiles: talos.secretFiles, messages: talos.messages },
  };
}

/** Stage dist/, write the secrets directory, swap dist/ in; undo the secrets if the swap fails. */
function commit(outDir: string, files: readonly OutputFile[], changes: readonly SecretChange[], beforeSwap?: (stagingDir: string) => void): void {
  const staged = stageTree(outDir, files, { beforeSwap });
  let applied;
  try {
    applied = applySecretChanges(changes);
  } catch (err) {
    staged.discard();
    throw err;
  }
  try {
    staged.swap();
  } catch (err) {
    applied.rollback();
    throw err;
  }
}

/**
 * Where dist/ and the secrets go. They must not overlap: dist/ is replaced whole on every run,
 * which would delete a secrets directory inside it (and a new bundle would be made each time).
 */
export function synthesisDirs(options: SynthesizeOptions, loaded: LoadedSite): { outDir: string; secretsDir: string } {
  const root = options.projectRoot ?? process.cwd();
  const outDir = path.resolve(root, options.outDir ?? 'dist');
  // dist/ is replaced whole on every run: the project root, or a directory above it, would go with it (.git included).
  if (isPathInside(root, outDir)) {
    throw new UsageError(`the output directory ${outDir} is the project root ${root} or holds it, and synth replaces its output directory whole; give a directory inside the project, e.g. --out dist`);
  }
  const secretsDir = path.resolve(root, options.secretsDir ?? loaded.site.talos.secretsDir);
  if (isPathInside(secretsDir, outDir) || isPathInside(outDir, secretsDir)) {
    throw new SiteError(loaded.source, [{
      path: 'talos.secretsDir', value: loaded.site.talos.secretsDir,
      message: `overlaps the output directory ${outDir}, which is replaced on every synth (the secrets would be deleted); keep key material outside it, e.g. .secrets`,
    }]);
  }
  // Every kind of file the secrets directory gets, not only one: a .gitignore may name subdirectories.
  const keyFiles = [path.join('talos', 'secrets.yaml'), path.join('kubernetes', 'monitoring-secrets.yaml'), path.join('age', 'keys.txt')];
  if (!gitIgnores(root, secretsDir, keyFiles.map((f) => path.join(secretsDir, f)))) {
    throw new SiteError(loaded.source, [{
      path: 'talos.secretsDir', value: loaded.site.talos.secretsDir,
      message: `(${secretsDir}) lies in the git work tree of ${root} and is not git-ignored (or already has tracked files), so key material could be committed; add ${path.relative(root, secretsDir) || '.'}/ to .gitignore and \`git rm -r --cached\` what is tracked there (or choose a directory outside the repository)`,
    }]);
  }
  return { outDir, secretsDir };
}

/**
 * False when one of `files` lies in a git work tree that does not ignore it, or when files below
 * `dir` are already tracked (an ignore rule does not untrack them). Outside a work tree: true.
 */
function gitIgnores(root: string, dir: string, files: readonly string[]): boolean {
  // --non-matching --verbose prints every path; "::" before the tab marks one no rule ignores.
  // Status 128: not a git work tree (or git missing): nothing to check.
  const check = spawnSync('git', ['check-ignore', '--no-index', '--non-matching', '--verbose', ...files], { cwd: root, encoding: 'utf8' });
  if (check.status === 128 || check.error) return true;
  if (check.stdout.split('\n').some((line) => line.startsWith('::\t'))) return false;
  const tracked = spawnSync('git', ['ls-files', '--', dir], { cwd: root, encoding: 'utf8' });
  return !(tracked.status === 0 && tracked.stdout.trim() !== '');
}

/** The encryption step and the age identities it works with, loaded on first use. */
function loadEncryption(secretsDir: string, env: NodeJS.ProcessEnv | undefined) {
  // require, not import(): this is a CommonJS module, and esbuild keeps a required module's code unevaluated until the call.
  const { loadAgeIdentities } = require('./age-identities') as typeof import('./age-identities');
  const files = require('./encrypted-files') as typeof import('./encrypted-files');
  const { identities, skipped } = loadAgeIdentities(secretsDir, env);
  return { identities, skipped, recoverFromDist: files.recoverFromDist, renderEncryptedFiles: files.renderEncryptedFiles };
}
