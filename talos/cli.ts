/**
 * Secrets-bundle commands that change key material on purpose (synth never does):
 *   ts-node --swc talos/cli.ts rotate        [--site FILE] [--root DIR]
 *   ts-node --swc talos/cli.ts import FILE   [--replace] [--site FILE] [--root DIR]
 *   ts-node --swc talos/cli.ts renew-admin   [--site FILE] [--root DIR]
 * Replaced files are moved to <secretsDir>/talos/backups/<UTC time>/ first. Run `npm run synth`
 * afterwards to regenerate the machine configs and talosconfig.
 */
import { loadSite } from '../site';
import { importTalosSecrets, renewAdminCertificate, rotateTalosSecrets, talosSecretsPaths } from './secrets-store';

const USAGE = 'usage: talos/cli.ts rotate | import FILE [--replace] | renew-admin   [--site FILE] [--root DIR]';

export async function runTalosCli(argv: readonly string[]): Promise<string[]> {
  const args = [...argv];
  const take = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const value = args[i + 1];
    if (!value || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    args.splice(i, 2);
    return value;
  };
  const siteFile = take('--site') ?? process.env.SITE;
  const root = take('--root') ?? process.cwd();
  const replace = args.includes('--replace');
  const [command, file] = args.filter((a) => a !== '--replace');
  const { site } = loadSite(siteFile);
  const paths = talosSecretsPaths(root, site.talos.secretsDir);
  const now = new Date();
  switch (command) {
    case 'rotate': {
      const { backupDir } = await rotateTalosSecrets(paths, now);
      return [
        backupDir ? `moved the previous bundle to ${backupDir}` : 'there was no bundle to back up',
        `new bundle ${paths.secretsFile}: nodes configured with the old one will not join; rebuild them`,
      ];
    }
    case 'import': {
      if (!file) throw new Error(`import needs the talosctl secrets.yaml to read\n${USAGE}`);
      const { backupDir } = await importTalosSecrets(paths, file, { replace, now });
      return [...(backupDir ? [`moved the previous bundle to ${backupDir}`] : []), `imported ${file} into ${paths.secretsFile}`];
    }
    case 'renew-admin': {
      const { backupDir } = await renewAdminCertificate(paths, now);
      return [...(backupDir ? [`moved the previous certificate to ${backupDir}`] : []), `issued a new os:admin certificate ${paths.adminFile}; run npm run synth to refresh talosconfig`];
    }
    default:
      throw new Error(USAGE);
  }
}

if (require.main === module) {
  runTalosCli(process.argv.slice(2)).then(
    (lines) => lines.forEach((l) => console.log(l)),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
