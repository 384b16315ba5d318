/**
 * Argo CD app-of-apps. `dist/gitops/argocd/` holds only the root Application (applied once by
 * hand: `kubectl apply -k dist/gitops/argocd`); it syncs `dist/gitops/argocd/apps/`, which holds
 * the AppProject and one Application per layer, ordered by sync wave (gitops/layers.ts).
 *
 * Argo CD only waits for a child Application to be healthy before the next wave when the
 * `argoproj.io/Application` health check is enabled in argocd-cm (removed by default since
 * Argo CD 1.8); see docs/gitops.md. Without it the retry policy and
 * SkipDryRunOnMissingResource still let every layer converge, just not in strict order.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application, type ApplicationSpecSource } from '../../imports/argocd-argoproj.io';
import { AppProject } from '../../imports/argocd-project-argoproj.io';
import type { Site } from '../../site';
import { ARGOCD_NAMESPACE } from '../../charts/platform';
import { ARGOCD_SYNC_WAVE } from '../../charts/platform/sync-options';
import { ARGOCD_APPS_DIR, type DeliveryLayer, deliveryLayers, layerObjectName, repoPath, syncWaves } from '../layers';
import { METALLB_CHART, METALLB_RELEASE_NAME, METALLB_VALUES } from '../metallb-release';
import { IN_CLUSTER, stackSyncPolicy } from './sync-policy';

const GITOPS_LABELS = { 'app.kubernetes.io/part-of': 'monitoring-stack', 'app.kubernetes.io/managed-by': 'cdk8s' };

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
        // The root lives in "default": it creates the project the children use.
        project: 'default',
        source: { repoUrl: site.gitops.repoUrl, targetRevision: site.gitops.branch, path: repoPath(site, ARGOCD_APPS_DIR) },
        destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
        syncPolicy: stackSyncPolicy(),
      },
    });
  }
}

/** dist/gitops/argocd/apps: the AppProject and one Application per layer. */
export class ArgoCdApplications extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    const layers = deliveryLayers(site);
    const waves = syncWaves(layers);

    const project = new AppProject(this, 'Project', {
      metadata: { name: site.name, labels: GITOPS_LABELS, annotations: { [ARGOCD_SYNC_WAVE]: '-1' } },
      spec: {
        description: `Monitoring stack of ${site.name}, synthesized by cdk8s`,
        sourceRepos: [site.gitops.repoUrl, METALLB_CHART.repoUrl],
        // Objects carry their own namespaces (platform, monitoring, metallb-system, ...).
        destinations: [{ server: IN_CLUSTER, namespace: '*' }],
        // Namespaces, StorageClass, RBAC, and MetalLB's CRDs and webhook configuration.
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        // Report objects in our namespaces that Git does not know (no effect on sync).
        orphanedResources: { warn: true },
      },
    });

    for (const layer of layers) {
      new Application(this, layer.name, {
        metadata: {
          name: layerObjectName(site, layer.name),
          labels: GITOPS_LABELS,
          annotations: { [ARGOCD_SYNC_WAVE]: String(waves.get(layer.name)) },
        },
        spec: {
          project: project.name,
          source: layerSource(site, layer),
          destination: { server: IN_CLUSTER, namespace: destinationNamespace(layer) },
          syncPolicy: stackSyncPolicy(layer.source.kind === 'helm' ? ['RespectIgnoreDifferences=true'] : []),
          ...(layer.source.kind === 'helm' ? { ignoreDifferences: METALLB_IGNORE_DIFFERENCES } : {}),
        },
      });
    }
  }
}

/** Namespace for objects without one: the Helm release's, or the layer's default. */
function destinationNamespace(layer: DeliveryLayer): string | undefined {
  return layer.source.kind === 'helm' ? layer.source.namespace : layer.namespace;
}

function layerSource(site: Site, layer: DeliveryLayer): ApplicationSpecSource {
  if (layer.source.kind === 'directory') {
    return { repoUrl: site.gitops.repoUrl, targetRevision: site.gitops.branch, path: repoPath(site, layer.source.directory) };
  }
  return {
    repoUrl: METALLB_CHART.repoUrl,
    chart: METALLB_CHART.chart,
    targetRevision: METALLB_CHART.version,
    helm: { releaseName: METALLB_RELEASE_NAME, valuesObject: METALLB_VALUES },
  };
}

/**
 * The MetalLB controller writes its self-generated CA into the CRDs' conversion webhook and the
 * ValidatingWebhookConfiguration; without these, selfHeal would revert it on every sync and
 * break the webhook (MetalLB documents the same for Argo CD).
 */
const METALLB_IGNORE_DIFFERENCES = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jqPathExpressions: ['.spec.conversion.webhook.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
];
