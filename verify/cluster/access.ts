/**
 * The RBAC permissions verify needs, asked of the API server up front (SelfSubjectAccessReview,
 * which every authenticated user may create), so a kubeconfig without them ends the run with
 * one message listing what is missing instead of a failed check per object.
 */
import * as k8s from '@kubernetes/client-node';
import { VerifyError } from '../errors';
import { BUILT_IN_KINDS } from './stack-kinds';

/** Permission on a resource in every namespace (verify reads several: the stack's, metallb-system, etcd-backup, ...). */
export interface AccessNeed {
  /** API group, '' for core. */
  readonly group: string;
  /** Plural resource name, e.g. `deployments`, or `pods/portforward`. */
  readonly resource: string;
  readonly verb: string;
  /** Why verify needs it, for the message. */
  readonly why: string;
}

/**
 * Kinds the stack applies that are part of Kubernetes itself (custom resources are checked per
 * object: their CRD may be absent). RBAC grants each verb on its own: `list` does not allow a
 * `get` of one object by name, which is how drift and health read them.
 */
const DIST_RESOURCES: ReadonlyArray<readonly [group: string, resource: string]> = BUILT_IN_KINDS.map((k) => [k.group, k.resource] as const);

/** What checkDrift needs. */
export const DRIFT_ACCESS: readonly AccessNeed[] = [
  ...DIST_RESOURCES.map(([group, resource]) => ({ group, resource, verb: 'get', why: 'drift: read each object of dist/' })),
  ...DIST_RESOURCES.map(([group, resource]) => ({ group, resource, verb: 'list', why: 'drift: find prune candidates' })),
  // A dry run is authorized like the write it simulates: there is no read-only way to ask the server what an apply would change.
  ...DIST_RESOURCES.map(([group, resource]) => ({ group, resource, verb: 'patch', why: 'drift: server-side apply dry run (nothing is written)' })),
];

/** What checkHealth needs: the objects it reads by name, and the pods and events it lists. */
export const HEALTH_ACCESS: readonly AccessNeed[] = [
  ...[['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['batch', 'cronjobs'], ['', 'services'], ['', 'persistentvolumeclaims']]
    .flatMap(([group, resource]) => ['list', 'get'].map((verb) => ({ group, resource, verb, why: 'health: rollout, volumes, addresses, backups' }))),
  { group: 'storage.k8s.io', resource: 'storageclasses', verb: 'get', why: 'health: which provisioner a Pending claim waits for' },
  { group: '', resource: 'pods', verb: 'list', why: 'health: restart counts' },
  { group: '', resource: 'events', verb: 'list', why: 'health: why a PVC is Pending' },
];

/** What the drift and health checks need together. */
export const CLUSTER_CHECKS_ACCESS: readonly AccessNeed[] = [...DRIFT_ACCESS, ...HEALTH_ACCESS];

const name = (n: AccessNeed) => `${n.verb} ${n.resource}${n.group ? `.${n.group}` : ''}`;

/** Throws VerifyError naming every permission of `needs` the cluster's user lacks. */
export async function checkAccess(authorization: k8s.AuthorizationV1Api, needs: readonly AccessNeed[], who: string): Promise<void> {
  // One question per permission (drift and health share some), all at once.
  const unique = [...new Map(needs.map((n) => [name(n), n])).values()];
  const answers = await Promise.all(unique.map(async (need) => {
    const [resource, subresource] = need.resource.split('/');
    const review = await authorization.createSelfSubjectAccessReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: need.group, resource, subresource, verb: need.verb } } },
    });
    return { need, allowed: review.status?.allowed === true };
  }));
  const denied = answers.filter((a) => !a.allowed).map((a) => a.need);
  if (denied.length === 0) return;
  const shown = denied.slice(0, 8).map((n) => `${name(n)} (${n.why})`);
  const more = denied.length > shown.length ? `, and ${denied.length - shown.length} more` : '';
  throw new VerifyError(`${who} lacks RBAC permissions verify needs in all namespaces: ${shown.join('; ')}${more}`,
    `use an admin kubeconfig (talosctl kubeconfig gives one), or bind a ClusterRole granting ${[...new Set(denied.map((n) => n.verb))].join(', ')} on these resources; check one with kubectl auth can-i ${denied[0].verb} ${denied[0].resource} --all-namespaces`);
}
