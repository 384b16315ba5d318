/**
 * The SOPS-encrypted files of dist/ (secrets.encryption: sops-age): their contents, and what can
 * be recovered from them. Encryption is randomized, so a file is re-encrypted only when its
 * plaintext, its recipients or its rules changed; otherwise the file already in dist/ is kept
 * byte for byte (staleReason, the rule of encryptUnlessUnchanged, on the file opened once). Operator-filled Secrets are never regenerated: the
 * file in dist/ is what the operator wrote with `sops`, only re-keyed when the recipients change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Site } from '../site';
import {
  KUBERNETES_SECRET_REGEX, decryptSopsYaml, encryptSopsYaml, sameRecipients, sopsRecipients, staleReason, toTree, treeToObject, treeToYaml,
  type DecryptedSopsFile, type SopsEncryptOptions, type SopsMap,
} from '../encryption';
import { GENERATED_SECRET_LABEL, type SecretManifest } from '../charts/secrets/stack-secrets';
import { PLACEHOLDER_URL, PLACEHOLDER_VALUE, USED_BY_ANNOTATION, operatorSecretSpecs, type OperatorSecretSpec } from '../charts/secrets/operator-secrets';
import { SECRETS_DIR } from '../gitops/layers';
import { SOPS_SUFFIX, TALOS_ENCRYPTED_FILES, encryptedSecretFiles, isEncrypting } from './encrypted-layout';
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
  /**
   * secrets.yaml of the bundles `talos rotate` / `talos import --replace` moved to backups/: the
   * bundle in dist/ may be replaced only when it is one of them (replaced on purpose). @default []
   */
  readonly replacedBundles?: readonly string[];
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

/** A file in dist/ decrypted; an EncryptionKeyError that says which keys it wants when none opens it. */
async function openExisting(file: string, text: string, identities: readonly string[]): Promise<DecryptedSopsFile> {
  const wants = (() => {
    try {
      return sopsRecipients(text).join(', ');
    } catch {
      return 'no age recipient (not a SOPS file with age keys)';
    }
  })();
  if (identities.length === 0) {
    throw new EncryptionKeyError(`dist/${file} exists but no age identity was found to open it (synth compares it with the current values and re-encrypts only on a change); ${KEY_FIX}`);
  }
  try {
    return await decryptSopsYaml(text, identities);
  } catch (error) {
    throw new EncryptionKeyError(`dist/${file} does not open with the ${identities.length} age identit${identities.length === 1 ? 'y' : 'ies'} found (${(error as Error).message}); it is encrypted to ${wants}. Use one of their keys, or if the file was altered, restore it from git. Nothing was written`);
  }
}

const sameYaml = (a: SopsMap, b: string | object) => treeToYaml(a) === treeToYaml(toTree(b));

