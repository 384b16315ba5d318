/** Turns cdk8s charts into dist/ files: one multi-document YAML per chart, grouped in layer directories. */
import { Chart, Yaml } from 'cdk8s';
import type { OutputFile } from './output-file';

export interface PlacedChart {
  /** Directory under dist/, e.g. "monitoring". */
  readonly dir: string;
  readonly chart: Chart;
}

/** File name of a chart inside its layer: the chart id, which is part of the public contract. */
export function chartFileName(chart: Chart): string {
  return `${chart.node.id}.yaml`;
}

/**
 * Kinds that live outside namespaces. cdk8s stamps the chart namespace on every object; the API
 * server drops it for these, and GitOps diffs would then show it as drift.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'IngressClass',
]);

export function chartFiles(placed: readonly PlacedChart[]): OutputFile[] {
  return placed.map(({ dir, chart }) => ({
    path: `${dir}/${chartFileName(chart)}`,
    content: Yaml.stringify(...chart.toJson().map(withoutClusterScopedNamespace)),
  }));
}

function withoutClusterScopedNamespace(obj: { kind?: string; metadata?: Record<string, unknown> }): unknown {
  if (!obj.kind || !CLUSTER_SCOPED_KINDS.has(obj.kind) || !obj.metadata) return obj;
  const { namespace: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
