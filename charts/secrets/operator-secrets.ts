/**
 * Secrets the site names but only the operator can fill: credentials issued elsewhere (the
 * pve_exporter API token, receiver webhook URLs with tokens in them, SMTP passwords, the dead man's
 * switch URL, the UptimeKuma API key, remote-write credentials, the Proxmox CSI plugin's API token, simple-scalable Loki's S3 key). With SOPS encryption each becomes an encrypted placeholder file in dist/ that the
 * operator edits with `sops`; synth keeps what they wrote and never generates these values.
 */
import { lokiSimpleScalable, usesProxmoxCsi, type Site } from '../../site';
import { S3_ACCESS_KEY_KEY, S3_SECRET_KEY_KEY } from '../loki/loki-scalable-config';
import { PROXMOX_CSI_NAMESPACE } from '../platform/constants';
import { PVE_EXPORTER_SECRET, uptimeKumaInstances } from '../../site/derived';
import { UPTIME_KUMA_API_KEY } from '../prometheus/uptime-kuma';
import { REMOTE_WRITE_PASSWORD_KEY, REMOTE_WRITE_USERNAME_KEY } from '../prometheus/remote-write';
import { PROXMOX_CSI_TOKEN_KEYS } from '../platform/proxmox-csi-token';

/** The value a placeholder carries until the operator replaces it (an `.invalid` host never resolves). */
export const PLACEHOLDER_URL = 'https://replace-with-sops.invalid/edit-this-secret';
export const PLACEHOLDER_VALUE = 'REPLACE-WITH-SOPS';
/** Annotation on a placeholder Secret naming what reads it. */
export const USED_BY_ANNOTATION = 'monitoring-stack/used-by';

export interface OperatorSecretSpec {
  readonly name: string;
  readonly namespace: string;
  /** What reads it, for the file's comment and the docs. */
  readonly usedBy: string;
  /** Each key with the placeholder it starts with. */
  readonly placeholder: Readonly<Record<string, string>>;
}

/**
 * Every operator-filled Secret the site needs, once per name (receivers of one kind may share a
 * Secret; the site validator refuses names shared across kinds).
 */
export function operatorSecretSpecs(site: Site): OperatorSecretSpec[] {
  const namespace = site.kubernetes.namespace;
  const am = site.alertmanager;
  const specs: OperatorSecretSpec[] = [
    {
      name: PVE_EXPORTER_SECRET, namespace, usedBy: 'pve_exporter (a read-only PVEAuditor API token, README step 5)',
      placeholder: { PVE_USER: 'prometheus@pve', PVE_TOKEN_NAME: 'prompve-scraper', PVE_TOKEN_VALUE: PLACEHOLDER_VALUE, PVE_VERIFY_SSL: 'false' },
    },
    ...am.receivers.webhooks.flatMap((w) => (w.urlSecret ? [{ name: w.urlSecret, namespace, usedBy: `Alertmanager webhook receiver ${w.name}`, placeholder: { url: PLACEHOLDER_URL } }] : [])),
    ...am.receivers.emails.flatMap((e) => (e.authPasswordSecret ? [{ name: e.authPasswordSecret, namespace, usedBy: `Alertmanager email receiver ${e.name} (SMTP password)`, placeholder: { password: PLACEHOLDER_VALUE } }] : [])),
    ...(am.heartbeat ? [{ name: am.heartbeat.urlSecret, namespace, usedBy: 'the dead man\'s switch (alertmanager.heartbeat)', placeholder: { url: PLACEHOLDER_URL } }] : []),
    ...(uptimeKumaInstances(site).length > 0
      ? [{ name: site.integrations.uptimeKuma.apiKeySecret, namespace, usedBy: 'Prometheus\' scrape of UptimeKuma /metrics (an UptimeKuma API key, Settings > API Keys)', placeholder: { [UPTIME_KUMA_API_KEY]: PLACEHOLDER_VALUE } }]
      : []),
    ...site.prometheus.remoteWrite.flatMap((r) => (r.authSecret
      ? [{ name: r.authSecret, namespace, usedBy: `Prometheus' remote write ${r.name} (${r.url}, HTTP basic auth)`, placeholder: { [REMOTE_WRITE_USERNAME_KEY]: PLACEHOLDER_VALUE, [REMOTE_WRITE_PASSWORD_KEY]: PLACEHOLDER_VALUE } }]
      : [])),
    ...(site.kubernetes.proxmoxCsi && usesProxmoxCsi(site)
      ? [{
        name: site.kubernetes.proxmoxCsi.tokenSecret, namespace: PROXMOX_CSI_NAMESPACE,
        usedBy: 'the Proxmox CSI plugin\'s controller (an API token of kubernetes-csi@pve with the CSI role, README "Proxmox CSI")',
        placeholder: { [PROXMOX_CSI_TOKEN_KEYS.id]: 'kubernetes-csi@pve!csi', [PROXMOX_CSI_TOKEN_KEYS.secret]: PLACEHOLDER_VALUE },
      }]
      : []),
    ...(site.loki.objectStorage && lokiSimpleScalable(site)
      ? [{
        name: site.loki.objectStorage.credentialsSecret, namespace,
        usedBy: `simple-scalable Loki (an access key of bucket ${site.loki.objectStorage.bucket} on ${site.loki.objectStorage.endpoint}, read and write)`,
        placeholder: { [S3_ACCESS_KEY_KEY]: PLACEHOLDER_VALUE, [S3_SECRET_KEY_KEY]: PLACEHOLDER_VALUE },
      }]
      : []),
  ];
  // One spec per Secret: a name is one Secret within its namespace.
  const byName = new Map<string, OperatorSecretSpec>();
  for (const spec of specs) {
    const key = `${spec.namespace}/${spec.name}`;
    const first = byName.get(key);
    byName.set(key, first ? { ...first, usedBy: `${first.usedBy}; ${spec.usedBy}` } : spec);
  }
  return [...byName.values()];
}
