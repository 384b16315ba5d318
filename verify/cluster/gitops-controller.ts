/**
 * Which GitOps controller delivers the stack (Argo CD Applications or Flux Kustomizations of the
 * stack in the cluster), the field manager it applies with, and its own view of the sync.
 *
 * Field managers, from upstream source: Argo CD syncs with server-side apply (our Applications set
 * ServerSideApply=true) as `argocd-controller` (common.ArgoCDSSAManager in argo-cd, passed as
 * sync.WithServerSideApplyManager); Flux's kustomize-controller always applies server-side as
 * `kustomize-controller` (controllerName in its main.go, ssa.Owner{Field: ControllerName}).
 */
import { type CheckResult, fail, pass, skip, warn } from '../check';
import type { DistObject } from './dist-objects';
import type { JsonObject, JsonObjectApi } from './json-api';

export type GitOpsControllerName = 'argocd' | 'flux';

export const FIELD_MANAGERS: Readonly<Record<GitOpsControllerName, string>> = { argocd: 'argocd-controller', flux: 'kustomize-controller' };
/** Used when no controller is found: the dry run then shows where dist/ and the cluster differ in value. */
export const NEUTRAL_FIELD_MANAGER = 'monitoring-stack-verify';

const ARGO_APPLICATION = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' };
const FLUX_KUSTOMIZATION = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
/** Flux objects that report a Ready condition. */
const FLUX_GROUPS = ['kustomize.toolkit.fluxcd.io/', 'source.toolkit.fluxcd.io/', 'helm.toolkit.fluxcd.io/'];
const isFlux = (o: { apiVersion: string }) => FLUX_GROUPS.some((g) => o.apiVersion.startsWith(g));

export interface DetectedController {
  /** The controller delivering the stack; undefined when none of the stack's delivery objects is in the cluster. */
  readonly name?: GitOpsControllerName;
  /** The stack's Applications in the cluster; undefined when Argo CD's CRD is not installed. */
  readonly applications?: readonly JsonObject[];
  /** The stack's Flux Kustomizations in the cluster; undefined when Flux's CRD is not installed. */
  readonly kustomizations?: readonly JsonObject[];
}

async function labelled(api: JsonObjectApi, type: { apiVersion: string; kind: string }, selector: string): Promise<JsonObject[] | undefined> {
  if (!(await api.serves(type.apiVersion, type.kind))) return undefined;
  return api.listAll(type.apiVersion, type.kind, selector);
}

/** Finds the controller from the stack's delivery objects (labelled `app.kubernetes.io/part-of=<partOf>`). */
export async function detectController(api: JsonObjectApi, partOf: string): Promise<DetectedController> {
  const selector = `app.kubernetes.io/part-of=${partOf}`;
  const applications = await labelled(api, ARGO_APPLICATION, selector);
  const kustomizations = await labelled(api, FLUX_KUSTOMIZATION, selector);
  const name = applications?.length ? 'argocd' : kustomizations?.length ? 'flux' : undefined;
  return { name, applications, kustomizations };
}

/** The controller found, as a check (both at once means two controllers fight over the same objects). */
export function controllerCheck(detected: DetectedController, fieldManager: string, overridden: boolean): CheckResult {
  const title = 'GitOps controller and field manager';
  const how = overridden ? `field manager ${fieldManager} (given)` : `field manager ${fieldManager}`;
  if (detected.applications?.length && detected.kustomizations?.length) {
    return warn('drift', 'drift/controller', title, `both Argo CD Applications and Flux Kustomizations of the stack are in the cluster; comparing as ${how}`,
      'deliver with one controller: delete the other\'s Applications or Kustomizations (they overwrite each other\'s changes)');
  }
  if (!detected.name) {
    return skip('drift', 'drift/controller', title, `no Argo CD Application or Flux Kustomization of the stack in the cluster; comparing as ${how}`,
      'bootstrap the delivery (docs: gitops/argocd or gitops/flux), or pass --field-manager with the manager that applies dist/');
  }
  return pass('drift', 'drift/controller', title, `${detected.name === 'argocd' ? 'Argo CD' : 'Flux'}; ${how}`);
}

const ref = (o: { kind: string; metadata: { name: string; namespace?: string } }) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

interface ArgoStatus {
  sync?: { status?: string; revision?: string };
  health?: { status?: string; message?: string };
  conditions?: { type: string; message?: string }[];
  operationState?: { phase?: string; message?: string };
}

