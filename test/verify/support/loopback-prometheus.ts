/**
 * The site's prometheus.yml, from the renderer synth uses (prometheusConfig), made to run on
 * loopback as test/prometheus/alert-delivery-live does with the synthesized file. The changes:
 * - each static job scrapes a loopback address instead of its in-cluster or estate address, while
 *   its targets keep their site addresses as `instance` (two relabel rules appended), so what the
 *   flow check compares is what a real deployment has;
 * - multi-target jobs (blackbox probes, pve) pass the exporter a loopback `target` instead of the
 *   site's address (one rule appended, after `instance` was taken from it): no probe leaves the
 *   machine, and a probe's duration does not depend on how the network treats those addresses;
 * - short scrape and evaluation intervals, so a scrape round takes seconds;
 * - the Alertmanager client pointed at a loopback address.
 * Discovered (kubernetes_sd) jobs stay as they are: outside a cluster they discover nothing.
 * In-pod paths are left for relocatePaths (test/prometheus/loopback-daemon.ts).
 */
import type { PrometheusConfig, RelabelConfig } from '../../../charts/prometheus/config-model';
import { prometheusConfig } from '../../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../../charts/topology';
import type { Site } from '../../../site';

export interface LoopbackPrometheusOptions {
  /** host:port each static job scrapes instead; every static job must have one. */
  readonly scrapeAddress: Readonly<Record<string, string>>;
  /** Scrape and evaluation interval. */
  readonly interval: string;
  /** host:port of the Alertmanager Prometheus sends to. */
  readonly alertmanager: string;
  /** host:port the exporters of multi-target jobs probe. */
  readonly probeTarget: string;
}

export function loopbackPrometheusConfig(site: Site, options: LoopbackPrometheusOptions): PrometheusConfig {
  const config = prometheusConfig(site, stackTopology(site, 'kubernetes'));
  const jobs = config.scrape_configs.map((job) => {
    if (job.kubernetes_sd_configs?.length) return job;
    const address = options.scrapeAddress[job.job_name];
    if (!address) throw new Error(`static job ${job.job_name} has no loopback address: add it to scrapeAddress`);
    const rules = job.relabel_configs ?? [];
    const keepInstance: RelabelConfig[] = rules.some((r) => r.target_label === 'instance') ? [] : [{ source_labels: ['__address__'], target_label: 'instance' }];
    const probeHere: RelabelConfig[] = rules.some((r) => r.target_label === '__param_target') ? [{ target_label: '__param_target', replacement: options.probeTarget }] : [];
    return { ...job, relabel_configs: [...rules, ...keepInstance, ...probeHere, { target_label: '__address__', replacement: address }] };
  });
  return {
    ...config,
    global: { ...config.global, scrape_interval: options.interval, evaluation_interval: options.interval },
    alerting: { alertmanagers: config.alerting.alertmanagers.map((a) => ({ ...a, static_configs: [{ targets: [options.alertmanager] }] })) },
    scrape_configs: jobs,
  };
}
