/** The report's sizing as Kubernetes resources. */
import { k8s } from 'cdk8s-plus-28';

export interface Sizing {
  /** vCPU, the CPU request. */
  readonly cpu: number;
  /** GiB, request and limit. */
  readonly memoryGiB: number;
}

/**
 * Requests carry the report's LXC sizing. Memory limit = request, so the scheduler's promise is
 * the cgroup's ceiling and the pod is never OOM-killed for using what it was promised. No CPU
 * limit: CFS throttling adds latency to scrapes and queries while idle cores exist; the
 * request still guarantees the CPU share under contention.
 */
export function resourcesFor(sizing: Sizing): k8s.ResourceRequirements {
  const memory = k8s.Quantity.fromString(quantityGi(sizing.memoryGiB));
  return {
    requests: { cpu: k8s.Quantity.fromString(cpuQuantity(sizing.cpu)), memory },
    limits: { memory },
  };
}

export function cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}

export function quantityGi(gib: number): string {
  return Number.isInteger(gib) ? `${gib}Gi` : `${Math.round(gib * 1024)}Mi`;
}

/** A small helper pod's budget: CPU and memory requested, memory limited above the request. */
export interface SmallPodBudget {
  /** vCPU requested. */
  readonly cpu: number;
  /** MiB requested. */
  readonly memoryMiB: number;
  /** MiB the container may use before it is OOM-killed. */
  readonly memoryLimitMiB: number;
}

/** Requests and a memory limit for an exporter-sized container (no CPU limit, as above). */
export function smallPodResources(budget: SmallPodBudget): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpuQuantity(budget.cpu)), memory: k8s.Quantity.fromString(quantityGi(budget.memoryMiB / 1024)) },
    limits: { memory: k8s.Quantity.fromString(quantityGi(budget.memoryLimitMiB / 1024)) },
  };
}
