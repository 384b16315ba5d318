/**
 * Flux delivery. `dist/gitops/flux/` holds the GitRepository and the root Kustomization
 * (applied once by hand: `kubectl apply -k dist/gitops/flux`, or referenced from the cluster
 * directory `flux bootstrap` created). The root applies `dist/gitops/flux/layers/`: one
 * Kustomization per layer, chained by `dependsOn` (gitops/layers.ts), each pruning and waiting
 * for its objects to be healthy before its dependents start. Each Helm layer's chart source and
 * HelmRelease sit in their own directory (`dist/gitops/flux/metallb/`, `…/proxmox-csi/`), applied
 * by that layer.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GitRepository } from '../../imports/flux-source-git-source.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io';
import {
  HelmRelease, HelmReleaseSpecChartRefKind, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds,
  type HelmReleaseSpec,
} from '../../imports/flux-helm-helm.toolkit.fluxcd.io';
import {
  Kustomization, KustomizationSpecDecryptionProvider, KustomizationSpecSourceRefKind, type KustomizationSpecHealthChecks,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io';
import type { Site } from '../../site';
import { fluxRepoUrl, isSshRepoUrl } from '../git-url';
import { FLUX_NAMESPACE } from '../../charts/platform';
import { FLUX_LAYERS_DIR, GITOPS_LABELS, type DeliveryLayer, deliveryLayers, layerObjectName, repoPath } from '../layers';
import type { HelmChartRelease } from '../helm-release';
import { FLUX_PRUNE } from '../../charts/platform/sync-options';


/** How often Flux re-applies each layer (drift correction) and retries a failed one. */
export const FLUX_INTERVALS = { source: '1m', reconcile: '10m', retry: '1m', timeout: '5m', helmRepository: '1h' } as const;

/** `./dist/platform/base`: Flux paths are relative to the repository root. */
function fluxPath(site: Site, distDirectory: string): string {
  return `./${repoPath(site, distDirectory)}`;
}

export interface FluxProps {
  readonly site: Site;
}

