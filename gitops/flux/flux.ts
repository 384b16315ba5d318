/**
 * Flux delivery. `dist/gitops/flux/` holds the GitRepository and the root Kustomization
 * (applied once by hand: `kubectl apply -k dist/gitops/flux`, or referenced from the cluster
 * directory `flux bootstrap` created). The root applies `dist/gitops/flux/layers/`: one
 * Kustomization per layer, chained by `dependsOn` (gitops/layers.ts), each pruning and waiting
 * for its objects to be healthy before its dependents start. MetalLB's HelmRepository and
 * HelmRelease sit in `dist/gitops/flux/metallb/`, applied by the `metallb` layer.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GitRepository } from '../../imports/flux-source-git-source.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io';
import {
  HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds,
} from '../../imports/flux-helm-helm.toolkit.fluxcd.io';
import {
  Kustomization, KustomizationSpecDecryptionProvider, KustomizationSpecSourceRefKind, type KustomizationSpecHealthChecks,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io';
import type { Site } from '../../site';
import { fluxRepoUrl, isSshRepoUrl } from '../git-url';
import { FLUX_NAMESPACE } from '../../charts/platform';
import { FLUX_LAYERS_DIR, GITOPS_LABELS, type DeliveryLayer, deliveryLayers, layerObjectName, repoPath } from '../layers';
import { METALLB_CHART, METALLB_KEEP_CRDS_PATCH, METALLB_RELEASE_NAME, METALLB_VALUES, METALLB_WORKLOADS } from '../metallb-release';
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
  return [
    { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: METALLB_RELEASE_NAME, namespace: FLUX_NAMESPACE },
    ...METALLB_WORKLOADS.map((w) => ({ apiVersion: 'apps/v1', kind: w.kind, name: w.name, namespace: (layer.source as { namespace: string }).namespace })),
  ];
}

/** dist/gitops/flux/metallb: the pinned MetalLB chart and its release. */
export class FluxMetalLb extends Chart {
  constructor(scope: Construct, id: string, props: FluxProps & { readonly targetNamespace: string }) {
    super(scope, id, { namespace: FLUX_NAMESPACE, disableResourceNameHashes: true });
    const repo = new HelmRepository(this, 'Repository', {
      metadata: { name: METALLB_CHART.chart, labels: GITOPS_LABELS },
      spec: { url: METALLB_CHART.repoUrl, interval: FLUX_INTERVALS.helmRepository },
    });
    new HelmRelease(this, 'Release', {
      // A pruned HelmRelease is a `helm uninstall`: never as a side effect of a missing file.
      metadata: { name: METALLB_RELEASE_NAME, labels: GITOPS_LABELS, annotations: { [FLUX_PRUNE]: 'disabled' } },
      spec: {
        releaseName: METALLB_RELEASE_NAME,
        targetNamespace: props.targetNamespace,
        chart: {
          spec: {
            chart: METALLB_CHART.chart,
            version: METALLB_CHART.version,
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repo.name },
          },
        },
        interval: FLUX_INTERVALS.reconcile,
        timeout: FLUX_INTERVALS.timeout,
        // The namespace (with its Pod Security label) comes from the platform-base layer.
        install: { createNamespace: false, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries: 3 } },
        values: METALLB_VALUES,
        postRenderers: [{ kustomize: { patches: [{ ...METALLB_KEEP_CRDS_PATCH, target: { ...METALLB_KEEP_CRDS_PATCH.target } }] } }],
      },
    });
  }
}
