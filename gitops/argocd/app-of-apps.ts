/**
 * Argo CD app-of-apps. `dist/gitops/argocd/` holds the root Application and builds the AppProject
 * of `project/` (applied once by hand: `kubectl apply -k dist/gitops/argocd`); the root syncs
 * `dist/gitops/argocd/apps/`: one Application per layer, ordered by sync wave (gitops/layers.ts),
 * plus the same AppProject, so later project changes arrive through Git.
 *
 * Argo CD only waits for a child Application to be healthy before the next wave when the
 * `argoproj.io/Application` health check is enabled in argocd-cm (removed by default since
 * Argo CD 1.8): dist/gitops/argocd/health-check (application-health.ts). Without it the retry policy and
 * SkipDryRunOnMissingResource still let every layer converge, just not in strict order.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application, type ApplicationSpecSource } from '../../imports/argocd-argoproj.io';
import type { Site } from '../../site';
import { ARGOCD_NAMESPACE } from '../../charts/platform';
import { ARGOCD_SYNC_OPTIONS, ARGOCD_SYNC_WAVE, KEEP_ON_PRUNE } from '../../charts/platform/sync-options';
import { ARGOCD_APPS_DIR, GITOPS_LABELS, type DeliveryLayer, argocdLayers, layerObjectName, repoPath, syncWaves } from '../layers';
import { argoProjectName, argoRootProjectName } from './project';
import { IN_CLUSTER, stackSyncPolicy } from './sync-policy';

export interface ArgoCdProps {
  readonly site: Site;
}

/** dist/gitops/argocd: the root Application. */
export class ArgoCdRoot extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    new Application(this, 'Root', {
      metadata: { name: site.name, labels: GITOPS_LABELS },
      spec: {
        // Its own project (Applications and AppProjects in argocd only); the bootstrap applies
        // the projects with it.
        project: argoRootProjectName(site),
        source: { repoUrl: site.gitops.repoUrl, targetRevision: site.gitops.branch, path: repoPath(site, ARGOCD_APPS_DIR) },
        destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
        syncPolicy: stackSyncPolicy(),
      },
    });
  }
}

/** dist/gitops/argocd/apps: one Application per layer (its kustomization also builds the project). */
export class ArgoCdApplications extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    const layers = argocdLayers(site);
    const waves = syncWaves(layers);

    for (const layer of layers) {
      const ignore = layer.source.kind === 'helm' ? layer.source.release.ignoreDifferences : undefined;
      new Application(this, layer.name, {
        metadata: {
          name: layerObjectName(site, layer.name),
          labels: GITOPS_LABELS,
          annotations: {
            [ARGOCD_SYNC_WAVE]: String(waves.get(layer.name)),
            // Its deletion would not cascade anyway (no finalizer); this keeps the Application too.
            ...(layer.keep ? { [ARGOCD_SYNC_OPTIONS]: KEEP_ON_PRUNE[ARGOCD_SYNC_OPTIONS] } : {}),
          },
        },
        spec: {
          project: argoProjectName(site),
          source: layerSource(site, layer),
          destination: { server: IN_CLUSTER, namespace: layer.namespace },
          syncPolicy: stackSyncPolicy(ignore ? ['RespectIgnoreDifferences=true'] : []),
          ...(ignore ? { ignoreDifferences: ignore.map((d) => ({ ...d, jqPathExpressions: [...d.jqPathExpressions] })) } : {}),
        },
      });
    }
  }
}

function layerSource(site: Site, layer: DeliveryLayer): ApplicationSpecSource {
  if (layer.source.kind === 'directory') {
    return { repoUrl: site.gitops.repoUrl, targetRevision: site.gitops.branch, path: repoPath(site, layer.source.argocdDirectory ?? layer.source.directory) };
  }
  const { release } = layer.source;
  const helm = { releaseName: release.releaseName, valuesObject: release.values };
  return release.source.kind === 'repository'
    ? { repoUrl: release.source.repoUrl, chart: release.source.chart, targetRevision: release.source.version, helm }
    // Argo CD's native OCI source (3.1+): the chart is the repository, its path always ".".
    : { repoUrl: release.source.url, path: '.', targetRevision: release.source.version, helm };
}
