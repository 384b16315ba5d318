/**
 * `npm run secrets -- init | rotate [--site FILE] [--out DIR]`: the age key and the SOPS setup
 * behind secrets.encryption: sops-age (docs/secrets-encryption.md).
 *
 *   init    creates the age identity <secretsDir>/age/keys.txt (0600, never overwritten; kept when
 *           it exists), writes .sops.yaml so the sops CLI encrypts new and edited files the way
 *           synth does, and prints the site lines and the Flux key Secret command.
 *   rotate  after recipients changed in the site (or to retire a data key): re-encrypts every
 *           file in dist/ with a fresh data key for exactly the site's recipients, in one atomic
 *           synth run, and rewrites .sops.yaml. Needs an identity that opens the current files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ageRecipientOf, formatAgeKeyFile, generateAgeKeyPair, KUBERNETES_SECRET_REGEX, parseAgeKeyFile } from '../encryption';
import { EMBEDDED_SOURCE, loadSite, type LoadedSite } from '../site';
import { ageKeyFile } from './age-identities';
import { parseSiteAndOutArgs, UsageError } from './cli-args';
import { TALOS_ENCRYPTED_DIR } from './encrypted-layout';
import { SECRETS_DIR } from '../gitops/layers';
import { createSecretFileExclusively } from './secret-files';
import { synthesisDirs, synthesizeAll } from './synthesize';

const USAGE = 'usage: npm run secrets -- init | rotate   [--site FILE] [--out DIR]';
/** First line of a .sops.yaml we wrote; one without it is the operator's and is never replaced. */
export const SOPS_CONFIG_HEADER = '# Written by `npm run secrets -- init|rotate` from the site\'s secrets.ageRecipients; edit the site, then run rotate.';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** .sops.yaml creation rules matching what synth writes (paths relative to the project root). */
export function sopsConfigYaml(distRelative: string, recipients: readonly string[]): string {
  const dist = escapeRegex(distRelative.split(path.sep).join('/'));
  // A comma-separated string: what every sops 3.x reads (lists need 3.11 or later).
  const age = recipients.join(',');
  return [
    SOPS_CONFIG_HEADER,
    'creation_rules:',
    '  # Kubernetes Secrets: only the values, so Flux and KSOPS can read kind and metadata.',
    `  - path_regex: (^|/)${dist}/${SECRETS_DIR}/[^/]+\\.sops\\.yaml$`,
    `    encrypted_regex: ${KUBERNETES_SECRET_REGEX}`,
    `    age: ${age}`,
    '  # The Talos secrets bundle, admin certificate and talosconfig: everything.',
    `  - path_regex: (^|/)${dist}/${TALOS_ENCRYPTED_DIR}/[^/]+\\.sops\\.yaml$`,
    `    age: ${age}`,
    '',
  ].join('\n');
}

/** Writes .sops.yaml unless an operator-written one is there; returns what happened. */
function writeSopsConfig(root: string, outDir: string, recipients: readonly string[]): string {
  const file = path.join(root, '.sops.yaml');
  const relative = path.relative(root, outDir); // never empty: synthesisDirs refuses the project root (and above) as dist/
  if (relative.startsWith('..')) return `${outDir} is outside ${root}: no .sops.yaml written (its path rules are relative to the project root); run sops with --age ${recipients.join(',')} and --encrypted-regex for Secrets`;
  const content = sopsConfigYaml(relative, recipients);
  if (fs.existsSync(file)) {
    const current = fs.readFileSync(file, 'utf8');
    if (current === content) return `${file} is up to date`;
    if (!current.startsWith(SOPS_CONFIG_HEADER)) return `${file} exists and was not written by this tool; left as it is. The rules synth follows:\n${content}`;
  }
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, content); // not secret: the umask decides, as for any file the user writes
    fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return `wrote ${file} (sops CLI creation rules for ${recipients.length} recipient(s))`;
}

