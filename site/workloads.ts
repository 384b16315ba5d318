/**
 * The sized workloads the stack runs on Kubernetes: one per service, except simple-scalable Loki,
 * which is three (write, read, backend). The placement plan, the VM sizing and the comparison
 * count pods through these, so a workload's requests and replicas are said once.
 */
import { STACK_SERVICES, type Site, type StackServiceName } from './schema';

export interface SizedWorkload {
  /** Its pods' app.kubernetes.io/name: the service name, or loki-write, loki-read, loki-backend. */
  readonly name: string;
  readonly service: StackServiceName;
  /** vCPU requested by each pod. */
  readonly cpu: number;
  /** GiB requested (and limited) by each pod. */
  readonly memoryGiB: number;
  /** GiB of each pod's own volume; 0: no volume. */
  readonly storageGiB: number;
  /** Pods, one per failure domain when more than one. */
  readonly replicas: number;
}

/** The three targets of simple-scalable Loki, as component names. */
export const LOKI_TARGETS = ['write', 'read', 'backend'] as const;
export type LokiTarget = (typeof LOKI_TARGETS)[number];

/**
 * Pods and each pod's share of loki.cpu and loki.memoryGiB per target. Every stream is on each of
 * the three write pods (replication factor 3 needs exactly 3 writers to survive one), so each
 * holds all unflushed chunks, about what the single binary's ingester held: three quarters;
 * readers run queries; backends compact, schedule queries and serve the index, lighter still.
 */
export const LOKI_TARGET_SHAPE: Readonly<Record<LokiTarget, { replicas: number; share: number }>> = {
  write: { replicas: 3, share: 0.75 },
  read: { replicas: 2, share: 0.25 },
  backend: { replicas: 3, share: 0.25 },
};

export function lokiSimpleScalable(site: Site): boolean {
  return site.loki.mode === 'simple-scalable';
}

/** Component name of one simple-scalable Loki target. */
export function lokiTargetComponent(target: LokiTarget): string {
  return `loki-${target}`;
}

/** Pods of a sized service: prometheus.replicas, alertmanager.replicas, grafana.replicas; Loki runs one (or a workload per target). */
export function serviceReplicas(site: Site, service: StackServiceName): number {
  return service === 'loki' ? 1 : site[service].replicas;
}

/** Rounds a share to what a resource quantity says exactly (milli-CPU, MiB), never below one step (a request of 0 is none). */
const share = (value: number, fraction: number, step: number) => Math.max(1, Math.round((value * fraction) / step)) * step;

/** Each sized workload of the site, in STACK_SERVICES order. */
export function stackWorkloads(site: Site): SizedWorkload[] {
  return STACK_SERVICES.flatMap((service): SizedWorkload[] => {
    const s = site[service];
    if (service === 'loki' && lokiSimpleScalable(site)) {
      return LOKI_TARGETS.map((target) => ({
        name: lokiTargetComponent(target),
        service,
        cpu: share(s.cpu, LOKI_TARGET_SHAPE[target].share, 0.001),
        memoryGiB: share(s.memoryGiB, LOKI_TARGET_SHAPE[target].share, 1 / 1024),
        storageGiB: target === 'write' ? site.loki.walVolumeGiB : target === 'backend' ? site.loki.backendVolumeGiB : 0,
        replicas: LOKI_TARGET_SHAPE[target].replicas,
      }));
    }
    return [{
      name: service,
      service,
      cpu: s.cpu,
      memoryGiB: s.memoryGiB,
      // An ephemeral Grafana keeps its database in an emptyDir on the OS disk: no claim.
      storageGiB: service === 'grafana' && site.grafana.storage === 'ephemeral' ? 0 : s.storageGiB,
      replicas: serviceReplicas(site, service),
    }];
  });
}

/** One workload by component name (throws for a name the site does not run: a programming error). */
export function stackWorkload(site: Site, name: string): SizedWorkload {
  const found = stackWorkloads(site).find((w) => w.name === name);
  if (!found) throw new Error(`no sized workload ${name} on this site`);
  return found;
}
