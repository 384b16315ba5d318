/**
 * The workload charts (monitoring and platform layers) of a site, built once per site object:
 * the pipeline serializes them, the VM sizing reads their requests and the comparison counts
 * their objects, all from the same construct tree instead of three copies.
 */
import { App, Chart } from 'cdk8s';
import type { LayerCharts } from '../render/layer-files';
import type { Site } from '../site';
import { addMonitoringLayer } from './monitoring-layer';
import { addPlatformLayer } from './platform';

export interface ClusterCharts {
  readonly monitoring: readonly Chart[];
  readonly platform: readonly LayerCharts[];
}

const cache = new WeakMap<Site, ClusterCharts>();

export function clusterCharts(site: Site): ClusterCharts {
  let charts = cache.get(site);
  if (!charts) {
    // outdir is never used: charts are serialized by render/, not by app.synth().
    const app = new App({ outdir: '/nonexistent-cdk8s-outdir' });
    charts = { monitoring: addMonitoringLayer(app, site), platform: addPlatformLayer(app, site) };
    cache.set(site, charts);
  }
  return charts;
}
