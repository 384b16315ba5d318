/**
 * The Deployments, StatefulSets and DaemonSets of dist/: rolled out (the controller has seen the
 * latest spec and every replica is updated, ready and available) and their pods' containers not
 * restarting over and over (with the last termination's reason, which usually names the cause:
 * OOMKilled, Error with an exit code).
 */
import { type CheckResult, fail, pass, warn } from '../check';
import type { DistObject } from './dist-objects';
import type { JsonObject, JsonObjectApi } from './json-api';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Restarts of one container from which it is reported. */
export const DEFAULT_RESTART_THRESHOLD = 3;

/** Waiting reasons that mean a container will not start by itself. */
const STUCK_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName']);

interface RolloutCounts { desired: number; updated: number; ready: number; available: number; total: number }

/** What the workload's controller reports, per kind. */
function counts(live: JsonObject): RolloutCounts {
  const spec = (live.spec ?? {}) as { replicas?: number };
  const s = (live.status ?? {}) as Record<string, number | undefined>;
  if (live.kind === 'DaemonSet') {
    const desired = s.desiredNumberScheduled ?? 0;
    return { desired, updated: s.updatedNumberScheduled ?? 0, ready: s.numberReady ?? 0, available: s.numberAvailable ?? 0, total: s.currentNumberScheduled ?? 0 };
  }
  const desired = spec.replicas ?? 1;
  return { desired, updated: s.updatedReplicas ?? 0, ready: s.readyReplicas ?? 0, available: s.availableReplicas ?? 0, total: s.replicas ?? 0 };
}

const where = (o: { metadata: { name: string; namespace?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;

export function rolloutCheck(object: DistObject, live: JsonObject | undefined): CheckResult {
  const id = `health/workload/${object.kind}/${where(object)}`;
  const title = `${object.kind} ${where(object)} rolled out and ready`;
  const next = `kubectl -n ${object.metadata.namespace} describe ${object.kind.toLowerCase()} ${object.metadata.name}, then its pods' events and logs`;
  if (!live) return fail('health', id, title, 'missing: not in the cluster', 'see the drift checks: the GitOps controller has not applied it');
  const generation = (live.metadata.generation as number | undefined) ?? 0;
  const observed = (live.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0;
  const c = counts(live);
  const problems: string[] = [];
  if (observed < generation) problems.push(`the controller has not seen the latest spec yet (generation ${generation}, observed ${observed})`);
  if (c.updated < c.desired) problems.push(`${c.updated}/${c.desired} updated`);
  if (c.ready < c.desired) problems.push(`${c.ready}/${c.desired} ready`);
  if (c.available < c.desired) problems.push(`${c.available}/${c.desired} available`);
  if (c.total > c.desired) problems.push(`${c.total - c.desired} old pod(s) still running`);
  const stalled = ((live.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? [])
    .find((cond) => cond.reason === 'ProgressDeadlineExceeded' || (cond.type === 'ReplicaFailure' && cond.status === 'True'));
  if (stalled) problems.push(`${stalled.reason}: ${stalled.message ?? ''}`.trim());
  if (problems.length === 0) return pass('health', id, title, `${c.ready}/${c.desired} ready`);
  return fail('health', id, title, problems.join('; '), next);
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

/** `key=value,key in (a,b)` for a label selector, so the server filters the pods. */
export function selectorString(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map((e) => {
    if (e.operator === 'Exists') return e.key;
    if (e.operator === 'DoesNotExist') return `!${e.key}`;
    return `${e.key} ${e.operator === 'NotIn' ? 'notin' : 'in'} (${(e.values ?? []).join(',')})`;
  });
  return [...labels, ...expressions].join(',');
}

/** Containers of the workload's pods that restarted `threshold` times or more, or are stuck waiting. */
export async function restartCheck(api: JsonObjectApi, object: DistObject, threshold: number): Promise<CheckResult> {
  const id = `health/restarts/${object.kind}/${where(object)}`;
  const title = `${object.kind} ${where(object)}: containers not restarting (fewer than ${threshold} restarts)`;
  const selector = (object.spec as { selector?: Parameters<typeof selectorString>[0] } | undefined)?.selector ?? {};
  const pods = await api.listIn('v1', 'Pod', object.metadata.namespace!, { labelSelector: selectorString(selector) });
  const lines = pods.flatMap((pod) => {
    const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
    return [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].flatMap((cs) => {
      const restarts = cs.restartCount ?? 0;
      const waiting = cs.state?.waiting?.reason;
      if (restarts < threshold && !(waiting && STUCK_REASONS.has(waiting))) return [];
      const last = cs.lastState?.terminated;
      const lastText = last ? `; last terminated: ${last.reason ?? 'unknown'}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ''}${last.finishedAt ? ` at ${last.finishedAt}` : ''}` : '';
      const waitingText = waiting ? `; now ${waiting}${cs.state?.waiting?.message ? `: ${cs.state.waiting.message.slice(0, 100)}` : ''}` : '';
      return [`pod ${pod.metadata.name} container ${cs.name}: ${restarts} restart${restarts === 1 ? '' : 's'}${lastText}${waitingText}`];
    });
  });
  if (lines.length === 0) return pass('health', id, title, `${pods.length} pod${pods.length === 1 ? '' : 's'}, none restarting`);
  return warn('health', id, title, `${lines.length} container${lines.length === 1 ? '' : 's'} restarting or stuck`,
    `kubectl -n ${object.metadata.namespace} logs POD -c CONTAINER --previous shows why the last run ended`, lines.slice(0, 20));
}
