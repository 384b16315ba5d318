/**
 * synth with secrets.encryption: sops-age, as an operator runs it in a git repository: what lands
 * in dist/, that nothing secret lands there in the clear, byte-identical reruns, one file per
 * changed Secret, recovery of a lost secrets directory, operator edits made with the real sops,
 * init's .sops.yaml used by the real sops, and rotation. The tests of one describe share a
 * repository and run in order (each says what state it leaves).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import {
  decryptSopsYaml, encryptToAgeRecipients, formatAgeKeyFile, generateAgeKeyPair, sopsRecipients, treeToObject, type AgeKeyPair,
} from '../../encryption';
import { PLACEHOLDER_URL } from '../../charts/secrets/operator-secrets';
import { parseSite } from '../../site';
import { renderDist } from '../../render/pipeline';
import { EncryptionKeyError } from '../../render/encrypted-files';
import { runSecretsCli } from '../../render/secrets-cli';
import { stackSecretsFile, synthesizeAll } from '../../render/synthesize';
import { describeWithBinaries, describeWithBinary, kustomizeCommand, toolPath } from '../support/binaries';
import { listFiles, snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { importTalosSecrets, talosSecretsPaths } from '../../talos/secrets-store';

interface Key extends AgeKeyPair { file: string }

async function keyFile(dir: string, name: string): Promise<Key> {
  const keys = await generateAgeKeyPair();
  const file = path.join(dir, name);
  fs.writeFileSync(file, formatAgeKeyFile(keys, new Date()), { mode: 0o600 });
  return { ...keys, file };
}

function siteYaml(recipients: readonly string[], extra: Record<string, unknown> = {}): string {
  return YAML.stringify({
    name: 'enc-lab',
    secrets: { encryption: 'sops-age', ageRecipients: recipients, ...extra },
    alertmanager: {
      heartbeat: { urlSecret: 'deadman' },
      receivers: {
        webhooks: [{ name: 'chat', urlSecret: 'chat-hook' }],
        emails: [{ name: 'oncall', to: 'a@lab.example', from: 'b@lab.example', smarthost: 'smtp.lab.example:587', authUsername: 'am', authPasswordSecret: 'smtp-login' }],
      },
    },
  });
}

/** A git repository with the secrets directory ignored, as README step 1 sets it up. */
function repository(): string {
  const root = tempDir('enc-repo-');
  spawnSync('git', ['init', '-q'], { cwd: root });
  fs.writeFileSync(path.join(root, '.gitignore'), '.secrets/\n');
  return root;
}

