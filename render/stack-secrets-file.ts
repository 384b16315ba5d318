/**
 * The generated Kubernetes Secrets file in the secrets directory. Its values are made once and
 * kept for good (a live cluster uses them); the rest follows the site on every run: a Secret
 * renamed or moved to another namespace keeps its values under the new name, a Secret the stack
 * newly needs is added with fresh values, a kept Secret is completed (a user the site now needs is
 * added beside the others, whose values stay), and each change is reported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Site } from '../site';
import { configYaml } from '../charts/common/config-yaml';
import {
  GENERATED_SECRET_LABEL, randomPassword, secretManifest, stackSecretSpecs, stackSecretValues, type SecretManifest, type StackSecretSpec,
} from '../charts/secrets/stack-secrets';
import type { SecretChange, SecretFileResult } from './secret-files';

/** The existing file cannot be read back; it is never replaced then. */
export class StackSecretsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackSecretsFileError';
  }
}

export interface StackSecretsPlan {
  /** The generated Secrets as this run keeps them (what dist/ encrypts with secrets.encryption: sops-age). */
  readonly manifests: SecretManifest[];
  readonly changes: SecretChange[];
  readonly results: SecretFileResult[];
  /** What changed in the file, one line each. */
  readonly messages: string[];
}

/** Where the generated Kubernetes Secrets go, below the secrets directory. */
export function stackSecretsFile(secretsDir: string): string {
  return path.join(secretsDir, 'kubernetes', 'monitoring-secrets.yaml');
}

function serialize(manifests: readonly unknown[]): string {
  return manifests.map((m) => `---\n${configYaml(m)}`).join('');
}

export interface ExistingDocument {
  /** The document as one of ours could be (a Secret with stringData), else undefined. */
  readonly manifest?: SecretManifest;
  /** "namespace/name" of any Secret (stringData or data), to find a second one under a generated name. */
  readonly secretId?: string;
  /** Its text as written in the file (comments and layout included), kept verbatim when it is not one of ours. */
  readonly text: string;
}

