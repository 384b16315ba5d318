/**
 * Lifecycle of the Talos secrets bundle on disk. Created on the first run, reused on every run
 * after, never overwritten: a replacement only happens through `rotate` or `import --replace`,
 * which first move the current bundle (and its admin certificate) to a timestamped backup.
 *
 * Layout under <secretsDir>/talos/ (all 0600 files in 0700 directories):
 *   secrets.yaml          talosctl `gen secrets` format
 *   admin-client.yaml     os:admin client certificate, issued once so talosconfig is stable
 *   talosconfig           client config (endpoints = node IPs)
 *   nodes/<host>.yaml     machine config per node (also the nocloud user-data snippet)
 *   backups/<UTC stamp>/  bundles replaced by rotate/import
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { toGoYaml } from './go-yaml';
import { certificateMatchesKey, isIssuedBy, issueClientCertificate, pemDecode, PemCertificateAndKey } from './pki';
import { encodePem, generateSecretsBundle, parseSecretsBundle, serializeSecretsBundle, TalosSecretsBundle } from './secrets-bundle';
import { applySecretChanges, createSecretFileExclusively, ensureSecretDir, type SecretChange } from '../render/secret-files';

export interface TalosSecretsPaths {
  readonly dir: string;
  readonly secretsFile: string;
  readonly adminFile: string;
  readonly talosconfigFile: string;
  readonly nodesDir: string;
  readonly backupsDir: string;
}

export function talosSecretsPaths(projectRoot: string, secretsDir: string): TalosSecretsPaths {
  const dir = path.resolve(projectRoot, secretsDir, 'talos');
  return {
    dir,
    secretsFile: path.join(dir, 'secrets.yaml'),
    adminFile: path.join(dir, 'admin-client.yaml'),
    talosconfigFile: path.join(dir, 'talosconfig'),
    nodesDir: path.join(dir, 'nodes'),
    backupsDir: path.join(dir, 'backups'),
  };
}

/** The secrets directory is in a state where creating or replacing the bundle would be unsafe. */
export class TalosBundleStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TalosBundleStateError';
  }
}

export interface LoadedTalosSecrets {
  readonly bundle: TalosSecretsBundle;
  readonly admin: PemCertificateAndKey;
  /** What happened, one line each (created bundle, issued certificate, expiry warnings). */
  readonly messages: readonly string[];
  /** Files this call created. */
  readonly created: readonly string[];
}

/** Renders the admin certificate file. */
export function serializeAdmin(admin: PemCertificateAndKey): string {
  return toGoYaml({ crt: encodePem(admin.crt), key: encodePem(admin.key) });
}

function parseAdmin(text: string, file: string): PemCertificateAndKey {
  const raw = YAML.parse(text) as { crt?: unknown; key?: unknown } | null;
  const decode = (v: unknown, field: string) => {
    if (typeof v !== 'string' || !v) throw new Error(`${file}: ${field} is missing; run \`talos renew-admin\` to issue a new certificate`);
    const pem = Buffer.from(v, 'base64').toString('utf8');
    pemDecode(pem);
    return pem;
  };
  const admin = { crt: decode(raw?.crt, 'crt'), key: decode(raw?.key, 'key') };
  if (!certificateMatchesKey(admin.crt, admin.key)) throw new Error(`${file}: key does not belong to crt; run \`talos renew-admin\``);
  return admin;
}

function readBundle(paths: TalosSecretsPaths): TalosSecretsBundle {
  return parseSecretsBundle(fs.readFileSync(paths.secretsFile, 'utf8'), paths.secretsFile);
}

async function issueAdmin(paths: TalosSecretsPaths, bundle: TalosSecretsBundle, now: Date): Promise<PemCertificateAndKey> {
  const admin = await issueClientCertificate(bundle.certs.os, { now });
  createSecretFileExclusively(paths.adminFile, serializeAdmin(admin));
  return admin;
}

/** Plaintext decrypted from the encrypted copies in dist/, used only for files that are missing. */
export interface RecoveredTalosSecrets {
  /** secrets.yaml content. */
  readonly bundle?: string;
  /** admin-client.yaml content. */
  readonly admin?: string;
  /** Where it was decrypted from, for messages. @default 'dist/talos' */
  readonly from?: string;
}

