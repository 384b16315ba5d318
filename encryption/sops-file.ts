/**
 * The SOPS file format for YAML, as `sops` (getsops/sops) writes it for Kubernetes Secrets.
 *
 * A file has a fresh 32-byte data key. Every leaf the rules select (`encrypted_regex`, or all but
 * `unencrypted_suffix` keys) becomes `ENC[AES256_GCM,…]` with its tree path as additional data
 * (sops.go Tree.Encrypt: the keys from the root joined by ':' plus a trailing ':'; list items take
 * their list's path). The MAC is SHA-512 over the plaintext bytes of every leaf in document order,
 * encrypted or not (unless `mac_only_encrypted`), as upper-case hex, itself encrypted with the data
 * key and the `lastmodified` timestamp as additional data (cmd/sops/common EncryptTree). The data key
 * is encrypted to each age recipient separately, as one armored age file each (age/keysource.go).
 *
 * Supported: one YAML document whose root is a mapping; age recipients in a single key group.
 * Comments are not carried over (the inputs here are generated, never hand-commented); a file using
 * comment-selection rules, key groups or other key services is refused with a message saying so.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as YAML from 'yaml';
import { decryptWithAgeIdentities, encryptToAgeRecipients } from './age';
import { DATA_KEY_BYTES, SopsScalar, decryptValue, encryptValue, plainBytes } from './sops-value';

/** A YAML tree as SOPS walks it: mappings keep their key order (Maps, never objects, for that). */
export type SopsNode = SopsScalar | null | SopsNode[] | SopsMap;
export type SopsMap = Map<string, SopsNode>;

/** The SOPS release whose format this module writes and was tested against (test/upstream/sops). */
export const SOPS_FORMAT_VERSION = '3.13.2';
/** SOPS' default when no selection rule is given (sops.go DefaultUnencryptedSuffix). */
export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';
/** The usual rule for Kubernetes Secrets: only the values under data and stringData. */
export const KUBERNETES_SECRET_REGEX = '^(data|stringData)$';

/** sops.go MACOnlyEncryptedInitialization: seeds the MAC when only encrypted values count. */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');
const METADATA_KEY = 'sops';

/** Which leaves are encrypted; at most one rule, as the sops CLI allows. */
export interface SopsRules {
  /**
   * Encrypt only leaves with a path key matching this regular expression (Go RE2 in SOPS;
   * keep to the syntax both engines share, e.g. `^(data|stringData)$`).
   * @default - Not set: every leaf except those under an `unencryptedSuffix` key.
   */
  readonly encryptedRegex?: string;
  /**
   * Leave leaves with a path key ending in this suffix in the clear.
   * @default '_unencrypted' when no other rule is set
   */
  readonly unencryptedSuffix?: string;
  /** Encrypt only leaves with a path key ending in this suffix. @default - Not set. */
  readonly encryptedSuffix?: string;
  /** Leave leaves with a path key matching this regular expression in the clear. @default - Not set. */
  readonly unencryptedRegex?: string;
  /** The MAC covers only the encrypted leaves. @default false */
  readonly macOnlyEncrypted?: boolean;
}

export interface SopsEncryptOptions extends SopsRules {
  /** age recipients (`age1…`); each gets its own copy of the data key. */
  readonly ageRecipients: readonly string[];
  /** The `lastmodified` stamp. @default - now */
  readonly now?: Date;
}

/** The `sops:` block, as read from a file. */
export interface SopsMetadata extends SopsRules {
  readonly age: ReadonlyArray<{ readonly recipient: string; readonly enc: string }>;
  readonly lastmodified: string;
  readonly mac: string;
  readonly version: string;
}

export interface DecryptedSopsFile {
  /** The plaintext tree, mappings as Maps in file order. */
  readonly tree: SopsMap;
  /** The metadata block the file carried. */
  readonly metadata: SopsMetadata;
}

