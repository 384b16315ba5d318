/** Secrets lifecycle and the synth entry point: create once, reuse, never overwrite, 0600, byte-identical reruns. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSite } from '../../site';
import { renderProxmoxScript } from '../../talos/proxmox-script';
import { runTalosCli } from '../../talos/cli';
import { createSecretFileExclusively } from '../../render/secret-files';
import { importTalosSecrets, talosSecretsPaths } from '../../talos/secrets-store';
import { synthesizeTalos, TalosSynthesis } from '../../talos/synthesize-talos';
import { describeWithShared, fileMode, readFixture, TALOS_SHARED, tempProject } from './helpers';
import * as YAML from 'yaml';

const { site } = parseSite({});
const snapshot = (files: string[]) => Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));

describe('synthesizeTalos on a fresh project', () => {
  let root: string;
  let first: TalosSynthesis;
  const now = new Date('2026-08-18T10:00:00Z');

  beforeAll(async () => {
    root = tempProject();
    first = await synthesizeTalos(site, { projectRoot: root, now });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('creates the bundle on the first run and says so', () => {
    expect(first.messages.join('\n')).toMatch(/created Talos secrets bundle/);
    expect(first.secretFiles.map((f) => path.relative(root, f)).sort()).toEqual([
      '.secrets/talos/admin-client.yaml',
      '.secrets/talos/nodes/talos-cp-1.yaml',
      '.secrets/talos/nodes/talos-cp-2.yaml',
      '.secrets/talos/nodes/talos-cp-3.yaml',
      '.secrets/talos/secrets.yaml',
      '.secrets/talos/talosconfig',
    ]);
  });

  test('every secret file is 0600 and every secret directory 0700', () => {
    for (const f of first.secretFiles) expect([f, fileMode(f)]).toEqual([f, 0o600]);
    for (const d of ['.secrets', '.secrets/talos', '.secrets/talos/nodes']) expect(fileMode(path.join(root, d))).toBe(0o700);
    expect(fs.readdirSync(path.join(root, '.secrets/talos')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a rerun reuses the bundle and writes byte-identical files', async () => {
    const before = snapshot(first.secretFiles);
    const again = await synthesizeTalos(site, { projectRoot: root, now: new Date('2027-01-01T00:00:00Z') });
    expect(again.messages.join('\n')).not.toMatch(/created|issued/);
    expect(snapshot(again.secretFiles)).toEqual(before);
  });

  test('talosconfig uses the node IPs as endpoints, never the VIP, and the stored admin certificate', () => {
    const talosconfig = YAML.parse(fs.readFileSync(path.join(root, '.secrets/talos/talosconfig'), 'utf8'));
    const admin = YAML.parse(fs.readFileSync(path.join(root, '.secrets/talos/admin-client.yaml'), 'utf8'));
    expect(talosconfig.context).toBe('pve01-monitoring');
    const ctx = talosconfig.contexts['pve01-monitoring'];
    expect(ctx.endpoints).toEqual(['10.70.0.21', '10.70.0.22', '10.70.0.23']);
    expect(ctx.endpoints).not.toContain(site.talos.vip);
    expect(ctx.crt).toBe(admin.crt);
    expect(ctx.key).toBe(admin.key);
  });

  test('the Proxmox script for dist/ holds no key material', () => {
    const script = renderProxmoxScript(site);
    expect(script.path).toBe('proxmox/create-talos-vms.sh');
    const bundle = fs.readFileSync(path.join(root, '.secrets/talos/secrets.yaml'), 'utf8');
    const b64Values = bundle.match(/[A-Za-z0-9+/=]{40,}/g)!;
    for (const v of b64Values) expect(script.content).not.toContain(v);
    expect(script.content).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
  });

  test('fails when the stored bundle is damaged instead of replacing it', async () => {
    const dir = tempProject();
    try {
      const paths = talosSecretsPaths(dir, '.secrets');
      fs.mkdirSync(paths.dir, { recursive: true });
      fs.writeFileSync(paths.secretsFile, 'cluster: {}\n');
      await expect(synthesizeTalos(site, { projectRoot: dir })).rejects.toThrow(/not a usable Talos secrets bundle/);
      expect(fs.readFileSync(paths.secretsFile, 'utf8')).toBe('cluster: {}\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails when anything tries to create the bundle over an existing one', () => {
    const file = path.join(root, '.secrets/talos/secrets.yaml');
    const before = fs.readFileSync(file, 'utf8');
    expect(() => createSecretFileExclusively(file, 'x')).toThrow(/EEXIST/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('.gitignore', () => {
  test('the repository ignores the default secrets directory', () => {
    const repo = path.resolve(__dirname, '../..');
    expect(site.talos.secretsDir).toBe('.secrets');
    for (const f of ['.secrets/talos/secrets.yaml', '.secrets/talos/nodes/talos-cp-1.yaml', '.secrets/talos/talosconfig']) {
      // exit status 0 = ignored
      expect(() => execFileSync('git', ['check-ignore', '-q', '--no-index', f], { cwd: repo })).not.toThrow();
    }
  });
});

describeWithShared('import, rotate and renew-admin', () => {
  let root: string;
  const fixture = path.join(TALOS_SHARED, 'fixtures/secrets.yaml');
  beforeEach(() => { root = tempProject(); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('an imported talosctl secrets.yaml is used as-is for the machine configs', async () => {
    const paths = talosSecretsPaths(root, '.secrets');
    await importTalosSecrets(paths, fixture, { now: new Date() });
    expect(fs.readFileSync(paths.secretsFile, 'utf8')).toBe(readFixture('secrets.yaml').replace(/^#.*\n/, ''));
    expect(fileMode(paths.secretsFile)).toBe(0o600);
    await synthesizeTalos(site, { projectRoot: root });
    const config = YAML.parseAllDocuments(fs.readFileSync(path.join(paths.nodesDir, 'talos-cp-1.yaml'), 'utf8'))[0].toJS();
    expect(config.cluster.id).toBe('0raF93qnkMvF-FZNuvyGozXNdLiT2FOWSlyBaW4PR-w=');
  });

  test('fails when importing over an existing bundle without --replace', async () => {
    const paths = talosSecretsPaths(root, '.secrets');
    await importTalosSecrets(paths, fixture, { now: new Date() });
    await expect(importTalosSecrets(paths, fixture, { now: new Date() })).rejects.toThrow(/refusing to overwrite.*--replace/);
  });

  test('import --replace and rotate move the old bundle to a timestamped backup first', async () => {
    const paths = talosSecretsPaths(root, '.secrets');
    await importTalosSecrets(paths, fixture, { now: new Date('2026-08-18T10:00:00Z') });
    const original = fs.readFileSync(paths.secretsFile, 'utf8');
    const { backupDir } = await importTalosSecrets(paths, fixture, { now: new Date('2026-08-18T11:00:00Z'), replace: true });
    expect(path.basename(backupDir!)).toBe('2026-08-18T11-00-00Z');
    expect(fs.readFileSync(path.join(backupDir!, 'secrets.yaml'), 'utf8')).toBe(original);
    expect(fs.existsSync(path.join(backupDir!, 'admin-client.yaml'))).toBe(true);
    expect(fileMode(backupDir!)).toBe(0o700);

    const lines = await runTalosCli(['rotate', '--root', root]);
    expect(lines.join('\n')).toMatch(/moved the previous bundle to .*backups/);
    expect(fs.readFileSync(paths.secretsFile, 'utf8')).not.toBe(original);
    expect(fs.readdirSync(paths.backupsDir)).toHaveLength(2);
  });

  test('renew-admin issues a new certificate and keeps the old one', async () => {
    const paths = talosSecretsPaths(root, '.secrets');
    await importTalosSecrets(paths, fixture, { now: new Date() });
    const oldAdmin = fs.readFileSync(paths.adminFile, 'utf8');
    await runTalosCli(['renew-admin', '--root', root]);
    expect(fs.readFileSync(paths.adminFile, 'utf8')).not.toBe(oldAdmin);
    expect(fileMode(paths.adminFile)).toBe(0o600);
  });

  test('fails when the stored admin certificate was not issued by the bundle', async () => {
    const paths = talosSecretsPaths(root, '.secrets');
    await importTalosSecrets(paths, fixture, { now: new Date() });
    const foreign = tempProject();
    try {
      // A certificate from another bundle (rotated in a second project).
      await runTalosCli(['rotate', '--root', foreign]);
      fs.copyFileSync(talosSecretsPaths(foreign, '.secrets').adminFile, paths.adminFile);
      await expect(synthesizeTalos(site, { projectRoot: root })).rejects.toThrow(/not issued by the bundle's OS CA.*renew-admin/);
    } finally {
      fs.rmSync(foreign, { recursive: true, force: true });
    }
  });
});
