/**
 * Everything `synth` writes into dist/, computed from the validated site alone: pure and
 * deterministic (no clock, no randomness, no I/O), so the same site gives byte-identical files.
 */
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import type { Site } from '../site';
import { addMonitoringLayer } from '../charts/monitoring-layer';
import { chartFiles, PlacedChart } from './kubernetes-files';
import type { OutputFile } from './output-file';

export function renderDist(site: Site): OutputFile[] {
  // outdir is never used: files are serialized here, then written atomically by the caller.
  const app = new App({ outdir: '/nonexistent-cdk8s-outdir' });
  const placed: PlacedChart[] = [
    ...addMonitoringLayer(app, site).map((chart) => ({ dir: 'monitoring', chart })),
  ];
  const files = chartFiles(placed);
  return [...files, ...kustomizations(files)];
}

/** One kustomization.yaml per directory of Kubernetes manifests, listing its files in order. */
function kustomizations(files: readonly OutputFile[]): OutputFile[] {
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    byDir.set(dir, [...(byDir.get(dir) ?? []), f.path.slice(dir.length + 1)]);
  }
  return [...byDir.entries()].map(([dir, names]) => ({
    path: `${dir}/kustomization.yaml`,
    content: YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...names].sort() }),
  }));
}