export interface PreparedTalosSecrets extends LoadedTalosSecrets {
  /** Files to create (exclusively) for the bundle and admin certificate made in memory. */
  readonly changes: readonly SecretChange[];
}

/**
 * Load the bundle and admin certificate, creating whichever is missing. An existing file that
 * cannot be used is an error, never a reason to replace it.
 */
export async function loadOrCreateTalosSecrets(paths: TalosSecretsPaths, now: Date): Promise<LoadedTalosSecrets> {
  const prepared = await prepareTalosSecrets(paths, now);
  applySecretChanges(prepared.changes);
  return prepared;
}

/**
 * What loadOrCreateTalosSecrets does, without writing: a missing bundle or admin certificate is
 * made in memory and returned as changes, which the caller applies with the rest of its run.
 */
export async function prepareTalosSecrets(paths: TalosSecretsPaths, now: Date, recovered: RecoveredTalosSecrets = {}): Promise<PreparedTalosSecrets> {
  const messages: string[] = [];
  const created: string[] = [];
  const changes: SecretChange[] = [];
  let bundle: TalosSecretsBundle;
  if (fs.existsSync(paths.secretsFile)) {
    bundle = readBundle(paths);
    fs.chmodSync(paths.secretsFile, 0o600);
  } else if (recovered.bundle !== undefined) {
    bundle = parseSecretsBundle(recovered.bundle, `${recovered.from} (decrypted)`);
    changes.push({ kind: 'create', path: paths.secretsFile, content: serializeSecretsBundle(bundle) });
    created.push(paths.secretsFile);
    messages.push(`restored the Talos secrets bundle ${paths.secretsFile} from its encrypted copy in ${recovered.from}`);
  } else {
    const orphans = fs.existsSync(paths.nodesDir) ? fs.readdirSync(paths.nodesDir).filter((f) => f.endsWith('.yaml')).sort() : [];
    if (orphans.length > 0) {
      // Configs without their bundle: it was lost or moved. A new bundle means new CAs, and every
      // running node would reject the next config: refuse instead of locking the operator out.
      throw new TalosBundleStateError(`${paths.secretsFile} is missing but ${paths.nodesDir} holds machine configs made from a bundle (${orphans.join(', ')}); restore the bundle from your backup or adopt it with \`npm run talos -- import FILE\`. To start a new cluster on purpose, delete ${paths.nodesDir} first`);
    }
    bundle = await generateSecretsBundle(now);
    changes.push({ kind: 'create', path: paths.secretsFile, content: serializeSecretsBundle(bundle) });
    created.push(paths.secretsFile);
    messages.push(`created Talos secrets bundle ${paths.secretsFile} (back it up: a live cluster cannot be recovered without it)`);
  }
  let admin: PemCertificateAndKey;
  if (fs.existsSync(paths.adminFile)) {
    admin = parseAdmin(fs.readFileSync(paths.adminFile, 'utf8'), paths.adminFile);
    if (!isIssuedBy(admin.crt, bundle.certs.os.crt)) {
      throw new Error(`${paths.adminFile} was not issued by the bundle's OS CA (certs.os); run \`talos renew-admin\` to issue one from this bundle`);
    }
  } else if (recovered.admin !== undefined && isIssuedBy((admin = parseAdmin(recovered.admin, `${recovered.from} (decrypted)`)).crt, bundle.certs.os.crt)) {
    changes.push({ kind: 'create', path: paths.adminFile, content: serializeAdmin(admin) });
    created.push(paths.adminFile);
    messages.push(`restored the os:admin client certificate ${paths.adminFile} from its encrypted copy in ${recovered.from}`);
  } else {
    if (recovered.admin !== undefined) messages.push(`the admin certificate in ${recovered.from} was not issued by this bundle's OS CA: not restored, a new one is issued`);
    admin = await issueClientCertificate(bundle.certs.os, { now });
    changes.push({ kind: 'create', path: paths.adminFile, content: serializeAdmin(admin) });
    created.push(paths.adminFile);
    messages.push(`issued os:admin client certificate ${paths.adminFile} (valid 1 year)`);
  }
  const daysLeft = Math.floor((new Date(new crypto.X509Certificate(admin.crt).validTo).getTime() - now.getTime()) / 86400000);
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (daysLeft < 0) messages.push(`WARNING: the talosconfig admin certificate expired ${days(-daysLeft)} ago; run \`talos renew-admin\``);
  else if (daysLeft < 30) messages.push(`WARNING: the talosconfig admin certificate expires in ${days(daysLeft)}; run \`talos renew-admin\``);
  return { bundle, admin, messages, created, changes };
}

