/**
 * Alerts flow: Alertmanager runs the site's configuration, takes a test alert, routes it where the
 * site's route tree says, and resolves it again.
 *
 * The test alert: alertname `MonitoringStackVerify`, `verify_run` = the run id, the site's `site`
 * label (as Prometheus' external label adds it), and severity `none`. The site's route tree sends
 * a receiver only the severities of the policy it lists (charts/alertmanager/alertmanager-config.ts),
 * so a `none` alert falls through to the `default` receiver, which has no integration: the route
 * tree and its matchers are exercised, nobody is paged.
 *
 * What Alertmanager runs may not be the site's tree, so before posting, the flow walks the tree
 * the running Alertmanager reports (/api/v2/status) with the test alert's labels. When that tree
 * sends it to a receiver with an integration, or cannot be read, nothing is posted and the post
 * row fails saying which receiver would have been notified: a test must not page anyone. After
 * posting, the receivers Alertmanager lists for the alert are compared with the site's tree.
 *
 * The alert ends by itself after TEST_ALERT_MINUTES; the flow resolves it at once by posting it
 * again with an end time. Its start is set a minute early, and the resolving end time equal to it,
 * so an operator clock up to a minute ahead of the cluster's still resolves it (Alertmanager keeps
 * the later end time of an alert that is not yet over by its own clock).
 */
import { ALERTMANAGER_CONFIG_MAP } from '../../charts/alertmanager/alertmanager-server';
import { fail, pass, type CheckResult } from '../check';
import type { ServiceEndpoint } from '../http';
import { integrations, readRunningConfig, RouteTreeError, routeReceivers, siteReceiverList, siteReceivers, type Labels, type RunningConfig } from './alert-routing';
import type { BasicAuth, FlowContext } from './context';
import { call, callAs, failedAs, isArrayOf, isRecord, isString, isStringMap, optional, type ServiceLogin, type Shape } from './flow-request';
import { pollUntil } from './poll';

export const TEST_ALERT_NAME = 'MonitoringStackVerify';
/**
 * Outside the severity policy (critical, warning, info: what a receiver may choose in its
 * `severities`), so no receiver's route can match it, whatever the site lets receivers ask for.
 */
export const TEST_ALERT_SEVERITY = 'none';
/** The label carrying the run id. */
export const RUN_LABEL = 'verify_run';
/** How long the test alert lives if the flow cannot resolve it. */
export const TEST_ALERT_MINUTES = 10;
const CLOCK_ALLOWANCE_MS = 60_000;

/** The parts of Alertmanager's API v2 this flow reads. */
interface GettableAlert { labels: Record<string, string>; receivers: { name: string }[]; status: { state: string; silencedBy: string[]; inhibitedBy: string[] } }
interface AlertmanagerStatus { cluster?: { status?: string }; config: { original: string }; versionInfo?: { version?: string } }

const STATUS: Shape<AlertmanagerStatus> = {
  what: 'Alertmanager\'s status (config.original, the configuration it runs)',
  test: (v): v is AlertmanagerStatus => isRecord(v) && isRecord(v.config) && isString(v.config.original)
    && optional(v.cluster, isRecord) && optional(v.versionInfo, isRecord),
};
const ALERTS: Shape<GettableAlert[]> = {
  what: 'a list of Alertmanager alerts (labels, receivers, status)',
  test: (v): v is GettableAlert[] => isArrayOf(v, (a): a is GettableAlert => isRecord(a) && isStringMap(a.labels)
    && isArrayOf(a.receivers, (r): r is { name: string } => isRecord(r) && isString(r.name))
    && isRecord(a.status) && isString(a.status.state) && isArrayOf(a.status.silencedBy, isString) && isArrayOf(a.status.inhibitedBy, isString)),
};

const GROUP = 'alerts';

export function testAlertLabels(ctx: FlowContext): Labels {
  return { alertname: TEST_ALERT_NAME, severity: TEST_ALERT_SEVERITY, site: ctx.site.name, [RUN_LABEL]: ctx.runId };
}

