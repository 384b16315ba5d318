/**
 * The stack's own credentials, which the flow checks send: Prometheus' and Alertmanager's web
 * auth and Grafana's admin. Read from the generated Secrets file in the git-ignored secrets
 * directory (where `npm run synth` made them; no RBAC on Secrets needed), else from the Secrets
 * in the cluster (what is deployed), else missing: the checks that need them then fail saying so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Site } from '../site';
import { readExisting, stackSecretsFile, StackSecretsFileError } from '../render/stack-secrets-file';
import type { BasicAuth } from './flows/context';

export type CredentialName = 'prometheus' | 'alertmanager' | 'grafana';

export interface Credential {
  readonly auth: BasicAuth;
  /** Where it was read, for messages: a file path or `Secret monitoring/grafana-admin`. */
  readonly source: string;
}

export type StackCredentials = Partial<Record<CredentialName, Credential>>;

/** A Secret's string values by key; undefined when it cannot be read (absent, forbidden). */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string> | undefined>;

interface Wanted {
  readonly name: CredentialName;
  readonly secret: string;
  readonly user: string;
  readonly password: string;
}

function wanted(site: Site): Wanted[] {
  return [
    { name: 'prometheus', secret: site.prometheus.webAuthSecret, user: 'username', password: 'password' },
    { name: 'alertmanager', secret: site.alertmanager.webAuthSecret, user: 'username', password: 'password' },
    { name: 'grafana', secret: site.grafana.adminSecret, user: 'admin-user', password: 'admin-password' },
  ];
}

/** The Secrets of the generated file, by `namespace/name` (absent or unreadable: none, as synth would refuse it). */
function fileSecrets(file: string): Map<string, Record<string, string>> {
  if (!fs.existsSync(file)) return new Map();
  let documents;
  try {
    documents = readExisting(file);
  } catch (e) {
    if (e instanceof StackSecretsFileError) return new Map();
    throw e;
  }
  return new Map(documents.flatMap((d) => (d.manifest ? [[`${d.manifest.metadata.namespace}/${d.manifest.metadata.name}`, d.manifest.stringData] as const] : [])));
}

/**
 * Each credential from the file under `secretsDir` (@default site.talos.secretsDir, relative to
 * the working directory), else through `readSecret` (the cluster), else left out.
 */
export async function loadCredentials(site: Site, readSecret?: SecretReader, secretsDir = site.talos.secretsDir): Promise<StackCredentials> {
  const file = stackSecretsFile(path.resolve(secretsDir));
  const local = fileSecrets(file);
  const namespace = site.kubernetes.namespace;
  const credentials: StackCredentials = {};
  for (const w of wanted(site)) {
    const fromFile = local.get(`${namespace}/${w.secret}`);
    const values = fromFile ?? (readSecret ? await readSecret(namespace, w.secret) : undefined);
    const username = values?.[w.user];
    const password = values?.[w.password];
    if (username && password) {
      credentials[w.name] = { auth: { username, password }, source: fromFile ? path.relative(process.cwd(), file) || file : `Secret ${namespace}/${w.secret}` };
    }
  }
  return credentials;
}

/** The next step when a credential is missing. */
export function missingCredentialNext(site: Site, name: CredentialName): string {
  const secret = wanted(site).find((w) => w.name === name)?.secret;
  return `run verify where ${path.join(site.talos.secretsDir, 'kubernetes', 'monitoring-secrets.yaml')} exists (npm run synth made it), or give this user "get" on Secret ${site.kubernetes.namespace}/${secret}`;
}
