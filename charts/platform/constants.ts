/** Names the platform layer creates and other renderers (Talos, monitoring) must agree on. */
export { ETCD_BACKUP_NAMESPACE, ETCD_BACKUP_TALOS_ROLE, LOCAL_PATH_HOST_DIR } from '../common/cluster-contract';

export const METALLB_NAMESPACE = 'metallb-system';
export const LOCAL_PATH_NAMESPACE = 'local-path-storage';
/** The Proxmox CSI plugin (kubernetes.storage: proxmox-csi): its node DaemonSet is privileged. */
export const PROXMOX_CSI_NAMESPACE = 'csi-proxmox';
export const VELERO_NAMESPACE = 'velero';
export const KUBELET_CSR_APPROVER_NAMESPACE = 'kubelet-csr-approver';
/** node_exporter on the Talos nodes (host namespaces and read-only host paths: Pod Security privileged). */
export const HOST_METRICS_NAMESPACE = 'host-metrics';

/** Namespaces that exist before this project's objects (installed with the GitOps controller). */
export const ARGOCD_NAMESPACE = 'argocd';
export const FLUX_NAMESPACE = 'flux-system';
