/**
 * Metrics flow: Prometheus is ready, scrapes every job the site's prometheus.yml has with every
 * target up, and has loaded and evaluated every rule group of the site's rules without error.
 *
 * Waiting: a target Prometheus has not scraped yet is `unknown`, a rule not evaluated yet has
 * health `unknown`, and a Prometheus just started has no scrape pools for a few seconds; the check
 * polls until none of these is left (or the deadline), then judges. A target found down is
 * reported at once, never waited for: after its first scrape it is down for a reason (its
 * lastError), and waiting would only make a broken stack slow to report.
 *
 * Discovered jobs (kubernetes_sd: API servers, kubelets, cAdvisor, annotated pods) have no count
 * the site can predict. They must be loaded and their targets up; a discovered job without any
 * target is a warning (broken discovery or RBAC, or simply no annotated pod), not a failure.
 */
import { PROMETHEUS_CONFIG_MAP, PROMETHEUS_RULES_CONFIG_MAP } from '../../charts/prometheus/prometheus-server';
import { fail, pass, warn, type CheckResult } from '../check';
import type { ServiceEndpoint } from '../http';
import type { BasicAuth, FlowContext } from './context';
import { call, callAs, failedAs, isArrayOf, isRecord, isString, isStringMap, optional, type ServiceLogin, type Shape } from './flow-request';
import { expectedRuleGroups, expectedScrapeJobs, type ExpectedJob, type ExpectedRuleGroup } from './metrics-expectations';
import { pollUntil } from './poll';

/** The parts of /api/v1/targets, /api/v1/scrape_pools and /api/v1/rules this check reads. */
interface ActiveTarget { labels: Record<string, string>; scrapePool?: string; health: 'up' | 'down' | 'unknown'; lastError?: string }
interface LoadedRule { name: string; health: 'ok' | 'err' | 'unknown'; lastError?: string }
interface LoadedGroup { name: string; rules: LoadedRule[] }

const TARGET_HEALTH: readonly unknown[] = ['up', 'down', 'unknown'];
const RULE_HEALTH: readonly unknown[] = ['ok', 'err', 'unknown'];
const POOLS: Shape<{ data: { scrapePools: string[] } }> = {
  what: 'Prometheus\' scrape pools (data.scrapePools, a list of job names)',
  test: (v): v is { data: { scrapePools: string[] } } => isRecord(v) && isRecord(v.data) && isArrayOf(v.data.scrapePools, isString),
};
const TARGETS: Shape<{ data: { activeTargets: ActiveTarget[] } }> = {
  what: 'Prometheus\' targets (data.activeTargets, each with labels, health up/down/unknown and lastError)',
  test: (v): v is { data: { activeTargets: ActiveTarget[] } } => isRecord(v) && isRecord(v.data) && isArrayOf(v.data.activeTargets, (t): t is ActiveTarget =>
    isRecord(t) && isStringMap(t.labels) && optional(t.scrapePool, isString) && TARGET_HEALTH.includes(t.health) && optional(t.lastError, isString)),
};
const RULES: Shape<{ data: { groups: LoadedGroup[] } }> = {
  what: 'Prometheus\' rules (data.groups, each with a name and rules with health ok/err/unknown)',
  test: (v): v is { data: { groups: LoadedGroup[] } } => isRecord(v) && isRecord(v.data) && isArrayOf(v.data.groups, (g): g is LoadedGroup =>
    isRecord(g) && isString(g.name) && isArrayOf(g.rules, (r): r is LoadedRule => isRecord(r) && isString(r.name) && RULE_HEALTH.includes(r.health) && optional(r.lastError, isString))),
};

interface Snapshot {
  readonly pools: readonly string[];
  readonly targets: readonly ActiveTarget[];
  readonly groups: readonly LoadedGroup[];
}

const GROUP = 'metrics';

