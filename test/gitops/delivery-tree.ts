/**
 * The delivery tree as the pipeline is meant to write it (monitoring + platform + gitops layers),
 * rendered into a temporary directory. Independent of render/pipeline.ts so these tests work
 * before and after the layers are wired into `npm run synth`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { addMonitoringLayer } from '../../charts/monitoring-layer';
import { addPlatformLayer } from '../../charts/platform';
import { addGitopsLayer, MONITORING_DIR } from '../../gitops';
import { layerFiles } from '../../render/layer-files';
import type { OutputFile } from '../../render/output-file';
import { parseSite, type Site, type SiteInput } from '../../site';
import { tempDir } from '../support/synth-once';

export function deliveryFiles(site: Site): OutputFile[] {
  const app = new App({ outdir: '/nonexistent-cdk8s-outdir' });
  return layerFiles([
    { directory: MONITORING_DIR, charts: addMonitoringLayer(app, site) },
    ...addPlatformLayer(app, site),
    ...addGitopsLayer(app, site),
  ]);
}

export function siteFrom(input: SiteInput = {}): Site {
  return parseSite(input).site;
}

/** Writes the files under a fresh temporary directory and returns it. */
export function writeDeliveryTree(site: Site): string {
  const dir = tempDir('delivery-');
  for (const f of deliveryFiles(site)) {
    const full = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.content);
  }
  return dir;
}

/** API group of an apiVersion ("" for core/v1). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Custom resources: an API group with a dot that is not a built-in *.k8s.io group. */
export function isCustomResource(o: { apiVersion: string }): boolean {
  const group = apiGroup(o.apiVersion);
  return group.includes('.') && !group.endsWith('.k8s.io');
}
