/**
 * The stack's PersistentVolumeClaims: those in dist/ and those the StatefulSets' claim templates
 * make (`<template>-<set>-<ordinal>`), each Bound, at least as large as requested, of the site's
 * StorageClass. A Pending claim is explained by its latest event (no provisioner, waiting for the
 * first consumer, provisioning failed), which is what the operator would look up next.
 */
import { LOCAL_PATH_NAMESPACE, PLATFORM_BASE_DIR, PROXMOX_CSI_NAMESPACE } from '../../charts/platform';
import { PROXMOX_CSI_PROVISIONER } from '../../charts/platform/proxmox-csi-storage';
import { LOCAL_PATH_PROVISIONER } from '../../charts/platform/local-path-provisioner';
import type { Site } from '../../site';
import { type CheckResult, fail, pass, warn } from '../check';
import { apiFailure } from './api-errors';
import type { DistObject } from './dist-objects';
import type { JsonObject, JsonObjectApi } from './json-api';
import { parseQuantity } from './quantity';

interface ClaimSpec { resources?: { requests?: { storage?: string } }; storageClassName?: string }

/** A claim the stack expects, and where the expectation comes from. */
export interface ExpectedClaim {
  readonly namespace: string;
  readonly name: string;
  readonly request: string;
  /** From a StatefulSet template (its pod exists, so Pending is never expected) or a claim of dist/ (may wait for its first pod). */
  readonly source: 'statefulset' | 'dist';
  /** The StatefulSet pod that mounts it. */
  readonly pod?: string;
}

/** The claims of dist/: its PersistentVolumeClaims, and per StatefulSet replica one per claim template (replicas as the live set has them). */
export function expectedClaims(objects: readonly DistObject[], liveReplicas: ReadonlyMap<string, number>): ExpectedClaim[] {
  return objects.flatMap((o): ExpectedClaim[] => {
    const namespace = o.metadata.namespace!;
    if (o.kind === 'PersistentVolumeClaim') return [{ namespace, name: o.metadata.name, request: (o.spec as ClaimSpec).resources?.requests?.storage ?? '0', source: 'dist' }];
    if (o.kind !== 'StatefulSet') return [];
    const spec = o.spec as { replicas?: number; volumeClaimTemplates?: { metadata: { name: string }; spec: ClaimSpec }[] };
    const replicas = liveReplicas.get(`${namespace}/${o.metadata.name}`) ?? spec.replicas ?? 1;
    return (spec.volumeClaimTemplates ?? []).flatMap((t) => Array.from({ length: replicas }, (_, i) => ({
      namespace, name: `${t.metadata.name}-${o.metadata.name}-${i}`, request: t.spec.resources?.requests?.storage ?? '0', source: 'statefulset' as const, pod: `${o.metadata.name}-${i}`,
    })));
  });
}

