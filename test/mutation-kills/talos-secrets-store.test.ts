/**
 * talos/secrets-store.ts in-process (mutation testing, issue 18): the Talos key material's lifecycle
 * with its exact messages and refusals: prepare on a fresh, a complete and a damaged secrets
 * directory, restore from decrypted copies, expiry warnings, backups, rotate, import, renew-admin.
 * test/talos/synthesize-talos.test.ts and test/secrets/ check the same through synth and the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ADMIN_CERT_VALIDITY_HOURS, isIssuedBy, issueClientCertificate } from '../../talos/pki';
import { parseSecretsBundle, serializeSecretsBundle } from '../../talos/secrets-bundle';
import {
  backupTalosSecrets, importTalosSecrets, loadOrCreateTalosSecrets, prepareTalosSecrets, renewAdminCertificate, replacedTalosBundles,
  rotateTalosSecrets, serializeAdmin, talosSecretsPaths, TalosBundleStateError, type TalosSecretsPaths,
} from '../../talos/secrets-store';
import { withReaddirReversed } from '../support/readdir-order';
import { describeWithShared, fileMode, readFixture, tempProject } from '../talos/helpers';

const NOW = new Date('2026-12-04T10:00:00.123Z');
const STAMP = '2026-12-04T10-00-00Z';
const DAY = 86_400_000;

const fresh = (): TalosSecretsPaths => talosSecretsPaths(tempProject('store-'), '.secrets');
/** A secrets directory holding the fixture bundle and an admin certificate it issued at NOW. */
const complete = async (): Promise<TalosSecretsPaths> => {
  const paths = fresh();
  fs.mkdirSync(paths.dir, { recursive: true });
  fs.writeFileSync(paths.secretsFile, readFixture('secrets.yaml'), { mode: 0o600 });
  const bundle = parseSecretsBundle(readFixture('secrets.yaml'));
  fs.writeFileSync(paths.adminFile, serializeAdmin(await issueClientCertificate(bundle.certs.os, { now: NOW })), { mode: 0o600 });
  return paths;
};

test('the files live under <secretsDir>/talos', () => {
  expect(talosSecretsPaths('/p', '.secrets')).toEqual({
    dir: '/p/.secrets/talos', secretsFile: '/p/.secrets/talos/secrets.yaml', adminFile: '/p/.secrets/talos/admin-client.yaml',
    talosconfigFile: '/p/.secrets/talos/talosconfig', nodesDir: '/p/.secrets/talos/nodes', backupsDir: '/p/.secrets/talos/backups',
  });
  expect(talosSecretsPaths('/p', '/keys').dir).toBe('/keys/talos');
  expect(new TalosBundleStateError('x').name).toBe('TalosBundleStateError');
});

