/** The sync policy every Application of the stack uses. */
import type { ApplicationSpecSyncPolicy } from '../../imports/argocd-argoproj.io';

/**
 * - automated prune + selfHeal: Git is the truth, drift is reverted, removed objects are deleted
 *   (namespaces and claims opt out with `Prune=false,Delete=false`, the StorageClass keeps
 *   data with Retain);
 * - ServerSideApply: no 256 KiB last-applied annotation limit (dashboards, CRDs), field ownership
 *   shared cleanly with controllers that write to the same objects;
 * - PruneLast: deletions happen after everything else is healthy;
 * - retry with backoff: a custom resource whose CRD or webhook is not ready yet converges on a
 *   later attempt instead of leaving the Application failed.
 */
export function stackSyncPolicy(extraSyncOptions: readonly string[] = []): ApplicationSpecSyncPolicy {
  return {
    automated: { prune: true, selfHeal: true, allowEmpty: false },
    syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true', ...extraSyncOptions],
    retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  };
}

/** The in-cluster API server, as Argo CD names it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