/** Encrypts a YAML document (text, or an already parsed object) into a SOPS YAML file. */
export async function encryptSopsYaml(document: string | object, options: SopsEncryptOptions): Promise<string> {
  const tree = toTree(document);
  if (tree.has(METADATA_KEY)) throw new Error('SOPS: the document already has a top-level "sops" key (already encrypted?); SOPS reserves it for its metadata');
  if (options.ageRecipients.length === 0) throw new Error('SOPS: no age recipients given; pass at least one age1… public key');
  const rules = effectiveRules(options);
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const mac = macHash(rules);
  const encrypted = walk(tree, [], (leaf, path) => {
    const encrypt = shouldEncrypt(path, rules);
    if (encrypt || !rules.macOnlyEncrypted) mac.update(plainBytes(leaf).bytes);
    return encrypt ? encryptValue(leaf, dataKey, sopsPath(path)) : leaf;
  }) as SopsMap;
  const lastmodified = rfc3339(options.now ?? new Date());
  const age = [];
  for (const recipient of options.ageRecipients) {
    age.push({ recipient, enc: await encryptToAgeRecipients(dataKey, [recipient]) });
  }
  const metadata: SopsMetadata = {
    age,
    lastmodified,
    mac: encryptValue(mac.digest('hex').toUpperCase(), dataKey, lastmodified),
    ...rules,
    version: SOPS_FORMAT_VERSION,
  };
  return emit(encrypted, metadata);
}

/**
 * Decrypts a SOPS YAML file with any of the age identities. Throws on a value that fails
 * authentication, on a MAC that does not decrypt or does not match the values, and when no identity
 * opens the data key.
 */
export async function decryptSopsYaml(text: string, identities: readonly string[]): Promise<DecryptedSopsFile> {
  const root = toTree(text);
  const metadata = readMetadata(root.get(METADATA_KEY));
  root.delete(METADATA_KEY);
  const dataKey = await openDataKey(metadata, identities);
  const mac = macHash(metadata);
  const tree = walk(root, [], (leaf, path) => {
    const encrypted = shouldEncrypt(path, metadata);
    let value = leaf;
    if (encrypted) {
      if (typeof leaf !== 'string') throw new Error(`SOPS: "${sopsPath(path)}" should be encrypted but holds the ${typeof leaf} ${String(leaf)}`);
      value = decryptValue(leaf, dataKey, sopsPath(path));
    }
    if (encrypted || !metadata.macOnlyEncrypted) mac.update(plainBytes(value).bytes);
    return value;
  }) as SopsMap;
  const computed = mac.digest('hex').toUpperCase();
  let stored: SopsScalar;
  try {
    stored = decryptValue(metadata.mac, dataKey, macAdditionalData(metadata.lastmodified));
  } catch {
    throw new Error(`SOPS: cannot decrypt the MAC (sops.mac or sops.lastmodified was altered); the file cannot be trusted`);
  }
  if (stored !== computed) {
    throw new Error(`SOPS: MAC mismatch: the file's values do not match its MAC (a value was altered, added, removed or reordered); file has ${String(stored).slice(0, 16)}…, computed ${computed.slice(0, 16)}…`);
  }
  return { tree, metadata };
}

/** A tree as plain YAML text (what `sops -d` prints, modulo indentation). */
export function treeToYaml(tree: SopsMap): string {
  return YAML.stringify(tree, { lineWidth: 0 });
}

/** A tree as plain objects (Kubernetes manifests, JSON). */
export function treeToObject(tree: SopsMap): Record<string, unknown> {
  return YAML.parse(treeToYaml(tree)) as Record<string, unknown>;
}

/** The additional data of the leaf at `path` (sops.go: strings.Join(path, ":") + ":"). */
export function sopsPath(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

/** Whether the leaf at `path` is encrypted under the rules (sops.go Tree.shouldBeEncrypted, in its order). */
export function shouldEncrypt(path: readonly string[], rules: SopsRules): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix) {
    if (path.some((key) => key.endsWith(rules.unencryptedSuffix!))) encrypted = false;
  }
  if (rules.encryptedSuffix) encrypted = path.some((key) => key.endsWith(rules.encryptedSuffix!));
  if (rules.unencryptedRegex) {
    const re = new RegExp(rules.unencryptedRegex);
    if (path.some((key) => re.test(key))) encrypted = false;
  }
  if (rules.encryptedRegex) {
    const re = new RegExp(rules.encryptedRegex);
    encrypted = path.some((key) => re.test(key));
  }
  return encrypted;
}

