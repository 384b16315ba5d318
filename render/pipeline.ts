/**
 * Everything `synth` writes into dist/, computed from the validated site alone: pure and
 * deterministic (no clock, no randomness, no I/O), so the same site gives byte-identical files.
 */
import { App } from 'cdk8s';
import type { Site } from '../site';
import { addMonitoringLayer } from '../charts/monitoring-layer';
import { addPlatformLayer } from '../charts/platform';
import { addGitopsLayer, MONITORING_DIR } from '../gitops';
import { layerFiles } from './layer-files';
import type { OutputFile } from './output-file';

export function renderDist(site: Site): OutputFile[] {
  // outdir is never used: files are serialized here, then written atomically by the caller.
  const app = new App({ outdir: '/nonexistent-cdk8s-outdir' });
  return layerFiles([
    { directory: MONITORING_DIR, charts: addMonitoringLayer(app, site) },
    ...addPlatformLayer(app, site),
    ...addGitopsLayer(app, site),
  ]);
}
