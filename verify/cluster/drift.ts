/**
 * Drift between Git and the cluster (issue 12, item 1): each object of dist/ must exist and a
 * server-side apply of it by the GitOps controller's field manager must change nothing (asked as
 * a dry run, so the server's defaulting, admission and field ownership decide, not a local
 * guess); objects carrying the stack's label that dist/ no longer has are prune candidates; and
 * the controller's own sync state is reported when a controller delivers the stack.
 */
import { PART_OF } from '../../charts/common/labels';
import { GENERATED_SECRET_LABEL } from '../../charts/secrets/stack-secrets';
import { type CheckResult, fail, pass, warn } from '../check';
import { describeFailure, fatalClusterError } from './api-errors';
import { type Cluster, DEFAULT_REQUEST_TIMEOUT_MS } from './connect';
import type { DistObject } from './dist-objects';
import { controllerCheck, detectController, type DetectedController, FIELD_MANAGERS, NEUTRAL_FIELD_MANAGER, syncStateChecks } from './gitops-controller';
import { type JsonObject, type JsonObjectApi, jsonApi } from './json-api';
import { mapLimit } from './map-limit';
import { diffObjects } from './object-diff';
import { STACK_KINDS, type StackKind } from './stack-kinds';

export interface DriftOptions {
  /**
   * Field manager of the dry-run apply: the one that applies dist/ in this cluster.
   * @default - the detected controller's (argocd-controller or kustomize-controller), else monitoring-stack-verify
   */
  readonly fieldManager?: string;
  /** Value of `app.kubernetes.io/part-of` that marks the stack's objects. @default 'monitoring-stack' */
  readonly partOf?: string;
  /**
   * The Argo CD / Flux objects of dist/gitops (readDeliveryObjects), so a missing Application or
   * Kustomization is reported. @default - the stack's labelled ones found in the cluster
   */
  readonly delivery?: readonly DistObject[];
  /** Progress lines while checking. @default - none */
  readonly progress?: (message: string) => void;
}

/** Requests in flight at once: enough to hide latency to a remote API server, few enough not to load it. */
const CONCURRENCY = 4;

/**
 * Labels and annotations a controller adds to what it applies (and therefore owns): Argo CD's
 * tracking (annotation by default since 3.0, the instance label before) and Flux's owner labels.
 * Left out of the dry run, the server would remove them as fields the manager stopped applying,
 * and every object would show drift nobody made; so they are taken over from the live object.
 */
const CONTROLLER_LABELS = ['app.kubernetes.io/instance', 'kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace'];
const CONTROLLER_ANNOTATIONS = ['argocd.argoproj.io/tracking-id', 'argocd.argoproj.io/installation-id'];

/** Who installs the CRDs of custom resources dist/ applies. */
const CRD_PROVIDERS: Readonly<Record<string, string>> = {
  'metallb.io': 'the MetalLB chart installs it (Argo CD Application <site>-metallb, Flux HelmRelease metallb): sync that layer first',
  'talos.dev': 'Talos installs it when machine.features.kubernetesTalosAPIAccess is on (the generated Talos config sets it): apply the Talos machine config',
  'velero.io': 'Velero\'s installation brings it: install Velero or set backups.velero: false in the site',
};

const where = (o: { metadata: { name: string; namespace?: string } }) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const objectId = (o: DistObject) => `drift/object/${o.kind}/${where(o)}`;
const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
/** The kind as kubectl names it: with its group, as kinds of different groups share names (talos.dev's ServiceAccount). */
const kubectlType = (o: { apiVersion: string; kind: string }) => `${o.kind.toLowerCase()}${group(o.apiVersion) ? `.${group(o.apiVersion)}` : ''}`;

/** The object to apply: dist/'s, plus the controller's own metadata as the live object has it. */
function desiredObject(object: DistObject, live: JsonObject): JsonObject {
  const { file: _file, ...plain } = structuredClone(object);
  const desired = plain as JsonObject;
  const take = (field: 'labels' | 'annotations', keys: readonly string[]) => {
    for (const k of keys) {
      const value = live.metadata[field]?.[k];
      if (value !== undefined && desired.metadata[field]?.[k] === undefined) desired.metadata[field] = { ...desired.metadata[field], [k]: value };
    }
  };
  take('labels', CONTROLLER_LABELS);
  take('annotations', CONTROLLER_ANNOTATIONS);
  return desired;
}

