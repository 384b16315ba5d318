/** Names the platform layer creates and other renderers (Talos, monitoring) must agree on. */
import type { Site } from '../../site';

export { ETCD_BACKUP_NAMESPACE, ETCD_BACKUP_TALOS_ROLE, LOCAL_PATH_HOST_DIR } from '../common/cluster-contract';

export const METALLB_NAMESPACE = 'metallb-system';
export const LOCAL_PATH_NAMESPACE = 'local-path-storage';
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
