/**
 * "Logs": every stream in Loki by the stack's label scheme, which puts `job` and `source` on
 * every line:
 * - syslog (the gateway, charts/syslog/alloy-config.ts): job = source = "syslog", host, app,
 *   level, facility, transport, source_ip;
 * - Talos machine logs (charts/syslog/talos-logs.ts): job = source = "talos", host, service, level;
 * - pods (charts/logs/cluster-logs-config.ts): source "kubernetes", job "<namespace>/<container>",
 *   namespace, pod, container, host (the node); Kubernetes events: job "kubernetes-events".
 * Volume, errors and the lines themselves, filtered by source, host and app.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Site } from '../../../site';
import { KUBERNETES_EVENTS_JOB, KUBERNETES_LOG_SOURCE } from '../../logs/cluster-logs-config';
import { DASHBOARD_UIDS } from './catalog';
import { buildDashboard, graph, logLines, queryVariable, textVariable } from './kit';

/**
 * Every stream matching the variables. `source=~".+"` behind "All" gives Loki the non-empty
 * matcher it requires; host and app match streams without the label too ("All" is `.*`).
 */
const STREAMS = '{source=~"$source", host=~"$host", app=~"$app"}';
/**
 * Error lines: the `level` label where the stream has one (syslog severities emergency, alert,
 * critical, error; Talos' error), and for pods, which carry no level, a line filter on the words
 * applications log failures with.
 */
const ERROR_LEVELS = 'emerg.*|alert|crit.*|err.*|fatal|panic';
const POD_ERROR_WORDS = '(?i)(error|fatal|panic|exception)';
const PODS = `{source="${KUBERNETES_LOG_SOURCE}", job!="${KUBERNETES_EVENTS_JOB}", host=~"$host"}`;

const countBy = (by: string, selector: string) => `sum by (${by}) (count_over_time(${selector} [$__interval]))`;

export function logsDashboard(site: Site): dashboard.Dashboard {
  return buildDashboard({
    uid: DASHBOARD_UIDS.logs,
    title: 'Logs',
    description: `Log volume, errors and lines of site ${site.name}: syslog from every VLAN, the Talos nodes, pods and Kubernetes events.`,
    tags: ['logs', 'loki'],
    from: 'now-1h',
    variables: [
      queryVariable({ name: 'source', label: 'Source', datasource: 'loki', query: 'label_values(source)', allValue: '.+' }),
      queryVariable({ name: 'host', label: 'Host', datasource: 'loki', query: 'label_values({source=~"$source"}, host)' }),
      queryVariable({ name: 'app', label: 'App', datasource: 'loki', query: 'label_values({source=~"$source", host=~"$host"}, app)' }),
      textVariable('search', 'Line contains (regex)', ''),
    ],
    related: [
      { title: 'Security', uid: DASHBOARD_UIDS.security },
      { title: 'Hosts', uid: DASHBOARD_UIDS.hosts },
      { title: 'Monitoring stack health', uid: DASHBOARD_UIDS.stackHealth },
    ],
    sections: [
      {
        title: 'Volume',
        panels: [
          graph({
            title: 'Lines by source', unit: units.Short, datasource: 'loki', span: 12, min: 0,
            description: 'Lines received per interval, by source (syslog, talos, kubernetes).',
            queries: [{ expr: countBy('source', STREAMS), legend: '{{source}}' }],
          }, { bars: true, stacked: true }),
          graph({
            title: 'Lines by job (top 10)', unit: units.Short, datasource: 'loki', span: 12, min: 0,
            description: 'The ten busiest jobs: syslog, talos, kubernetes-events and each <namespace>/<container>.',
            queries: [{ expr: `topk(10, ${countBy('job', STREAMS)})`, legend: '{{job}}' }],
          }, { bars: true, stacked: true }),
          graph({
            title: 'Lines by host (top 10)', unit: units.Short, datasource: 'loki', span: 12, min: 0,
            description: 'The ten chattiest hosts (syslog senders and cluster nodes). A host that falls silent stopped sending.',
            queries: [{ expr: `topk(10, ${countBy('host', STREAMS)})`, legend: '{{host}}' }],
          }, { bars: true, stacked: true }),
          graph({
            title: 'Syslog lines by app (top 10)', unit: units.Short, datasource: 'loki', span: 12, min: 0,
            description: 'The ten busiest syslog programs (the app name of the syslog header).',
            queries: [{ expr: `topk(10, ${countBy('app', '{job="syslog", host=~"$host", app=~"$app"}')})`, legend: '{{app}}' }],
          }, { bars: true, stacked: true }),
        ],
      },
      {
        title: 'Errors',
        panels: [
          graph({
            title: 'Error lines', unit: units.Short, datasource: 'loki', span: 24, min: 0,
            description: `Lines at level ${ERROR_LEVELS.replace(/\|/g, ', ')} (syslog and Talos) by source and host, and pod lines that mention an error.`,
            queries: [
              { expr: countBy('source, host', `{source=~"$source", host=~"$host", app=~"$app", level=~"${ERROR_LEVELS}"}`), legend: '{{source}} {{host}}' },
              { expr: countBy('job', `${PODS} |~ \`${POD_ERROR_WORDS}\``), legend: '{{job}}' },
            ],
          }, { bars: true, stacked: true }),
          logLines({
            title: 'Error lines (latest)',
            description: 'The latest lines at an error level, all labels in their details.',
            expr: `{source=~"$source", host=~"$host", app=~"$app", level=~"${ERROR_LEVELS}"}`,
            height: 10,
          }),
        ],
      },
      {
        title: 'Lines',
        panels: [
          logLines({
            title: 'Log lines',
            description: 'Newest first, filtered by the variables above; "Line contains" is a regular expression on the line.',
            expr: `${STREAMS} |~ \`$search\``,
            height: 16,
          }),
        ],
      },
    ],
  });
}
