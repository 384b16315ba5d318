/**
 * What a Prometheus deployed from this site must be doing, rendered by the same functions that
 * wrote its prometheus.yml and rules: every scrape job, the instances of each static job, and
 * every rule group with its alerts.
 */
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import type { RelabelConfig, ScrapeConfig } from '../../charts/prometheus/config-model';
import { prometheusRuleGroups } from '../../charts/prometheus/rules';
import { stackTopology } from '../../charts/topology';
import type { Site } from '../../site';

export interface ExpectedJob {
  readonly job: string;
  /**
   * The `instance` label of every target the job must have. Undefined for a job whose targets
   * are discovered (kubernetes_sd): how many there are is the cluster's business.
   */
  readonly instances?: readonly string[];
}

export interface ExpectedRuleGroup {
  readonly name: string;
  /** Alert names, each once (a rule may come in several severities). */
  readonly alerts: readonly string[];
}

export function expectedScrapeJobs(site: Site): ExpectedJob[] {
  return prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs.map((job) => ({ job: job.job_name, instances: staticInstances(job) }));
}

export function expectedRuleGroups(site: Site): ExpectedRuleGroup[] {
  return prometheusRuleGroups(site, 'kubernetes').groups.map((g) => ({ name: g.name, alerts: [...new Set(g.rules.map((r) => r.alert))] }));
}

/**
 * The instance label Prometheus gives each static target: its relabel rules applied, then
 * `instance` defaulting to the final `__address__` (as Prometheus does after relabelling).
 * Undefined when the job discovers targets or uses an action this evaluator does not know.
 */
function staticInstances(job: ScrapeConfig): string[] | undefined {
  if (job.kubernetes_sd_configs?.length || !job.static_configs) return undefined;
  const instances: string[] = [];
  for (const group of job.static_configs) {
    for (const target of group.targets) {
      const labels = relabel({ ...group.labels, __address__: target }, job.relabel_configs ?? []);
      if (labels === 'unknown') return undefined;
      if (labels) instances.push(labels.instance ?? labels.__address__);
    }
  }
  return instances;
}

/** Prometheus' replace, keep and drop; undefined when dropped, 'unknown' for other actions. */
function relabel(input: Record<string, string>, rules: readonly RelabelConfig[]): Record<string, string> | undefined | 'unknown' {
  const labels = { ...input };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((l) => labels[l] ?? '').join(rule.separator ?? ';');
    const regex = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`);
    const action = rule.action ?? 'replace';
    if (action === 'keep' && !regex.test(value)) return undefined;
    if (action === 'drop' && regex.test(value)) return undefined;
    if (action === 'replace') {
      if (!regex.test(value) || !rule.target_label) continue;
      labels[rule.target_label] = value.replace(regex, (rule.replacement ?? '$1').replace(/\$\{(\w+)\}/g, '$$$1'));
    } else if (action !== 'keep' && action !== 'drop') {
      return 'unknown';
    }
  }
  return labels;
}