export async function checkAlerts(ctx: FlowContext, alertmanager: ServiceEndpoint, auth?: BasicAuth): Promise<CheckResult[]> {
  const { site } = ctx;
  const namespace = site.kubernetes.namespace;
  const login: ServiceLogin = { auth, secret: { namespace, name: site.alertmanager.webAuthSecret, keys: ['username', 'password'] } };
  const labels = testAlertLabels(ctx);
  const expected = siteReceivers(site, labels);
  const reapply = `the running alertmanager.yml differs from the site's: re-apply dist/ (ConfigMap ${namespace}/${ALERTMANAGER_CONFIG_MAP}), then rerun verify`;

  const statusTitle = 'Alertmanager runs the site\'s receivers';
  let status: AlertmanagerStatus;
  try {
    status = await callAs(alertmanager, 'GET', '/api/v2/status', STATUS, { login });
  } catch (e) {
    return [failedAs(GROUP, 'alerts/status', statusTitle, e)];
  }
  const version = status.versionInfo?.version ?? 'unknown version';
  let running: RunningConfig;
  try {
    running = readRunningConfig(status.config.original);
  } catch (e) {
    if (!(e instanceof RouteTreeError)) throw e;
    return [fail(GROUP, 'alerts/status', statusTitle, `Alertmanager ${version} reports a configuration verify cannot read (${e.message}); no test alert posted`, reapply)];
  }
  const results: CheckResult[] = [judgeStatus(status, running, siteReceiverList(site).map((r) => r.name), statusTitle, reapply)];

  const postTitle = `test alert ${TEST_ALERT_NAME} accepted`;
  const walk = walkRunningTree(running, labels);
  if (!walk.quiet) {
    return [...results, refuse(postTitle, walk.why, expected, siteReceiverList(site), reapply)];
  }

  const startsAt = new Date(Date.now() - CLOCK_ALLOWANCE_MS).toISOString();
  const alert = (endsAt: string) => [{
    labels,
    annotations: {
      summary: 'Test signal from npm run verify: no action needed',
      description: `Posted by npm run verify (run ${ctx.runId}) to check Alertmanager's routing; it is resolved by the same run, or ends by itself within ${TEST_ALERT_MINUTES} minutes.`,
    },
    startsAt,
    endsAt,
  }];
  const filter = `/api/v2/alerts?filter=${encodeURIComponent(`${RUN_LABEL}="${ctx.runId}"`)}`;
  const listed = async () => callAs(alertmanager, 'GET', filter, ALERTS, { login });

  try {
    await call(alertmanager, 'POST', '/api/v2/alerts', { login, body: alert(new Date(Date.now() + TEST_ALERT_MINUTES * 60_000).toISOString()) });
    results.push(pass(GROUP, 'alerts/post', postTitle, `${RUN_LABEL}="${ctx.runId}", severity ${TEST_ALERT_SEVERITY}, ends by itself within ${TEST_ALERT_MINUTES} min; the running route tree sends it to ${walk.receivers.join(', ')}, no integration`));
  } catch (e) {
    return [...results, failedAs(GROUP, 'alerts/post', postTitle, e)];
  }

  const routeTitle = `test alert routed to ${expected.join(', ')}`;
  try {
    const found = await pollUntil(ctx, (s) => `alerts: waiting for the test alert to show in Alertmanager (${s} s)`, async () => (await listed())[0]);
    results.push(found
      ? judgeRoute(found, expected, running, routeTitle, reapply)
      : fail(GROUP, 'alerts/routed', routeTitle, 'Alertmanager accepted the test alert but does not list it as active',
        'check that this machine\'s clock is within a few minutes of the cluster\'s (an alert whose end time has passed is not listed)'));
  } catch (e) {
    results.push(failedAs(GROUP, 'alerts/routed', routeTitle, e));
  }

  const resolveTitle = 'test alert resolved';
  try {
    await call(alertmanager, 'POST', '/api/v2/alerts', { login, body: alert(startsAt) });
    const gone = await pollUntil(ctx, (s) => `alerts: waiting for Alertmanager to resolve the test alert (${s} s)`, async () => ((await listed()).length === 0 ? true : undefined));
    results.push(gone
      ? pass(GROUP, 'alerts/resolved', resolveTitle, 'no longer active in Alertmanager')
      : fail(GROUP, 'alerts/resolved', resolveTitle, 'Alertmanager still lists the test alert as active after it was resolved',
        `it ends by itself within ${TEST_ALERT_MINUTES} minutes; check this machine's clock against the cluster's`));
  } catch (e) {
    results.push(failedAs(GROUP, 'alerts/resolved', resolveTitle, e));
  }
  return results;
}

