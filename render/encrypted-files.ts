/**
 * The SOPS-encrypted files of dist/ (secrets.encryption: sops-age): their contents, and what can
 * be recovered from them. Encryption is randomized, so a file is re-encrypted only when its
 * plaintext, its recipients or its rules changed; otherwise the file already in dist/ is kept
 * byte for byte (encryptUnlessUnchanged). Operator-filled Secrets are never regenerated: the
 * file in dist/ is what the operator wrote with `sops`, only re-keyed when the recipients change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Site } from '../site';
import {
  KUBERNETES_SECRET_REGEX, decryptSopsYaml, encryptSopsYaml, encryptUnlessUnchanged, sopsRecipients, treeToObject, type SopsEncryptOptions,
} from '../encryption';
import type { SecretManifest } from '../charts/secrets/stack-secrets';
import { operatorSecretSpecs } from '../charts/secrets/operator-secrets';
import { TALOS_ENCRYPTED_FILES, encryptedSecretFiles, isEncrypting } from './encrypted-layout';
import type { OutputFile } from './output-file';
import { EncryptionKeyError } from './encryption-errors';

export { EncryptionKeyError };

const KEY_FIX = 'set SOPS_AGE_KEY_FILE to an age key file whose public key is in secrets.ageRecipients (or put it at <secretsDir>/age/keys.txt)';

/** The Talos files to encrypt, as their plaintext file contents. */
export interface TalosPlaintext {
  readonly bundle: string;
  readonly admin: string;
  readonly talosconfig: string;
}

export interface EncryptedFilesInput {
  readonly site: Site;
  /** The dist/ being replaced: existing encrypted files are read from it. */
  readonly outDir: string;
  readonly identities: readonly string[];
  /** The generated Secrets with the values this run keeps (planStackSecretsFile). */
  readonly generated: readonly SecretManifest[];
  readonly talos?: TalosPlaintext;
  /** Fresh data keys for every file, even unchanged ones (`secrets rotate`). @default false */
  readonly reencrypt?: boolean;
  /** lastmodified of files encrypted on this run. @default now */
  readonly now?: Date;
}

export interface EncryptedFiles {
  readonly files: OutputFile[];
  /** What was (re-)encrypted and why, one line each. */
  readonly messages: string[];
}

function readExistingFile(outDir: string, file: string): string | undefined {
  const full = path.join(outDir, file);
  return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
}

/** The encrypted files of dist/ for this site, kept where nothing changed. */
export async function renderEncryptedFiles(input: EncryptedFilesInput): Promise<EncryptedFiles> {
  const { site, outDir, identities } = input;
  if (!isEncrypting(site)) return { files: [], messages: [] };
  const recipients = site.secrets.ageRecipients;
  const options = (rules: Partial<SopsEncryptOptions>): SopsEncryptOptions => ({ ...rules, ageRecipients: recipients, now: input.now });
  const files: OutputFile[] = [];
  const messages: string[] = [];

  const keepOrEncrypt = async (file: string, document: object, opts: SopsEncryptOptions) => {
    const existing = readExistingFile(outDir, file);
    if (existing !== undefined && identities.length === 0 && !input.reencrypt) {
      throw new EncryptionKeyError(`dist/${file} exists but no age identity was found to compare it with the current values (synth re-encrypts a file only when its values change); ${KEY_FIX}`);
    }
    const result = input.reencrypt
      ? { text: await encryptSopsYaml(document, opts), kept: false, reason: 'rotation: a fresh data key' }
      : await encryptUnlessUnchanged(existing, document, opts, identities);
    if (!result.kept && existing !== undefined) messages.push(`re-encrypted dist/${file} (${result.reason})`);
    files.push({ path: file, content: result.text });
  };

  const generated = new Map(input.generated.map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]));
  const operator = new Map(operatorSecretSpecs(site).map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const entry of encryptedSecretFiles(site)) {
    const key = `${entry.namespace}/${entry.name}`;
    const secretRules = options({ encryptedRegex: KUBERNETES_SECRET_REGEX });
    if (entry.source === 'generated') {
      const manifest = generated.get(key);
      if (!manifest) throw new Error(`internal: no generated values for Secret ${key}`);
      await keepOrEncrypt(entry.path, manifest, secretRules);
      continue;
    }
    const spec = operator.get(key)!;
    const existing = readExistingFile(outDir, entry.path);
    if (existing === undefined) {
      const placeholder = {
        apiVersion: 'v1', kind: 'Secret',
        metadata: { name: spec.name, namespace: spec.namespace, labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' }, annotations: { 'monitoring-stack/used-by': spec.usedBy } },
        type: 'Opaque',
        stringData: { ...spec.placeholder },
      };
      files.push({ path: entry.path, content: await encryptSopsYaml(placeholder, secretRules) });
      messages.push(`created dist/${entry.path} with placeholder values for ${spec.usedBy}: fill it with \`sops dist/${entry.path}\``);
      continue;
    }
    let had: string[];
    try {
      had = sopsRecipients(existing);
    } catch (error) {
      throw new EncryptionKeyError(`dist/${entry.path} is not a SOPS file any more (${(error as Error).message}); restore it from git, or delete it to start from a placeholder`);
    }
    const sameRecipients = had.length === recipients.length && had.every((r, i) => r === recipients[i]);
    if (sameRecipients && !input.reencrypt) {
      files.push({ path: entry.path, content: existing }); // the operator's values, byte for byte
      continue;
    }
    if (identities.length === 0) throw new EncryptionKeyError(`dist/${entry.path} must be re-encrypted for the new recipients, which needs an age identity that opens it; ${KEY_FIX}`);
    const opened = await decryptSopsYaml(existing, identities).catch((error: Error) => {
      throw new EncryptionKeyError(`dist/${entry.path} does not decrypt with the identities from ${identities.length} key(s): ${error.message}`);
    });
    const { encryptedRegex, unencryptedSuffix, encryptedSuffix, unencryptedRegex, macOnlyEncrypted } = opened.metadata;
    files.push({ path: entry.path, content: await encryptSopsYaml(opened.tree, options({ encryptedRegex, unencryptedSuffix, encryptedSuffix, unencryptedRegex, macOnlyEncrypted })) });
    messages.push(`re-encrypted dist/${entry.path} for ${recipients.length} recipient(s), values kept`);
  }

  if (input.talos) {
    // Every value of the Talos files is secret or harmless to hide: encrypt them whole.
    const whole = options({});
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.bundle, YAML.parse(input.talos.bundle) as object, whole);
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.admin, YAML.parse(input.talos.admin) as object, whole);
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.talosconfig, YAML.parse(input.talos.talosconfig) as object, whole);
  }
  return { files, messages };
}

