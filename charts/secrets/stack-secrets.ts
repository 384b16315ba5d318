/**
 * Secret material the stack needs and that must never reach dist/ or git: generated once into
 * the git-ignored secrets directory (mode 0600), reused on every later run, never overwritten.
 * The manifests in dist/ only reference these Secrets by name.
 */
import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcryptjs';
import type { Site } from '../../site';
import { configYaml } from '../common/config-yaml';
import { ALERTMANAGER_CLIENT_USER, PROMETHEUS_CLIENT_USER } from '../prometheus/prometheus-config';
import { WEB_CONFIG_KEY } from '../alertmanager/alertmanager-args';

/** bcrypt cost for the web config; 12 is exporter-toolkit's documented example and costs ~250 ms per login check. */
const BCRYPT_COST = 12;

export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'Opaque';
  stringData: Record<string, string>;
}

/** A URL-safe random password of `bytes` bytes of entropy. */
export function randomPassword(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Label naming which generated Secret a manifest is, so a renamed Secret keeps its values. */
export const GENERATED_SECRET_LABEL = 'monitoring-stack/generated-secret';

/** One generated Secret: where it goes, and how its values are made (only when it is new). */
export interface StackSecretSpec {
  /** Stable identity across renames: the value of GENERATED_SECRET_LABEL. */
  readonly role: 'grafana-admin' | 'alertmanager-web-auth' | 'prometheus-web-auth';
  readonly name: string;
  readonly namespace: string;
  /** The keys its values have. */
  readonly keys: readonly string[];
  make(password: () => string): Record<string, string>;
}

export function stackSecretSpecs(site: Site): StackSecretSpec[] {
  const namespace = site.kubernetes.namespace;
  // The server checks the bcrypt hash in web.yml (exporter-toolkit web config); clients send the plain password.
  const webAuth = (username: string) => (password: () => string) => {
    const plain = password();
    return {
      [WEB_CONFIG_KEY]: configYaml({ basic_auth_users: { [username]: bcrypt.hashSync(plain, BCRYPT_COST) } }),
      username,
      password: plain,
    };
  };
  const webAuthKeys = [WEB_CONFIG_KEY, 'username', 'password'];
  return [
    { role: 'grafana-admin', name: site.grafana.adminSecret, namespace, keys: ['admin-user', 'admin-password'], make: (password) => ({ 'admin-user': 'admin', 'admin-password': password() }) },
    // Clients: Prometheus (alerts, scrape) and Grafana.
    { role: 'alertmanager-web-auth', name: site.alertmanager.webAuthSecret, namespace, keys: webAuthKeys, make: webAuth(ALERTMANAGER_CLIENT_USER) },
    // Clients: Grafana, Prometheus' own scrape and its probes, people on the management VLAN.
    { role: 'prometheus-web-auth', name: site.prometheus.webAuthSecret, namespace, keys: webAuthKeys, make: webAuth(PROMETHEUS_CLIENT_USER) },
  ];
}

/** The manifest of a generated Secret with the given values. */
export function secretManifest(spec: StackSecretSpec, stringData: Record<string, string>): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: spec.name, namespace: spec.namespace, labels: { 'app.kubernetes.io/part-of': 'monitoring-stack', [GENERATED_SECRET_LABEL]: spec.role } },
    type: 'Opaque',
    stringData,
  };
}

/** Every generated Secret with new values. */
export function stackSecrets(site: Site, password: () => string = randomPassword): SecretManifest[] {
  return stackSecretSpecs(site).map((spec) => secretManifest(spec, spec.make(password)));
}
