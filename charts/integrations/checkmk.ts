/**
 * CheckMK (site.integrations.checkmk): what a CheckMK server needs to read this Prometheus, under
 * dist/integrations/checkmk/. There is no federation in either direction: CheckMK keeps its own
 * agents on the guests and additionally queries Prometheus through two special agents (Setup >
 * Agents > VM, Cloud, Container):
 *
 * - "Prometheus" (ruleset special_agents:prometheus): PromQL queries as CheckMK services;
 * - "Prometheus alerting rules (via Prometheus API)" (special_agents:alertmanager): despite its
 *   name it reads Prometheus' /api/v1/rules, one CheckMK service per rule group with each rule's state.
 *
 * Both log in as the user `checkmk`, which the generated Secret site.prometheus.webAuthSecret
 * holds (keys checkmk-username, checkmk-password) beside its bcrypt hash in web.yml; the files
 * here name the Secret, never its value. No file when the integration is off or no CheckMK guest
 * has an address: then Prometheus has no such user and no network path from CheckMK either.
 */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';
import { checkmkServers } from '../../site/derived';
import { PORTS } from '../topology';
import { checkmkClientCidrs } from '../prometheus/checkmk-clients';
import { CHECKMK_PROMETHEUS_USER } from '../prometheus/prometheus-config';
import { CHECKMK_PASSWORD_KEY, CHECKMK_USERNAME_KEY } from '../secrets/stack-secrets';
import { checkmkPromqlServices, type PromqlService } from './checkmk-queries';

/** Folder below dist/ (charts/integrations/index.ts INTEGRATIONS_DIR, plus the integration). */
export const CHECKMK_DIR = 'integrations/checkmk';
export const PROMETHEUS_AGENT_FILE = `${CHECKMK_DIR}/prometheus-special-agent.json`;
export const ALERTING_RULES_AGENT_FILE = `${CHECKMK_DIR}/alerting-rules-special-agent.json`;
export const CHECKMK_README_FILE = `${CHECKMK_DIR}/README.md`;

/** Where the checkmk password is: a reference, for the operator to copy into CheckMK's password store. */
export interface PasswordReference {
  readonly secret: string;
  readonly namespace: string;
  readonly key: string;
}

/** What both special agents share: the address as the rule wants it (no scheme), and the login. */
export interface PrometheusConnection {
  readonly connection: string;
  readonly protocol: 'http';
  readonly verify_cert: false;
  /** CheckMK's CascadingSingleChoice, as the rule stores it: `["auth_login", {username, password}]` (server_side_calls/special_agent.py). */
  readonly auth_basic: readonly ['auth_login', { readonly username: string; readonly password: PasswordReference }];
}

export interface PrometheusSpecialAgent extends PrometheusConnection {
  readonly ruleset: 'special_agents:prometheus';
  /** Scrape-target integrations (node_exporter, cAdvisor): none, CheckMK's own agents watch the guests. */
  readonly exporter: readonly never[];
  readonly promql_checks: readonly PromqlService[];
}

export interface AlertingRulesSpecialAgent extends PrometheusConnection {
  readonly ruleset: 'special_agents:alertmanager';
  /** Piggyback target; empty: the host the rule is assigned to. */
  readonly hostname: '';
  readonly ignore_alerts: { readonly ignore_na: boolean; readonly ignore_alert_rules: readonly string[]; readonly ignore_alert_groups: readonly string[] };
}

export function prometheusConnection(site: Site): PrometheusConnection {
  return {
    connection: `${site.prometheus.address}:${PORTS.prometheus}`,
    protocol: 'http',
    verify_cert: false,
    auth_basic: ['auth_login', {
      username: CHECKMK_PROMETHEUS_USER,
      password: { secret: site.prometheus.webAuthSecret, namespace: site.kubernetes.namespace, key: CHECKMK_PASSWORD_KEY },
    }],
  };
}

export function prometheusSpecialAgent(site: Site): PrometheusSpecialAgent {
  return { ruleset: 'special_agents:prometheus', ...prometheusConnection(site), exporter: [], promql_checks: checkmkPromqlServices(site) };
}

