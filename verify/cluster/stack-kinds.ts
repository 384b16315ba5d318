/**
 * The kinds the stack's GitOps layers apply or have applied, whether or not the current dist/
 * still has one of them: prune candidates are searched among these (a kind whose last object
 * dist/ dropped would otherwise never be searched again), and the RBAC asked up front covers the
 * built-in ones. Custom kinds are not asked up front: their CRD may be absent (Talos, Velero).
 * dist/gitops's own kinds (Applications, Kustomizations, ...) are the delivery, not a layer.
 * Secrets are left out: the generated ones are applied out of band, and reading Secrets is a
 * right the `view` ClusterRole rightly does not grant.
 */
import { TALOS_SERVICE_ACCOUNT_TYPE } from '../../charts/platform/etcd-backup';
import { L2Advertisement } from '../../imports/metallb-l2-metallb.io';
import { IpAddressPool } from '../../imports/metallb-pool-metallb.io';
import { Schedule } from '../../imports/velero-schedule-velero.io';

export interface StackKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** A built-in kind with its API group and plural resource name, for RBAC questions. */
export interface BuiltInKind extends StackKind {
  /** API group, '' for core. */
  readonly group: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
}

const builtIn = (apiVersion: string, kind: string, resource: string): BuiltInKind =>
  ({ apiVersion, kind, group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '', resource });

/** Kinds of Kubernetes itself the layers emit or have emitted (charts/: every k8s.Kube* construct). */
export const BUILT_IN_KINDS: readonly BuiltInKind[] = [
  builtIn('v1', 'Namespace', 'namespaces'), builtIn('v1', 'ConfigMap', 'configmaps'), builtIn('v1', 'Service', 'services'),
  builtIn('v1', 'ServiceAccount', 'serviceaccounts'), builtIn('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  builtIn('apps/v1', 'Deployment', 'deployments'), builtIn('apps/v1', 'StatefulSet', 'statefulsets'), builtIn('apps/v1', 'DaemonSet', 'daemonsets'),
  builtIn('batch/v1', 'CronJob', 'cronjobs'), builtIn('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  builtIn('storage.k8s.io/v1', 'StorageClass', 'storageclasses'),
  builtIn('rbac.authorization.k8s.io/v1', 'Role', 'roles'), builtIn('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
  builtIn('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles'), builtIn('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings'),
];

/** Custom kinds the layers emit: MetalLB's pool and advertisement, Talos API access, Velero's schedule (site.backups.velero). */
export const CUSTOM_KINDS: readonly StackKind[] = [IpAddressPool.GVK, L2Advertisement.GVK, TALOS_SERVICE_ACCOUNT_TYPE, Schedule.GVK];

/** Every kind above. */
export const STACK_KINDS: readonly StackKind[] = [...BUILT_IN_KINDS, ...CUSTOM_KINDS];