/** What the encrypted copies in dist/ hold, for a secrets directory that lost its files. */
export interface RecoveredPlaintext {
  /** Generated Secrets, decrypted (empty when there is none or no plaintext was missing). */
  readonly generated: SecretManifest[];
  /** Talos bundle and admin certificate file contents (YAML), when present in dist/. */
  readonly talosBundle?: string;
  readonly talosAdmin?: string;
}

/**
 * Decrypts the encrypted copies of what the secrets directory is missing. An encrypted Talos
 * bundle that cannot be opened while the plaintext one is missing is an error: generating a new
 * bundle then would lock every running node out.
 */
export async function recoverFromDist(
  site: Site,
  outDir: string,
  identities: readonly string[],
  missing: { readonly stackSecrets: boolean; readonly talosBundle: boolean; readonly talosAdmin: boolean },
): Promise<RecoveredPlaintext> {
  const open = async (file: string, what: string): Promise<Record<string, unknown> | undefined> => {
    const text = readExistingFile(outDir, file);
    if (text === undefined) return undefined;
    if (identities.length === 0) {
      throw new EncryptionKeyError(`${what} is missing from the secrets directory and dist/${file} holds its encrypted copy, but no age identity was found to open it; ${KEY_FIX}. Nothing was generated: new key material would not match the running cluster (to start afresh on purpose, delete dist/${file})`);
    }
    try {
      return treeToObject((await decryptSopsYaml(text, identities)).tree);
    } catch (error) {
      throw new EncryptionKeyError(`${what} is missing from the secrets directory and dist/${file} does not open with the age identities found: ${(error as Error).message}. Nothing was generated; ${KEY_FIX}`);
    }
  };
  const generated: SecretManifest[] = [];
  if (missing.stackSecrets) {
    for (const entry of encryptedSecretFiles(site).filter((e) => e.source === 'generated')) {
      const manifest = await open(entry.path, `the generated Secret ${entry.namespace}/${entry.name}`);
      if (manifest) generated.push(manifest as unknown as SecretManifest);
    }
  }
  const asYaml = (o: Record<string, unknown> | undefined) => (o ? YAML.stringify(o) : undefined);
  return {
    generated,
    talosBundle: missing.talosBundle ? asYaml(await open(TALOS_ENCRYPTED_FILES.bundle, 'the Talos secrets bundle')) : undefined,
    talosAdmin: missing.talosAdmin ? asYaml(await open(TALOS_ENCRYPTED_FILES.admin, 'the talosconfig admin certificate')) : undefined,
  };
}