/** dist/gitops/flux: GitRepository + the root Kustomization. */
export class FluxBootstrap extends Chart {
  constructor(scope: Construct, id: string, props: FluxProps) {
    super(scope, id, { namespace: FLUX_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    new GitRepository(this, 'Source', {
      metadata: { name: site.name, labels: GITOPS_LABELS },
      spec: {
        url: fluxRepoUrl(site.gitops.repoUrl),
        ref: { branch: site.gitops.branch },
        interval: FLUX_INTERVALS.source,
        timeout: '60s',
        // The deploy key (identity, known_hosts) the operator creates: see the README.
        ...(isSshRepoUrl(site.gitops.repoUrl) ? { secretRef: { name: site.gitops.sshKeySecret } } : {}),
      },
    });
    new Kustomization(this, 'Root', {
      metadata: { name: site.name, labels: GITOPS_LABELS },
      spec: {
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: site.name },
        path: fluxPath(site, FLUX_LAYERS_DIR),
        interval: FLUX_INTERVALS.reconcile,
        retryInterval: FLUX_INTERVALS.retry,
        timeout: FLUX_INTERVALS.timeout,
        prune: true,
        // The layer Kustomizations only need to exist here; each waits for its own objects.
        wait: false,
      },
    });
  }
}

/** dist/gitops/flux/layers: one Kustomization per layer. */
export class FluxLayers extends Chart {
  constructor(scope: Construct, id: string, props: FluxProps) {
    super(scope, id, { namespace: FLUX_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    for (const layer of deliveryLayers(site)) {
      const checks = layer.source.kind === 'helm' ? helmHealthChecks(layer) : layer.healthChecks?.map((c) => ({ ...c }));
      new Kustomization(this, layer.name, {
        metadata: { name: layerObjectName(site, layer.name), labels: GITOPS_LABELS },
        spec: {
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: site.name },
          path: fluxPath(site, layer.source.kind === 'directory' ? layer.source.directory : layer.source.fluxDirectory),
          ...(layer.dependsOn.length > 0 ? { dependsOn: layer.dependsOn.map((d) => ({ name: layerObjectName(site, d) })) } : {}),
          interval: FLUX_INTERVALS.reconcile,
          retryInterval: FLUX_INTERVALS.retry,
          timeout: FLUX_INTERVALS.timeout,
          prune: true,
          // wait = every applied object must become Ready; Flux ignores healthChecks when it is
          // set, so layers where that is wrong list what "ready" means instead: for Helm the
          // release and the workloads it created (which this Kustomization did not apply itself),
          // for backups only objects that are healthy without a scheduled run.
          wait: checks === undefined,
          ...(checks ? { healthChecks: checks } : {}),
          ...(layer.sopsKeySecret ? { decryption: { provider: KustomizationSpecDecryptionProvider.SOPS, secretRef: { name: layer.sopsKeySecret } } } : {}),
        },
      });
    }
  }
}

function helmHealthChecks(layer: DeliveryLayer): KustomizationSpecHealthChecks[] {
  if (layer.source.kind !== 'helm') return [];
  const { release } = layer.source;
  return [
    { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: release.releaseName, namespace: FLUX_NAMESPACE },
    ...release.workloads.map((w) => ({ apiVersion: 'apps/v1', kind: w.kind, name: w.name, namespace: release.namespace })),
  ];
}

/** OCI Helm charts are one layer of this media type; `copy` hands the chart archive to helm-controller as is. */
const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/**
 * dist/gitops/flux/<release>: the pinned chart's source (HelmRepository, or OCIRepository for an
 * OCI-only chart) and its HelmRelease.
 */
export class FluxHelmChart extends Chart {
  constructor(scope: Construct, id: string, props: FluxProps & { readonly release: HelmChartRelease }) {
    super(scope, id, { namespace: FLUX_NAMESPACE, disableResourceNameHashes: true });
    const { release } = props;
    const { source } = release;
    let chart: Pick<HelmReleaseSpec, 'chart' | 'chartRef'>;
    if (source.kind === 'repository') {
      const repo = new HelmRepository(this, 'Repository', {
        metadata: { name: source.chart, labels: GITOPS_LABELS },
        spec: { url: source.repoUrl, interval: FLUX_INTERVALS.helmRepository },
      });
      chart = { chart: { spec: { chart: source.chart, version: source.version, sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repo.name } } } };
    } else {
      const repo = new OciRepository(this, 'Repository', {
        metadata: { name: source.chart, labels: GITOPS_LABELS },
        spec: {
          url: source.url,
          ref: { tag: source.version },
          layerSelector: { mediaType: HELM_CHART_LAYER, operation: OciRepositorySpecLayerSelectorOperation.COPY },
          interval: FLUX_INTERVALS.helmRepository,
        },
      });
      chart = { chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: repo.name } };
    }
    const crds = release.crds
      ? { install: { crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE }, upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE } }
      : { install: {}, upgrade: {} };
    new HelmRelease(this, 'Release', {
      // A pruned HelmRelease is a `helm uninstall`: never as a side effect of a missing file.
      metadata: { name: release.releaseName, labels: GITOPS_LABELS, annotations: { [FLUX_PRUNE]: 'disabled' } },
      spec: {
        releaseName: release.releaseName,
        targetNamespace: release.namespace,
        ...chart,
        interval: FLUX_INTERVALS.reconcile,
        timeout: FLUX_INTERVALS.timeout,
        // The namespace (with its Pod Security label) comes from the platform-base layer.
        install: { createNamespace: false, ...crds.install, remediation: { retries: 3 } },
        upgrade: { ...crds.upgrade, remediation: { retries: 3 } },
        values: release.values as Record<string, unknown>,
        ...(release.fluxPatches ? { postRenderers: [{ kustomize: { patches: release.fluxPatches.map((p) => ({ ...p, target: { ...p.target } })) } }] } : {}),
      },
    });
  }
}