/** Managers other than `fieldManager` that wrote the object, newest first: who may have made the drift. */
function otherWriters(live: JsonObject, fieldManager: string): string {
  const entries = (live.metadata.managedFields as { manager?: string; operation?: string; time?: string; subresource?: string }[] | undefined) ?? [];
  const writers = entries.filter((m) => m.manager !== fieldManager && m.subresource !== 'status')
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))
    .map((m) => `${m.manager} (${m.operation}${m.subresource ? ` ${m.subresource}` : ''}${m.time ? ` ${m.time}` : ''})`);
  return writers.length ? `; also written by ${writers.slice(0, 3).join(', ')}` : '';
}

function syncHint(controller: DetectedController['name']): string {
  if (controller === 'argocd') return 'sync the layer\'s Application (argocd app sync <app>), or check why self-heal did not';
  if (controller === 'flux') return 'reconcile the layer\'s Kustomization (flux reconcile kustomization <name> --with-source)';
  return 'apply dist/ (the GitOps controller does this when it runs)';
}

async function checkObject(api: JsonObjectApi, object: DistObject, fieldManager: string, controller: DetectedController['name'], fatal: (e: unknown) => Error | undefined): Promise<CheckResult> {
  const id = objectId(object);
  const title = `${object.kind} ${where(object)} matches dist/${object.file}`;
  try {
    if (!(await api.serves(object.apiVersion, object.kind))) {
      return fail('drift', id, title, `the cluster does not serve ${object.apiVersion} ${object.kind}: its CRD is not installed`,
        CRD_PROVIDERS[group(object.apiVersion)] ?? 'install the CRD that defines it before this layer');
    }
    const live = await api.get(object);
    if (!live) return fail('drift', id, title, 'missing: not in the cluster', syncHint(controller));
    if (object.encrypted) {
      // dist/ holds ciphertext: a dry run without the values would report every value as removed.
      return pass('drift', id, title, 'present (its values are SOPS-encrypted in dist/ and not compared)');
    }
    let planned: JsonObject;
    try {
      planned = await api.applyDryRun(desiredObject(object, live), fieldManager);
    } catch (e) {
      if (fatal(e)) throw e;
      return fail('drift', id, title, `the server refuses dist/'s version (dry run): ${describeFailure(e)}`,
        'an immutable field changed or admission refuses it: the controller cannot apply it either; see its sync status');
    }
    const diff = diffObjects(live, planned);
    if (diff.count === 0) return pass('drift', id, title, 'no change on apply');
    return fail('drift', id, title, `${diff.count} field${diff.count === 1 ? '' : 's'} would change on apply (cluster → git)${otherWriters(live, fieldManager)}`,
      `${syncHint(controller)}; a change made on purpose belongs in the site file and dist/`, diff.lines);
  } catch (e) {
    if (fatal(e)) throw fatal(e);
    return fail('drift', id, title, describeFailure(e), 'check the API server and RBAC (kubectl auth can-i get,patch this kind)');
  }
}

/**
 * Objects labelled part-of=`partOf` that dist/ does not have, searched among the kinds the stack
 * applies or has applied (STACK_KINDS) and dist/'s own, so leftovers of a kind dist/ no longer
 * has at all are found too; kinds the server does not serve are skipped. Left out on purpose: the
 * generated Secrets (applied out of band), objects a controller owns (ownerReferences), and the
 * claims StatefulSets create from their templates. A kind that cannot be listed (RBAC on a custom
 * resource) is one failed result; the other kinds are still searched.
 */