function sops(args: string[], cwd: string, keyFilePath: string) {
  const r = spawnSync(toolPath('sops')!, ['--disable-version-check', ...args], {
    cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd, SOPS_AGE_KEY_FILE: keyFilePath },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const GENERATED = ['alertmanager-web-auth', 'grafana-admin', 'prometheus-web-auth'];
const OPERATOR = ['chat-hook', 'deadman', 'pve-exporter', 'smtp-login', 'uptime-kuma-api-key'];
const TALOS_FILES = ['admin-client.sops.yaml', 'secrets.sops.yaml', 'talosconfig.sops.yaml'];

describe('synth with secrets.encryption: sops-age', () => {
  let root: string;
  let key: Key;
  let siteFile: string;
  let env: NodeJS.ProcessEnv;
  const dist = () => path.join(root, 'dist');
  const secrets = () => path.join(root, '.secrets');
  const synth = (overrides: { env?: NodeJS.ProcessEnv; site?: string } = {}) =>
    synthesizeAll({ siteFile: overrides.site ?? siteFile, projectRoot: root, outDir: 'dist', env: overrides.env ?? env });

  beforeAll(async () => {
    root = repository();
    key = await keyFile(tempDir('enc-key-'), 'operator.txt'); // outside the repository, like a password manager export
    siteFile = path.join(root, 'site.yaml');
    fs.writeFileSync(siteFile, siteYaml([key.recipient]));
    env = { SOPS_AGE_KEY_FILE: key.file };
    await synth();
  });

  test('writes one encrypted file per Secret, the Talos key material, and the kustomizations that deliver them', () => {
    const secretFiles = [...GENERATED, ...OPERATOR].map((n) => `${n}.sops.yaml`).sort();
    expect(fs.readdirSync(path.join(dist(), 'secrets')).sort()).toEqual([...secretFiles, 'ksops', 'kustomization.yaml'].sort());
    expect(fs.readdirSync(path.join(dist(), 'talos')).sort()).toEqual(TALOS_FILES);
    expect(YAML.parse(fs.readFileSync(path.join(dist(), 'secrets/kustomization.yaml'), 'utf8')).resources).toEqual(secretFiles);
    const generator = YAML.parse(fs.readFileSync(path.join(dist(), 'secrets/ksops/secret-generator.yaml'), 'utf8'));
    expect(generator).toMatchObject({ apiVersion: 'viaduct.ai/v1', kind: 'ksops', metadata: { annotations: { 'config.kubernetes.io/function': 'exec:\n  path: ksops\n' } } });
    expect(generator.files).toEqual(secretFiles.map((f) => `../${f}`));
    expect(YAML.parse(fs.readFileSync(path.join(dist(), 'secrets/ksops/kustomization.yaml'), 'utf8')).generators).toEqual(['secret-generator.yaml']);
    for (const name of secretFiles) {
      const doc = YAML.parse(fs.readFileSync(path.join(dist(), 'secrets', name), 'utf8'));
      // Flux and KSOPS need kind and metadata in the clear; only the values are encrypted.
      expect(doc).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: name.replace('.sops.yaml', ''), namespace: 'monitoring' } });
      expect(doc.sops).toMatchObject({ encrypted_regex: '^(data|stringData)$', age: [{ recipient: key.recipient }] });
      for (const value of Object.values(doc.stringData as Record<string, string>)) expect(value).toMatch(/^ENC\[AES256_GCM,data:/);
    }
  });

  test('Flux decrypts the secrets layer with the age key Secret, and the stack waits for it', () => {
    const kustomizations = YAML.parseAllDocuments(fs.readFileSync(path.join(dist(), 'gitops/flux/layers/flux-layers.yaml'), 'utf8')).map((d) => d.toJS());
    const byName = new Map(kustomizations.map((k) => [k.metadata.name, k]));
    expect(byName.get('enc-lab-secrets').spec).toMatchObject({
      path: './dist/secrets', decryption: { provider: 'sops', secretRef: { name: 'sops-age' } }, dependsOn: [{ name: 'enc-lab-platform-base' }],
    });
    expect(byName.get('enc-lab-monitoring').spec.dependsOn).toContainEqual({ name: 'enc-lab-secrets' });
    expect(kustomizations.filter((k) => k.spec.decryption).map((k) => k.metadata.name)).toEqual(['enc-lab-secrets']);
  });

  test('Argo CD builds the layer with KSOPS before the stack; with argocd: none it leaves the layer out', () => {
    const applications = (site: string) => {
      const files = renderDist(parseSite(YAML.parse(site)).site);
      const apps = files.find((f) => f.path === 'gitops/argocd/apps/argocd-applications.yaml')!;
      return new Map(YAML.parseAllDocuments(apps.content).map((d) => d.toJS()).map((a) => [a.metadata.name, a]));
    };
    const withKsops = applications(siteYaml([key.recipient]));
    const wave = (apps: Map<string, any>, name: string) => Number(apps.get(name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(withKsops.get('enc-lab-secrets').spec.source.path).toBe('dist/secrets/ksops');
    expect(wave(withKsops, 'enc-lab-secrets')).toBeLessThan(wave(withKsops, 'enc-lab-monitoring'));
    const without = applications(siteYaml([key.recipient], { argocd: 'none' }));
    expect(without.has('enc-lab-secrets')).toBe(false);
    expect([...without.keys()].sort()).toEqual([...withKsops.keys()].filter((n) => n !== 'enc-lab-secrets').sort());
    expect(renderDist(parseSite(YAML.parse(siteYaml([key.recipient], { argocd: 'none' }))).site).some((f) => f.path.startsWith('secrets/ksops/'))).toBe(false);
  });

  test('no secret value appears in the clear (or base64) in dist/ or in anything git tracks', () => {
    // Every secret leaf of the key material: values under a key that says so (passwords, keys,
    // tokens, secrets, the bcrypt web config), not names or public certificates.
    const values = new Set<string>();
    const collect = (node: unknown, secret: boolean): void => {
      if (typeof node === 'string') {
        if (secret && node.length >= 12) values.add(node);
      } else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) collect(v, secret || /key|secret|token|password|web\.yml|^id$/i.test(k));
      }
    };
    const plainFiles = ['kubernetes/monitoring-secrets.yaml', 'talos/secrets.yaml', 'talos/admin-client.yaml', 'talos/talosconfig'];
    for (const f of plainFiles) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(secrets(), f), 'utf8'))) {
        const o = doc.toJS();
        collect(o.stringData ?? o, false);
      }
    }
    const needles = [...values];
    expect(needles.length).toBeGreaterThanOrEqual(12);
    expect(needles).toContain(YAML.parse(fs.readFileSync(path.join(secrets(), 'talos/secrets.yaml'), 'utf8')).cluster.secret);
    const secretPassword = YAML.parseAllDocuments(fs.readFileSync(stackSecretsFile(secrets()), 'utf8'))[0].toJS().stringData['admin-password'];
    expect(needles).toContain(secretPassword);

    spawnSync('git', ['add', '-A'], { cwd: root });
    const tracked = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(tracked.filter((f) => f.startsWith('.secrets'))).toEqual([]);
    const scanned = [...new Set([...tracked, ...listFiles(dist()).map((f) => `dist/${f}`)])];
    const leaks: string[] = [];
    for (const f of scanned) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      for (const v of needles) if (text.includes(v) || text.includes(Buffer.from(v).toString('base64'))) leaks.push(`${f}: ${v.slice(0, 12)}…`);
    }
    expect(leaks).toEqual([]);
  });

  test('a second synth is byte-identical (unchanged plaintext keeps its ciphertext)', async () => {
    const before = { dist: snapshotTree(dist()), secrets: snapshotTree(secrets()) };
    await synth();
    expect(snapshotTree(dist())).toEqual(before.dist);
    expect(snapshotTree(secrets())).toEqual(before.secrets);
  });

  test('changing one Secret\'s value re-encrypts exactly its file', async () => {
    const before = snapshotTree(dist());
    const file = stackSecretsFile(secrets());
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
    docs.find((d) => d.metadata.name === 'grafana-admin').stringData['admin-password'] = 'a-new-password-set-by-hand';
    fs.writeFileSync(file, docs.map((d) => `---\n${YAML.stringify(d)}`).join(''), { mode: 0o600 });
    await synth();
    const after = snapshotTree(dist());
    expect(Object.keys(after).filter((f) => after[f] !== before[f])).toEqual(['secrets/grafana-admin.sops.yaml']);
    const opened = treeToObject((await decryptSopsYaml(after['secrets/grafana-admin.sops.yaml'], [key.identity])).tree);
    expect(opened).toMatchObject({ stringData: { 'admin-password': 'a-new-password-set-by-hand' } });
  });

  test('without a key, a lost secrets directory is an error naming the fix, and nothing is written', async () => {
    const before = snapshotTree(dist());
    const saved = tempDir('enc-saved-');
    fs.cpSync(secrets(), saved, { recursive: true });
    fs.rmSync(secrets(), { recursive: true });
    try {
      await expect(synth({ env: {} })).rejects.toThrow(EncryptionKeyError);
      await expect(synth({ env: {} })).rejects.toThrow(/no age identity was found to open it; set SOPS_AGE_KEY_FILE/);
      expect(snapshotTree(dist())).toEqual(before);
      expect(fs.existsSync(secrets())).toBe(false);
    } finally {
      fs.cpSync(saved, secrets(), { recursive: true });
    }
  });

  test('with the key, a lost secrets directory is restored from dist/ byte for byte', async () => {
    const before = { dist: snapshotTree(dist()), secrets: snapshotTree(secrets()) };
    fs.rmSync(secrets(), { recursive: true });
    const result = await synth();
    expect(result.talos.messages.join('\n')).toMatch(/restored the Talos secrets bundle/);
    expect(result.secretMessages.join('\n')).toMatch(/restored Secret monitoring\/grafana-admin/);
    expect(snapshotTree(secrets())).toEqual(before.secrets);
    expect(snapshotTree(dist())).toEqual(before.dist);
  });

  describeWithBinary('sops', 'the real sops', () => {
    test('decrypts every file synth encrypted, to the values in the secrets directory', () => {
      const plain = new Map(YAML.parseAllDocuments(fs.readFileSync(stackSecretsFile(secrets()), 'utf8')).map((d) => d.toJS()).map((d) => [d.metadata.name, d]));
      for (const name of GENERATED) {
        const r = sops(['--decrypt', `dist/secrets/${name}.sops.yaml`], root, key.file);
        expect(r.stderr).toBe('');
        expect(YAML.parse(r.stdout)).toEqual(plain.get(name));
      }
      for (const [file, plainFile] of [['secrets', 'secrets.yaml'], ['admin-client', 'admin-client.yaml'], ['talosconfig', 'talosconfig']]) {
        const r = sops(['--decrypt', `dist/talos/${file}.sops.yaml`], root, key.file);
        expect(r.stderr).toBe('');
        expect(YAML.parse(r.stdout)).toEqual(YAML.parse(fs.readFileSync(path.join(secrets(), 'talos', plainFile), 'utf8')));
      }
      const placeholder = sops(['--decrypt', 'dist/secrets/chat-hook.sops.yaml'], root, key.file);
      expect(YAML.parse(placeholder.stdout).stringData).toEqual({ url: PLACEHOLDER_URL });
    });

    test('an operator Secret edited with sops --set is kept byte for byte by the next synth', async () => {
      const file = 'dist/secrets/chat-hook.sops.yaml';
      const edit = sops(['--set', '["stringData"]["url"] "https://chat.lab.example/hooks/T0KEN"', file], root, key.file);
      expect(edit.stderr).toBe('');
      const edited = fs.readFileSync(path.join(root, file), 'utf8');
      await synth();
      expect(fs.readFileSync(path.join(root, file), 'utf8')).toBe(edited);
      const opened = treeToObject((await decryptSopsYaml(edited, [key.identity])).tree);
      expect(opened).toMatchObject({ stringData: { url: 'https://chat.lab.example/hooks/T0KEN' } });
    });

    test('secrets init writes the age key and a .sops.yaml the real sops encrypts new files by', async () => {
      const lines = await runSecretsCli(['init', '--site', 'site.yaml'], root, env);
      const ownKey = path.join(secrets(), 'age', 'keys.txt');
      expect(fs.statSync(ownKey).mode & 0o777).toBe(0o600);
      const own = fs.readFileSync(ownKey, 'utf8');
      const ownRecipient = /# public key: (age1\w+)/.exec(own)![1];
      expect(lines.join('\n')).toContain(`    - ${ownRecipient}`);
      expect(lines.join('\n')).toContain('kubectl create secret generic sops-age --namespace=flux-system --from-file=age.agekey=');
      // init never replaces a key
      await runSecretsCli(['init', '--site', 'site.yaml'], root, env);
      expect(fs.readFileSync(ownKey, 'utf8')).toBe(own);

      // A Secret the operator adds with the sops CLI gets the same rules as synth's files.
      fs.writeFileSync(path.join(root, 'dist/secrets/extra.sops.yaml'), YAML.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'extra', namespace: 'monitoring' }, stringData: { token: 'added-by-hand-0123' } }));
      const encrypted = sops(['--encrypt', '--in-place', 'dist/secrets/extra.sops.yaml'], root, key.file);
      expect(encrypted.stderr).toBe('');
      const text = fs.readFileSync(path.join(root, 'dist/secrets/extra.sops.yaml'), 'utf8');
      expect(YAML.parse(text).metadata.name).toBe('extra');
      expect(YAML.parse(text).sops.encrypted_regex).toBe('^(data|stringData)$');
      expect(sopsRecipients(text)).toEqual([key.recipient, ownRecipient]);
      expect(treeToObject((await decryptSopsYaml(text, [key.identity])).tree)).toMatchObject({ stringData: { token: 'added-by-hand-0123' } });
      // The Talos rule encrypts everything.
      fs.writeFileSync(path.join(root, 'dist/talos/extra.sops.yaml'), 'cluster:\n  secret: plain-value-0123\n');
      expect(sops(['--encrypt', '--in-place', 'dist/talos/extra.sops.yaml'], root, key.file).stderr).toBe('');
      expect(YAML.parse(fs.readFileSync(path.join(root, 'dist/talos/extra.sops.yaml'), 'utf8')).cluster.secret).toMatch(/^ENC\[/);
      fs.rmSync(path.join(root, 'dist/secrets/extra.sops.yaml'));
      fs.rmSync(path.join(root, 'dist/talos/extra.sops.yaml'));
    });

    test('rotate: an added recipient opens every file; after removing the first, its key opens none', async () => {
      const second = await keyFile(tempDir('enc-key-'), 'second.txt');
      const both = path.join(root, 'site-both.yaml');
      fs.writeFileSync(both, siteYaml([key.recipient, second.recipient]));
      const lines = await runSecretsCli(['rotate', '--site', 'site-both.yaml'], root, env);
      expect(lines.join('\n')).toMatch(/re-encrypted 11 files in .* for 2 recipient\(s\)/);
      const sopsFiles = listFiles(dist()).filter((f) => f.endsWith('.sops.yaml'));
      expect(sopsFiles).toHaveLength(11);
      for (const f of sopsFiles) {
        const r = sops(['--decrypt', `dist/${f}`], root, second.file);
        expect(`${f}: ${r.stderr}`).toBe(`${f}: `);
      }
      const operatorEdit = treeToObject((await decryptSopsYaml(fs.readFileSync(path.join(dist(), 'secrets/chat-hook.sops.yaml'), 'utf8'), [second.identity])).tree);
      expect(operatorEdit).toMatchObject({ stringData: { url: 'https://chat.lab.example/hooks/T0KEN' } });

      const onlySecond = path.join(root, 'site-second.yaml');
      fs.writeFileSync(onlySecond, siteYaml([second.recipient]));
      await runSecretsCli(['rotate', '--site', 'site-second.yaml'], root, { SOPS_AGE_KEY_FILE: second.file });
      for (const f of sopsFiles) {
        const text = fs.readFileSync(path.join(dist(), f), 'utf8');
        expect(sopsRecipients(text)).toEqual([second.recipient]);
        await expect(decryptSopsYaml(text, [key.identity])).rejects.toThrow(/cannot decrypt/);
      }
      expect(fs.readFileSync(path.join(root, '.sops.yaml'), 'utf8')).toContain(`age: ${second.recipient}\n`);
      // And the rotated tree is stable again.
      const before = snapshotTree(dist());
      await synth({ site: onlySecond, env: { SOPS_AGE_KEY_FILE: second.file } });
      expect(snapshotTree(dist())).toEqual(before);
    });
  });

  describeWithBinary('age', 'the real age', () => {
    test('reads the identity secrets init created', async () => {
      await runSecretsCli(['init', '--site', 'site.yaml'], root, env);
      const ownKey = path.join(secrets(), 'age', 'keys.txt');
      const recipient = /# public key: (age1\w+)/.exec(fs.readFileSync(ownKey, 'utf8'))![1];
      const file = path.join(tempDir('enc-age-'), 'payload.age');
      fs.writeFileSync(file, await encryptToAgeRecipients(Buffer.from('opened by age'), [recipient]));
      const r = spawnSync(toolPath('age')!, ['--decrypt', '--identity', ownKey, file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('opened by age');
    });
  });
});

