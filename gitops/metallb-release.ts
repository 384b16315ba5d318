/** The MetalLB Helm release, identical for Argo CD and Flux. */
import { METALLB_NAMESPACE, PLATFORM_VERSIONS } from '../charts/platform';
import type { GroupKind, HelmChartRelease } from './helm-release';

export type { GroupKind } from './helm-release';

export const METALLB_RELEASE_NAME = 'metallb';

/**
 * Chart values. L2 mode only, so no BGP backend at all: chart 0.16.1 turns its frr-k8s
 * subchart on by default (`frrk8s.enabled: true`: a host-network DaemonSet with NET_ADMIN and
 * SYS_ADMIN, its own webhook and four CRDs), and keeps the deprecated FRR sidecar mode
 * (`speaker.frr.enabled`) off; both are off here. CRDs come with the chart (its `crds` subchart
 * renders them as templates, so a Helm uninstall deletes them: see docs/gitops.md).
 */
export const METALLB_VALUES = {
  crds: { enabled: true },
  frrk8s: { enabled: false },
  speaker: { frr: { enabled: false } },
} as const;

export const METALLB_CHART = PLATFORM_VERSIONS.metallbChart;

/** Objects the chart creates whose readiness means "pools can be created" (webhook served, ARP answered). */
export const METALLB_WORKLOADS = [
  { kind: 'Deployment', name: `${METALLB_RELEASE_NAME}-controller` },
  { kind: 'DaemonSet', name: `${METALLB_RELEASE_NAME}-speaker` },
] as const;

/**
 * The chart's CRDs are templates, so `helm uninstall` (what Flux runs when the HelmRelease is
 * deleted) would delete them, and with them every IPAddressPool and L2Advertisement: each
 * LoadBalancer address of the stack would be released at once. Helm skips deleting resources
 * annotated `helm.sh/resource-policy: keep` (they become orphans it no longer manages); Flux adds
 * the annotation through this post-renderer patch. Argo CD renders Helm charts without post
 * renderers: there the Application carries no resources finalizer (see gitops/argocd).
 */
export const METALLB_KEEP_CRDS_PATCH = {
  target: { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
  // JSON6902: every CRD of the chart already has metadata.annotations (controller-gen's version).
  patch: '- op: add\n  path: /metadata/annotations/helm.sh~1resource-policy\n  value: keep\n',
} as const;

/**
 * Cluster-scoped kinds the chart renders with METALLB_VALUES (chart 0.16.1: crds subchart,
 * templates/rbac.yaml and webhooks.yaml; frr-k8s and the Prometheus objects off). Not in dist/
 * (Argo CD and Flux render the chart), so listed here for the Argo CD project's allow list.
 * Read from that chart version: a test fails on a version bump until the list is checked again.
 */
export const METALLB_CLUSTER_KINDS_CHART_VERSION = '0.16.1';
export const METALLB_CLUSTER_KINDS: readonly GroupKind[] = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/**
 * The MetalLB controller writes its self-generated CA into the CRDs' conversion webhook and the
 * ValidatingWebhookConfiguration; without these, Argo CD's selfHeal would revert it on every sync
 * and break the webhook (MetalLB documents the same for Argo CD).
 */
export const METALLB_IGNORE_DIFFERENCES = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jqPathExpressions: ['.spec.conversion.webhook.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
] as const;

export const METALLB_RELEASE: HelmChartRelease = {
  releaseName: METALLB_RELEASE_NAME,
  namespace: METALLB_NAMESPACE,
  source: { kind: 'repository', ...METALLB_CHART },
  values: METALLB_VALUES,
  workloads: METALLB_WORKLOADS,
  clusterKinds: METALLB_CLUSTER_KINDS,
  crds: true,
  ignoreDifferences: METALLB_IGNORE_DIFFERENCES,
  fluxPatches: [METALLB_KEEP_CRDS_PATCH],
};