/** The encrypted files of dist/ for this site, kept where nothing changed. */
export async function renderEncryptedFiles(input: EncryptedFilesInput): Promise<EncryptedFiles> {
  const { site, outDir, identities } = input;
  if (!isEncrypting(site)) return { files: [], messages: [] };
  const recipients = site.secrets.ageRecipients;
  const options = (rules: Partial<SopsEncryptOptions>): SopsEncryptOptions => ({ ...rules, ageRecipients: recipients, now: input.now });
  const files: OutputFile[] = [];
  const messages: string[] = [];

  /** The existing file when its plaintext, recipients and rules are unchanged, else a fresh encryption. */
  const keepOrEncrypt = async (file: string, document: object, opts: SopsEncryptOptions, guard?: (opened: DecryptedSopsFile) => void) => {
    const existing = readExistingFile(outDir, file);
    if (existing !== undefined) {
      const opened = await openExisting(file, existing, identities);
      guard?.(opened);
      const stale = input.reencrypt ? 'rotation: a fresh data key' : staleReason(opened, toTree(document), opts);
      if (stale === undefined) {
        files.push({ path: file, content: existing });
        return;
      }
      messages.push(`re-encrypted dist/${file} (${stale})`);
    }
    files.push({ path: file, content: await encryptSopsYaml(document, opts) });
  };

  const generated = new Map(input.generated.map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]));
  const operator = new Map(operatorSecretSpecs(site).map((s) => [`${s.namespace}/${s.name}`, s]));
  const secretRules = options({ encryptedRegex: KUBERNETES_SECRET_REGEX });
  for (const entry of encryptedSecretFiles(site)) {
    const key = `${entry.namespace}/${entry.name}`;
    if (entry.source === 'generated') {
      const manifest = generated.get(key);
      if (!manifest) throw new Error(`internal: no generated values for Secret ${key}`);
      await keepOrEncrypt(entry.path, manifest, secretRules);
    } else {
      files.push(await operatorFile(entry.path, operator.get(key)!));
    }
  }

  /** An operator-filled Secret: the operator's file, re-keyed or moved only when the site says so. */
  async function operatorFile(file: string, spec: OperatorSecretSpec): Promise<OutputFile> {
    const existing = readExistingFile(outDir, file);
    if (existing === undefined) {
      const placeholder = {
        apiVersion: 'v1', kind: 'Secret',
        metadata: { name: spec.name, namespace: spec.namespace, labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' }, annotations: { [USED_BY_ANNOTATION]: spec.usedBy } },
        type: 'Opaque',
        stringData: { ...spec.placeholder },
      };
      messages.push(`created dist/${file} with placeholder values for ${spec.usedBy}: fill it with \`sops dist/${file}\``);
      return { path: file, content: await encryptSopsYaml(placeholder, secretRules) };
    }
    const opened = await openExisting(file, existing, identities);
    const found = opened.tree.get('metadata');
    const metadata = found instanceof Map ? found as SopsMap : undefined; // a scalar or a list there names nothing
    const name = metadata?.get('name');
    const namespace = metadata?.get('namespace');
    if (typeof name !== 'string' || typeof namespace !== 'string' || opened.metadata.encryptedRegex !== KUBERNETES_SECRET_REGEX) {
      throw new EncryptionKeyError(`dist/${file} must encrypt only data and stringData (encrypted_regex ${KUBERNETES_SECRET_REGEX}) and name its Secret in the clear: Flux and KSOPS read kind and metadata before decrypting. Re-create it with the .sops.yaml rules (npm run secrets -- init writes them)`);
    }
    const values = opened.tree.get('stringData') instanceof Map ? [...(opened.tree.get('stringData') as SopsMap).entries()] : [];
    const unfilled = values.filter(([, v]) => v === PLACEHOLDER_VALUE || v === PLACEHOLDER_URL).map(([k]) => k);
    if (unfilled.length > 0) messages.push(`dist/${file} still holds placeholder values (${unfilled.join(', ')}) for ${spec.usedBy}: fill it with \`sops dist/${file}\``);
    const moved = name !== spec.name || namespace !== spec.namespace;
    if (sameRecipients(opened.metadata, recipients) && !moved && !input.reencrypt) return { path: file, content: existing }; // the operator's values, byte for byte
    if (moved) {
      metadata!.set('name', spec.name);
      metadata!.set('namespace', spec.namespace);
      messages.push(`dist/${file}: Secret ${namespace}/${name} is now ${spec.namespace}/${spec.name} (values kept)`);
    } else {
      messages.push(`re-encrypted dist/${file} for ${recipients.length} recipient(s), values kept`);
    }
    const { encryptedRegex, unencryptedSuffix, encryptedSuffix, unencryptedRegex, macOnlyEncrypted } = opened.metadata;
    return { path: file, content: await encryptSopsYaml(opened.tree, options({ encryptedRegex, unencryptedSuffix, encryptedSuffix, unencryptedRegex, macOnlyEncrypted })) };
  }

  if (input.talos) {
    // Every value of the Talos files is secret or harmless to hide: encrypt them whole.
    const whole = options({});
    const bundle = YAML.parse(input.talos.bundle) as object;
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.bundle, bundle, whole, (opened) => {
      if (sameYaml(opened.tree, bundle)) return;
      if ((input.replacedBundles ?? []).some((old) => sameYaml(opened.tree, YAML.parse(old) as object))) return; // rotated or imported on purpose
      throw new EncryptionKeyError(`dist/${TALOS_ENCRYPTED_FILES.bundle} holds another Talos secrets bundle than the secrets directory, and that one was not replaced by \`npm run talos -- rotate\` or \`import --replace\` (no backup of it). Nothing was written. If git's bundle is the cluster's, move <secretsDir>/talos/secrets.yaml and admin-client.yaml away and run synth to restore them from dist/; to switch bundles on purpose, use \`npm run talos -- import FILE --replace\``);
    });
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.admin, YAML.parse(input.talos.admin) as object, whole);
    await keepOrEncrypt(TALOS_ENCRYPTED_FILES.talosconfig, YAML.parse(input.talos.talosconfig) as object, whole);
  }
  return { files, messages };
}

/** What the encrypted copies in dist/ hold, for a secrets directory that lost its files. */
export interface RecoveredPlaintext {
  /** Generated Secrets decrypted from dist/secrets/ (by their role label, whatever their file name). */
  readonly generated: SecretManifest[];
  /** Talos bundle and admin certificate file contents (YAML), when present in dist/. */
  readonly talosBundle?: string;
  readonly talosAdmin?: string;
}

/**
 * Decrypts the encrypted copies of what the secrets directory is missing, whatever the site's
 * encryption setting now says (a site switched back to none still restores). An encrypted copy that
 * cannot be opened is an error: new values would not match the running cluster.
 */
export async function recoverFromDist(
  outDir: string,
  identities: readonly string[],
  missing: { readonly stackSecrets: boolean; readonly talosBundle: boolean; readonly talosAdmin: boolean },
): Promise<RecoveredPlaintext> {
  const open = async (file: string, text: string, what: string): Promise<Record<string, unknown>> => {
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
    const dir = path.join(outDir, SECRETS_DIR);
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(SOPS_SUFFIX)).sort() : [];
    for (const name of names) {
      const file = `${SECRETS_DIR}/${name}`;
      const text = fs.readFileSync(path.join(outDir, file), 'utf8');
      const clear = YAML.parse(text) as { metadata?: { labels?: Record<string, string> } } | null;
      if (!clear?.metadata?.labels?.[GENERATED_SECRET_LABEL]) continue; // operator-filled: dist/ is its only home anyway
      const manifest = await open(file, text, `the generated Secret in dist/${file}`) as unknown as SecretManifest;
      if (manifest.stringData && typeof manifest.stringData === 'object') generated.push(manifest);
    }
  }
  const talos = async (file: string, what: string, wanted: boolean) => {
    const text = wanted ? readExistingFile(outDir, file) : undefined;
    return text === undefined ? undefined : YAML.stringify(await open(file, text, what));
  };
  return {
    generated,
    talosBundle: await talos(TALOS_ENCRYPTED_FILES.bundle, 'the Talos secrets bundle', missing.talosBundle),
    talosAdmin: await talos(TALOS_ENCRYPTED_FILES.admin, 'the talosconfig admin certificate', missing.talosAdmin),
  };
}