describeWithBinaries(['kustomize', 'sops'], 'kustomize runs the KSOPS generator as Argo CD\'s repo-server does', () => {
  // KSOPS itself is not on the Go module proxy these machines reach: test/support/ksops-standin is
  // a KRM exec function with its contract (the generator on stdin, the files relative to the working
  // directory kustomize gives it), decrypting with the real sops. What is real here: kustomize's
  // exec-plugin handling of our generator, the relative paths, and sops reading our files.
  test('every Secret comes out decrypted, with the values of the secrets directory', async () => {
    const root = repository();
    const key = await keyFile(tempDir('enc-key-'), 'key.txt');
    fs.writeFileSync(path.join(root, 'site.yaml'), siteYaml([key.recipient]));
    await synthesizeAll({ siteFile: path.join(root, 'site.yaml'), projectRoot: root, outDir: 'dist', env: { SOPS_AGE_KEY_FILE: key.file } });
    const r = spawnSync(toolPath('kustomize')!, ['build', '--enable-alpha-plugins', '--enable-exec', path.join(root, 'dist/secrets/ksops')], {
      encoding: 'utf8',
      env: {
        PATH: `${path.join(__dirname, '../support/ksops-standin')}:${process.env.PATH}`,
        SOPS_AGE_KEY_FILE: key.file, KSOPS_STANDIN_SOPS: toolPath('sops')!, KSOPS_STANDIN_MODULES: path.join(__dirname, '../..'), HOME: root,
      },
    });
    expect(r.stderr).toBe('');
    const objects = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(objects.map((o) => o.metadata.name).sort()).toEqual([...GENERATED, ...OPERATOR].sort());
    const plain = new Map(YAML.parseAllDocuments(fs.readFileSync(stackSecretsFile(path.join(root, '.secrets')), 'utf8')).map((d) => d.toJS()).map((d) => [d.metadata.name, d]));
    for (const o of objects) {
      expect(o.sops).toBeUndefined();
      if (plain.has(o.metadata.name)) expect(o.stringData).toEqual(plain.get(o.metadata.name).stringData);
    }
  });
});

