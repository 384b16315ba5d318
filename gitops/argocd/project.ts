/**
 * The Argo CD AppProject of the stack: least privilege for everything the root and its
 * Applications sync. Only the stack's repository and the MetalLB chart as sources, only the
 * stack's namespaces (and Argo CD's own, where the Applications live) as destinations, and only
 * the cluster-scoped kinds the stack really creates.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-project-argoproj.io';
import type { Site } from '../../site';
import { ARGOCD_NAMESPACE, platformNamespaces } from '../../charts/platform';
import { ARGOCD_SYNC_WAVE } from '../../charts/platform/sync-options';
import { METALLB_CHART, METALLB_CLUSTER_KINDS, type GroupKind } from '../metallb-release';
import { GITOPS_LABELS, IN_CLUSTER } from './sync-policy';

/** Cluster-scoped kinds in the stack's own manifest directories (a test checks dist/ against this list). */
export const STACK_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'storage.k8s.io', kind: 'StorageClass' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/** The project's name: the site's, so two stacks on one Argo CD do not share a project. */
export function argoProjectName(site: Site): string {
  return site.name;
}

/** Namespaces the project may deploy into. */
export function argoProjectNamespaces(site: Site): string[] {
  return [...new Set([...platformNamespaces(site).map((ns) => ns.name), ARGOCD_NAMESPACE])].sort();
}

export interface ArgoCdProjectProps {
  readonly site: Site;
}

/** dist/gitops/argocd/project: the AppProject (built by the bootstrap and by the root Application). */
export class ArgoCdProject extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    const clusterKinds = new Map([...STACK_CLUSTER_KINDS, ...METALLB_CLUSTER_KINDS].map((k) => [`${k.group}/${k.kind}`, k]));
    new AppProject(this, 'Project', {
      metadata: { name: argoProjectName(site), labels: GITOPS_LABELS, annotations: { [ARGOCD_SYNC_WAVE]: '-1' } },
      spec: {
        description: `Monitoring stack of ${site.name}, synthesized by cdk8s`,
        sourceRepos: [site.gitops.repoUrl, METALLB_CHART.repoUrl],
        // Argo CD's own namespace only for the Applications: the root syncs them (app-of-apps).
        destinations: argoProjectNamespaces(site).map((namespace) => ({ server: IN_CLUSTER, namespace })),
        clusterResourceWhitelist: [...clusterKinds.keys()].sort().map((key) => ({ ...clusterKinds.get(key)! })),
        // Report objects in our namespaces that Git does not know (no effect on sync).
        orphanedResources: { warn: true },
      },
    });
  }
}
