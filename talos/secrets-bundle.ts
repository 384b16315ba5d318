/**
 * The Talos secrets bundle in `talosctl gen secrets` format (secrets.yaml), so a bundle moves
 * between this tool and talosctl either way. Layout and generation rules: research/talos.md §1.
 */
import * as crypto from 'node:crypto';
import * as YAML from 'yaml';
import { toGoYaml, YamlValue } from './go-yaml';
import {
  certificateMatchesKey,
  createCertificateAuthority,
  generateServiceAccountKey,
  pemDecode,
  PemCertificateAndKey,
  privateKeyFromPem,
} from './pki';

export interface TalosSecretsBundle {
  readonly cluster: {
    /** 32 random bytes, base64url with padding (Talos < 1.14). */
    readonly id: string;
    /** 32 random bytes, standard base64. */
    readonly secret: string;
  };
  readonly secrets: {
    /** Kubernetes bootstrap token, `[0-9a-z]{6}.[0-9a-z]{16}`. */
    readonly bootstrapToken: string;
    /** Only in bundles made for contract <= 1.2. @default - absent */
    readonly aescbcEncryptionSecret?: string;
    /** 32 random bytes, standard base64. */
    readonly secretboxEncryptionSecret?: string;
  };
  readonly trustdInfo: { readonly token: string };
  readonly certs: {
    readonly etcd: PemCertificateAndKey;
    readonly k8s: PemCertificateAndKey;
    readonly k8sAggregator: PemCertificateAndKey;
    readonly k8sServiceAccount: { readonly key: string };
    readonly os: PemCertificateAndKey;
  };
}

const TOKEN_CHARSET = '0123456789abcdefghijklmnopqrstuvwxyz';
const TOKEN_RE = /^[0-9a-z]{6}\.[0-9a-z]{16}$/;

/** Random string over [0-9a-z]; bytes >= 252 are dropped so every character is equally likely (talos utils.go genToken). */
function randomTokenPart(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte >= 252) continue;
      out += TOKEN_CHARSET[byte % TOKEN_CHARSET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateToken(): string {
  return `${randomTokenPart(6)}.${randomTokenPart(16)}`;
}

/** A fresh bundle as `talosctl gen secrets` makes for the current contract (RSA-4096 service-account key). */
export async function generateSecretsBundle(now: Date): Promise<TalosSecretsBundle> {
  const [etcd, k8s, k8sAggregator, os] = await Promise.all([
    createCertificateAuthority({ algorithm: 'ecdsa-p256', organization: 'etcd', now }),
    createCertificateAuthority({ algorithm: 'ecdsa-p256', organization: 'kubernetes', now }),
    // Talos passes CommonName("front-proxy") but its CA template copies only O: the subject is empty.
    createCertificateAuthority({ algorithm: 'ecdsa-p256', now }),
    createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now }),
  ]);
  return {
    cluster: {
      id: crypto.randomBytes(32).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
      secret: crypto.randomBytes(32).toString('base64'),
    },
    secrets: {
      bootstrapToken: generateToken(),
      secretboxEncryptionSecret: crypto.randomBytes(32).toString('base64'),
    },
    trustdInfo: { token: generateToken() },
    certs: { etcd, k8s, k8sAggregator, k8sServiceAccount: { key: generateServiceAccountKey() }, os },
  };
}

