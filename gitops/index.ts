/** The GitOps layer: Argo CD app-of-apps and Flux Kustomizations for the same ordered layers. */
import type { App } from 'cdk8s';
import type { Site } from '../site';
import type { LayerCharts } from '../render/layer-files';
import { ArgoCdApplications, ArgoCdRoot } from './argocd/app-of-apps';
import { ArgoCdApplicationHealth } from './argocd/application-health';
import { ArgoCdProject } from './argocd/project';
import { FluxBootstrap, FluxHelmChart, FluxLayers } from './flux/flux';
import {
  ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR, ARGOCD_HEALTH_CHECK_DIR, ARGOCD_PROJECT_DIR, FLUX_BOOTSTRAP_DIR, FLUX_LAYERS_DIR, deliveryLayers,
} from './layers';

export * from './layers';

export function addGitopsLayer(app: App, site: Site): LayerCharts[] {
  return [
    // The project is applied with the root by hand, then kept in sync by the root Application.
    { directory: ARGOCD_BOOTSTRAP_DIR, charts: [new ArgoCdRoot(app, 'argocd-root', { site })], includes: [ARGOCD_PROJECT_DIR] },
    { directory: ARGOCD_PROJECT_DIR, charts: [new ArgoCdProject(app, 'argocd-project', { site })] },
    { directory: ARGOCD_APPS_DIR, charts: [new ArgoCdApplications(app, 'argocd-applications', { site })], includes: [ARGOCD_PROJECT_DIR] },
    { directory: ARGOCD_HEALTH_CHECK_DIR, charts: [new ArgoCdApplicationHealth(app, 'argocd-application-health')] },
    { directory: FLUX_BOOTSTRAP_DIR, charts: [new FluxBootstrap(app, 'flux-bootstrap', { site })] },
    { directory: FLUX_LAYERS_DIR, charts: [new FluxLayers(app, 'flux-layers', { site })] },
    // Each Helm layer's chart source and release, in the layer's own directory (construct id flux-<layer>).
    ...deliveryLayers(site).flatMap((layer) => (layer.source.kind === 'helm'
      ? [{ directory: layer.source.fluxDirectory, charts: [new FluxHelmChart(app, `flux-${layer.name}`, { site, release: layer.source.release })] }]
      : [])),
  ];
}
