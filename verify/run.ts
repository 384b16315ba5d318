/**
 * One verify run: load the site, connect when a check needs the cluster, then drift and health
 * (the API server) and the flows (metrics, logs, alerts, Grafana; in parallel, one deadline).
 * Fatal problems (bad site, no cluster, no RBAC) throw VerifyError or SiteError; everything else
 * becomes a CheckResult, so one broken service never hides the state of the others.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { loadSite, type Site } from '../site';
import type { VerifyArgs } from './args';
import { fail, type CheckGroup, type CheckResult } from './check';
import { DRIFT_ACCESS, HEALTH_ACCESS, type AccessNeed } from './cluster/access';
import { connectCluster, type Cluster } from './cluster/connect';
import { readDeliveryObjects, readDistObjects } from './cluster/dist-objects';
import { checkDrift } from './cluster/drift';
import { checkHealth } from './cluster/health';
import { loadCredentials, missingCredentialNext, type CredentialName, type SecretReader, type StackCredentials } from './credentials';
import { stackEndpoints, type HttpServiceName, type StackEndpoints } from './endpoints';
import { checkAlerts } from './flows/alerts';
import type { BasicAuth, FlowContext } from './flows/context';
import { checkGrafana } from './flows/grafana';
import { checkLogs } from './flows/logs';
import { checkLogSources } from './flows/log-sources';
import { checkMetrics } from './flows/metrics';
import type { RunHeader } from './report';

export interface VerifyDependencies {
  /** @default Date.now */
  readonly now?: () => number;
  /** Progress lines while waiting (the CLI writes them to stderr). @default - dropped */
  readonly progress?: (message: string) => void;
  /** Where the generated Secrets file is looked for. @default site.talos.secretsDir */
  readonly secretsDir?: string;
  /** Polling period of the flows, milliseconds. @default 2000 */
  readonly pollMs?: number;
}

export interface VerifyOutcome {
  readonly header: RunHeader;
  readonly results: readonly CheckResult[];
}

const FLOW_GROUPS: readonly CheckGroup[] = ['metrics', 'logs', 'alerts', 'grafana'];

/** What the tunnels to the services need (verify/port-forward.ts); reading Secrets is optional (credentials.ts). */
const TUNNEL_ACCESS: readonly AccessNeed[] = [
  { group: '', resource: 'services', verb: 'get', why: 'flows: find the pods behind a Service' },
  { group: '', resource: 'pods', verb: 'list', why: 'flows: pick a ready pod to tunnel to' },
  // The tunnel is a WebSocket upgrade of a GET: authorized as get, and since 1.35 as create too.
  { group: '', resource: 'pods/portforward', verb: 'get', why: 'flows: tunnel to Prometheus, Alertmanager, Loki and Grafana (or use --direct)' },
  { group: '', resource: 'pods/portforward', verb: 'create', why: 'flows: tunnel to Prometheus, Alertmanager, Loki and Grafana (or use --direct)' },
];

/** The RBAC permissions the requested groups need, asked up front. */
function accessNeeded(args: VerifyArgs): AccessNeed[] {
  return [
    ...(args.only.includes('drift') ? DRIFT_ACCESS : []),
    ...(args.only.includes('health') ? HEALTH_ACCESS : []),
    ...(flowsNeedCluster(args) ? TUNNEL_ACCESS : []),
  ];
}

/** Unique, sortable, and a valid label value and LogQL line filter: `verify-20261202t143000z-1a2b3c`. */
export function newRunId(now: number): string {
  return `verify-${new Date(now).toISOString().replace(/[-:]|\.\d+/g, '').toLowerCase()}-${randomBytes(3).toString('hex')}`;
}