/** Parses a document into a tree, or converts an object; the root must be a mapping with string keys. */
export function toTree(document: string | object): SopsMap {
  let value: unknown;
  if (typeof document === 'string') {
    const docs = YAML.parseAllDocuments(document);
    if (docs.length !== 1) throw new Error(`SOPS: expected one YAML document, found ${docs.length}; encrypt each Kubernetes object into its own file`);
    const [doc] = docs;
    if (doc.errors.length > 0) throw new Error(`SOPS: the YAML does not parse: ${doc.errors[0].message}`);
    value = doc.toJS({ mapAsMap: true });
  } else {
    value = document;
  }
  const tree = toNode(value, []);
  if (!(tree instanceof Map)) throw new Error('SOPS: the document root must be a mapping (a Kubernetes object), not a list or a scalar');
  return tree;
}

function toNode(value: unknown, path: string[]): SopsNode {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => toNode(item, path));
  const entries = value instanceof Map ? [...value.entries()] : isPlainObject(value) ? Object.entries(value) : undefined;
  if (!entries) throw new Error(`SOPS: cannot encrypt the ${Object.prototype.toString.call(value)} at "${sopsPath(path)}"; use strings, numbers, booleans, lists and mappings`);
  const map: SopsMap = new Map();
  for (const [key, item] of entries) {
    if (typeof key !== 'string') throw new Error(`SOPS: the key ${String(key)} under "${sopsPath(path)}" is not a string; SOPS supports only string keys (quote it)`);
    map.set(key, toNode(item, [...path, key]));
  }
  return map;
}

/** A plain object, also from another realm (structuredClone, vm contexts), unlike `constructor === Object`. */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.prototype.toString.call(value) === '[object Object]' && Object.getPrototypeOf(proto) === null;
}

/** sops.go walkBranch/walkSlice: depth first in document order; null is neither walked nor hashed. */
function walk(node: SopsNode, path: string[], onLeaf: (leaf: SopsScalar, path: string[]) => SopsScalar): SopsNode {
  if (node === null) return null;
  if (node instanceof Map) {
    const out: SopsMap = new Map();
    for (const [key, value] of node) out.set(key, walk(value, [...path, key], onLeaf));
    return out;
  }
  if (Array.isArray(node)) return node.map((item) => walk(item, path, onLeaf));
  return onLeaf(node, path);
}

/** The rules a file is written with: the one given, else SOPS' default unencrypted suffix. */
export function effectiveRules(options: SopsRules): SopsRules {
  const set = (['encryptedRegex', 'unencryptedSuffix', 'encryptedSuffix', 'unencryptedRegex'] as const).filter((k) => options[k] !== undefined && options[k] !== '');
  if (set.length > 1) throw new Error(`SOPS: give at most one selection rule, got ${set.join(' and ')} (sops refuses more than one)`);
  const rules: SopsRules = set.length === 0 ? { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX } : { [set[0]]: options[set[0]] };
  return options.macOnlyEncrypted ? { ...rules, macOnlyEncrypted: true } : rules;
}

function macHash(rules: SopsRules) {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  return hash;
}

/** Go's time.Format(time.RFC3339) of a UTC time: whole seconds, `Z`. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * SOPS parses lastmodified and formats it again (time.RFC3339) before using it as the MAC's
 * additional data: fractional seconds drop and a zero offset prints as `Z`.
 */
function macAdditionalData(lastmodified: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(lastmodified);
  if (!m) throw new Error(`SOPS: sops.lastmodified "${lastmodified}" is not an RFC 3339 timestamp`);
  return m[1] + (m[2] === '+00:00' || m[2] === '-00:00' ? 'Z' : m[2]);
}

