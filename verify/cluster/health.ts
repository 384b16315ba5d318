/**
 * Health of what dist/ deployed (issue 12, item 2): workloads rolled out and not restarting,
 * claims bound at the requested size and class, LoadBalancer Services on the site's addresses,
 * and the etcd backup's last success. Each finding is a CheckResult; only a lost connection or
 * rejected credentials end the run.
 */
import type { Site } from '../../site';
import { type CheckResult, fail } from '../check';
import { describeFailure, fatalClusterError } from './api-errors';
import { backupCheck } from './backups';
import { type Cluster, DEFAULT_REQUEST_TIMEOUT_MS } from './connect';
import type { DistObject } from './dist-objects';
import { jsonApi } from './json-api';
import { isLoadBalancer, loadBalancerCheck } from './load-balancers';
import { mapLimit } from './map-limit';
import { claimCheck, expectedClaims } from './volumes';
import { DEFAULT_RESTART_THRESHOLD, restartCheck, rolloutCheck, WORKLOAD_KINDS } from './workloads';

export interface HealthOptions {
  /** The current time, for the backup's age. @default - the system clock */
  readonly now?: () => Date;
  /** Restarts of one container from which it is reported (warn). @default 3 */
  readonly restartThreshold?: number;
  /** Progress lines while checking. @default - none */
  readonly progress?: (message: string) => void;
}

const CONCURRENCY = 4;

export async function checkHealth(cluster: Cluster, site: Site, objects: readonly DistObject[], options: HealthOptions = {}): Promise<CheckResult[]> {
  const api = jsonApi(cluster);
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? (() => undefined);
  const threshold = options.restartThreshold ?? DEFAULT_RESTART_THRESHOLD;
  /** One check: a failed request becomes its failed result, unless the cluster is gone. */
  const guarded = async (id: string, title: string, run: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return [await run()].flat();
    } catch (e) {
      const fatal = fatalClusterError(e, cluster.server, cluster.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      if (fatal) throw fatal;
      return [fail('health', id, title, describeFailure(e), 'check the API server and RBAC (kubectl auth can-i list this kind)')];
    }
  };

  const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  progress(`health: ${workloads.length} workloads`);
  const liveReplicas = new Map<string, number>();
  const workloadResults = await mapLimit(workloads, CONCURRENCY, (w) => guarded(`health/workload/${w.kind}/${w.metadata.namespace}/${w.metadata.name}`, `${w.kind} ${w.metadata.namespace}/${w.metadata.name}`, async () => {
    const live = await api.get(w);
    const replicas = (live?.spec as { replicas?: number } | undefined)?.replicas;
    if (w.kind === 'StatefulSet' && replicas !== undefined) liveReplicas.set(`${w.metadata.namespace}/${w.metadata.name}`, replicas);
    const rollout = rolloutCheck(w, live);
    return live ? [rollout, await restartCheck(api, w, threshold)] : [rollout];
  }));

  const claims = expectedClaims(objects, liveReplicas);
  progress(`health: ${claims.length} volume claims`);
  const claimResults = await mapLimit(claims, CONCURRENCY, (c) => guarded(`health/pvc/${c.namespace}/${c.name}`, `PVC ${c.namespace}/${c.name}`, () => claimCheck(api, site, c)));

  const services = objects.filter(isLoadBalancer);
  progress(`health: ${services.length} LoadBalancer addresses`);
  const lbResults = await mapLimit(services, CONCURRENCY, (s) => guarded(`health/lb/${s.metadata.namespace}/${s.metadata.name}`, `LoadBalancer ${s.metadata.namespace}/${s.metadata.name}`, () => loadBalancerCheck(api, site, s)));

  progress('health: etcd backup');
  const backup = await guarded('health/backup', 'etcd backup', () => backupCheck(api, site, now()));
  return [...workloadResults, ...claimResults, ...lbResults, backup].flat();
}
