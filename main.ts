/**
 * App entry: `npm run synth [-- --site FILE] [--out DIR]` (or SITE=FILE). Also what cdk8s.yaml runs.
 * Exit 1 with the field, the value and the fix on bad input; dist/ is then left untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileMode, type OutputFile } from './render/output-file';
import { SiteError } from './site';
import { parseSiteAndOutArgs, UsageError } from './render/cli-args';
import { isPathInside } from './render/paths';
import { synthesizeAll } from './render/synthesize';
import { TalosConfigError } from './talos/config-rules';
import { TalosSecretsError } from './talos/secrets-bundle';
import { TalosBundleStateError } from './talos/secrets-store';
import { StackSecretsFileError } from './render/stack-secrets-file';
import { EncryptionKeyError } from './render/encryption-errors';

function mirrorTree(dir: string, files: readonly OutputFile[]): void {
  for (const f of files) {
    const full = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.content, { mode: fileMode(f) });
  }
}


async function main(): Promise<number> {
  try {
    const args = parseSiteAndOutArgs(process.argv.slice(2));
    const cliOut = process.env.CDK8S_OUTDIR ? path.resolve(process.env.CDK8S_OUTDIR) : undefined;
    const dist = path.resolve(args.outDir ?? 'dist');
    if (cliOut && (isPathInside(cliOut, dist) || isPathInside(dist, cliOut))) {
      throw new UsageError(`cdk8s.yaml has "output: ${path.relative(process.cwd(), cliOut) || '.'}", which overlaps ${path.relative(process.cwd(), dist) || '.'}/, and cdk8s synth deletes its output directory before synthesis (it already has); set "output: cdk8s.out" and run npm run synth to rewrite dist/`);
    }
    const result = await synthesizeAll({ siteFile: args.siteFile, outDir: args.outDir });
    // cdk8s synth expects manifests in its own output directory: give it the same tree.
    if (cliOut) mirrorTree(cliOut, result.files);
    for (const w of result.loaded.warnings) console.error(`warning: ${w}`);
    for (const m of result.talos.messages) console.log(m);
    for (const m of result.secretMessages) console.log(m);
    const encrypted = result.loaded.site.secrets.encryption === 'sops-age';
    for (const f of result.secretFiles.filter((x) => x.created)) {
      console.log(encrypted
        ? `created ${path.relative(process.cwd(), f.path)} (mode 0600, git-ignored); its encrypted copy in dist/secrets/ reaches the cluster through Flux${result.loaded.site.secrets.argocd === 'ksops' ? ' or Argo CD with KSOPS' : ''}`
        : `created ${path.relative(process.cwd(), f.path)} (mode 0600, git-ignored): apply it once with kubectl apply -f, keep it out of git`);
    }
    console.log(`synthesized ${result.files.length} files from ${result.loaded.source} into ${result.outDir}`);
    return 0;
  } catch (err) {
    if (err instanceof SiteError || err instanceof UsageError) {
      console.error(`error: ${err.message}\nnothing was written.`);
      return 1;
    }
    if (err instanceof TalosConfigError || err instanceof TalosSecretsError || err instanceof TalosBundleStateError || err instanceof StackSecretsFileError || err instanceof EncryptionKeyError) {
      console.error(`error: ${err.message}\ndist/ was not changed.`);
      return 1;
    }
    throw err;
  }
}

main().then((code) => { process.exitCode = code; });
