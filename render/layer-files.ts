/**
 * Charts grouped by dist/ directory -> files: `<dir>/<chart id>.yaml` (serialized by
 * kubernetes-files.ts) plus one kustomization.yaml per directory.
 */
import type { Chart } from 'cdk8s';
import { chartFiles } from './kubernetes-files';
import { kustomizationFiles } from './kustomization';
import type { OutputFile } from './output-file';

/** Charts destined for one dist/ directory (one GitOps layer); each chart becomes `<chart id>.yaml` there. */
export interface LayerCharts {
  /** Directory relative to dist/, POSIX, e.g. "platform/base". */
  readonly directory: string;
  readonly charts: readonly Chart[];
  /**
   * Other dist/ directories this directory's kustomization.yaml also builds (as relative
   * directory resources), for one object file shared by two entry points. @default - none
   */
  readonly includes?: readonly string[];
}

export function layerFiles(layers: readonly LayerCharts[]): OutputFile[] {
  const manifests = chartFiles(layers.flatMap((layer) => layer.charts.map((chart) => ({ dir: layer.directory, chart }))));
  const includes = new Map(layers.map((l) => [l.directory, l.includes ?? []]));
  return [...manifests, ...kustomizationFiles(manifests, layers.map((l) => l.directory), includes)];
}