/** PEM text as Talos stores it in YAML: standard base64 of the whole PEM. */
export function encodePem(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

function pair(p: PemCertificateAndKey): YamlValue {
  return { crt: encodePem(p.crt), key: encodePem(p.key) };
}

/** secrets.yaml bytes exactly as talosctl writes them (go-yaml, 4-space indent, Go field order). */
export function serializeSecretsBundle(bundle: TalosSecretsBundle): string {
  return toGoYaml({
    cluster: { id: bundle.cluster.id, secret: bundle.cluster.secret },
    secrets: {
      bootstraptoken: bundle.secrets.bootstrapToken,
      aescbcencryptionsecret: bundle.secrets.aescbcEncryptionSecret,
      secretboxencryptionsecret: bundle.secrets.secretboxEncryptionSecret,
    },
    trustdinfo: { token: bundle.trustdInfo.token },
    certs: {
      etcd: pair(bundle.certs.etcd),
      k8s: pair(bundle.certs.k8s),
      k8saggregator: pair(bundle.certs.k8sAggregator),
      k8sserviceaccount: { key: encodePem(bundle.certs.k8sServiceAccount.key) },
      os: pair(bundle.certs.os),
    },
  });
}

/** Thrown for a secrets.yaml that is not a usable Talos bundle; lists every problem. */
export class TalosSecretsError extends Error {
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`${source} is not a usable Talos secrets bundle:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TalosSecretsError';
  }
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['cluster', 'secrets', 'trustdinfo', 'certs'],
  cluster: ['id', 'secret'],
  secrets: ['bootstraptoken', 'aescbcencryptionsecret', 'secretboxencryptionsecret'],
  trustdinfo: ['token'],
  certs: ['etcd', 'k8s', 'k8saggregator', 'k8sserviceaccount', 'os'],
};

type Raw = Record<string, unknown>;

/**
 * Parses and checks a talosctl secrets.yaml: strict keys, token and secret formats, every PEM
 * decodes, every key matches its certificate, every CA is a CA. Problems name the field and the fix.
 */
export function parseSecretsBundle(text: string, source = 'secrets.yaml'): TalosSecretsBundle {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = YAML.parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new TalosSecretsError(source, [`is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (!raw || typeof raw !== 'object') throw new TalosSecretsError(source, ['must be a mapping with cluster, secrets, trustdinfo and certs']);
  for (const [section, keys] of Object.entries(KNOWN_KEYS)) {
    const node = section ? (raw as Raw)[section] : raw;
    if (!node || typeof node !== 'object') {
      problems.push(`${section} is missing; a talosctl bundle has cluster, secrets, trustdinfo and certs`);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (!keys.includes(key)) problems.push(`${section ? `${section}.` : ''}${key} is not a known bundle field (expected one of ${keys.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new TalosSecretsError(source, problems);
  const r = raw as { cluster: Raw; secrets: Raw; trustdinfo: Raw; certs: Record<string, Raw | undefined> };

  const str = (path: string, value: unknown, optional = false): string => {
    if (value === undefined && optional) return '';
    if (typeof value !== 'string' || value === '') {
      problems.push(`${path} must be a non-empty string`);
      return '';
    }
    return value;
  };
  const random32 = (path: string, value: string) => {
    if (value && !/^[A-Za-z0-9+/]{43}=$/.test(value)) problems.push(`${path} must be 32 bytes in base64 with padding (44 characters), got "${value.slice(0, 12)}…"`);
  };
  const token = (path: string, value: string) => {
    if (value && !TOKEN_RE.test(value)) problems.push(`${path} must look like abcdef.0123456789abcdef ([0-9a-z]{6}.[0-9a-z]{16})`);
  };
  const pem = (path: string, value: unknown): string => {
    const b64 = str(path, value);
    if (!b64) return '';
    if (b64 === '******') {
      problems.push(`${path} is redacted ("******"); import the unredacted secrets.yaml`);
      return '';
    }
    const text = Buffer.from(b64, 'base64').toString('utf8');
    try {
      pemDecode(text);
      return text;
    } catch {
      problems.push(`${path} must be base64 of a PEM block`);
      return '';
    }
  };

  const cluster = { id: str('cluster.id', r.cluster.id), secret: str('cluster.secret', r.cluster.secret) };
  // talosctl >= 1.14 writes the id in standard base64; accept both alphabets.
  if (cluster.id && !/^[A-Za-z0-9+/_-]{43}=$/.test(cluster.id)) problems.push('cluster.id must be 32 bytes in base64 with padding (44 characters)');
  random32('cluster.secret', cluster.secret);
  const bootstrapToken = str('secrets.bootstraptoken', r.secrets.bootstraptoken);
  token('secrets.bootstraptoken', bootstrapToken);
  const secretbox = str('secrets.secretboxencryptionsecret', r.secrets.secretboxencryptionsecret, true);
  const aescbc = str('secrets.aescbcencryptionsecret', r.secrets.aescbcencryptionsecret, true);
  if (!secretbox && !aescbc) problems.push('secrets.secretboxencryptionsecret is missing (a bundle needs it, or aescbcencryptionsecret for contracts <= 1.2)');
  random32('secrets.secretboxencryptionsecret', secretbox);
  random32('secrets.aescbcencryptionsecret', aescbc);
  const trustdToken = str('trustdinfo.token', r.trustdinfo.token);
  token('trustdinfo.token', trustdToken);

  const caPair = (name: string): PemCertificateAndKey => {
    const node = r.certs[name];
    if (!node || typeof node !== 'object') {
      problems.push(`certs.${name} is missing`);
      return { crt: '', key: '' };
    }
    const crt = pem(`certs.${name}.crt`, node.crt);
    const key = pem(`certs.${name}.key`, node.key);
    if (crt && key) checkCa(`certs.${name}`, crt, key, problems);
    return { crt, key };
  };
  const certs = {
    etcd: caPair('etcd'),
    k8s: caPair('k8s'),
    k8sAggregator: caPair('k8saggregator'),
    k8sServiceAccount: { key: pem('certs.k8sserviceaccount.key', r.certs.k8sserviceaccount?.key) },
    os: caPair('os'),
  };
  if (certs.k8sServiceAccount.key) {
    try {
      const type = privateKeyFromPem(certs.k8sServiceAccount.key).asymmetricKeyType;
      if (type !== 'rsa' && type !== 'ec') problems.push(`certs.k8sserviceaccount.key must be RSA or ECDSA, got ${type}`);
    } catch (err) {
      problems.push(`certs.k8sserviceaccount.key: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new TalosSecretsError(source, problems);
  return {
    cluster,
    secrets: {
      bootstrapToken,
      ...(aescbc ? { aescbcEncryptionSecret: aescbc } : {}),
      ...(secretbox ? { secretboxEncryptionSecret: secretbox } : {}),
    },
    trustdInfo: { token: trustdToken },
    certs,
  };
}

function checkCa(path: string, crt: string, key: string, problems: string[]): void {
  try {
    const cert = new crypto.X509Certificate(crt);
    if (!cert.ca) problems.push(`${path}.crt is not a CA certificate (BasicConstraints CA:TRUE missing)`);
    if (!certificateMatchesKey(crt, key)) problems.push(`${path}.key does not belong to ${path}.crt`);
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
  }
}
