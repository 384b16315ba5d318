/** Argo CD annotations placed on objects (the Application-level options live in gitops/). */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/**
 * For custom resources whose CRD is installed by an earlier layer of the same (first) sync:
 * without it Argo CD's dry run fails with "the server could not find the requested resource".
 */
export const SKIP_DRY_RUN_ON_MISSING_RESOURCE = { [ARGOCD_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' } as const;
