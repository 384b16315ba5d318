/**
 * The Argo CD AppProjects: least privilege for everything the root and its Applications sync.
 * - `<site>`: the layer Applications. Only the stack's repository and the MetalLB chart as
 *   sources, only the stack's namespaces as destinations, only the cluster-scoped kinds the
 *   stack really creates.
 * - `<site>-gitops`: the root Application. Only the stack's repository, only Argo CD's namespace,
 *   and there only Applications and AppProjects: the one project that can write into the argocd
 *   namespace cannot create anything else there (argocd-cm, repository Secrets, ...).
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppProject } from '../../imports/argocd-project-argoproj.io';
import type { Site } from '../../site';
import { ARGOCD_NAMESPACE, platformNamespaces } from '../../charts/platform';
import { ARGOCD_SYNC_WAVE } from '../../charts/platform/sync-options';
import { helmSourceRepo, type GroupKind } from '../helm-release';
import { argocdLayers, GITOPS_LABELS } from '../layers';
import { IN_CLUSTER } from './sync-policy';

/** Cluster-scoped kinds in the stack's own manifest directories (a test checks dist/ against this list). */
export const STACK_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'storage.k8s.io', kind: 'StorageClass' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/**
 * Objects in the stack's namespaces that are never in Git: the Secrets the operator (and Talos)
 * create, StatefulSet claims, and what Kubernetes puts in every namespace.
 */
const ORPHANS_BY_DESIGN = [
  { group: '', kind: 'Secret' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: '', kind: 'ConfigMap', name: 'kube-root-ca.crt' },
  { group: '', kind: 'ServiceAccount', name: 'default' },
] as const;

/** The layer Applications' project: the site's name, so two stacks on one Argo CD do not share one. */
export function argoProjectName(site: Site): string {
  return site.name;
}

/** The root Application's project. */
export function argoRootProjectName(site: Site): string {
  return `${site.name}-gitops`;
}

/** Namespaces the layer Applications may deploy into: the ones the platform layer creates. */
export function argoProjectNamespaces(site: Site): string[] {
  return [...new Set(platformNamespaces(site).map((ns) => ns.name))].sort();
}

/** What the root syncs: the layer Applications and these two projects. */
export const ROOT_PROJECT_KINDS: readonly GroupKind[] = [
  { group: 'argoproj.io', kind: 'AppProject' },
  { group: 'argoproj.io', kind: 'Application' },
];

export interface ArgoCdProjectProps {
  readonly site: Site;
}

/** dist/gitops/argocd/project: both AppProjects (built by the bootstrap and by the root Application). */
export class ArgoCdProject extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    const releases = argocdLayers(site).flatMap((l) => (l.source.kind === 'helm' ? [l.source.release] : []));
    const clusterKinds = new Map([...STACK_CLUSTER_KINDS, ...releases.flatMap((r) => r.clusterKinds)].map((k) => [`${k.group}/${k.kind}`, k]));
    new AppProject(this, 'Project', {
      metadata: { name: argoProjectName(site), labels: GITOPS_LABELS, annotations: { [ARGOCD_SYNC_WAVE]: '-1' } },
      spec: {
        description: `Monitoring stack of ${site.name}, synthesized by cdk8s`,
        sourceRepos: [site.gitops.repoUrl, ...releases.map(helmSourceRepo)],
        destinations: argoProjectNamespaces(site).map((namespace) => ({ server: IN_CLUSTER, namespace })),
        clusterResourceWhitelist: [...clusterKinds.keys()].sort().map((key) => ({ ...clusterKinds.get(key)! })),
        // Report objects in our namespaces that Git does not know (no effect on sync), except
        // those that are never in Git by design.
        orphanedResources: { warn: true, ignore: ORPHANS_BY_DESIGN.map((o) => ({ ...o })) },
      },
    });
    new AppProject(this, 'RootProject', {
      metadata: { name: argoRootProjectName(site), labels: GITOPS_LABELS, annotations: { [ARGOCD_SYNC_WAVE]: '-1' } },
      spec: {
        description: `App-of-apps root of the monitoring stack of ${site.name}: Applications and AppProjects only`,
        sourceRepos: [site.gitops.repoUrl],
        destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }],
        // Nothing cluster-scoped, and in the argocd namespace nothing but these kinds.
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: ROOT_PROJECT_KINDS.map((k) => ({ ...k })),
      },
    });
  }
}
