/**
 * Alert rules for the stack and the estate it watches, one file per source in rules/ (each names
 * the exporter release its metric names were checked against). Written for this site's jobs
 * (the upstream mixins assume Kubernetes jobs); PromQL as the pinned Prometheus 3 evaluates it.
 *
 * Every alert carries a severity from the policy in rules/alert.ts (critical pages now, warning
 * is a ticket within a working day, info informs), a summary, a description with its value, a
 * runbook_url into docs/runbooks.md (generated from the same definitions: render/runbooks.ts)
 * and the URL of the Grafana dashboard that shows its area.
 */
import { configYaml } from '../common/config-yaml';
import type { Site } from '../../site';
import { slowProbeSeconds } from '../common/thresholds';
import type { Platform } from '../topology';
import { toRule, type AlertDefinitionGroup, type RuleGroup } from './rules/alert';
import { alertmanagerRules } from './rules/alertmanager';
import { alloyRules } from './rules/alloy';
import { etcdRules } from './rules/etcd';
import { hostRules } from './rules/hosts';
import { kubernetesObjectRules } from './rules/kubernetes';
import { lokiRules } from './rules/loki';
import { probeRules } from './rules/probes';
import { prometheusSelfRules } from './rules/prometheus-self';
import { remoteWriteRuleGroups } from './remote-write';
import { proxmoxRules } from './rules/proxmox';
import { stackRules } from './rules/stack';
import { uptimeKumaRuleGroups } from './uptime-kuma';

export type { AlertDefinition, AlertDefinitionGroup, AlertRule, RuleGroup, Runbook, Severity } from './rules/alert';
export { etcdBackupStaleSeconds } from './rules/etcd';

/** File name of the rules inside the rules directory (prometheus.yml loads *.yml from there). */
export const RULES_FILE_NAME = 'alerts.yml';

/** Moved to charts/common/thresholds.ts (the dashboards draw it too); re-exported for existing importers. */
export { slowProbeSeconds };

/**
 * The alert definitions (rules with their runbooks) a platform gets. Everything that only a
 * cluster feeds (kube-state-metrics, kubelet, API server, etcd, the Alloy pods) is in the
 * `kubernetes` group, which the LXC path does not get.
 */
export function alertDefinitionGroups(site: Site, platform: Platform): AlertDefinitionGroup[] {
  return [
    stackRules(site, platform),
    prometheusSelfRules(site, platform),
    alertmanagerRules(site, platform),
    lokiRules(site, platform),
    hostRules(site),
    proxmoxRules(site),
    probeRules(site),
    ...uptimeKumaRuleGroups(site),
    ...remoteWriteRuleGroups(site),
    ...(platform === 'kubernetes' ? [{ name: 'kubernetes', rules: [...kubernetesObjectRules(site), ...etcdRules(site), ...alloyRules(site)] }] : []),
  ];
}

/** The rule groups Prometheus loads on a platform; the `kubernetes` group only where there is a cluster. */
export function prometheusRuleGroups(site: Site, platform: Platform): { groups: RuleGroup[] } {
  return { groups: alertDefinitionGroups(site, platform).map((g) => ({ name: g.name, rules: g.rules.map((d) => toRule(site, d)) })) };
}

export function prometheusRulesYaml(site: Site, platform: Platform): string {
  return configYaml(prometheusRuleGroups(site, platform));
}
