/**
 * Secret material the stack needs and that must never reach dist/ or git: generated once into
 * the git-ignored secrets directory (mode 0600), reused on every later run, never overwritten.
 * The manifests in dist/ only reference these Secrets by name.
 */
import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcryptjs';
import * as YAML from 'yaml';
import type { Site } from '../../site';
import { checkmkServers } from '../../site/derived';
import { configYaml } from '../common/config-yaml';
import { ALERTMANAGER_CLIENT_USER, CHECKMK_PROMETHEUS_USER, PROMETHEUS_CLIENT_USER } from '../prometheus/prometheus-config';
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
  /** The keys its values always have (an unlabelled Secret from before the label is recognised by them). */
  readonly keys: readonly string[];
  /** Keys it has only while the site needs them (added to an existing Secret, dropped when no longer needed). @default - none */
  readonly optionalKeys?: readonly string[];
  make(password: () => string): Record<string, string>;
  /**
   * The values this site needs, from values an earlier run (or an earlier version) kept: every value
   * still needed stays as it is, missing ones are made, ones no longer needed are dropped.
   * @default - the values as they are
   */
  complete?(values: Readonly<Record<string, string>>, password: () => string): Record<string, string>;
}

/** Keys of the CheckMK user in Secret site.prometheus.webAuthSecret (while CheckMK reads Prometheus). */
export const CHECKMK_USERNAME_KEY = 'checkmk-username';
export const CHECKMK_PASSWORD_KEY = 'checkmk-password';

/** The values a generated Secret has for this site: `existing` completed, or new ones. */
export function stackSecretValues(spec: StackSecretSpec, existing: Readonly<Record<string, string>> | undefined, password: () => string): Record<string, string> {
  if (!existing) return spec.make(password);
  return spec.complete ? spec.complete(existing, password) : { ...existing };
}

const bcryptHash = (plain: string) => bcrypt.hashSync(plain, BCRYPT_COST);

/**
 * Prometheus' users beyond its clients: `checkmk`, read-only in effect (prometheus-args: no admin
 * API, no lifecycle, no write receivers), while a CheckMK server reads this Prometheus. One Secret
 * holds every user because Prometheus reads one web.yml; a user is added to (or removed from) an
 * existing web.yml without touching the other users' hashes, so no client's password rotates.
 */
function completePrometheusWebAuth(site: Site) {
  const checkmk = checkmkServers(site).length > 0;
  return (values: Readonly<Record<string, string>>, password: () => string): Record<string, string> => {
    const web = (values[WEB_CONFIG_KEY] ? YAML.parse(values[WEB_CONFIG_KEY]) : {}) as { basic_auth_users?: Record<string, string> };
    const before = web.basic_auth_users ?? {};
    const users = { ...before };
    const out = { ...values };
    if (checkmk) {
      out[CHECKMK_USERNAME_KEY] = CHECKMK_PROMETHEUS_USER;
      if (!(CHECKMK_PROMETHEUS_USER in users && out[CHECKMK_PASSWORD_KEY])) {
        // A password without its hash keeps the password; a hash without its password cannot be recovered.
        const plain = out[CHECKMK_PASSWORD_KEY] ?? password();
        users[CHECKMK_PROMETHEUS_USER] = bcryptHash(plain);
        out[CHECKMK_PASSWORD_KEY] = plain;
      }
    } else {
      delete users[CHECKMK_PROMETHEUS_USER];
      delete out[CHECKMK_USERNAME_KEY];
      delete out[CHECKMK_PASSWORD_KEY];
    }
    // Rewritten only when a user changed: the other users' hashes are copied, never made again.
    const changed = Object.keys(users).length !== Object.keys(before).length || Object.entries(users).some(([u, hash]) => before[u] !== hash);
    if (changed) out[WEB_CONFIG_KEY] = configYaml({ ...web, basic_auth_users: users });
    return out;
  };
}

export function stackSecretSpecs(site: Site): StackSecretSpec[] {
  const namespace = site.kubernetes.namespace;
  // The server checks the bcrypt hash in web.yml (exporter-toolkit web config); clients send the plain password.
  const webAuth = (username: string) => (password: () => string) => {
    const plain = password();
    return {
      [WEB_CONFIG_KEY]: configYaml({ basic_auth_users: { [username]: bcryptHash(plain) } }),
      username,
      password: plain,
    };
  };
  const webAuthKeys = [WEB_CONFIG_KEY, 'username', 'password'];
  const completePrometheusWeb = completePrometheusWebAuth(site);
  return [
    { role: 'grafana-admin', name: site.grafana.adminSecret, namespace, keys: ['admin-user', 'admin-password'], make: (password) => ({ 'admin-user': 'admin', 'admin-password': password() }) },
    // Clients: Prometheus (alerts, scrape) and Grafana.
    { role: 'alertmanager-web-auth', name: site.alertmanager.webAuthSecret, namespace, keys: webAuthKeys, make: webAuth(ALERTMANAGER_CLIENT_USER) },
    // Clients: Grafana, Prometheus' own scrape and its probes, people on the management VLAN; CheckMK's special agents.
    {
      role: 'prometheus-web-auth', name: site.prometheus.webAuthSecret, namespace, keys: webAuthKeys,
      optionalKeys: [CHECKMK_USERNAME_KEY, CHECKMK_PASSWORD_KEY],
      make: (password) => completePrometheusWeb(webAuth(PROMETHEUS_CLIENT_USER)(password), password),
      complete: completePrometheusWeb,
    },
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
  return stackSecretSpecs(site).map((spec) => secretManifest(spec, stackSecretValues(spec, undefined, password)));
}