function applicationCheck(expected: { metadata: { name: string; namespace?: string } }, live: JsonObject | undefined): CheckResult {
  const id = `drift/argocd/${expected.metadata.name}`;
  const title = `Argo CD Application ${expected.metadata.name} synced and healthy`;
  if (!live) return fail('drift', id, title, 'not in the cluster', 'apply the root Application (dist/gitops/argocd) and let it sync: argocd app sync <root>');
  const status = live.status as ArgoStatus | undefined;
  if (!status?.sync?.status) return fail('drift', id, title, 'no status: Argo CD has not reconciled it', 'check that the argocd-application-controller runs (kubectl -n argocd get pods)');
  const sync = status.sync.status;
  const health = status.health?.status ?? 'Unknown';
  const messages = [...(status.conditions ?? []).map((c) => `${c.type}: ${c.message ?? ''}`), status.operationState?.message ? `last sync ${status.operationState.phase}: ${status.operationState.message}` : '']
    .filter(Boolean);
  if (sync === 'Synced' && health === 'Healthy') return pass('drift', id, title, `Synced, Healthy${status.sync.revision ? ` at ${status.sync.revision.slice(0, 12)}` : ''}`);
  return fail('drift', id, title, `${sync}, ${health}${status.health?.message ? ` (${status.health.message})` : ''}`,
    `argocd app get ${expected.metadata.name} shows which resources differ or are unhealthy`, messages.slice(0, 5));
}

interface Condition { type: string; status: string; reason?: string; message?: string }

function fluxCheck(expected: { kind: string; metadata: { name: string; namespace?: string } }, live: JsonObject | undefined): CheckResult {
  const id = `drift/flux/${expected.kind}/${expected.metadata.name}`;
  const title = `Flux ${ref(expected)} ready`;
  if (!live) return fail('drift', id, title, 'not in the cluster', 'apply the Flux bootstrap (dist/gitops/flux) and let the root Kustomization reconcile: flux reconcile kustomization <root> --with-source');
  if ((live.spec as { suspend?: boolean } | undefined)?.suspend) return fail('drift', id, title, 'suspended: Flux no longer applies it', `flux resume ${expected.kind.toLowerCase()} ${expected.metadata.name} -n ${expected.metadata.namespace}`);
  const status = live.status as { conditions?: Condition[]; lastAppliedRevision?: string; artifact?: { revision?: string } } | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return fail('drift', id, title, 'no Ready condition: Flux has not reconciled it', 'check that the Flux controllers run (flux check)');
  const revision = status?.lastAppliedRevision ?? status?.artifact?.revision;
  if (ready.status === 'True') return pass('drift', id, title, revision ? `Ready at ${revision}` : 'Ready');
  return fail('drift', id, title, `Ready=${ready.status} (${ready.reason ?? 'no reason'}): ${ready.message ?? ''}`.trim(), `flux get ${expected.kind.toLowerCase()}s -A, then flux logs for ${expected.metadata.name}`);
}

/**
 * The controller's own view: each Application / Flux object of `delivery` (dist/gitops), or,
 * without it, each the cluster holds with the stack's label. No controller delivering the stack is
 * a skip, not a failure (the objects may have been applied another way).
 */
export async function syncStateChecks(api: JsonObjectApi, detected: DetectedController, delivery: readonly DistObject[] | undefined): Promise<CheckResult[]> {
  if (detected.name === undefined) {
    const installed = (crd: readonly JsonObject[] | undefined) => (crd === undefined ? 'not installed' : 'installed, none of the stack\'s objects');
    return [skip('drift', 'drift/gitops', 'GitOps sync state', `no controller delivers the stack (Argo CD: ${installed(detected.applications)}; Flux: ${installed(detected.kustomizations)})`,
      'bootstrap the delivery with dist/gitops/argocd or dist/gitops/flux')];
  }
  const results: CheckResult[] = [];
  if (detected.name === 'argocd') {
    const expected = delivery ? delivery.filter((o) => o.kind === 'Application' && o.apiVersion === ARGO_APPLICATION.apiVersion) : detected.applications ?? [];
    for (const app of expected) results.push(applicationCheck(app, await api.get({ ...ARGO_APPLICATION, metadata: app.metadata })));
  } else {
    const expected = delivery ? delivery.filter(isFlux) : detected.kustomizations ?? [];
    for (const o of expected) {
      const served = await api.serves(o.apiVersion, o.kind);
      results.push(served ? fluxCheck(o, await api.get(o)) : skip('drift', `drift/flux/${o.kind}/${o.metadata.name}`, `Flux ${ref(o)} ready`, `${o.apiVersion} ${o.kind} is not served (its Flux controller is not installed)`));
    }
  }
  return results;
}