async function pruneCandidates(api: JsonObjectApi, objects: readonly DistObject[], partOf: string, fatal: (e: unknown) => Error | undefined): Promise<CheckResult[]> {
  const key = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) => `${group(o.apiVersion)}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
  const known = new Set(objects.map(key));
  const claimPrefixes = objects.filter((o) => o.kind === 'StatefulSet').flatMap((s) => {
    const templates = ((s.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []);
    return templates.map((t) => ({ namespace: s.metadata.namespace, prefix: `${t.metadata.name}-${s.metadata.name}-` }));
  });
  const isClaimOfSet = (o: JsonObject) => o.kind === 'PersistentVolumeClaim'
    && claimPrefixes.some((c) => c.namespace === o.metadata.namespace && o.metadata.name.startsWith(c.prefix) && /^\d+$/.test(o.metadata.name.slice(c.prefix.length)));
  // One search per group and kind, in the version dist/ writes it when dist/ has it.
  const kinds = new Map<string, StackKind>();
  for (const o of [...objects, ...STACK_KINDS]) {
    const id = `${group(o.apiVersion)}|${o.kind}`;
    if (!kinds.has(id)) kinds.set(id, { apiVersion: o.apiVersion, kind: o.kind });
  }
  const results: CheckResult[] = [];
  for (const kind of kinds.values()) {
    let found: JsonObject[];
    try {
      if (!(await api.serves(kind.apiVersion, kind.kind))) continue;
      found = await api.listAll(kind.apiVersion, kind.kind, `app.kubernetes.io/part-of=${partOf}`);
    } catch (e) {
      if (fatal(e)) throw e;
      results.push(fail('drift', `drift/prune/${kind.kind}`, `prune candidates among ${kind.apiVersion} ${kind.kind}`, describeFailure(e),
        `check RBAC: kubectl auth can-i list ${kubectlType(kind)} --all-namespaces`));
      continue;
    }
    for (const o of found) {
      if (known.has(key(o)) || (o.metadata.ownerReferences as unknown[] | undefined)?.length || o.metadata.labels?.[GENERATED_SECRET_LABEL] !== undefined || isClaimOfSet(o)) continue;
      results.push(warn('drift', `drift/prune/${o.kind}/${where(o)}`, `${o.kind} ${where(o)} is in dist/`,
        `labelled app.kubernetes.io/part-of=${partOf} but not in dist/: left over from an earlier version, or made by hand`,
        `if dist/ dropped it on purpose, delete it: kubectl delete ${kubectlType(o)} ${o.metadata.namespace ? `-n ${o.metadata.namespace} ` : ''}${o.metadata.name}`));
    }
  }
  return results;
}

export async function checkDrift(cluster: Cluster, objects: readonly DistObject[], options: DriftOptions = {}): Promise<CheckResult[]> {
  const api = jsonApi(cluster);
  const progress = options.progress ?? (() => undefined);
  const partOf = options.partOf ?? PART_OF;
  const fatal = (e: unknown) => fatalClusterError(e, cluster.server, cluster.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  /** A step whose request fails (RBAC on a custom resource, a webhook down) becomes one failed result; a lost cluster ends the run. */
  const attempt = async (id: string, title: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return await run();
    } catch (e) {
      const lost = fatal(e);
      if (lost) throw lost;
      return [fail('drift', id, title, describeFailure(e), 'check the API server and RBAC (kubectl auth can-i list this kind --all-namespaces)')];
    }
  };

  let detected: DetectedController = {};
  const detection = await attempt('drift/controller', 'GitOps controller and field manager', async () => {
    detected = await detectController(api, partOf);
    return [];
  });
  const fieldManager = options.fieldManager ?? (detected.name ? FIELD_MANAGERS[detected.name] : NEUTRAL_FIELD_MANAGER);
  const results: CheckResult[] = detection.length ? detection : [controllerCheck(detected, fieldManager, options.fieldManager !== undefined)];

  let done = 0;
  results.push(...await mapLimit(objects, CONCURRENCY, async (object) => {
    const result = await checkObject(api, object, fieldManager, detected.name, fatal);
    done += 1;
    if (done % 10 === 0 || done === objects.length) progress(`drift: ${done}/${objects.length} objects compared`);
    return result;
  }));
  progress('drift: looking for prune candidates');
  results.push(...await attempt('drift/prune', 'prune candidates', () => pruneCandidates(api, objects, partOf, fatal)));
  results.push(...await attempt('drift/gitops', 'GitOps sync state', () => syncStateChecks(api, detected, options.delivery)));
  return results;
}