describeWithBinaries(['kustomize'], 'kustomize builds the Flux secrets layer with the SOPS metadata intact', () => {
  test('every Secret comes out with its sops block, which is what kustomize-controller decrypts', async () => {
    const root = repository();
    const keys = await generateAgeKeyPair();
    fs.writeFileSync(path.join(root, 'site.yaml'), siteYaml([keys.recipient]));
    await synthesizeAll({ siteFile: path.join(root, 'site.yaml'), projectRoot: root, outDir: 'dist', env: {} });
    const command = kustomizeCommand('kustomize builds the Flux secrets layer')!;
    const r = spawnSync(command[0], [...command.slice(1), path.join(root, 'dist/secrets')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const objects = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(objects.map((o) => o.metadata.name).sort()).toEqual([...GENERATED, ...OPERATOR].sort());
    for (const o of objects) expect(o.sops.mac).toMatch(/^ENC\[/);
  });
});

describe('what synth with sops-age refuses, and what it repairs', () => {
  /** A repository synthesized once with a fresh key; returns what the tests need. */
  async function synthesized(extraSite: Record<string, unknown> = {}) {
    const root = repository();
    const key = await keyFile(tempDir('enc-key-'), 'key.txt');
    const siteFile = path.join(root, 'site.yaml');
    fs.writeFileSync(siteFile, siteYaml([key.recipient], extraSite));
    const env = { SOPS_AGE_KEY_FILE: key.file };
    const synth = (overrides: { env?: NodeJS.ProcessEnv; site?: string } = {}) =>
      synthesizeAll({ siteFile: overrides.site ?? siteFile, projectRoot: root, outDir: 'dist', env: overrides.env ?? env });
    const first = await synth();
    return { root, key, env, synth, first, dist: path.join(root, 'dist'), secrets: path.join(root, '.secrets') };
  }
  const docs = (file: string) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());

  test('init refuses a secrets directory whose age key git would track, and creates nothing', async () => {
    const root = repository();
    fs.writeFileSync(path.join(root, '.gitignore'), '.secrets/talos/\n.secrets/kubernetes/\n');
    await expect(runSecretsCli(['init'], root, {})).rejects.toThrow(/talos\.secretsDir.*not git-ignored/s);
    expect(fs.existsSync(path.join(root, '.secrets/age/keys.txt'))).toBe(false);
  });

  test('a key that is not a recipient is an error naming the recipients, and nothing is written', async () => {
    const { root, synth, dist, key } = await synthesized();
    const before = snapshotTree(dist);
    const stranger = await keyFile(tempDir('enc-key-'), 'stranger.txt');
    await expect(synth({ env: { SOPS_AGE_KEY_FILE: stranger.file } })).rejects.toThrow(new RegExp(`does not open with the 1 age identity found .*encrypted to ${key.recipient}`));
    expect(snapshotTree(dist)).toEqual(before);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.dist-'))).toEqual([]);
  });

  test('another bundle in the secrets directory never replaces the one in dist/, unless talos import --replace backed it up', async () => {
    const one = await synthesized();
    const other = await synthesized();
    const before = snapshotTree(one.dist);
    // A bundle from another clone lands in the secrets directory.
    const otherBundle = path.join(other.secrets, 'talos/secrets.yaml');
    for (const f of ['secrets.yaml', 'admin-client.yaml']) fs.copyFileSync(path.join(other.secrets, 'talos', f), path.join(one.secrets, 'talos', f));
    await expect(one.synth()).rejects.toThrow(/holds another Talos secrets bundle than the secrets directory/);
    expect(snapshotTree(one.dist)).toEqual(before);
    // Restore git's bundle (move the stray one away), then switch on purpose with import --replace.
    for (const f of ['secrets.yaml', 'admin-client.yaml']) fs.rmSync(path.join(one.secrets, 'talos', f));
    await one.synth();
    expect(snapshotTree(one.dist)).toEqual(before);
    await importTalosSecrets(talosSecretsPaths(one.root, '.secrets'), otherBundle, { replace: true, now: new Date() });
    const result = await one.synth();
    expect(result.secretMessages.join('\n')).toMatch(/re-encrypted dist\/talos\/secrets\.sops\.yaml \(the plaintext changed\)/);
    const opened = treeToObject((await decryptSopsYaml(fs.readFileSync(path.join(one.dist, 'talos/secrets.sops.yaml'), 'utf8'), [one.key.identity])).tree);
    expect(opened).toEqual(YAML.parse(fs.readFileSync(otherBundle, 'utf8')));
  });

  test('a document lost from the secrets file is restored from dist/, not regenerated', async () => {
    const { synth, dist, secrets } = await synthesized();
    const before = snapshotTree(dist);
    const file = stackSecretsFile(secrets);
    const all = docs(file);
    fs.writeFileSync(file, all.filter((d) => d.metadata.name !== 'grafana-admin').map((d) => `---\n${YAML.stringify(d)}`).join(''), { mode: 0o600 });
    const result = await synth();
    expect(result.secretMessages.join('\n')).toMatch(/restored Secret monitoring\/grafana-admin/);
    expect(docs(file).find((d) => d.metadata.name === 'grafana-admin').stringData).toEqual(all.find((d) => d.metadata.name === 'grafana-admin').stringData);
    expect(snapshotTree(dist)).toEqual(before);
  });

  test('a lost secrets directory is restored even after the site switched encryption off', async () => {
    const { root, synth, secrets, env } = await synthesized();
    const values = docs(stackSecretsFile(secrets));
    const bundle = fs.readFileSync(path.join(secrets, 'talos/secrets.yaml'), 'utf8');
    fs.rmSync(secrets, { recursive: true });
    const plainSite = path.join(root, 'plain.yaml');
    fs.writeFileSync(plainSite, YAML.stringify({ name: 'enc-lab', secrets: { encryption: 'none' } }));
    await synth({ site: plainSite, env });
    expect(docs(stackSecretsFile(secrets)).map((d) => d.stringData)).toEqual(values.map((d) => d.stringData));
    expect(fs.readFileSync(path.join(secrets, 'talos/secrets.yaml'), 'utf8')).toBe(bundle);
    expect(fs.existsSync(path.join(root, 'dist/secrets'))).toBe(false);
  });

  // Synth writes dist/secrets/ and dist/talos/ together, but either may be lost on its own (a
  // hand-pruned dist/, a partial checkout): what is left still restores after encryption is off.
  test.each([
    ['secrets', 'the Talos bundle'],
    ['talos', 'the stack Secrets'],
  ])('with dist/%s lost as well, the other encrypted directory still restores %s after encryption is off', async (lost, _restored) => {
    const { root, synth, secrets, env, dist } = await synthesized();
    const values = docs(stackSecretsFile(secrets)).map((d) => d.stringData);
    const bundle = fs.readFileSync(path.join(secrets, 'talos/secrets.yaml'), 'utf8');
    fs.rmSync(path.join(dist, lost), { recursive: true });
    fs.rmSync(secrets, { recursive: true });
    const plainSite = path.join(root, 'plain.yaml');
    fs.writeFileSync(plainSite, YAML.stringify({ name: 'enc-lab', secrets: { encryption: 'none' } }));
    await synth({ site: plainSite, env });
    const restoredBundle = fs.readFileSync(path.join(secrets, 'talos/secrets.yaml'), 'utf8') === bundle;
    const restoredValues = JSON.stringify(docs(stackSecretsFile(secrets)).map((d) => d.stringData)) === JSON.stringify(values);
    // The directory that survived restores its part; the lost one's part is generated anew.
    expect({ restoredBundle, restoredValues }).toEqual(lost === 'secrets'
      ? { restoredBundle: true, restoredValues: false }
      : { restoredBundle: false, restoredValues: true });
  });

  test('operator Secrets follow a new namespace with their values, and unfilled placeholders are reported', async () => {
    const { root, synth, dist, key, first } = await synthesized();
    expect(first.secretMessages.join('\n')).toMatch(/created dist\/secrets\/pve-exporter\.sops\.yaml with placeholder values/);
    const moved = path.join(root, 'moved.yaml');
    fs.writeFileSync(moved, siteYaml([key.recipient]).replace('name: enc-lab', 'name: enc-lab\nkubernetes:\n  namespace: observability'));
    const result = await synth({ site: moved });
    const log = result.secretMessages.join('\n');
    expect(log).toMatch(/dist\/secrets\/pve-exporter\.sops\.yaml: Secret monitoring\/pve-exporter is now observability\/pve-exporter \(values kept\)/);
    expect(log).toMatch(/dist\/secrets\/chat-hook\.sops\.yaml still holds placeholder values \(url\)/);
    for (const name of [...GENERATED, ...OPERATOR]) {
      const opened = treeToObject((await decryptSopsYaml(fs.readFileSync(path.join(dist, `secrets/${name}.sops.yaml`), 'utf8'), [key.identity])).tree);
      expect(`${name}: ${(opened as { metadata: { namespace: string } }).metadata.namespace}`).toBe(`${name}: observability`);
    }
  });
});
