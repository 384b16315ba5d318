/**
 * Loki ruler rules that turn the Wazuh alerts the gateway stores into Alertmanager alerts. The
 * ruler evaluates metric queries only, so each rule counts a Wazuh rule's alerts per agent over
 * a window; the alert's labels carry the Wazuh fields the notification needs.
 *
 * The log line is csyslogd's JSON alert (wazuh-csyslogd.ts). `json` extracts only the fields
 * used, which come first in the alert, so a line cut at the listener's read size still counts.
 * A line that is not JSON (another csyslogd format) or whose level is not a number keeps an
 * `__error__` label, and a metric query over such a line fails as a whole, so both
 * `__error__=""` filters drop those lines instead.
 */
import type { Site } from '../../site';
import { wazuhManagers } from '../../site/derived';
import { configYaml } from '../common/config-yaml';
import { SYSLOG_JOB } from '../syslog/alloy-config';
import { CSYSLOGD_APP_NAME, WAZUH_CRITICAL_RULE_LEVEL } from './wazuh-csyslogd';
import { DASHBOARD_UIDS } from '../grafana/dashboards/catalog';
import { dashboardUrl, runbookUrl, type Runbook } from '../prometheus/rules/alert';

/** File name of the rules in the ruler's tenant directory (its name is the rule namespace). */
export const WAZUH_RULES_FILE = 'wazuh.yml';

/**
 * How long one Wazuh alert keeps its Alertmanager alert firing. Wazuh alerts are events, not
 * states: the count over this window is the "state", so an alert fires at the first evaluation
 * after the event (no `for`: Wazuh's own rule already decided it matters) and resolves once a
 * window passes without a repeat, instead of flapping between evaluations.
 */
export const WAZUH_ALERT_WINDOW = '5m';

export interface LokiAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning'; readonly job: string; readonly instance: string };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string; readonly dashboard: string };
}

export interface LokiRuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly LokiAlertRule[];
}

/** The Wazuh alerts' dashboard, and their section of docs/runbooks.md (render/runbooks.ts). */
export const WAZUH_DASHBOARD = DASHBOARD_UIDS.security;
export const WAZUH_RUNBOOK: Runbook = {
  meaning: 'A Wazuh manager raised an alert at or above the site\'s level (integrations.wazuh.minRuleLevel) for an agent; Loki\'s ruler turned it into this alert. Levels 12 and up page as critical, lower ones are warnings. It resolves after one window without a repeat.',
  check: [
    'Grafana dashboard "Security" for the agent and rule; LogQL: `{job="syslog", app="ossec"} | json | rule_id="<rule_id>" | agent_name="<agent>"`.',
    'On the manager: `pct exec <vmid> -- grep \'"id":"<rule_id>"\' /var/ossec/logs/alerts/alerts.json | tail -5`.',
  ],
  fix: [
    'Treat it as the security event it describes (the full_log field says what happened on the agent).',
    'A false positive: tune the Wazuh rule (a local rule with a lower level in /var/ossec/etc/rules/local_rules.xml, then `systemctl restart wazuh-manager`), not this alert.',
  ],
};

/** Labels the rule keeps from each alert (`agent` is the Wazuh agent's name). */
const GROUPING = ['host', 'agent', 'rule_id', 'rule_level', 'rule_description'];

/** The stream of Wazuh alerts in Loki: what the gateway labels csyslogd's datagrams with. */
export function wazuhStreamSelector(): string {
  return `{job="${SYSLOG_JOB}", app="${CSYSLOGD_APP_NAME}"}`;
}

/** Count of Wazuh alerts with fromLevel <= rule.level (< belowLevel) per agent and rule. */
export function wazuhAlertCountExpr(fromLevel: number, belowLevel?: number): string {
  const levels = [`rule_level >= ${fromLevel}`, ...(belowLevel === undefined ? [] : [`rule_level < ${belowLevel}`])];
  const pipeline = [
    wazuhStreamSelector(),
    'json rule_level="rule.level", rule_id="rule.id", rule_description="rule.description", agent="agent.name"',
    '__error__=""',
    ...levels,
    '__error__=""',
  ].join(' | ');
  return `sum by (${GROUPING.join(', ')}) (count_over_time(${pipeline} [${WAZUH_ALERT_WINDOW}])) > 0`;
}

function wazuhRule(site: Site, severity: 'critical' | 'warning', fromLevel: number, belowLevel?: number): LokiAlertRule {
  const levels = belowLevel === undefined ? `${fromLevel} or higher` : `${fromLevel}-${belowLevel - 1}`;
  return {
    alert: 'WazuhHighSeverityAlert',
    expr: wazuhAlertCountExpr(fromLevel, belowLevel),
    for: '0m',
    // job/instance make Alertmanager group and inhibit per agent, like the stack's other alerts.
    labels: { severity, job: 'wazuh', instance: '{{ $labels.agent }}' },
    annotations: {
      summary: 'Wazuh rule {{ $labels.rule_id }} (level {{ $labels.rule_level }}) on {{ $labels.agent }}: {{ $labels.rule_description }}',
      description: `Wazuh manager {{ $labels.host }} reported {{ $value }} alert(s) of rule {{ $labels.rule_id }} for agent {{ $labels.agent }} in the last ${WAZUH_ALERT_WINDOW} (levels ${levels} page as ${severity}; the site forwards level ${site.integrations.wazuh.minRuleLevel} and up). The alerts in Grafana: ${wazuhStreamSelector()} | json | rule_id="{{ $labels.rule_id }}" | agent_name="{{ $labels.agent }}"`,
      runbook_url: runbookUrl(site, 'WazuhHighSeverityAlert'),
      dashboard: dashboardUrl(site, WAZUH_DASHBOARD),
    },
  };
}

/** The ruler's Wazuh group; none when the integration is off or no Wazuh manager has an address. */
export function wazuhLokiRuleGroups(site: Site): LokiRuleGroup[] {
  if (wazuhManagers(site).length === 0) return [];
  const min = site.integrations.wazuh.minRuleLevel;
  const rules = min < WAZUH_CRITICAL_RULE_LEVEL
    ? [wazuhRule(site, 'warning', min, WAZUH_CRITICAL_RULE_LEVEL), wazuhRule(site, 'critical', WAZUH_CRITICAL_RULE_LEVEL)]
    : [wazuhRule(site, 'critical', min)];
  return [{ name: 'wazuh', interval: '1m', rules }];
}

const ruleFilesCache = new WeakMap<Site, readonly { name: string; content: string }[]>();

/**
 * The ruler's rule files (name and text) for the stack's tenant; empty when there are no rules.
 * Once per site: both paths, the firewall and Alertmanager's clients ask whether there are any.
 */
export function lokiRuleFiles(site: Site): readonly { name: string; content: string }[] {
  let files = ruleFilesCache.get(site);
  if (!files) {
    const groups = wazuhLokiRuleGroups(site);
    files = groups.length === 0 ? [] : [{ name: WAZUH_RULES_FILE, content: configYaml({ groups }) }];
    ruleFilesCache.set(site, files);
  }
  return files;
}