describeWithShared('the Talos secrets store', () => {
  describe('prepareTalosSecrets', () => {
    test('a fresh directory: a new bundle and admin certificate, as changes only, and said', async () => {
      const paths = fresh();
      const prepared = await prepareTalosSecrets(paths, NOW);
      expect(prepared.changes.map((c) => [c.kind, c.path])).toEqual([['create', paths.secretsFile], ['create', paths.adminFile]]);
      expect(prepared.created).toEqual([paths.secretsFile, paths.adminFile]);
      expect(prepared.messages).toEqual([
        `created Talos secrets bundle ${paths.secretsFile} (back it up: a live cluster cannot be recovered without it)`,
        `issued os:admin client certificate ${paths.adminFile} (valid 1 year)`,
      ]);
      expect((prepared.changes[0] as { content: string }).content).toBe(serializeSecretsBundle(prepared.bundle));
      expect((prepared.changes[1] as { content: string }).content).toBe(serializeAdmin(prepared.admin));
      expect(isIssuedBy(prepared.admin.crt, prepared.bundle.certs.os.crt)).toBe(true);
      expect(fs.existsSync(paths.dir)).toBe(false);
      // loadOrCreateTalosSecrets writes them.
      await loadOrCreateTalosSecrets(paths, NOW);
      expect([fileMode(paths.secretsFile), fileMode(paths.adminFile)]).toEqual([0o600, 0o600]);
    });

    test('a complete directory: read, nothing to change or say; a bundle left readable by others is made 0600', async () => {
      const paths = await complete();
      fs.chmodSync(paths.secretsFile, 0o644);
      const prepared = await prepareTalosSecrets(paths, NOW);
      expect([prepared.changes, prepared.created, prepared.messages]).toEqual([[], [], []]);
      expect(serializeSecretsBundle(prepared.bundle)).toBe(serializeSecretsBundle(parseSecretsBundle(readFixture('secrets.yaml'))));
      expect(fileMode(paths.secretsFile)).toBe(0o600);
    });

    test('machine configs without their bundle: refused, naming the configs, never a new CA', async () => {
      const paths = fresh();
      fs.mkdirSync(paths.nodesDir, { recursive: true });
      for (const f of ['cp-1.yaml', 'cp-2.yaml', 'notes.txt']) fs.writeFileSync(path.join(paths.nodesDir, f), 'x');
      // Named in name order, whatever order the directory lists them in.
      await expect(withReaddirReversed(() => prepareTalosSecrets(paths, NOW))).rejects.toThrow(new TalosBundleStateError(
        `${paths.secretsFile} is missing but ${paths.nodesDir} holds machine configs made from a bundle (cp-1.yaml, cp-2.yaml); restore the bundle from your backup or adopt it with \`npm run talos -- import FILE\`. To start a new cluster on purpose, delete ${paths.nodesDir} first`,
      ));
      // Other files there are no configs.
      for (const f of ['cp-1.yaml', 'cp-2.yaml']) fs.rmSync(path.join(paths.nodesDir, f));
      expect((await prepareTalosSecrets(paths, NOW)).messages[0]).toMatch(/^created Talos secrets bundle/);
    });

    test('missing files restored from their decrypted copies, and said; a copy from another bundle\'s CA is not restored', async () => {
      const source = await complete();
      const bundleText = fs.readFileSync(source.secretsFile, 'utf8');
      const adminText = fs.readFileSync(source.adminFile, 'utf8');
      const paths = fresh();
      const restored = await prepareTalosSecrets(paths, NOW, { bundle: bundleText, admin: adminText, from: 'dist/talos' });
      expect(restored.messages).toEqual([
        `restored the Talos secrets bundle ${paths.secretsFile} from its encrypted copy in dist/talos`,
        `restored the os:admin client certificate ${paths.adminFile} from its encrypted copy in dist/talos`,
      ]);
      expect(restored.changes).toEqual([
        { kind: 'create', path: paths.secretsFile, content: serializeSecretsBundle(parseSecretsBundle(bundleText)) },
        { kind: 'create', path: paths.adminFile, content: adminText },
      ]);
      expect(restored.created).toEqual([paths.secretsFile, paths.adminFile]);
      // An admin certificate of another bundle: a new one is issued instead.
      const other = await prepareTalosSecrets(fresh(), NOW, { admin: adminText, from: 'dist/talos' });
      expect(other.messages.slice(1)).toEqual([
        'the admin certificate in dist/talos was not issued by this bundle\'s OS CA: not restored, a new one is issued',
        expect.stringMatching(/^issued os:admin client certificate /),
      ]);
      // A copy that is no bundle is named by where it came from.
      await expect(prepareTalosSecrets(fresh(), NOW, { bundle: 'x: 1\n', from: 'dist/talos' })).rejects.toThrow(/dist\/talos \(decrypted\)/);
      // So is a decrypted admin copy that is no certificate, with the bundle restored or found on disk.
      const noAdmin = `dist/talos (decrypted): crt is missing; run \`talos renew-admin\` to issue a new certificate`;
      await expect(prepareTalosSecrets(fresh(), NOW, { bundle: bundleText, admin: 'key: k\n', from: 'dist/talos' })).rejects.toThrow(new Error(noAdmin));
      const withBundle = fresh();
      fs.mkdirSync(withBundle.dir, { recursive: true });
      fs.writeFileSync(withBundle.secretsFile, bundleText, { mode: 0o600 });
      await expect(prepareTalosSecrets(withBundle, NOW, { admin: '', from: 'dist/talos' })).rejects.toThrow(new Error(noAdmin));
    });

    test('an admin certificate file that cannot be used is an error naming the fix, never replaced', async () => {
      const paths = await complete();
      const admin = YAML.parse(fs.readFileSync(paths.adminFile, 'utf8')) as { crt: string; key: string };
      const other = await issueClientCertificate(parseSecretsBundle(readFixture('secrets.yaml')).certs.os, { now: NOW });
      const cases: [string, string][] = [
        ['', `${paths.adminFile}: crt is missing; run \`talos renew-admin\` to issue a new certificate`],
        [`key: ${admin.key}\n`, `${paths.adminFile}: crt is missing; run \`talos renew-admin\` to issue a new certificate`],
        [`crt: ${admin.crt}\nkey: ""\n`, `${paths.adminFile}: key is missing; run \`talos renew-admin\` to issue a new certificate`],
        [`crt: ${admin.crt}\nkey: 5\n`, `${paths.adminFile}: key is missing; run \`talos renew-admin\` to issue a new certificate`],
        [serializeAdmin({ crt: Buffer.from(admin.crt, 'base64').toString(), key: other.key }), `${paths.adminFile}: key does not belong to crt; run \`talos renew-admin\``],
      ];
      for (const [text, message] of cases) {
        fs.writeFileSync(paths.adminFile, text);
        await expect(prepareTalosSecrets(paths, NOW)).rejects.toThrow(new Error(message));
        expect(fs.readFileSync(paths.adminFile, 'utf8')).toBe(text);
      }
      // One from another bundle's CA.
      const foreign = await prepareTalosSecrets(fresh(), NOW);
      fs.writeFileSync(paths.adminFile, serializeAdmin(foreign.admin));
      await expect(prepareTalosSecrets(paths, NOW)).rejects.toThrow(new Error(`${paths.adminFile} was not issued by the bundle's OS CA (certs.os); run \`talos renew-admin\` to issue one from this bundle`));
    });

    test('the admin certificate\'s expiry: a warning from 30 days before, then the days since', async () => {
      const paths = await complete();
      const validTo = NOW.getTime() - (NOW.getTime() % 1000) + ADMIN_CERT_VALIDITY_HOURS * 3_600_000;
      const warning = async (at: number) => (await prepareTalosSecrets(paths, new Date(at))).messages;
      expect(await warning(validTo - 30 * DAY)).toEqual([]);
      expect(await warning(validTo - 30 * DAY + 1)).toEqual(['WARNING: the talosconfig admin certificate expires in 29 days; run `talos renew-admin`']);
      expect(await warning(validTo - 2 * DAY + 1)).toEqual(['WARNING: the talosconfig admin certificate expires in 1 day; run `talos renew-admin`']);
      expect(await warning(validTo - 1)).toEqual(['WARNING: the talosconfig admin certificate expires in 0 days; run `talos renew-admin`']);
      expect(await warning(validTo)).toEqual(['WARNING: the talosconfig admin certificate expires in 0 days; run `talos renew-admin`']);
      expect(await warning(validTo + 1)).toEqual(['WARNING: the talosconfig admin certificate expired 1 day ago; run `talos renew-admin`']);
      expect(await warning(validTo + 3 * DAY)).toEqual(['WARNING: the talosconfig admin certificate expired 3 days ago; run `talos renew-admin`']);
    });
  });

  describe('backups, rotate, import and renew-admin', () => {
    test('a backup moves the bundle and certificate to backups/<UTC stamp>/ (0700), never over an existing one', async () => {
      const paths = await complete();
      const bundle = fs.readFileSync(paths.secretsFile, 'utf8');
      const target = backupTalosSecrets(paths, NOW)!;
      expect(target).toBe(path.join(paths.backupsDir, STAMP));
      expect(fs.readdirSync(target).sort()).toEqual(['admin-client.yaml', 'secrets.yaml']);
      expect(fs.readFileSync(path.join(target, 'secrets.yaml'), 'utf8')).toBe(bundle);
      expect(fileMode(target)).toBe(0o700);
      expect([fs.existsSync(paths.secretsFile), fs.existsSync(paths.adminFile)]).toEqual([false, false]);
      // Nothing left to back up.
      expect(backupTalosSecrets(paths, NOW)).toBeUndefined();
      // The same stamp again is refused, the first backup intact.
      fs.writeFileSync(paths.adminFile, 'x');
      expect(() => backupTalosSecrets(paths, NOW)).toThrow(/EEXIST/);
      expect(fs.readFileSync(path.join(target, 'secrets.yaml'), 'utf8')).toBe(bundle);
    });

    test('the bundles replaced on purpose are those in backups/, oldest first', async () => {
      const paths = await complete();
      expect(replacedTalosBundles(paths)).toEqual([]);
      for (const [stampDir, text] of [['2026-02-01T00-00-00Z', 'b'], ['2026-01-01T00-00-00Z', 'a'], ['2026-03-01T00-00-00Z-admin', undefined]] as const) {
        fs.mkdirSync(path.join(paths.backupsDir, stampDir), { recursive: true });
        if (text) fs.writeFileSync(path.join(paths.backupsDir, stampDir, 'secrets.yaml'), text);
      }
      expect(replacedTalosBundles(paths)).toEqual(['a', 'b']);
      // Oldest first by name, whatever order the directory lists them in.
      expect(await withReaddirReversed(async () => replacedTalosBundles(paths))).toEqual(['a', 'b']);
    });

    test('rotate backs up and creates a new bundle', async () => {
      const paths = await complete();
      const old = fs.readFileSync(paths.secretsFile, 'utf8');
      const { backupDir, loaded } = await rotateTalosSecrets(paths, NOW);
      expect(backupDir).toBe(path.join(paths.backupsDir, STAMP));
      expect(loaded.messages[0]).toBe(`created Talos secrets bundle ${paths.secretsFile} (back it up: a live cluster cannot be recovered without it)`);
      expect(fs.readFileSync(paths.secretsFile, 'utf8')).not.toBe(old);
      expect(replacedTalosBundles(paths)).toEqual([old]);
    });

    test('import adopts a talosctl bundle in canonical form; over an existing one only with replace', async () => {
      const source = path.join(tempProject('store-src-'), 'talosctl-secrets.yaml');
      fs.writeFileSync(source, readFixture('secrets.yaml'));
      const paths = fresh();
      const first = await importTalosSecrets(paths, source, { now: NOW });
      expect(first.backupDir).toBeUndefined();
      expect(fs.readFileSync(paths.secretsFile, 'utf8')).toBe(serializeSecretsBundle(parseSecretsBundle(readFixture('secrets.yaml'))));
      expect(first.loaded.messages).toEqual([`issued os:admin client certificate ${paths.adminFile} (valid 1 year)`]);
      await expect(importTalosSecrets(paths, source, { now: NOW })).rejects.toThrow(new Error(
        `${paths.secretsFile} already exists; refusing to overwrite it. Re-run the import with --replace to move it to ${paths.backupsDir}/ first`,
      ));
      await expect(importTalosSecrets(paths, source, { now: NOW, replace: false })).rejects.toThrow(/refusing to overwrite/);
      const replaced = await importTalosSecrets(paths, source, { now: NOW, replace: true });
      expect(replaced.backupDir).toBe(path.join(paths.backupsDir, STAMP));
    });

    test('renew-admin moves the old certificate to backups/<stamp>-admin and issues a new one; without one it only issues', async () => {
      const paths = await complete();
      const old = fs.readFileSync(paths.adminFile, 'utf8');
      const later = new Date(NOW.getTime() + 2000);
      const { backupDir } = await renewAdminCertificate(paths, later);
      expect(backupDir).toBe(path.join(paths.backupsDir, '2026-12-04T10-00-02Z-admin'));
      expect(fs.readFileSync(path.join(backupDir!, 'admin-client.yaml'), 'utf8')).toBe(old);
      expect(fileMode(backupDir!)).toBe(0o700);
      const renewed = fs.readFileSync(paths.adminFile, 'utf8');
      expect(renewed).not.toBe(old);
      expect(fileMode(paths.adminFile)).toBe(0o600);
      fs.rmSync(paths.adminFile);
      expect(await renewAdminCertificate(paths, later)).toEqual({ backupDir: undefined });
      expect(fs.existsSync(paths.adminFile)).toBe(true);
    });
  });
});