/** Empty documents (a stray "---") are dropped; everything else is kept in file order. */
export function readExisting(file: string): ExistingDocument[] {
  const source = fs.readFileSync(file, 'utf8');
  const docs = YAML.parseAllDocuments(source);
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new StackSecretsFileError(`${file} is not valid YAML (${bad.errors[0].message.split('\n')[0]}); fix it or move it away (a new one is then generated, with new passwords)`);
  // Documents are kept as cut text and reordered: a directive would end up before the wrong document.
  if (docs.some((d) => d.directives.yaml.explicit || Object.keys(d.directives.tags).some((t) => t !== '!!'))) {
    throw new StackSecretsFileError(`${file} has a YAML directive (a %YAML or %TAG line), which this file cannot keep when it is rewritten; remove it (and use full tags), then run again`);
  }
  const parsed = docs.map((d) => {
    const m = d.toJS() as SecretManifest;
    const secret = m?.kind === 'Secret' && m.metadata?.name;
    return { m, secret, ours: Boolean(secret && m.stringData && typeof m.stringData === 'object') };
  });
  // Each document's text is cut from the file between document starts (the first from the top, so
  // leading comments stay with it): re-serializing would rewrite an operator's layout. YAML gives
  // the comment lines right above a "---" to the document before; they start the next one instead
  // (the one before may be a generated Secret, rewritten), unless the next may be one of ours
  // itself; never inside the previous value.
  const starts = docs.map((d, i) => {
    if (i === 0) return 0;
    const above = parsed[i].ours ? null : /\n((?:#[^\n]*\n)+)$/.exec(source.slice(0, d.range[0])); // the first document's text always comes before
    return above ? Math.max(d.range[0] - above[1].length, docs[i - 1].range[1]) : d.range[0];
  });
  return docs.flatMap((_, i) => {
    const text = source.slice(starts[i], starts[i + 1] ?? source.length);
    if (/^(?:---|\.\.\.|\s)*$/.test(text)) return [];
    const { m, secret, ours } = parsed[i];
    return [{ manifest: ours ? m : undefined, secretId: secret ? `${m.metadata.namespace ?? ''}/${m.metadata.name}` : undefined, text: text.endsWith('\n') ? text : `${text}\n` }];
  });
}

/**
 * Which existing Secret each spec is, in passes over all specs so that a weaker match never takes
 * what a stronger one would: the Secret labelled with its role; else the one with its name in its
 * namespace (and its keys); else its name in another namespace (a site that moved namespace);
 * else (files from before the label) the one unlabelled Secret with its keys. Alertmanager's and
 * Prometheus' web-auth Secrets have the same keys when CheckMK is off: when keys alone cannot tell
 * two Secrets apart, the file is refused rather than risk giving one service the other's password.
 */
function matchExisting(specs: readonly StackSecretSpec[], existing: readonly SecretManifest[], file: string): (SecretManifest | undefined)[] {
  const sameKeys = (spec: StackSecretSpec, m: SecretManifest) => {
    const optional = new Set(spec.optionalKeys ?? []);
    return Object.keys(m.stringData).filter((k) => !optional.has(k)).sort().join() === [...spec.keys].sort().join();
  };
  const passes: ((spec: StackSecretSpec, m: SecretManifest) => boolean)[] = [
    (spec, m) => m.metadata.labels?.[GENERATED_SECRET_LABEL] === spec.role,
    (spec, m) => m.metadata.name === spec.name && m.metadata.namespace === spec.namespace && sameKeys(spec, m),
    (spec, m) => m.metadata.name === spec.name && !m.metadata.labels?.[GENERATED_SECRET_LABEL] && sameKeys(spec, m),
  ];
  const found: (SecretManifest | undefined)[] = specs.map(() => undefined);
  const claimed = new Set<SecretManifest>();
  for (const matches of passes) {
    specs.forEach((spec, i) => {
      if (found[i]) return;
      found[i] = existing.find((m) => !claimed.has(m) && matches(spec, m));
      if (found[i]) claimed.add(found[i]!);
    });
  }
  // Keys alone: only where exactly one unmatched spec and one free unlabelled Secret share them.
  const free = (m: SecretManifest) => !claimed.has(m) && !m.metadata.labels?.[GENERATED_SECRET_LABEL];
  specs.forEach((spec, i) => {
    if (found[i]) return;
    const candidates = existing.filter((m) => free(m) && sameKeys(spec, m));
    if (candidates.length === 0) return;
    const rivals = specs.filter((other, j) => !found[j] && candidates.some((m) => sameKeys(other, m)));
    if (candidates.length > 1 || rivals.length > 1) {
      const names = candidates.map((m) => `${m.metadata.namespace ?? ''}/${m.metadata.name}`).join(', ');
      throw new StackSecretsFileError(`${file}: cannot tell by their keys which of ${names} is ${rivals.map((r) => r.name).join(' or ')} (no label, no matching name); `
        + `add the label ${GENERATED_SECRET_LABEL}: <${rivals.map((r) => r.role).join(' or ')}> to the right one, then run again`);
    }
    found[i] = candidates[0];
    claimed.add(candidates[0]);
  });
  return found;
}

/** What completing a Secret's values changed, in words ("added a, b; changed c"), or undefined. */
function valuesChange(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string | undefined {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]);
  const parts = [['added', added], ['removed', removed], ['changed', changed]] as const;
  const text = parts.filter(([, keys]) => keys.length > 0).map(([verb, keys]) => `${verb} ${keys.join(', ')}`).join('; ');
  return text || undefined;
}

/**
 * The generated Secrets the file has no values for (all of them when it does not exist): those a
 * synth would make anew unless dist/ holds an encrypted copy.
 */
export function stackSecretsWithoutValues(secretsDir: string, site: Site): StackSecretSpec[] {
  const file = stackSecretsFile(secretsDir);
  const specs = stackSecretSpecs(site);
  if (!fs.existsSync(file)) return specs;
  const found = matchExisting(specs, readExisting(file).flatMap((d) => (d.manifest ? [d.manifest] : [])), file);
  return specs.filter((_, i) => !found[i]);
}

/**
 * The file's changes for this site (none when it already says what the site says).
 * @param recovered Secrets decrypted from dist/ (secrets.encryption: sops-age), used when the file is missing: values are restored, not regenerated
 */
export function planStackSecretsFile(secretsDir: string, site: Site, password: () => string = randomPassword, recovered: readonly SecretManifest[] = []): StackSecretsPlan {
  const file = stackSecretsFile(secretsDir);
  const exists = fs.existsSync(file);
  if (exists) fs.chmodSync(file, 0o600); // a copy restored with loose permissions
  const documents = exists ? readExisting(file) : [];
  const specs = stackSecretSpecs(site);
  const inFile = matchExisting(specs, documents.flatMap((d) => (d.manifest ? [d.manifest] : [])), file);
  const claimed = new Set(inFile); // undefined in it is never looked up: only documents with a manifest are
  // A document lost from the file (or the whole file) while dist/ still has its encrypted copy: restore, never regenerate.
  // Matched for every spec, so a copy of a Secret still in the file is never given to another.
  const inRecovered = matchExisting(specs, recovered, 'the encrypted copies in dist/secrets/');
  const messages: string[] = [];
  const encrypted = site.secrets.encryption === 'sops-age';
  const manifests: SecretManifest[] = specs.map((spec, i) => {
    const found = inFile[i];
    if (!found) {
      const copy = inRecovered[i];
      if (copy) {
        messages.push(`restored Secret ${spec.namespace}/${spec.name} into ${file} from its encrypted copy in dist/`);
        return secretManifest(spec, stackSecretValues(spec, copy.stringData, password));
      }
      // A new file is announced as a whole by the caller; a Secret added to an existing one here.
      if (exists) {
        messages.push(encrypted
          ? `added Secret ${spec.namespace}/${spec.name} to ${file} with new values; its encrypted copy in dist/secrets/ reaches the cluster with the next sync`
          : `added Secret ${spec.namespace}/${spec.name} to ${file} with new values: apply it (kubectl apply -f ${file})`);
      }
      return secretManifest(spec, stackSecretValues(spec, undefined, password));
    }
    const was = `${found.metadata.namespace}/${found.metadata.name}`;
    const values = stackSecretValues(spec, found.stringData, password);
    const change = valuesChange(found.stringData, values);
    if (change) {
      messages.push(encrypted
        ? `Secret ${spec.namespace}/${spec.name} in ${file}: ${change} for this site, the other values kept; its encrypted copy in dist/secrets/ reaches the cluster with the next sync`
        : `Secret ${spec.namespace}/${spec.name} in ${file}: ${change} for this site, the other values kept: apply it (kubectl apply -f ${file})`);
    }
    if (was !== `${spec.namespace}/${spec.name}`) {
      messages.push(encrypted
        ? `Secret ${was} is now ${spec.namespace}/${spec.name} in ${file}, values kept; the GitOps controller applies it and prunes the old one`
        : `Secret ${was} is now ${spec.namespace}/${spec.name} in ${file}, values kept: apply it, then delete the old one`);
    }
    return secretManifest(spec, values);
  });
  // Everything else in the file stays, as it was written: Secrets the stack no longer generates,
  // Secrets the operator added (with data: or stringData:), other objects. Values are never lost.
  const others = documents.filter((d) => !d.manifest || !claimed.has(d.manifest));
  // Two Secrets under one name: kubectl applies the later one, sops-age encrypts the generated one.
  // One without a namespace lands in kubectl's current namespace, so it clashes with any.
  const clashes = (id: string) => {
    const [namespace, name] = id.split('/');
    return manifests.find((m) => m.metadata.name === name && (namespace === '' || namespace === m.metadata.namespace));
  };
  for (const { secretId } of others) {
    const generated = secretId === undefined ? undefined : clashes(secretId);
    if (!generated) continue;
    const spec = specs[manifests.indexOf(generated)];
    throw new StackSecretsFileError(`${file} holds a Secret ${secretId} that the stack does not take as its own ${spec.namespace}/${spec.name} (a cluster would get whichever is applied last); `
      + `if its values are the live ones, give it the label ${GENERATED_SECRET_LABEL}: ${spec.role} and the keys ${spec.keys.join(', ')}, else rename or delete it; then run again`);
  }
  const kept = others.map((d) => (/^(?:[ \t]*(?:#.*)?\r?\n)*---/.test(d.text) ? d.text : `---\n${d.text}`));
  const content = serialize(manifests) + kept.join('');
  const results = [{ path: file, created: !exists }];
  if (!exists) return { manifests, changes: [{ kind: 'create', path: file, content }], results, messages };
  if (content === fs.readFileSync(file, 'utf8')) return { manifests, changes: [], results, messages };
  return { manifests, changes: [{ kind: 'write', path: file, content }], results, messages };
}
