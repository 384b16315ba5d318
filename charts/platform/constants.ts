/** Names the platform layer creates and other renderers (Talos, monitoring) must agree on. */
import type { Site } from '../../site';

/**
 * Where local-path-provisioner puts volumes on each node: the Talos UserVolumeConfig named
 * `local-path-provisioner` on the data disk is mounted here (Talos mounts user volumes at
 * /var/mnt/<name>). The Talos renderer must create a volume of exactly that name.
 */
export const LOCAL_PATH_HOST_DIR = '/var/mnt/local-path-provisioner';

export const METALLB_NAMESPACE = 'metallb-system';
export const LOCAL_PATH_NAMESPACE = 'local-path-storage';
/** Runs the scheduled etcd snapshot; must be listed in Talos kubernetesTalosAPIAccess.allowedKubernetesNamespaces. */
export const ETCD_BACKUP_NAMESPACE = 'etcd-backup';
/** Talos API role the etcd snapshot needs (kubernetesTalosAPIAccess.allowedRoles). */
export const ETCD_BACKUP_TALOS_ROLE = 'os:etcd:backup';
export const VELERO_NAMESPACE = 'velero';

/**
 * Node-level agents (node_exporter with host network/PID, Alloy reading /var/log/pods) cannot
 * pass Pod Security "restricted" or even "baseline"; they live here so the stack's own
 * namespace can enforce "restricted".
 */
export function nodeAgentsNamespace(site: Site): string {
  return `${site.kubernetes.namespace}-agents`;
}

/** Namespaces that exist before this project's objects (installed with the GitOps controller). */
export const ARGOCD_NAMESPACE = 'argocd';
export const FLUX_NAMESPACE = 'flux-system';
