/**
 * Secret material the stack needs and that must never reach dist/ or git: generated once into
 * the git-ignored secrets directory (mode 0600), reused on every later run, never overwritten.
 * The manifests in dist/ only reference these Secrets by name.
 */
import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcryptjs';
import type { Site } from '../../site';
import { configYaml } from '../common/config-yaml';
import { ALERTMANAGER_CLIENT_USER } from '../prometheus/prometheus-config';
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

export function stackSecrets(site: Site, password: () => string = randomPassword): SecretManifest[] {
  const secret = (name: string, stringData: Record<string, string>): SecretManifest => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: site.kubernetes.namespace, labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' } },
    type: 'Opaque',
    stringData,
  });
  const alertmanagerPassword = password();
  return [
    secret(site.grafana.adminSecret, { 'admin-user': 'admin', 'admin-password': password() }),
    secret(site.alertmanager.webAuthSecret, {
      // Alertmanager checks the bcrypt hash; Prometheus and Grafana send the plain password.
      [WEB_CONFIG_KEY]: configYaml({ basic_auth_users: { [ALERTMANAGER_CLIENT_USER]: bcrypt.hashSync(alertmanagerPassword, BCRYPT_COST) } }),
      username: ALERTMANAGER_CLIENT_USER,
      password: alertmanagerPassword,
    }),
  ];
}