export function alertingRulesSpecialAgent(site: Site): AlertingRulesSpecialAgent {
  return {
    ruleset: 'special_agents:alertmanager',
    hostname: '',
    ...prometheusConnection(site),
    // Watchdog fires by design (the dead man's switch); a rule that never evaluated has no state yet.
    ignore_alerts: { ignore_na: true, ignore_alert_rules: ['Watchdog'], ignore_alert_groups: [] },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function checkmkIntegrationFiles(site: Site): OutputFile[] {
  if (checkmkServers(site).length === 0) return [];
  return [
    { path: PROMETHEUS_AGENT_FILE, content: json(prometheusSpecialAgent(site)) },
    { path: ALERTING_RULES_AGENT_FILE, content: json(alertingRulesSpecialAgent(site)) },
    { path: CHECKMK_README_FILE, content: checkmkReadme(site) },
  ];
}

function levelsText(metric: PromqlService['metric_components'][number]): string {
  const parts = [];
  if (metric.levels?.upper_levels) parts.push(`upper ${metric.levels.upper_levels[1].join(' / ')}`);
  if (metric.levels?.lower_levels) parts.push(`lower ${metric.levels.lower_levels[1].join(' / ')}`);
  return parts.length > 0 ? parts.join(', ') : '–';
}

function checkmkReadme(site: Site): string {
  const conn = prometheusConnection(site);
  const ns = site.kubernetes.namespace;
  const secret = site.prometheus.webAuthSecret;
  const servers = checkmkServers(site);
  const services = checkmkPromqlServices(site);
  const row = (s: PromqlService, m: PromqlService['metric_components'][number]) =>
    `| ${s.service_description} | ${s.host_name ?? '(the Prometheus host)'} | ${m.metric_label} | \`${m.promql_query.replace(/\|/g, '\\|')}\` | ${levelsText(m)} |`;
  return [
    `# CheckMK reads Prometheus (site "${site.name}")`,
    '',
    'Generated by talos-monitoring-synth; re-run synth after changing the site. What "dual collection"',
    'means and why nothing is federated: docs/integrations/checkmk.md in the repository.',
    '',
    `CheckMK server(s): ${servers.map((g) => `${g.name} (${g.address})`).join(', ')}.`,
    '',
    '## Connection (both special agents)',
    '',
    `- Prometheus: \`${conn.connection}\`, protocol \`${conn.protocol}\` (the rule takes the address without the scheme).`,
    `- User \`${conn.auth_basic[1].username}\`; its password is key \`${CHECKMK_PASSWORD_KEY}\` of the generated Secret \`${ns}/${secret}\``,
    '  (also in the secrets directory: `kubernetes/monitoring-secrets.yaml`, never in dist/). Read it with',
    `  \`kubectl -n ${ns} get secret ${secret} -o jsonpath='{.data.${CHECKMK_PASSWORD_KEY}}' | base64 -d\`,`,
    `  store it in CheckMK's password store and pick it there. Key \`${CHECKMK_USERNAME_KEY}\` holds the user name.`,
    '- Read-only in effect: Prometheus has no roles, but it runs without `--web.enable-admin-api`,',
    '  `--web.enable-lifecycle` and the remote-write/OTLP receivers, so every user can only read',
    '  (queries, rules, targets, status pages including the configuration, which holds no secrets).',
    '- Network path: ' + checkmkClientCidrs(site).map((c) => `\`${c}\``).join(', ') + ` to ${conn.connection}. On Kubernetes the`,
    '  `prometheus-lb` LoadBalancer admits it (loadBalancerSourceRanges) and the `prometheus` NetworkPolicy lets it',
    '  in; on the LXC path the Prometheus container\'s Proxmox firewall file has the rule.',
    '',
    '## Special agent "Prometheus"',
    '',
    `Create a CheckMK host for Prometheus (IP address ${site.prometheus.address}, no CheckMK agent: "API integrations`,
    'if configured, else no agent") and assign it a rule of Setup > Agents > VM, Cloud, Container > Prometheus with',
    'the values in `prometheus-special-agent.json`: no scrape targets (CheckMK\'s own agents already watch the',
    'guests), and these PromQL services. Each query returns exactly one value. Services with a host go to that',
    'CheckMK host as piggyback data: the host must exist under that name (edit `host_name` if yours differ).',
    'The JSON files hold each rule\'s value in CheckMK\'s own field names (`auth_basic` is its choice `auth_login`',
    'with the user and where the password is, never the password itself), to enter by hand or through the REST API.',
    '',
    '| Service | Host | Metric label | PromQL | Levels (warn / crit) |',
    '| --- | --- | --- | --- | --- |',
    ...services.flatMap((s) => s.metric_components.map((m) => row(s, m))),
    '',
    'Alert counts are what Prometheus evaluates: silences and inhibitions live in Alertmanager and do not lower them.',
    '',
    '## Special agent "Prometheus alerting rules (via Prometheus API)"',
    '',
    'Earlier CheckMK versions title this ruleset "Prometheus Alertmanager"; either way it reads Prometheus\' `/api/v1/rules`, not',
    'Alertmanager. Assign it to the same host with the values in `alerting-rules-special-agent.json`: the same',
    'connection and user, rules with no state ignored, and `Watchdog` ignored (it always fires, by design).',
    '',
  ].join('\n');
}