function secretReader(cluster: Cluster): SecretReader {
  return async (namespace, name) => {
    try {
      const secret = await cluster.core.readNamespacedSecret({ name, namespace });
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch {
      return undefined; // absent or forbidden: the check that needs it says so
    }
  };
}

/** Each flow group: the service it reaches, the login it needs, and the check. */
interface Flow {
  readonly service: HttpServiceName;
  readonly login?: { readonly name: CredentialName; readonly title: string };
  run(ctx: FlowContext, endpoints: StackEndpoints, auth?: BasicAuth): Promise<CheckResult[]>;
}

const FLOWS: Readonly<Record<string, Flow>> = {
  metrics: { service: 'prometheus', login: { name: 'prometheus', title: 'Prometheus credentials' }, run: (ctx, e, auth) => checkMetrics(ctx, e.http.prometheus, auth) },
  logs: { service: 'loki', run: async (ctx, e) => [...await checkLogs(ctx, e.http.loki, e.syslog), ...await checkLogSources(ctx, e.http.loki)] },
  alerts: { service: 'alertmanager', login: { name: 'alertmanager', title: 'Alertmanager credentials' }, run: (ctx, e, auth) => checkAlerts(ctx, e.http.alertmanager, auth) },
  grafana: { service: 'grafana', login: { name: 'grafana', title: 'Grafana admin credentials' }, run: (ctx, e, auth) => checkGrafana(ctx, e.http.grafana, auth) },
};

/** Does any requested flow reach its service through a tunnel (needs the cluster)? */
function flowsNeedCluster(args: VerifyArgs): boolean {
  if (args.direct) return false;
  return args.only.some((g) => FLOWS[g] && !args.endpoints[FLOWS[g].service]);
}

async function runFlows(site: Site, args: VerifyArgs, ctx: FlowContext, endpoints: StackEndpoints, credentials: StackCredentials): Promise<CheckResult[]> {
  const runs = FLOW_GROUPS.filter((g) => args.only.includes(g)).map(async (group): Promise<CheckResult[]> => {
    const flow = FLOWS[group];
    const credential = flow.login && credentials[flow.login.name];
    if (flow.login && !credential) {
      return [fail(group, `${group}/credentials`, flow.login.title, `no ${flow.login.name} credentials found`, missingCredentialNext(site, flow.login.name))];
    }
    try {
      return await flow.run(ctx, endpoints, credential && { ...credential.auth, source: credential.source });
    } catch (e) {
      // A defect in one flow must not cost the others' results (or drift's and health's): one fail row.
      return [fail(group, `${group}/error`, `${group} check`, `stopped by an unexpected error: ${(e as Error).message}`, 'run again with VERIFY_DEBUG=1 and report it; the other groups are unaffected')];
    }
  });
  return (await Promise.all(runs)).flat();
}

export async function runVerify(args: VerifyArgs, deps: VerifyDependencies = {}): Promise<VerifyOutcome> {
  const now = deps.now ?? Date.now;
  const progress = deps.progress ?? (() => undefined);
  const loaded = loadSite(args.siteFile);
  const site = loaded.site;
  const runId = newRunId(now());
  const distDir = args.only.some((g) => g === 'drift' || g === 'health') ? path.resolve(args.distDir) : undefined;
  // dist/ first: a wrong --dist should not cost a connection.
  const objects = distDir ? readDistObjects(distDir) : [];
  const delivery = distDir && args.only.includes('drift') ? readDeliveryObjects(distDir) : [];
  const wantsCluster = distDir !== undefined || flowsNeedCluster(args);
  const cluster = wantsCluster ? await connectCluster({ kubeconfig: args.kubeconfig, context: args.context, access: accessNeeded(args) }) : undefined;
  const header: RunHeader = { site: `${site.name} (${loaded.source})`, context: cluster?.context, server: cluster?.server, distDir, runId };
  const results: CheckResult[] = [];
  if (cluster && distDir) {
    if (args.only.includes('drift')) {
      progress(`drift: comparing ${objects.length} objects of ${args.distDir}/ with the cluster (server-side apply dry-run)`);
      results.push(...await checkDrift(cluster, objects, { fieldManager: args.fieldManager, delivery, progress }));
    }
    if (args.only.includes('health')) {
      progress('health: workloads, volumes, LoadBalancer addresses, etcd backups');
      results.push(...await checkHealth(cluster, site, objects, { now: () => new Date(now()), progress }));
    }
  }
  if (FLOW_GROUPS.some((g) => args.only.includes(g))) {
    const endpoints = stackEndpoints(site, { direct: args.direct, endpoints: args.endpoints, cluster });
    try {
      const credentials = await loadCredentials(site, cluster ? secretReader(cluster) : undefined, deps.secretsDir);
      const ctx: FlowContext = { site, deadline: now() + args.timeoutSeconds * 1000, progress, runId, pollMs: deps.pollMs };
      results.push(...await runFlows(site, args, ctx, endpoints, credentials));
    } finally {
      await Promise.all(Object.values(endpoints.http).map((e) => e.close()));
    }
  }
  return { header, results };
}