async function init(loaded: LoadedSite, root: string, outDir: string): Promise<string[]> {
  const { site } = loaded;
  // The same checks as synth: a git-ignored secrets directory that does not overlap dist/.
  const keyFile = ageKeyFile(synthesisDirs({ projectRoot: root, outDir }, loaded).secretsDir);
  const lines: string[] = [];
  let recipient: string;
  if (fs.existsSync(keyFile)) {
    const [identity] = parseAgeKeyFile(fs.readFileSync(keyFile, 'utf8'));
    if (!identity) throw new UsageError(`${keyFile} holds no age identity; move it away and run init again`);
    recipient = await ageRecipientOf(identity);
    lines.push(`kept the existing age key ${keyFile} (public key ${recipient}); init never replaces it`);
  } else {
    const keys = await generateAgeKeyPair();
    createSecretFileExclusively(keyFile, formatAgeKeyFile(keys, new Date()));
    recipient = keys.recipient;
    lines.push(`created the age key ${keyFile} (mode 0600, git-ignored): back it up outside this machine, it opens every encrypted file`);
  }
  const recipients = site.secrets.ageRecipients.includes(recipient) ? site.secrets.ageRecipients : [...site.secrets.ageRecipients, recipient];
  lines.push(writeSopsConfig(root, outDir, recipients));
  if (site.secrets.encryption !== 'sops-age' || !site.secrets.ageRecipients.includes(recipient)) {
    lines.push(
      `add to ${loaded.source === EMBEDDED_SOURCE ? 'your site file (then npm run synth -- --site FILE)' : loaded.source}:`,
      'secrets:',
      '  encryption: sops-age',
      '  ageRecipients:',
      ...recipients.map((r) => `    - ${r}`),
    );
  }
  lines.push(
    'then run npm run synth, and give Flux the key once (it decrypts dist/secrets/ with it):',
    `  kubectl create secret generic ${site.secrets.fluxKeySecret} --namespace=flux-system --from-file=age.agekey=${path.relative(process.cwd(), keyFile)}`,
    site.secrets.argocd === 'ksops'
      ? 'Argo CD reads them through KSOPS: see docs/secrets-encryption.md for the repo-server setup.'
      : 'Argo CD does not deliver them (secrets.argocd: none): apply them with sops -d FILE | kubectl apply -f -.',
  );
  return lines;
}

async function rotate(loaded: LoadedSite, root: string, outDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (loaded.site.secrets.encryption !== 'sops-age') {
    throw new UsageError('rotate re-encrypts the SOPS files in dist/, but secrets.encryption is none; set it to sops-age (npm run secrets -- init prints the lines)');
  }
  const result = await synthesizeAll({ loaded, projectRoot: root, outDir, reencrypt: true, env });
  const count = result.files.filter((f) => f.path.endsWith('.sops.yaml')).length;
  const rotated = `re-encrypted ${count} files in ${outDir} with fresh data keys for ${loaded.site.secrets.ageRecipients.length} recipient(s): ${loaded.site.secrets.ageRecipients.join(', ')}`;
  let config: string;
  try {
    config = writeSopsConfig(root, outDir, loaded.site.secrets.ageRecipients);
  } catch (error) {
    throw new UsageError(`${rotated}, but .sops.yaml could not be written (${(error as Error).message}); run rotate again once it can be`);
  }
  return [
    ...result.secretMessages.filter((m) => !m.startsWith('re-encrypted')),
    rotated,
    config,
    'commit dist/; a removed recipient cannot open the new versions (older commits keep the old keys: rotate the values too if a key leaked)',
  ];
}

/** @param env where SITE and the age identities (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE) are read */
export async function runSecretsCli(argv: readonly string[], root = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const [command, ...rest] = argv;
  if (command !== 'init' && command !== 'rotate') throw new UsageError(USAGE);
  const args = parseSiteAndOutArgs(rest, env);
  const loaded = loadSite(args.siteFile && path.resolve(root, args.siteFile));
  const outDir = path.resolve(root, args.outDir ?? 'dist');
  if (command === 'init') return init(loaded, root, outDir);
  return rotate(loaded, root, outDir, env);
}

// Stryker disable all: the CLI entry runs only in a process of its own, where mutants are not
// active; test/perf/prebuilt.test.ts runs it (stdout, "error: " on stderr, exit codes) and fails
// on each of these lines broken by hand.
if (require.main === module) {
  runSecretsCli(process.argv.slice(2)).then(
    (lines) => lines.forEach((l) => console.log(l)),
    (err: Error) => {
      // Site, usage and key errors carry their fix; anything else is a bug worth its message too.
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
// Stryker restore all