export async function checkMetrics(ctx: FlowContext, prometheus: ServiceEndpoint, auth?: BasicAuth): Promise<CheckResult[]> {
  const { site } = ctx;
  const login: ServiceLogin = { auth, secret: { namespace: site.kubernetes.namespace, name: site.prometheus.webAuthSecret, keys: ['username', 'password'] } };
  const jobs = expectedScrapeJobs(site);
  const groups = expectedRuleGroups(site);

  const readyTitle = 'Prometheus ready';
  try {
    const ready = await pollUntil(ctx, (s) => `metrics: waiting for Prometheus to be ready (${s} s)`, async () => {
      const r = await call(prometheus, 'GET', '/-/ready', { login, accept: [503] });
      return r.status === 503 ? undefined : r;
    });
    if (!ready) {
      return [fail(GROUP, 'metrics/ready', readyTitle, `${prometheus.describe}/-/ready still answers 503 (starting: replaying its WAL, or loading its config) at the deadline`, 'wait for the pod to become Ready (kubectl get pods), then rerun verify')];
    }
  } catch (e) {
    return [failedAs(GROUP, 'metrics/ready', readyTitle, e)];
  }

  let pending = 0;
  let snapshot: Snapshot | undefined;
  try {
    await pollUntil(ctx, (s) => `metrics: waiting for ${pending} targets' first scrape or rules' first evaluation (${s} s)`, async () => {
      snapshot = await readSnapshot(prometheus, login);
      pending = pendingCount(snapshot, jobs, groups);
      return pending === 0 ? snapshot : undefined;
    });
  } catch (e) {
    return [pass(GROUP, 'metrics/ready', readyTitle), failedAs(GROUP, 'metrics/api', 'Prometheus API answers', e)];
  }
  const last = snapshot!;
  return [
    pass(GROUP, 'metrics/ready', readyTitle, `${prometheus.describe}/-/ready`),
    ...jobs.map((job) => judgeJob(job, last, site.kubernetes.namespace)),
    ...groups.map((group) => judgeGroup(group, last, site.kubernetes.namespace)),
  ];
}

async function readSnapshot(prometheus: ServiceEndpoint, login: ServiceLogin): Promise<Snapshot> {
  const pools = await callAs(prometheus, 'GET', '/api/v1/scrape_pools', POOLS, { login });
  const targets = await callAs(prometheus, 'GET', '/api/v1/targets?state=active', TARGETS, { login });
  const rules = await callAs(prometheus, 'GET', '/api/v1/rules', RULES, { login });
  return { pools: pools.data.scrapePools, targets: targets.data.activeTargets, groups: rules.data.groups };
}

const targetsOf = (snapshot: Snapshot, job: string) => snapshot.targets.filter((t) => (t.scrapePool ?? t.labels.job) === job);
const rulesOf = (snapshot: Snapshot, group: string) => snapshot.groups.filter((g) => g.name === group).flatMap((g) => g.rules);

/**
 * Targets of expected jobs not scraped yet, plus rules of expected groups not evaluated yet. No
 * scrape pool at all means the scrape manager has not taken its first targets yet (it applies
 * discovery updates every few seconds after start): every job is pending.
 */
function pendingCount(snapshot: Snapshot, jobs: readonly ExpectedJob[], groups: readonly ExpectedRuleGroup[]): number {
  if (snapshot.pools.length === 0) return jobs.length;
  const targets = jobs.flatMap((j) => targetsOf(snapshot, j.job)).filter((t) => t.health === 'unknown').length;
  const rules = groups.flatMap((g) => rulesOf(snapshot, g.name)).filter((r) => r.health === 'unknown').length;
  return targets + rules;
}

