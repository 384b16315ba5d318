/**
 * Where the SOPS-encrypted files go in dist/ (secrets.encryption: sops-age), and the
 * kustomizations that deliver them. Pure: names and paths follow from the site alone, so
 * renderDist can write the kustomizations and the encryption step fills in the files.
 *
 *   secrets/<name>.sops.yaml         one Secret per file (a changed Secret changes one file)
 *   secrets/kustomization.yaml       Flux: plain resources, decrypted by kustomize-controller
 *   secrets/ksops/                   Argo CD: a KSOPS generator over the same files
 *   talos/secrets.sops.yaml          the Talos secrets bundle (talosctl gen secrets format)
 *   talos/admin-client.sops.yaml     the os:admin client certificate talosconfig is built from
 *   talos/talosconfig.sops.yaml      talosconfig, for talosctl on another machine
 */
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { Site } from '../site';
import { stackSecretSpecs } from '../charts/secrets/stack-secrets';
import { operatorSecretSpecs } from '../charts/secrets/operator-secrets';
import { KSOPS_DIR, SECRETS_DIR } from '../gitops/layers';
import { kustomizationYaml } from './kustomization';
import type { OutputFile } from './output-file';

/** Suffix of every encrypted file: `.sops.yaml` is what SOPS users and editors recognise. */
export const SOPS_SUFFIX = '.sops.yaml';
/** dist/ directory of the encrypted Talos key material (never applied to a cluster). */
export const TALOS_ENCRYPTED_DIR = 'talos';
/** The KSOPS generator file in KSOPS_DIR. */
export const KSOPS_GENERATOR_FILE = 'secret-generator.yaml';

export interface EncryptedSecretFile {
  /** dist/-relative path. */
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  /** generated: values made by synth (kept from the secrets directory); operator: filled with `sops`. */
  readonly source: 'generated' | 'operator';
}

/** The encrypted Talos files, by what they hold. */
export const TALOS_ENCRYPTED_FILES = {
  bundle: `${TALOS_ENCRYPTED_DIR}/secrets${SOPS_SUFFIX}`,
  admin: `${TALOS_ENCRYPTED_DIR}/admin-client${SOPS_SUFFIX}`,
  talosconfig: `${TALOS_ENCRYPTED_DIR}/talosconfig${SOPS_SUFFIX}`,
} as const;

export function isEncrypting(site: Site): boolean {
  return site.secrets.encryption === 'sops-age';
}

/** Every encrypted Secret file, generated first, in a stable order. */
export function encryptedSecretFiles(site: Site): EncryptedSecretFile[] {
  if (!isEncrypting(site)) return [];
  const file = (name: string) => `${SECRETS_DIR}/${name}${SOPS_SUFFIX}`;
  return [
    ...stackSecretSpecs(site).map((s) => ({ path: file(s.name), name: s.name, namespace: s.namespace, source: 'generated' as const })),
    ...operatorSecretSpecs(site).map((s) => ({ path: file(s.name), name: s.name, namespace: s.namespace, source: 'operator' as const })),
  ];
}

/** The kustomizations of the secrets layer (none without encryption). */
export function secretsLayerFiles(site: Site): OutputFile[] {
  const files = encryptedSecretFiles(site);
  if (files.length === 0) return [];
  const names = files.map((f) => path.posix.basename(f.path));
  const out: OutputFile[] = [{ path: `${SECRETS_DIR}/kustomization.yaml`, content: kustomizationYaml(names) }];
  if (site.secrets.argocd === 'ksops') {
    // KSOPS runs as a kustomize exec plugin in Argo CD's repo-server and decrypts the files it
    // lists (paths relative to this kustomization); Flux never reads this directory.
    const generator = {
      apiVersion: 'viaduct.ai/v1',
      kind: 'ksops',
      metadata: { name: `${site.name}-secrets`, annotations: { 'config.kubernetes.io/function': 'exec:\n  path: ksops\n' } },
      files: names.map((n) => path.posix.relative(KSOPS_DIR, `${SECRETS_DIR}/${n}`)).sort(),
    };
    out.push(
      { path: `${KSOPS_DIR}/${KSOPS_GENERATOR_FILE}`, content: YAML.stringify(generator) },
      { path: `${KSOPS_DIR}/kustomization.yaml`, content: YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', generators: [KSOPS_GENERATOR_FILE] }) },
    );
  }
  return out;
}
