/**
 * The "Must show": our files and keys against the real tools. `sops` is built from its Go
 * module, pinned in test/upstream/sops (test/upstream/build.sh); `age` is the Debian package.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import {
  KUBERNETES_SECRET_REGEX, decryptSopsYaml, decryptWithAgeIdentities, encryptSopsYaml, encryptToAgeRecipients, encryptUnlessUnchanged,
  formatAgeKeyFile, generateAgeKeyPair, treeToObject,
} from '../../encryption';
import { describeWithBinary, toolPath } from '../support/binaries';
import { pinnedModule } from '../upstream/pins';
import { SECRET, encValues, replaceEncData } from './fixtures';

function workDir(): string {
  return fs.mkdtempSync(path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'encryption-'));
}

/** Writes an age-keygen style key file (0600) for an identity and returns its path. */
async function keyFile(dir: string, name = 'keys.txt') {
  const keys = await generateAgeKeyPair();
  const file = path.join(dir, name);
  fs.writeFileSync(file, formatAgeKeyFile(keys, new Date()), { mode: 0o600 });
  return { ...keys, file };
}

interface ToolResult { status: number | null; stdout: string; stderr: string }

function tool(name: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ToolResult {
  const r = spawnSync(toolPath(name)!, args, {
    encoding: 'utf8', input: options.input, cwd: options.cwd,
    // only what the test sets: no SOPS_* or age key from the developer's environment
    env: { PATH: process.env.PATH, HOME: options.cwd ?? os.tmpdir(), ...options.env },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function sopsDecrypt(dir: string, file: string, keyFilePath: string): ToolResult {
  return tool('sops', ['--decrypt', '--input-type', 'yaml', '--output-type', 'yaml', file], { cwd: dir, env: { SOPS_AGE_KEY_FILE: keyFilePath } });
}

describeWithBinary('sops', 'the real sops and our SOPS files', () => {
  test('the sops built is the pinned release', () => {
    const pinned = pinnedModule('sops', 'github.com/getsops/sops/v3').replace(/^v/, '');
    expect(tool('sops', ['--disable-version-check', '--version']).stdout).toContain(`sops ${pinned}`);
  });

  test('sops -d decrypts a Secret we encrypted to the same plaintext', async () => {
    // GIVEN
    const dir = workDir();
    const key = await keyFile(dir);
    const file = path.join(dir, 'secret.sops.yaml');
    fs.writeFileSync(file, await encryptSopsYaml(SECRET, { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    // WHEN
    const result = sopsDecrypt(dir, file, key.file);
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(YAML.parse(result.stdout)).toEqual(SECRET);
  });

  test('sops -d decrypts a file of every value type, with the default unencrypted suffix', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const doc = { s: 'text', empty: '', n: 42, f: 1.5, yes: true, no: false, nothing: null, list: ['a', 'b', 3], nested: { deep: 'x', keep_unencrypted: 'clear' } };
    const file = path.join(dir, 'types.sops.yaml');
    fs.writeFileSync(file, await encryptSopsYaml(doc, { ageRecipients: [key.recipient] }));
    const result = sopsDecrypt(dir, file, key.file);
    expect(result.stderr).toBe('');
    expect(YAML.parse(result.stdout)).toEqual(doc);
  });

  test('we decrypt a Secret that sops -e encrypted to our recipient', async () => {
    // GIVEN a file the real sops encrypted
    const dir = workDir();
    const key = await keyFile(dir);
    const plain = path.join(dir, 'secret.yaml');
    fs.writeFileSync(plain, YAML.stringify(SECRET));
    const encrypted = tool('sops', ['--encrypt', '--age', key.recipient, '--encrypted-regex', KUBERNETES_SECRET_REGEX, plain], { cwd: dir });
    expect(encrypted.stderr).toBe('');
    expect(encrypted.stdout).toContain('ENC[AES256_GCM,');
    // WHEN
    const { tree, metadata } = await decryptSopsYaml(encrypted.stdout, [key.identity]);
    // THEN
    expect(treeToObject(tree)).toEqual(SECRET);
    expect(metadata.encryptedRegex).toBe(KUBERNETES_SECRET_REGEX);
  });

  test('we decrypt a file sops -e encrypted with its defaults (every value but _unencrypted keys)', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const doc = { s: 'text', n: 42, f: 1.5, yes: true, list: ['a', 3], nested: { deep: 'x', keep_unencrypted: 'clear' } };
    const plain = path.join(dir, 'types.yaml');
    fs.writeFileSync(plain, YAML.stringify(doc));
    const encrypted = tool('sops', ['--encrypt', '--age', key.recipient, plain], { cwd: dir });
    expect(encrypted.stderr).toBe('');
    expect(treeToObject((await decryptSopsYaml(encrypted.stdout, [key.identity])).tree)).toEqual(doc);
  });

  test('a file sops -e wrote is kept byte for byte while its plaintext is unchanged', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const plain = path.join(dir, 'secret.yaml');
    fs.writeFileSync(plain, YAML.stringify(SECRET));
    const encrypted = tool('sops', ['--encrypt', '--age', key.recipient, '--encrypted-regex', KUBERNETES_SECRET_REGEX, plain], { cwd: dir }).stdout;
    const kept = await encryptUnlessUnchanged(encrypted, SECRET, { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }, [key.identity]);
    expect(kept).toEqual({ text: encrypted, kept: true });
  });

  test('two recipients: sops -d with either identity decrypts our file', async () => {
    const dir = workDir();
    const [one, two] = [await keyFile(dir, 'one.txt'), await keyFile(dir, 'two.txt')];
    const file = path.join(dir, 'secret.sops.yaml');
    fs.writeFileSync(file, await encryptSopsYaml(SECRET, { ageRecipients: [one.recipient, two.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    for (const key of [one, two]) {
      const result = sopsDecrypt(dir, file, key.file);
      expect(result.stderr).toBe('');
      expect(YAML.parse(result.stdout)).toEqual(SECRET);
    }
  });

  test('two recipients: we decrypt with either identity a file sops -e encrypted to both', async () => {
    const dir = workDir();
    const [one, two] = [await keyFile(dir, 'one.txt'), await keyFile(dir, 'two.txt')];
    const plain = path.join(dir, 'secret.yaml');
    fs.writeFileSync(plain, YAML.stringify(SECRET));
    const encrypted = tool('sops', ['--encrypt', '--age', `${one.recipient},${two.recipient}`, '--encrypted-regex', KUBERNETES_SECRET_REGEX, plain], { cwd: dir });
    expect(encrypted.stderr).toBe('');
    for (const key of [one, two]) expect(treeToObject((await decryptSopsYaml(encrypted.stdout, [key.identity])).tree)).toEqual(SECRET);
  });

  test('a tampered value is rejected by us and by sops', async () => {
    // GIVEN our file with one ciphertext altered
    const dir = workDir();
    const key = await keyFile(dir);
    const good = await encryptSopsYaml(SECRET, { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    const file = path.join(dir, 'tampered.sops.yaml');
    fs.writeFileSync(file, replaceEncData(good, encValues(good).find((v) => v.path === 'stringData.password')!.value));
    // WHEN / THEN
    await expect(decryptSopsYaml(fs.readFileSync(file, 'utf8'), [key.identity])).rejects.toThrow(/"stringData:password:" fails authentication/);
    const result = sopsDecrypt(dir, file, key.file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Could not decrypt value: Could not decrypt with AES_GCM/);
  });

  test('a tampered MAC is rejected by us and by sops', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const good = await encryptSopsYaml(SECRET, { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    const file = path.join(dir, 'tampered-mac.sops.yaml');
    fs.writeFileSync(file, replaceEncData(good, YAML.parse(good).sops.mac));
    await expect(decryptSopsYaml(fs.readFileSync(file, 'utf8'), [key.identity])).rejects.toThrow(/cannot decrypt the MAC/);
    const result = sopsDecrypt(dir, file, key.file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot decrypt MAC/);
  });

  test('a clear value altered under a valid MAC is rejected by us and by sops (MAC mismatch)', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const good = await encryptSopsYaml(SECRET, { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    const file = path.join(dir, 'renamed.sops.yaml');
    fs.writeFileSync(file, good.replace('name: grafana-admin', 'name: grafana-other'));
    await expect(decryptSopsYaml(fs.readFileSync(file, 'utf8'), [key.identity])).rejects.toThrow(/MAC mismatch/);
    const result = sopsDecrypt(dir, file, key.file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/MAC mismatch/);
  });

  test('unchanged plaintext keeps the ciphertext byte for byte; changed plaintext changes it, and sops reads both', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const options = { ageRecipients: [key.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX };
    const first = await encryptSopsYaml(SECRET, options);
    const same = await encryptUnlessUnchanged(first, YAML.parse(YAML.stringify(SECRET)), options, [key.identity]);
    expect(same.text).toBe(first);
    const changed = { ...SECRET, stringData: { ...SECRET.stringData, password: 'rotated' } };
    const next = await encryptUnlessUnchanged(first, changed, options, [key.identity]);
    expect(next.text).not.toBe(first);
    const file = path.join(dir, 'secret.sops.yaml');
    fs.writeFileSync(file, next.text);
    expect(YAML.parse(sopsDecrypt(dir, file, key.file).stdout)).toEqual(changed);
  });
});

describeWithBinary('age', 'the real age and our age keys', () => {
  test('age -d -i <our identity file> decrypts a payload we encrypted to our recipient', async () => {
    // GIVEN
    const dir = workDir();
    const key = await keyFile(dir);
    const payload = new Uint8Array(Array.from({ length: 32 }, (_, i) => i * 7));
    const file = path.join(dir, 'payload.age');
    fs.writeFileSync(file, await encryptToAgeRecipients(payload, [key.recipient]));
    // WHEN
    const r = spawnSync(toolPath('age')!, ['--decrypt', '--identity', key.file, file]);
    // THEN
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(new Uint8Array(r.stdout)).toEqual(payload);
  });

  test('age -d decrypts a payload we encrypted to two recipients with either identity', async () => {
    const dir = workDir();
    const [one, two] = [await keyFile(dir, 'one.txt'), await keyFile(dir, 'two.txt')];
    const file = path.join(dir, 'payload.age');
    fs.writeFileSync(file, await encryptToAgeRecipients(new TextEncoder().encode('data key'), [one.recipient, two.recipient]));
    for (const key of [one, two]) {
      expect(spawnSync(toolPath('age')!, ['-d', '-i', key.file, file], { encoding: 'utf8' }).stdout).toBe('data key');
    }
  });

  test('we decrypt what age -e encrypted to our recipient', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    const r = spawnSync(toolPath('age')!, ['--encrypt', '--armor', '--recipient', key.recipient], { input: 'from the age CLI', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(new TextDecoder().decode(await decryptWithAgeIdentities(r.stdout, [key.identity]))).toBe('from the age CLI');
  });

  test('age-keygen -y derives from our identity file the recipient we derived', async () => {
    const dir = workDir();
    const key = await keyFile(dir);
    expect(spawnSync(toolPath('age-keygen')!, ['-y', key.file], { encoding: 'utf8' }).stdout.trim()).toBe(key.recipient);
  });
});