function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** The bundles rotate and import moved to backups/ (secrets.yaml contents): replaced on purpose. */
export function replacedTalosBundles(paths: TalosSecretsPaths): string[] {
  if (!fs.existsSync(paths.backupsDir)) return [];
  return fs.readdirSync(paths.backupsDir).sort()
    .map((stampDir) => path.join(paths.backupsDir, stampDir, 'secrets.yaml'))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'));
}

/** Move the bundle and admin certificate to backups/<stamp>/; returns that directory, or undefined when there was nothing. */
export function backupTalosSecrets(paths: TalosSecretsPaths, now: Date): string | undefined {
  const present = [paths.secretsFile, paths.adminFile].filter((f) => fs.existsSync(f));
  if (present.length === 0) return undefined;
  ensureSecretDir(paths.backupsDir);
  const target = path.join(paths.backupsDir, stamp(now));
  fs.mkdirSync(target, { mode: 0o700 }); // fails if a backup with this stamp exists: never overwrite one
  for (const file of present) fs.renameSync(file, path.join(target, path.basename(file)));
  return target;
}

/** Back up the current bundle and create a new one. Every node must then be rebuilt or re-keyed. */
export async function rotateTalosSecrets(paths: TalosSecretsPaths, now: Date): Promise<{ backupDir?: string; loaded: LoadedTalosSecrets }> {
  const backupDir = backupTalosSecrets(paths, now);
  const loaded = await loadOrCreateTalosSecrets(paths, now);
  return { backupDir, loaded };
}

export interface ImportOptions {
  /** Move an existing bundle to a backup first instead of refusing. @default false */
  readonly replace?: boolean;
  readonly now: Date;
}

/** Adopt a talosctl secrets.yaml (validated first; written in canonical form). */
export async function importTalosSecrets(paths: TalosSecretsPaths, sourceFile: string, options: ImportOptions): Promise<{ backupDir?: string; loaded: LoadedTalosSecrets }> {
  const bundle = parseSecretsBundle(fs.readFileSync(sourceFile, 'utf8'), sourceFile);
  if (fs.existsSync(paths.secretsFile) && !options.replace) {
    throw new Error(`${paths.secretsFile} already exists; refusing to overwrite it. Re-run the import with --replace to move it to ${paths.backupsDir}/ first`);
  }
  const backupDir = options.replace ? backupTalosSecrets(paths, options.now) : undefined;
  ensureSecretDir(paths.dir);
  createSecretFileExclusively(paths.secretsFile, serializeSecretsBundle(bundle));
  const loaded = await loadOrCreateTalosSecrets(paths, options.now);
  return { backupDir, loaded };
}

/** Replace the admin certificate (expired, or the bundle changed): old one goes to backups/. */
export async function renewAdminCertificate(paths: TalosSecretsPaths, now: Date): Promise<{ backupDir?: string }> {
  const bundle = readBundle(paths);
  let backupDir: string | undefined;
  if (fs.existsSync(paths.adminFile)) {
    ensureSecretDir(paths.backupsDir);
    backupDir = path.join(paths.backupsDir, `${stamp(now)}-admin`);
    fs.mkdirSync(backupDir, { mode: 0o700 });
    fs.renameSync(paths.adminFile, path.join(backupDir, path.basename(paths.adminFile)));
  }
  await issueAdmin(paths, bundle, now);
  return { backupDir };
}