function judgeJob(expected: ExpectedJob, snapshot: Snapshot, namespace: string): CheckResult {
  const id = `metrics/job/${expected.job}`;
  const title = `scrape job ${expected.job}`;
  if (!snapshot.pools.includes(expected.job)) {
    return fail(GROUP, id, title, `Prometheus has no scrape pool for job ${expected.job}: its running prometheus.yml lacks the job, or it could not set the job up`,
      `look for "${expected.job}" in Prometheus' log (a credentials or CA file it cannot read stops a job); if the job is not there, re-apply dist/ (ConfigMap ${namespace}/${PROMETHEUS_CONFIG_MAP}; the pod rolls on a change)`);
  }
  const targets = targetsOf(snapshot, expected.job);
  const present = new Set(targets.map((t) => t.labels.instance));
  const missing = (expected.instances ?? []).filter((i) => !present.has(i));
  const down = targets.filter((t) => t.health === 'down');
  const unknown = targets.filter((t) => t.health === 'unknown');
  const up = targets.length - down.length - unknown.length;
  const lines = [
    ...down.map((t) => `${t.labels.instance}: ${t.lastError || 'down'}`),
    ...unknown.map((t) => `${t.labels.instance}: not scraped yet when the wait ended`),
    ...missing.map((i) => `${i}: not a target, though the site's prometheus.yml has it`),
  ];
  if (lines.length > 0) {
    const why = [down.length && `${down.length} down`, unknown.length && `${unknown.length} not scraped yet`, missing.length && `${missing.length} missing`].filter(Boolean).join(', ');
    const next = down.length
      ? 'each line gives the target\'s last scrape error: check that its exporter runs and that Prometheus\' pod can reach it (NetworkPolicy, the guest\'s firewall)'
      : missing.length
        ? `the running prometheus.yml differs from the site's: re-apply dist/ (ConfigMap ${namespace}/${PROMETHEUS_CONFIG_MAP}), then rerun verify`
        : 'rerun verify with a later deadline (a scrape interval has to pass)';
    return fail(GROUP, id, title, `${up}/${targets.length + missing.length} up (${why})`, next, lines);
  }
  if (targets.length === 0) {
    return warn(GROUP, id, title, 'discovered no targets', 'check Prometheus\' log for service-discovery errors and its ClusterRole; for kubernetes-pods, no pod may carry prometheus.io/scrape: "true"');
  }
  return pass(GROUP, id, title, `${up}/${targets.length} up`);
}

function judgeGroup(expected: ExpectedRuleGroup, snapshot: Snapshot, namespace: string): CheckResult {
  const id = `metrics/rules/${expected.name}`;
  const title = `rule group ${expected.name}`;
  const next = `re-apply dist/ (ConfigMap ${namespace}/${PROMETHEUS_RULES_CONFIG_MAP}), and check Prometheus' log for rule loading errors`;
  if (!snapshot.groups.some((g) => g.name === expected.name)) {
    return fail(GROUP, id, title, `rule group ${expected.name} is not loaded`, next);
  }
  const rules = rulesOf(snapshot, expected.name);
  const names = new Set(rules.map((r) => r.name));
  const missing = expected.alerts.filter((a) => !names.has(a));
  const broken = rules.filter((r) => r.health === 'err');
  const unknown = rules.filter((r) => r.health === 'unknown');
  const lines = [
    ...broken.map((r) => `${r.name}: ${r.lastError || 'evaluation failed'}`),
    ...unknown.map((r) => `${r.name}: not evaluated yet when the wait ended`),
    ...missing.map((a) => `${a}: not loaded, though the site's rules have it`),
  ];
  if (lines.length > 0) {
    const why = [broken.length && `${broken.length} failing`, unknown.length && `${unknown.length} not evaluated yet`, missing.length && `${missing.length} missing`].filter(Boolean).join(', ');
    return fail(GROUP, id, title, `${rules.length} rules loaded (${why})`,
      broken.length ? 'each line gives the rule\'s evaluation error: fix the rule (charts/prometheus/rules.ts) or what it queries' : next, lines);
  }
  return pass(GROUP, id, title, `${rules.length} rules loaded and evaluated without error`);
}
