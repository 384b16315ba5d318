/**
 * An upstream Helm chart delivered as one layer (MetalLB; the Proxmox CSI plugin): everything
 * Argo CD's Helm source and Flux's source + HelmRelease need, in one value, so the two
 * controllers render the same release.
 */

export interface GroupKind {
  /** API group, '' for the core group. */
  readonly group: string;
  readonly kind: string;
}

export type HelmChartSource =
  /** A classic HTTPS chart repository (index.yaml): Argo CD `chart`, Flux HelmRepository. */
  | { readonly kind: 'repository'; readonly repoUrl: string; readonly chart: string; readonly version: string }
  /** An OCI registry (oci://…/<chart>): Argo CD's native OCI source (path "."), Flux OCIRepository + chartRef. */
  | { readonly kind: 'oci'; readonly url: string; readonly chart: string; readonly version: string };

export interface HelmChartRelease {
  readonly releaseName: string;
  /** Namespace the chart's objects go to (created by platform-base, never by the chart). */
  readonly namespace: string;
  readonly source: HelmChartSource;
  readonly values: object;
  /** Workloads the chart creates whose readiness means the layer is done (Flux health checks). */
  readonly workloads: readonly { readonly kind: 'Deployment' | 'DaemonSet'; readonly name: string }[];
  /** Cluster-scoped kinds the chart renders with these values (the Argo CD project's allow list). */
  readonly clusterKinds: readonly GroupKind[];
  /** Whether the chart installs CRDs (Flux: create and replace them on install and upgrade). */
  readonly crds: boolean;
  /** Fields a controller of the chart writes itself, which Argo CD must not revert. @default - none */
  readonly ignoreDifferences?: readonly { readonly group: string; readonly kind: string; readonly jqPathExpressions: readonly string[] }[];
  /** Kustomize patches Flux applies to the rendered chart (Argo CD has no post-renderer). @default - none */
  readonly fluxPatches?: readonly { readonly target: { readonly group: string; readonly version: string; readonly kind: string }; readonly patch: string }[];
}

/** The repository URL Argo CD's project must allow for a release. */
export function helmSourceRepo(release: HelmChartRelease): string {
  return release.source.kind === 'repository' ? release.source.repoUrl : release.source.url;
}