const KNOWN_METADATA = new Set(['age', 'lastmodified', 'mac', 'version', 'encrypted_regex', 'unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'mac_only_encrypted']);
/** Keys other key services or features write; present but empty they are harmless. */
const UNSUPPORTED_METADATA = ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms', 'pgp', 'key_groups', 'shamir_threshold', 'unencrypted_comment_regex', 'encrypted_comment_regex'];

function readMetadata(node: SopsNode | undefined): SopsMetadata {
  if (!(node instanceof Map)) throw new Error('SOPS: the file has no "sops" metadata mapping; it is not a SOPS-encrypted file');
  for (const key of node.keys()) {
    if (UNSUPPORTED_METADATA.includes(key)) {
      const value = node.get(key);
      if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
      throw new Error(`SOPS: the file uses sops.${key}, which this reader does not support (age recipients in one key group only); decrypt it with the sops CLI`);
    }
    if (!KNOWN_METADATA.has(key)) throw new Error(`SOPS: unknown metadata key sops.${key}`);
  }
  const str = (key: string): string | undefined => {
    const v = node.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new Error(`SOPS: sops.${key} must be a string, got ${String(v)}`);
    return v;
  };
  const ageNode = node.get('age');
  if (!Array.isArray(ageNode) || ageNode.length === 0) throw new Error('SOPS: the file has no sops.age entries; this reader decrypts only age-encrypted files');
  const age = ageNode.map((entry, i) => {
    const recipient = entry instanceof Map ? entry.get('recipient') : undefined;
    const enc = entry instanceof Map ? entry.get('enc') : undefined;
    if (typeof recipient !== 'string' || typeof enc !== 'string') throw new Error(`SOPS: sops.age[${i}] needs a recipient and an enc string`);
    return { recipient, enc };
  });
  const required = (key: string): string => {
    const v = str(key);
    if (v === undefined) throw new Error(`SOPS: the file has no sops.${key}`);
    return v;
  };
  const rules: SopsRules = {
    encryptedRegex: str('encrypted_regex'),
    unencryptedSuffix: str('unencrypted_suffix'),
    encryptedSuffix: str('encrypted_suffix'),
    unencryptedRegex: str('unencrypted_regex'),
    macOnlyEncrypted: node.get('mac_only_encrypted') === true,
  };
  return { age, lastmodified: required('lastmodified'), mac: required('mac'), version: required('version'), ...rules };
}

async function openDataKey(metadata: SopsMetadata, identities: readonly string[]): Promise<Uint8Array> {
  const failures: string[] = [];
  for (const { recipient, enc } of metadata.age) {
    try {
      const key = await decryptWithAgeIdentities(enc, identities);
      if (key.length !== DATA_KEY_BYTES) throw new Error(`the data key is ${key.length} bytes, not ${DATA_KEY_BYTES}`);
      return key;
    } catch (error) {
      failures.push(`${recipient}: ${(error as Error).message}`);
    }
  }
  throw new Error(`SOPS: none of the ${identities.length} age identity(ies) opens the data key (recipients: ${metadata.age.map((a) => a.recipient).join(', ')}); ${failures.join('; ')}`);
}

/**
 * The file: the encrypted tree, then the `sops:` block, laid out as sops 3.x writes it (4-space
 * indent; metadata keys in alphabetical order, since sops builds the block from a Go map), so a
 * later `sops edit` changes only what it must.
 */
function emit(tree: SopsMap, metadata: SopsMetadata): string {
  const doc = new YAML.Document(tree);
  const stamp = new YAML.Scalar(metadata.lastmodified);
  stamp.type = YAML.Scalar.QUOTE_DOUBLE; // a string, never a YAML timestamp
  const fields: Record<string, unknown> = {
    age: metadata.age.map(({ recipient, enc }) => new Map([['enc', enc], ['recipient', recipient]])),
    encrypted_regex: metadata.encryptedRegex,
    encrypted_suffix: metadata.encryptedSuffix,
    lastmodified: stamp,
    mac: metadata.mac,
    mac_only_encrypted: metadata.macOnlyEncrypted || undefined,
    unencrypted_regex: metadata.unencryptedRegex,
    unencrypted_suffix: metadata.unencryptedSuffix,
    version: metadata.version,
  };
  const block = new Map(Object.keys(fields).sort().filter((k) => fields[k] !== undefined && fields[k] !== '').map((k) => [k, fields[k]]));
  (doc.contents as YAML.YAMLMap).set(METADATA_KEY, doc.createNode(block));
  return doc.toString({ indent: 4, lineWidth: 0 });
}

/** The age recipients a SOPS file is encrypted to, read from its metadata (no key needed). */
export function sopsRecipients(text: string): string[] {
  return readMetadata(toTree(text).get(METADATA_KEY)).age.map((a) => a.recipient);
}
