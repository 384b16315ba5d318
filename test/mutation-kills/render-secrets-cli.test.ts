/**
 * render/secrets-cli.ts in-process (mutation testing, issue 18): `secrets init` line by line on a
 * fresh project and again, the .sops.yaml it writes or leaves alone, and rotate's refusal and report.
 * test/encryption/synth-encrypted.test.ts runs the real sops and age against what init writes.
 */
import * as path from 'node:path';
import { generateAgeKeyPair, formatAgeKeyFile, parseAgeKeyFile, ageRecipientOf } from '../../encryption';
import { UsageError } from '../../render/cli-args';
import { runSecretsCli, sopsConfigYaml, SOPS_CONFIG_HEADER } from '../../render/secrets-cli';
import { tempDir } from '../support/synth-once';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

jest.mock('bcryptjs', () => ({ hashSync: (plain: string, cost: number) => `bcrypt(${cost}:${plain})` }));

const RULES = (dist: string, age: string) => [
  SOPS_CONFIG_HEADER,
  'creation_rules:',
  '  # Kubernetes Secrets: only the values, so Flux and KSOPS can read kind and metadata.',
  `  - path_regex: (^|/)${dist}/secrets/[^/]+\\.sops\\.yaml$`,
  '    encrypted_regex: ^(data|stringData)$',
  `    age: ${age}`,
  '  # The Talos secrets bundle, admin certificate and talosconfig: everything.',
  `  - path_regex: (^|/)${dist}/talos/[^/]+\\.sops\\.yaml$`,
  `    age: ${age}`,
  '',
].join('\n');

/** A project whose secrets directory (.secrets/) is git-ignored, with site.yaml holding `site`. */
const project = (site = 'name: lab\n') => {
  const root = tempDir('secrets-cli-');
  fs.writeFileSync(path.join(root, '.gitignore'), '.secrets/\n');
  fs.writeFileSync(path.join(root, 'site.yaml'), site);
  return root;
};
const keyFileOf = (root: string) => path.join(root, '.secrets', 'age', 'keys.txt');
const recipientIn = (root: string) => /# public key: (age1\w+)/.exec(fs.readFileSync(keyFileOf(root), 'utf8'))![1];
const fluxLine = (root: string) => `  kubectl create secret generic sops-age --namespace=flux-system --from-file=age.agekey=${path.relative(process.cwd(), keyFileOf(root))}`;

test('the .sops.yaml rules: dist/ escaped as a regular expression, recipients comma-separated', () => {
  expect(sopsConfigYaml('dist', ['age1a', 'age1b'])).toBe(RULES('dist', 'age1a,age1b'));
  expect(sopsConfigYaml('clusters/pve01.lab/dist', ['age1a'])).toBe(RULES('clusters/pve01\\.lab/dist', 'age1a'));
  expect(sopsConfigYaml('a+b(c)[d]{e}^$|?*\\', ['age1a'])).toContain('(^|/)a\\+b\\(c\\)\\[d\\]\\{e\\}\\^\\$\\|\\?\\*\\\\/secrets/');
});

test('a command other than init or rotate gets the usage', async () => {
  for (const argv of [[], ['status'], ['INIT']]) {
    await expect(runSecretsCli(argv, project(), {})).rejects.toThrow(new UsageError('usage: npm run secrets -- init | rotate   [--site FILE] [--out DIR]'));
  }
});

