/** Turns cdk8s charts into dist/ files: one multi-document YAML per chart, grouped in layer directories. */
import type { Chart } from 'cdk8s';
import { chartJson } from '../charts/chart-json';
import { CDK8S_YAML, yamlText } from '../charts/common/yaml-text';
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
    content: manifestsYaml(chartJson(chart).map(withoutClusterScopedNamespace)),
  }));
}

/** Multi-document YAML exactly as cdk8s's `Yaml.stringify(...docs)` writes it, faster. */
export function manifestsYaml(docs: readonly unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : yamlText(d, CDK8S_YAML))).join('---\n');
}

function withoutClusterScopedNamespace(obj: { kind?: string; metadata?: Record<string, unknown> }): unknown {
  if (!obj.kind || !CLUSTER_SCOPED_KINDS.has(obj.kind) || !obj.metadata) return obj;
  const { namespace: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
