/**
 * "Security": Wazuh alerts as they arrive by syslog. Wazuh's csyslogd sends each alert as JSON
 * on the syslog gateway, which stores it under `wazuhStreamSelector()` (charts/integrations/
 * wazuh-csyslogd.ts, wazuh-rules.ts); `| json` flattens the alert's fields to rule_level,
 * rule_id, rule_description, agent_name (Wazuh's alert format: rule.level, rule.id,
 * rule.description, agent.name). Events by level and agent, the top rules and agents, the alerts.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Site } from '../../../site';
import { WAZUH_CRITICAL_RULE_LEVEL } from '../../integrations/wazuh-csyslogd';
import { wazuhStreamSelector } from '../../integrations/wazuh-rules';
import { DASHBOARD_UIDS } from './catalog';
import { barGauge, buildDashboard, graph, logLines, redFrom, statPanel, textVariable } from './kit';

/** Wazuh rule levels run 0-15. */
const MAX_RULE_LEVEL = 15;

/**
 * The alerts of the selected levels and agents. Lines that are not JSON (cut at the listener's
 * length) keep an `__error__` label and are dropped: a metric query over them would fail whole.
 */
function alerts(): string {
  return `${wazuhStreamSelector()} | json | __error__="" | rule_level >= $min_level | agent_name=~"$agent"`;
}

const countBy = (by: string, range: string) => `sum by (${by}) (count_over_time(${alerts()} [${range}]))`;

export function securityDashboard(site: Site): dashboard.Dashboard {
  const forwarded = site.integrations.wazuh.minRuleLevel;
  const levels = [...new Set([forwarded, 7, 10, WAZUH_CRITICAL_RULE_LEVEL, MAX_RULE_LEVEL])].filter((l) => l >= forwarded).sort((a, b) => a - b);
  return buildDashboard({
    uid: DASHBOARD_UIDS.security,
    title: 'Security',
    description: `Wazuh alerts of site ${site.name}, forwarded by the Wazuh manager's csyslogd (rule level ${forwarded} and up) to the syslog gateway.`,
    tags: ['security', 'wazuh'],
    from: 'now-24h',
    variables: [
      new dashboard.CustomVariableBuilder('min_level')
        .label('Minimum rule level')
        .values(levels.join(','))
        .current({ selected: true, text: String(forwarded), value: String(forwarded) })
        .multi(false)
        .includeAll(false),
      textVariable('agent', 'Agent (regex)', '.*'),
    ],
    related: [
      { title: 'Logs', uid: DASHBOARD_UIDS.logs },
      { title: 'Hosts', uid: DASHBOARD_UIDS.hosts },
    ],
    sections: [
      {
        title: 'Alerts',
        panels: [
          statPanel({
            title: 'Alerts in range', unit: units.Short, span: 12,
            description: 'Wazuh alerts of the selected levels and agents over the selected time range.',
            datasource: 'loki',
            queries: [{ expr: `sum(count_over_time(${alerts()} [$__range]))`, legend: 'alerts', instant: true }],
          }),
          statPanel({
            title: `Alerts of level ${WAZUH_CRITICAL_RULE_LEVEL} and up`, unit: units.Short, span: 12, thresholds: redFrom(1),
            description: `Alerts Wazuh classifies as high importance or severe attack (level ${WAZUH_CRITICAL_RULE_LEVEL}+): each one pages as critical (Loki ruler, WazuhHighSeverityAlert).`,
            datasource: 'loki',
            queries: [{
              expr: `sum(count_over_time(${wazuhStreamSelector()} | json | __error__="" | rule_level >= ${WAZUH_CRITICAL_RULE_LEVEL} | agent_name=~"$agent" [$__range])) or vector(0)`,
              legend: 'alerts', instant: true,
            }],
          }),
          graph({
            title: 'Alerts by rule level', unit: units.Short, min: 0, span: 12, datasource: 'loki',
            description: 'Alerts per interval by Wazuh rule level.',
            queries: [{ expr: countBy('rule_level', '$__interval'), legend: 'level {{rule_level}}' }],
          }, { bars: true, stacked: true }),
          graph({
            title: 'Alerts by agent', unit: units.Short, min: 0, span: 12, datasource: 'loki',
            description: 'Alerts per interval by the Wazuh agent (the host) they concern.',
            queries: [{ expr: countBy('agent_name', '$__interval'), legend: '{{agent_name}}' }],
          }, { bars: true, stacked: true }),
          barGauge({
            title: 'Top rules', unit: units.Short, min: 0, span: 12, height: 10, datasource: 'loki',
            description: 'The ten Wazuh rules that fired most over the selected range.',
            queries: [{ expr: `topk(10, ${countBy('rule_id, rule_description', '$__range')})`, legend: '{{rule_id}} {{rule_description}}', instant: true }],
          }),
          barGauge({
            title: 'Top agents', unit: units.Short, min: 0, span: 12, height: 10, datasource: 'loki',
            description: 'The ten agents with the most alerts over the selected range.',
            queries: [{ expr: `topk(10, ${countBy('agent_name', '$__range')})`, legend: '{{agent_name}}', instant: true }],
          }),
          logLines({
            title: 'Wazuh alerts',
            description: 'The alerts themselves, newest first: level, rule, agent and description up front; every field of the alert (flattened by json) in the details.',
            expr: `${alerts()} | line_format "level {{.rule_level}} rule {{.rule_id}} on {{.agent_name}}: {{.rule_description}}"`,
            height: 14,
          }),
        ],
      },
    ],
  });
}