/** The newest event about the claim, as `Reason: message`; undefined when there is none. */
async function latestEvent(api: JsonObjectApi, claim: ExpectedClaim): Promise<{ reason: string; text: string } | undefined> {
  const events = await api.listIn('v1', 'Event', claim.namespace, { fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${claim.name}` });
  const time = (e: JsonObject) => String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
  const newest = events.sort((a, b) => time(b).localeCompare(time(a)))[0];
  if (!newest) return undefined;
  return { reason: String(newest.reason ?? ''), text: `${String(newest.reason ?? 'event')}: ${String(newest.message ?? '').trim()}` };
}

/**
 * What to check next about the claim's StorageClass: the provisioner the stack ships runs in
 * LOCAL_PATH_NAMESPACE, but only the site's class is the stack's (charts/platform/local-path-provisioner.ts),
 * and only while it still names that provisioner; any other class's provisioner lives wherever its installer put it.
 */
async function provisionerHint(api: JsonObjectApi, site: Site, className: string): Promise<string> {
  let live: JsonObject | undefined;
  try {
    live = await api.get({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: className } });
  } catch (e) {
    // Not allowed to read it: the hint is then only less precise.
    if (!apiFailure(e)) throw e;
    return `check the provisioner of StorageClass ${className} (kubectl get storageclass ${className})`;
  }
  const ours = className === site.kubernetes.storageClass;
  if (!live) {
    return ours
      ? `StorageClass ${className} does not exist: see the drift checks (dist/${PLATFORM_BASE_DIR} ships it)`
      : `StorageClass ${className} does not exist: the site asks for ${site.kubernetes.storageClass}`;
  }
  const provisioner = typeof live.provisioner === 'string' ? live.provisioner : '(none)';
  if (ours && provisioner === LOCAL_PATH_PROVISIONER) return `check the provisioner of StorageClass ${className} (${provisioner}): kubectl -n ${LOCAL_PATH_NAMESPACE} get pods, and its logs`;
  if (ours && provisioner === PROXMOX_CSI_PROVISIONER) {
    return `check the Proxmox CSI plugin (${provisioner}): kubectl -n ${PROXMOX_CSI_NAMESPACE} get pods, kubectl -n ${PROXMOX_CSI_NAMESPACE} logs deploy/proxmox-csi-plugin-controller -c proxmox-csi-plugin-controller (API token in Secret ${site.kubernetes.proxmoxCsi?.tokenSecret ?? 'proxmox-csi-token'}, storage of the class, the nodes' topology labels)`;
  }
  return `check the provisioner of StorageClass ${className} (${provisioner}): its pods and logs, where it is installed`;
}

export async function claimCheck(api: JsonObjectApi, site: Site, claim: ExpectedClaim): Promise<CheckResult> {
  const storageClass = site.kubernetes.storageClass;
  const id = `health/pvc/${claim.namespace}/${claim.name}`;
  const title = `PVC ${claim.namespace}/${claim.name} bound, ${claim.request} ${storageClass}`;
  const live = await api.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim.name, namespace: claim.namespace } });
  if (!live) {
    return fail('health', id, title, 'missing: not in the cluster', claim.source === 'statefulset'
      ? `the StatefulSet controller creates it with pod ${claim.pod}: kubectl -n ${claim.namespace} describe statefulset ${claim.pod!.replace(/-\d+$/, '')}`
      : 'see the drift checks: the GitOps controller has not applied it');
  }
  const spec = live.spec as ClaimSpec;
  const status = (live.status ?? {}) as { phase?: string; capacity?: { storage?: string } };
  const phase = status.phase ?? 'Pending';
  const describe = `kubectl -n ${claim.namespace} describe pvc ${claim.name}`;
  if (phase !== 'Bound') {
    const event = await latestEvent(api, claim);
    const because = event ? `: ${event.text}` : ' (no event explains it)';
    // A claim of dist/ with WaitForFirstConsumer binds when its first pod is scheduled: for the
    // etcd snapshots that is the first backup run (gitops/layers.ts).
    if (phase === 'Pending' && claim.source === 'dist' && event?.reason === 'WaitForFirstConsumer') {
      return warn('health', id, title, `Pending until its first pod is scheduled${because}`, 'nothing to do if no pod has mounted it yet (the etcd-backup claim binds at the first backup run)');
    }
    return fail('health', id, title, `${phase}${because}`, `${describe}; ${await provisionerHint(api, site, spec.storageClassName ?? storageClass)}`);
  }
  const problems: string[] = [];
  if (spec.storageClassName !== storageClass) problems.push(`StorageClass ${spec.storageClassName ?? '(none)'}, the site asks for ${storageClass}`);
  const capacity = status.capacity?.storage;
  const have = capacity === undefined ? undefined : parseQuantity(capacity);
  const want = parseQuantity(claim.request) ?? 0;
  if (have === undefined || have < want) problems.push(`capacity ${capacity ?? '(none reported)'}, less than the ${claim.request} requested`);
  if (problems.length > 0) return fail('health', id, title, `Bound, but ${problems.join('; ')}`, `${describe}; a claim's class cannot change: move the data to a new claim of the right class and size`);
  return pass('health', id, title, `Bound, ${capacity} ${spec.storageClassName}`);
}