/** Where the running tree sends the test alert: only to receivers without an integration, or why posting is unsafe. */
type Walk = { readonly quiet: true; readonly receivers: readonly string[] } | { readonly quiet: false; readonly why: string };

/**
 * Walks the running tree with the test alert's labels. Unsafe: a receiver with an integration
 * among those reached (named with it: `chat (webhook_configs)`), a receiver the tree names but the
 * configuration does not define, or a tree that cannot be walked: unknown counts as notifying.
 */
function walkRunningTree(running: RunningConfig, labels: Labels): Walk {
  let reached: string[];
  try {
    reached = routeReceivers(running.route, labels);
  } catch (e) {
    if (!(e instanceof RouteTreeError)) throw e;
    return { quiet: false, why: `verify cannot tell where Alertmanager's running route tree sends it: ${e.message}` };
  }
  const loud = reached.flatMap((name) => {
    const receiver = running.receivers.find((r) => r.name === name);
    if (!receiver) return [`${name} (not defined in the running configuration)`];
    const kinds = integrations(receiver);
    return kinds.length > 0 ? [`${name} (${kinds.join(', ')})`] : [];
  });
  return loud.length > 0
    ? { quiet: false, why: `Alertmanager's running route tree sends it to ${loud.join(', ')}: posting it would notify them` }
    : { quiet: true, receivers: reached };
}

function refuse(title: string, why: string, expected: readonly string[], site: readonly { name: string; notifies: boolean }[], reapply: string): CheckResult {
  const siteLoud = expected.filter((r) => site.some((s) => s.name === r && s.notifies));
  const next = siteLoud.length > 0
    ? `the site's own route tree sends severity ${TEST_ALERT_SEVERITY} alerts to ${siteLoud.join(', ')}: leave alerts out (--only drift,health,metrics,logs,grafana) until ${TEST_ALERT_SEVERITY} alerts reach only receivers without an integration`
    : `${reapply} (the site's route tree sends it to ${expected.join(', ')}, which notifies nobody)`;
  return fail(GROUP, 'alerts/post', title, `test alert not posted: ${why}`, next);
}

function judgeStatus(status: AlertmanagerStatus, running: RunningConfig, receivers: readonly string[], title: string, reapply: string): CheckResult {
  const version = status.versionInfo?.version ?? 'unknown version';
  const loaded = running.receivers.map((r) => r.name);
  const missing = receivers.filter((r) => !loaded.includes(r));
  if (missing.length > 0) {
    return fail(GROUP, 'alerts/status', title, `receivers missing from the configuration Alertmanager ${version} runs: ${missing.join(', ')}`, reapply, [`running: ${loaded.join(', ') || '(none)'}`, `site: ${receivers.join(', ')}`]);
  }
  return pass(GROUP, 'alerts/status', title, `Alertmanager ${version}, receivers ${receivers.join(', ')}; cluster ${status.cluster?.status ?? 'status unknown'}`);
}

function judgeRoute(found: GettableAlert, expected: readonly string[], running: RunningConfig, title: string, reapply: string): CheckResult {
  const actual = [...new Set(found.receivers.map((r) => r.name))];
  const same = actual.length === expected.length && actual.every((r) => expected.includes(r));
  if (!same) {
    return fail(GROUP, 'alerts/routed', title, `routed to ${actual.join(', ') || '(no receiver)'}; the site's route tree gives ${expected.join(', ')}`, reapply);
  }
  // Checked before posting; Alertmanager's own routing is what counts, so it is said again here.
  const notifying = running.receivers.filter((r) => actual.includes(r.name) && integrations(r).length > 0).map((r) => r.name);
  const reach = notifying.length > 0
    ? `; ${notifying.join(', ')} notify: the test signal reached them, labelled as a test`
    : '; no integration on that route: nobody was notified';
  const muted = found.status.state === 'suppressed' ? ` (suppressed by ${[...found.status.silencedBy, ...found.status.inhibitedBy].join(', ')})` : '';
  return pass(GROUP, 'alerts/routed', title, `routed to ${actual.join(', ')} as the site's route tree says${reach}${muted}`);
}
