/** Argo CD and Flux annotations placed on objects (the Application-level options live in gitops/). */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

/**
 * For custom resources whose CRD is installed by an earlier layer of the same (first) sync:
 * without it Argo CD's dry run fails with "the server could not find the requested resource".
 */
export const SKIP_DRY_RUN_ON_MISSING_RESOURCE = { [ARGOCD_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' } as const;

/**
 * For objects that hold data (namespaces, claims): neither controller deletes them when their
 * file leaves dist/ or their layer goes away. Argo CD: `Prune=false` stops the prune during a
 * sync, `Delete=false` keeps them when the Application is deleted (two separate options,
 * comma-joined in one annotation); a resource's option overrides the Application's prune policy.
 * Flux: `prune: disabled` exempts them from the Kustomization's garbage collection. Deleting
 * one stays possible, by hand, on purpose.
 */
export const KEEP_ON_PRUNE = { [ARGOCD_SYNC_OPTIONS]: 'Prune=false,Delete=false', [FLUX_PRUNE]: 'disabled' } as const;
