/**
 * A chart's objects as JSON, resolved once: the manifests (render/kubernetes-files.ts) and the VM
 * sizing (charts/addon-requests.ts) both read them, and cdk8s resolves every token again on each
 * toJson(). Charts are immutable once built (charts/cluster-charts.ts builds them once per site).
 */
import type { Chart } from 'cdk8s';

const cache = new WeakMap<Chart, readonly Record<string, any>[]>();

/** `chart.toJson()`, computed once per chart. Callers must not modify the objects. */
export function chartJson(chart: Chart): readonly Record<string, any>[] {
  let json = cache.get(chart);
  if (!json) {
    json = chart.toJson() as Record<string, any>[];
    cache.set(chart, json);
  }
  return json;
}
