/**
 * The Proxmox CSI plugin's Helm release (sergelogvinov/proxmox-csi-plugin), identical for Argo CD
 * and Flux; delivered only with kubernetes.storage: proxmox-csi. Chart and values read at tag
 * v0.19.1 (chart 0.5.9): charts/proxmox-csi-plugin/values.yaml and templates/.
 */
import type { Site } from '../site';
import { proxmoxCsiRegion } from '../site';
import { PROXMOX_CSI_NAMESPACE } from '../charts/platform/constants';
import { PLATFORM_VERSIONS } from '../charts/platform/versions';
import { PROXMOX_CSI_TOKEN_DIR, PROXMOX_CSI_TOKEN_KEYS } from '../charts/platform/proxmox-csi-token';
import type { GroupKind, HelmChartRelease } from './helm-release';

export const PROXMOX_CSI_RELEASE_NAME = 'proxmox-csi-plugin';
export const PROXMOX_CSI_CHART = PLATFORM_VERSIONS.proxmoxCsiChart;

export { PROXMOX_CSI_TOKEN_DIR, PROXMOX_CSI_TOKEN_KEYS };

/**
 * Chart values. The connection (URL, region) is site data and stays in Git; the API token is
 * read from the files of the operator's Secret (token_id_file / token_secret_file), never typed
 * into values. StorageClasses come from the platform-base layer (validated with the rest of
 * dist/), so the chart renders none; the namespace (privileged, with its reason) comes from there
 * too. Two controller replicas: its sidecars elect a leader, so losing the controller's VM does
 * not stop provisioning and attaching for the pod eviction time.
 */
export function proxmoxCsiValues(site: Site): object {
  const csi = site.kubernetes.proxmoxCsi!;
  return {
    replicaCount: csi.controllerReplicas,
    createNamespace: false,
    config: {
      features: { provider: 'default' },
      clusters: [{
        url: `${csi.apiUrl.replace(/\/+$/, '')}/api2/json`,
        insecure: csi.insecure,
        token_id_file: `${PROXMOX_CSI_TOKEN_DIR}/${PROXMOX_CSI_TOKEN_KEYS.id}`,
        token_secret_file: `${PROXMOX_CSI_TOKEN_DIR}/${PROXMOX_CSI_TOKEN_KEYS.secret}`,
        region: proxmoxCsiRegion(site),
      }],
    },
    storageClass: [],
    extraVolumes: [{ name: 'proxmox-token', secret: { secretName: csi.tokenSecret } }],
    extraVolumeMounts: [{ name: 'proxmox-token', mountPath: PROXMOX_CSI_TOKEN_DIR, readOnly: true }],
  };
}

/** Objects the chart creates whose readiness means "volumes can be provisioned and attached". */
export const PROXMOX_CSI_WORKLOADS = [
  { kind: 'Deployment', name: `${PROXMOX_CSI_RELEASE_NAME}-controller` },
  { kind: 'DaemonSet', name: `${PROXMOX_CSI_RELEASE_NAME}-node` },
] as const;

/**
 * Cluster-scoped kinds the chart renders with these values (templates/csidriver.yaml,
 * controller-clusterrole.yaml, node-clusterrole.yaml, controller-rolebinding.yaml,
 * node-rolebinding.yaml; no StorageClass, no Namespace). For the Argo CD project's allow list.
 */
export const PROXMOX_CSI_CLUSTER_KINDS_CHART_VERSION = '0.5.9';
export const PROXMOX_CSI_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: 'storage.k8s.io', kind: 'CSIDriver' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

export { PROXMOX_CSI_NAMESPACE };

export function proxmoxCsiRelease(site: Site): HelmChartRelease {
  return {
    releaseName: PROXMOX_CSI_RELEASE_NAME,
    namespace: PROXMOX_CSI_NAMESPACE,
    source: { kind: 'oci', url: PROXMOX_CSI_CHART.url, chart: PROXMOX_CSI_CHART.chart, version: PROXMOX_CSI_CHART.version },
    values: proxmoxCsiValues(site),
    workloads: PROXMOX_CSI_WORKLOADS,
    clusterKinds: PROXMOX_CSI_CLUSTER_KINDS,
    crds: false,
  };
}
