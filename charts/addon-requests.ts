/**
 * CPU and memory requested by every pod this tool deploys besides the four sized services
 * (exporters, the syslog gateway beside Loki, local-path-provisioner, the kubelet CSR approver,
 * etcd backup), read from the charts
 * themselves so the Talos VM sizing follows what is really deployed.
 */
import type { Chart } from 'cdk8s';
import { stackWorkloads, type Site } from '../site';
import { chartJson } from './chart-json';
import { clusterCharts } from './cluster-charts';

export interface PodRequests {
  /** "<kind>/<name>". */
  readonly workload: string;
  /** CPU cores. */
  readonly cpu: number;
  readonly memoryGiB: number;
}

const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12, '': 1 };

export function cpuCores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

export function memoryGiB(quantity: string): number {
  const m = /^([0-9.]+)([KMGT]i?|k)?$/.exec(quantity);
  if (!m) throw new Error(`unexpected memory quantity ${quantity}`);
  return (Number(m[1]) * MEMORY_UNITS[m[2] ?? '']) / 2 ** 30;
}

interface PodTemplate { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name: string; resources?: { requests?: Record<string, string> } }[] } }

function podTemplateOf(obj: Record<string, any>): PodTemplate | undefined {
  return obj.spec?.jobTemplate?.spec?.template ?? obj.spec?.template;
}

const cache = new WeakMap<Site, PodRequests[]>();

/** Requests of every add-on pod (one replica each), in chart order. Cached per site object. */
export function addOnPodRequests(site: Site): PodRequests[] {
  const cached = cache.get(site);
  if (cached) return cached;
  const { monitoring, platform } = clusterCharts(site);
  const charts: Chart[] = [...monitoring, ...platform.flatMap((l) => l.charts)];
  // Sized workload (pod name label) -> its own container's name: the service (loki in every Loki target's pod).
  const sized = new Map(stackWorkloads(site).map((w) => [w.name, w.service as string]));
  const result = charts.flatMap((chart) => chartJson(chart)
    .flatMap((obj) => {
      const template = podTemplateOf(obj);
      if (!template?.spec?.containers) return [];
      // A sized service's own container is the report's sizing; containers beside it (the
      // syslog gateway in Loki's pod) are add-ons like any other.
      const service = template.metadata?.labels?.['app.kubernetes.io/name'] ?? '';
      const containers = sized.has(service) ? template.spec.containers.filter((c) => c.name !== sized.get(service)) : template.spec.containers;
      if (containers.length === 0) return [];
      const requests = containers.map((c) => c.resources?.requests ?? {});
      return [{
        workload: `${obj.kind}/${obj.metadata.name}${sized.has(service) ? ` (${containers.map((c) => c.name).join(', ')})` : ''}`,
        cpu: requests.reduce((n, r) => n + (r.cpu ? cpuCores(r.cpu) : 0), 0),
        memoryGiB: requests.reduce((n, r) => n + (r.memory ? memoryGiB(r.memory) : 0), 0),
      }];
    }));
  cache.set(site, result);
  return result;
}
