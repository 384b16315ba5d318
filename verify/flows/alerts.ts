/**
 * Alerts flow: Alertmanager runs the site's configuration, takes a test alert, routes it where the
 * site's route tree says, and resolves it again.
 *
 * The test alert: alertname `MonitoringStackVerify`, `verify_run` = the run id, the site's `site`
 * label (as Prometheus' external label adds it), and severity `info`. The site's route tree sends
 * only `critical` and `warning` to real receivers (charts/alertmanager/alertmanager-config.ts), so
 * an `info` alert falls through to the `default` receiver, which has no integration: the route tree
 * and its matchers are exercised, nobody is paged. The expected receivers are computed from the
 * site's tree all the same, and when a receiver with an integration is among them (a tree that
 * routes `info` somewhere), the result says that the test signal reached it.
 *
 * The alert ends by itself after TEST_ALERT_MINUTES; the flow resolves it at once by posting it
 * again with an end time. Its start is set a minute early, and the resolving end time equal to it,
 * so an operator clock up to a minute ahead of the cluster's still resolves it (Alertmanager keeps
 * the later end time of an alert that is not yet over by its own clock).
 */
import * as YAML from 'yaml';
import { fail, pass, type CheckResult } from '../check';
import type { ServiceEndpoint } from '../http';
import { siteReceiverList, siteReceivers, type Labels } from './alert-routing';
import type { BasicAuth, FlowContext } from './context';
import { call, callJson, failedAs, type ServiceLogin } from './flow-request';
import { pollUntil } from './poll';

export const TEST_ALERT_NAME = 'MonitoringStackVerify';
/** Below the severities the site's routes send to people. */
export const TEST_ALERT_SEVERITY = 'info';
/** The label carrying the run id. */
export const RUN_LABEL = 'verify_run';
/** How long the test alert lives if the flow cannot resolve it. */
export const TEST_ALERT_MINUTES = 10;
const CLOCK_ALLOWANCE_MS = 60_000;

/** The parts of Alertmanager's API v2 this flow reads. */
interface GettableAlert { labels: Record<string, string>; receivers: { name: string }[]; status: { state: string; silencedBy: string[]; inhibitedBy: string[] } }
interface AlertmanagerStatus { cluster: { status: string }; config: { original: string }; versionInfo?: { version?: string } }

const GROUP = 'alerts';

export function testAlertLabels(ctx: FlowContext): Labels {
  return { alertname: TEST_ALERT_NAME, severity: TEST_ALERT_SEVERITY, site: ctx.site.name, [RUN_LABEL]: ctx.runId };
}

export async function checkAlerts(ctx: FlowContext, alertmanager: ServiceEndpoint, auth?: BasicAuth): Promise<CheckResult[]> {
  const { site } = ctx;
  const namespace = site.kubernetes.namespace;
  const login: ServiceLogin = { auth, source: `Secret ${namespace}/${site.alertmanager.webAuthSecret} (keys username, password)` };
  const labels = testAlertLabels(ctx);
  const expected = siteReceivers(site, labels);
  const reapply = `the running alertmanager.yml differs from the site's: re-apply dist/ (ConfigMap ${namespace}/alertmanager-config), then rerun verify`;

  const statusTitle = 'Alertmanager runs the site\'s receivers';
  let status: AlertmanagerStatus;
  try {
    status = await callJson<AlertmanagerStatus>(alertmanager, 'GET', '/api/v2/status', { login });
  } catch (e) {
    return [failedAs(GROUP, 'alerts/status', statusTitle, e)];
  }
  const results: CheckResult[] = [judgeStatus(status, siteReceiverList(site).map((r) => r.name), statusTitle, reapply)];

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
  const listed = async () => callJson<GettableAlert[]>(alertmanager, 'GET', filter, { login });

  const postTitle = `test alert ${TEST_ALERT_NAME} accepted`;
  try {
    await call(alertmanager, 'POST', '/api/v2/alerts', { login, body: alert(new Date(Date.now() + TEST_ALERT_MINUTES * 60_000).toISOString()) });
    results.push(pass(GROUP, 'alerts/post', postTitle, `${RUN_LABEL}="${ctx.runId}", severity ${TEST_ALERT_SEVERITY}, ends by itself within ${TEST_ALERT_MINUTES} min`));
  } catch (e) {
    return [...results, failedAs(GROUP, 'alerts/post', postTitle, e)];
  }

  const routeTitle = `test alert routed to ${expected.join(', ')}`;
  try {
    const found = await pollUntil(ctx, (s) => `alerts: waiting for the test alert to show in Alertmanager (${s} s)`, async () => (await listed())[0]);
    results.push(found
      ? judgeRoute(found, expected, siteReceiverList(site), routeTitle, reapply)
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

function judgeStatus(status: AlertmanagerStatus, receivers: readonly string[], title: string, reapply: string): CheckResult {
  const version = status.versionInfo?.version ?? 'unknown version';
  let loaded: string[];
  try {
    const config = YAML.parse(status.config.original) as { receivers?: { name: string }[] } | null;
    loaded = (config?.receivers ?? []).map((r) => r.name);
  } catch (e) {
    return fail(GROUP, 'alerts/status', title, `Alertmanager ${version} reports a configuration that is not YAML: ${(e as Error).message}`, reapply);
  }
  const missing = receivers.filter((r) => !loaded.includes(r));
  if (missing.length > 0) {
    return fail(GROUP, 'alerts/status', title, `receivers missing from the configuration Alertmanager ${version} runs: ${missing.join(', ')}`, reapply, [`running: ${loaded.join(', ') || '(none)'}`, `site: ${receivers.join(', ')}`]);
  }
  return pass(GROUP, 'alerts/status', title, `Alertmanager ${version}, receivers ${receivers.join(', ')}; cluster ${status.cluster.status}`);
}

function judgeRoute(found: GettableAlert, expected: readonly string[], receivers: { name: string; notifies: boolean }[], title: string, reapply: string): CheckResult {
  const actual = [...new Set(found.receivers.map((r) => r.name))];
  const same = actual.length === expected.length && actual.every((r) => expected.includes(r));
  if (!same) {
    return fail(GROUP, 'alerts/routed', title, `routed to ${actual.join(', ') || '(no receiver)'}; the site's route tree gives ${expected.join(', ')}`, reapply);
  }
  const notifying = receivers.filter((r) => r.notifies && actual.includes(r.name)).map((r) => r.name);
  const reach = notifying.length > 0
    ? `; ${notifying.join(', ')} notify: the test signal reached them, labelled as a test`
    : '; no integration on that route: nobody was notified';
  const muted = found.status.state === 'suppressed' ? ` (suppressed by ${[...found.status.silencedBy, ...found.status.inhibitedBy].join(', ')})` : '';
  return pass(GROUP, 'alerts/routed', title, `routed to ${actual.join(', ')} as the site's route tree says${reach}${muted}`);
}
