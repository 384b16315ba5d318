/** The `--site FILE` / `--out DIR` arguments every command of this tool takes (SITE=FILE works too). */
export interface SiteAndOutArgs {
  readonly siteFile?: string;
  readonly outDir?: string;
}

/** Bad command-line arguments: the message says what to use instead. */
export class UsageError extends Error {}

export function parseSiteAndOutArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SiteAndOutArgs {
  let siteFile = env.SITE || undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag !== '--site' && flag !== '--out') throw new UsageError(`unknown argument "${flag}"; use --site FILE and --out DIR`);
    if (!value || value.startsWith('--')) throw new UsageError(`${flag} needs a value, e.g. ${flag === '--site' ? '--site site.yaml' : '--out dist'}`);
    if (flag === '--site') siteFile = value;
    else outDir = value;
  }
  return { siteFile, outDir };
}