describe('secrets init', () => {
  test('on a fresh project: a new key (0600), the .sops.yaml, the site lines, the Flux key command and Argo CD\'s way', async () => {
    const root = project();
    const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    const recipient = recipientIn(root);
    expect(fs.statSync(keyFileOf(root)).mode & 0o777).toBe(0o600);
    expect(await ageRecipientOf(parseAgeKeyFile(fs.readFileSync(keyFileOf(root), 'utf8'))[0])).toBe(recipient);
    expect(fs.readFileSync(path.join(root, '.sops.yaml'), 'utf8')).toBe(RULES('dist', recipient));
    expect(lines).toEqual([
      `created the age key ${keyFileOf(root)} (mode 0600, git-ignored): back it up outside this machine, it opens every encrypted file`,
      `wrote ${path.join(root, '.sops.yaml')} (sops CLI creation rules for 1 recipient(s))`,
      `add to ${path.join(root, 'site.yaml')}:`,
      'secrets:',
      '  encryption: sops-age',
      '  ageRecipients:',
      `    - ${recipient}`,
      'then run npm run synth, and give Flux the key once (it decrypts dist/secrets/ with it):',
      fluxLine(root),
      'Argo CD reads them through KSOPS: see docs/secrets-encryption.md for the repo-server setup.',
    ]);
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('again, with the site already set up: the key kept, the rules up to date, no site lines', async () => {
    const root = project();
    await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    const recipient = recipientIn(root);
    const key = fs.readFileSync(keyFileOf(root), 'utf8');
    fs.writeFileSync(path.join(root, 'site.yaml'), `name: lab\nsecrets:\n  encryption: sops-age\n  ageRecipients: [${recipient}]\n  argocd: none\n`);
    const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    expect(fs.readFileSync(keyFileOf(root), 'utf8')).toBe(key);
    expect(lines).toEqual([
      `kept the existing age key ${keyFileOf(root)} (public key ${recipient}); init never replaces it`,
      `${path.join(root, '.sops.yaml')} is up to date`,
      'then run npm run synth, and give Flux the key once (it decrypts dist/secrets/ with it):',
      fluxLine(root),
      'Argo CD does not deliver them (secrets.argocd: none): apply them with sops -d FILE | kubectl apply -f -.',
    ]);
  });

  test('the site\'s other recipients come first; the key joins them; with encryption still none the lines say so', async () => {
    const root = project();
    const other = await generateAgeKeyPair();
    fs.writeFileSync(path.join(root, 'site.yaml'), `name: lab\nsecrets:\n  ageRecipients: [${other.recipient}]\n`);
    const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    const recipient = recipientIn(root);
    expect(lines.slice(1, 8)).toEqual([
      `wrote ${path.join(root, '.sops.yaml')} (sops CLI creation rules for 2 recipient(s))`,
      `add to ${path.join(root, 'site.yaml')}:`, 'secrets:', '  encryption: sops-age', '  ageRecipients:', `    - ${other.recipient}`, `    - ${recipient}`,
    ]);
    expect(fs.readFileSync(path.join(root, '.sops.yaml'), 'utf8')).toBe(RULES('dist', `${other.recipient},${recipient}`));
    // The key listed but encryption none: the lines are still printed.
    fs.writeFileSync(path.join(root, 'site.yaml'), `name: lab\nsecrets:\n  ageRecipients: [${recipient}]\n`);
    expect((await runSecretsCli(['init', '--site', 'site.yaml'], root, {}))[2]).toBe(`add to ${path.join(root, 'site.yaml')}:`);
  });

  test('the embedded site points to a site file', async () => {
    const root = project();
    const lines = await runSecretsCli(['init'], root, {});
    expect(lines[2]).toBe('add to your site file (then npm run synth -- --site FILE):');
  });

  test('an operator\'s .sops.yaml is left alone with the rules printed; an outdated one of ours is rewritten', async () => {
    const root = project();
    const file = path.join(root, '.sops.yaml');
    fs.writeFileSync(file, 'creation_rules: []\n');
    const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    expect(lines[1]).toBe(`${file} exists and was not written by this tool; left as it is. The rules synth follows:\n${RULES('dist', recipientIn(root))}`);
    expect(fs.readFileSync(file, 'utf8')).toBe('creation_rules: []\n');
    fs.writeFileSync(file, `${SOPS_CONFIG_HEADER}\ncreation_rules: []\n`);
    expect((await runSecretsCli(['init', '--site', 'site.yaml'], root, {}))[1]).toBe(`wrote ${file} (sops CLI creation rules for 1 recipient(s))`);
    expect(fs.readFileSync(file, 'utf8')).toBe(RULES('dist', recipientIn(root)));
  });

  test('--out inside the project sets the rules\' path; outside it, no .sops.yaml and the sops flags instead', async () => {
    const root = project();
    await runSecretsCli(['init', '--site', 'site.yaml', '--out', 'clusters/lab'], root, {});
    expect(fs.readFileSync(path.join(root, '.sops.yaml'), 'utf8')).toBe(RULES('clusters/lab', recipientIn(root)));
    const other = await generateAgeKeyPair();
    const outside = project(`name: lab\nsecrets:\n  ageRecipients: [${other.recipient}]\n`);
    const elsewhere = path.join(tempDir('secrets-cli-out-'), 'dist');
    const lines = await runSecretsCli(['init', '--site', 'site.yaml', '--out', elsewhere], outside, {});
    expect(lines[1]).toBe(`${elsewhere} is outside ${outside}: no .sops.yaml written (its path rules are relative to the project root); run sops with --age ${other.recipient},${recipientIn(outside)} and --encrypted-regex for Secrets`);
    expect(fs.existsSync(path.join(outside, '.sops.yaml'))).toBe(false);
    // The project root itself as dist/ would hold the secrets directory: refused before anything is written.
    const here = project();
    const refusal = (out: string) => new UsageError(`the output directory ${out} is the project root ${here} or holds it, and synth replaces its output directory whole; give a directory inside the project, e.g. --out dist`);
    await expect(runSecretsCli(['init', '--site', 'site.yaml', '--out', '.'], here, {})).rejects.toThrow(refusal(here));
    // Even with the secrets directory outside the project, and for a directory above it.
    fs.writeFileSync(path.join(here, 'site.yaml'), `name: lab\ntalos:\n  secretsDir: ${tempDir('secrets-cli-keys-')}\n`);
    await expect(runSecretsCli(['init', '--site', 'site.yaml', '--out', '.'], here, {})).rejects.toThrow(refusal(here));
    await expect(runSecretsCli(['init', '--site', 'site.yaml', '--out', '..'], here, {})).rejects.toThrow(refusal(path.dirname(here)));
    expect(fs.readdirSync(here).sort()).toEqual(['.gitignore', 'site.yaml']);
  });

  test('.sops.yaml goes through a temp file that never stays behind', async () => {
    // A rename that fails leaves no temp file.
    const again = project();
    const spy = jest.spyOn(fs, 'renameSync').mockImplementation(() => { throw new Error('disk full'); });
    try {
      await expect(runSecretsCli(['init', '--site', 'site.yaml'], again, {})).rejects.toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect(fs.readdirSync(again).filter((f) => f.startsWith('.sops.yaml'))).toEqual([]);
  });

  test('a key file without an identity is refused, not replaced', async () => {
    const root = project();
    fs.mkdirSync(path.dirname(keyFileOf(root)), { recursive: true });
    fs.writeFileSync(keyFileOf(root), '# only a comment\n', { mode: 0o600 });
    await expect(runSecretsCli(['init', '--site', 'site.yaml'], root, {})).rejects.toThrow(new UsageError(`${keyFileOf(root)} holds no age identity; move it away and run init again`));
    expect(fs.readFileSync(keyFileOf(root), 'utf8')).toBe('# only a comment\n');
  });

  test('an existing key in the site: kept, and its public key read from the identity', async () => {
    const root = project();
    const keys = await generateAgeKeyPair();
    fs.mkdirSync(path.dirname(keyFileOf(root)), { recursive: true });
    fs.writeFileSync(keyFileOf(root), formatAgeKeyFile(keys, new Date('2026-01-01T00:00:00Z')), { mode: 0o600 });
    const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    expect(lines[0]).toBe(`kept the existing age key ${keyFileOf(root)} (public key ${keys.recipient}); init never replaces it`);
  });
});

describe('secrets rotate', () => {
  test('refuses a site without sops-age, naming the fix', async () => {
    await expect(runSecretsCli(['rotate', '--site', 'site.yaml'], project(), {})).rejects.toThrow(new UsageError(
      'rotate re-encrypts the SOPS files in dist/, but secrets.encryption is none; set it to sops-age (npm run secrets -- init prints the lines)',
    ));
  });

  test('re-encrypts every SOPS file for the site\'s recipients, rewrites the rules and says what to commit', async () => {
    const root = project();
    await runSecretsCli(['init', '--site', 'site.yaml'], root, {});
    const recipient = recipientIn(root);
    const other = await generateAgeKeyPair();
    fs.writeFileSync(path.join(root, 'site.yaml'), `name: lab\nsecrets:\n  encryption: sops-age\n  ageRecipients: [${recipient}, ${other.recipient}]\n`);
    fs.writeFileSync(path.join(root, '.sops.yaml'), `${SOPS_CONFIG_HEADER}\nold\n`);
    await runSecretsCli(['rotate', '--site', 'site.yaml'], root, {});
    const sopsFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? sopsFiles(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : e.name.endsWith('.sops.yaml') ? [e.name] : []));
    const files = sopsFiles(path.join(root, 'dist'));
    const read = () => files.map((f) => fs.readFileSync(path.join(root, 'dist', f), 'utf8'));
    const before = read();
    // A second rotation: every file gets a fresh data key, and the run's own re-encryption lines are summed up.
    const lines = await runSecretsCli(['rotate', '--site', 'site.yaml'], root, {});
    const after = read();
    expect(after.filter((text, i) => text === before[i])).toEqual([]);
    const count = files.length;
    expect(count).toBeGreaterThan(5);
    expect(lines.slice(-3)).toEqual([
      `re-encrypted ${count} files in ${path.join(root, 'dist')} with fresh data keys for 2 recipient(s): ${recipient}, ${other.recipient}`,
      `${path.join(root, '.sops.yaml')} is up to date`,
      'commit dist/; a removed recipient cannot open the new versions (older commits keep the old keys: rotate the values too if a key leaked)',
    ]);
    expect(lines.filter((l) => l.startsWith('re-encrypted dist/'))).toEqual([]);
    expect(lines.some((l) => l.startsWith('dist/secrets/pve-exporter.sops.yaml still holds placeholder values'))).toBe(true);
    // .sops.yaml that cannot be written (a directory in its place): the files are rotated, the rules are not.
    fs.rmSync(path.join(root, '.sops.yaml'));
    fs.mkdirSync(path.join(root, '.sops.yaml'));
    await expect(runSecretsCli(['rotate', '--site', 'site.yaml'], root, {})).rejects.toThrow(new RegExp(
      `^re-encrypted ${count} files in .* with fresh data keys for 2 recipient\\(s\\): .*, but \\.sops\\.yaml could not be written \\(EISDIR.*\\); run rotate again once it can be$`,
    ));
  }, 90_000);
});
