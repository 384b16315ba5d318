/**
 * Grafana flow: Grafana and its database are up, the admin login works, and every datasource the
 * site provisions (charts/grafana/provisioning.ts) exists as provisioned and reaches its service.
 *
 * A datasource's health comes from Grafana's own check (/api/datasources/uid/<uid>/health), which
 * runs on Grafana's side with the datasource's URL and credentials. Plugins without a backend
 * (the Alertmanager datasource) have no such check and answer 404; for those the flow asks the
 * service through Grafana's datasource proxy, as the datasource's "Test" button does.
 */
import { fail, pass, type CheckResult } from '../check';
import type { HttpResponse, ServiceEndpoint } from '../http';
import { GRAFANA_DATA_CLAIM, GRAFANA_PROVISIONING_CONFIG_MAP } from '../../charts/grafana/grafana-chart';
import { datasourcePasswordEnv, grafanaDatasources, type GrafanaDatasource } from '../../charts/grafana/provisioning';
import { stackTopology } from '../../charts/topology';
import type { Site } from '../../site';
import type { BasicAuth, FlowContext } from './context';
import { bodyAs, call, callAs, failedAs, isRecord, isString, optional, snippet, type ServiceLogin, type Shape } from './flow-request';

/** A cheap read of each datasource type's service, through Grafana's proxy. */
const PROXY_PROBE: Record<GrafanaDatasource['type'], string> = {
  prometheus: '/api/v1/status/buildinfo',
  loki: '/loki/api/v1/labels',
  alertmanager: '/api/v2/status',
};

interface Health { database?: string; version?: string }
interface User { login: string }
interface DatasourceDto { type: string; url: string }
interface HealthAnswer { status?: string; message?: string }

const HEALTH: Shape<Health> = {
  what: 'Grafana\'s health (database, version)',
  test: (v): v is Health => isRecord(v) && optional(v.database, isString) && optional(v.version, isString),
};
const USER: Shape<User> = {
  what: 'a Grafana user (login)',
  test: (v): v is User => isRecord(v) && isString(v.login),
};
const DATASOURCE: Shape<DatasourceDto> = {
  what: 'a Grafana datasource (type, url)',
  test: (v): v is DatasourceDto => isRecord(v) && isString(v.type) && isString(v.url),
};
const HEALTH_ANSWER: Shape<HealthAnswer> = {
  what: 'the result of a datasource health check (status, message)',
  test: (v): v is HealthAnswer => isRecord(v) && optional(v.status, isString) && optional(v.message, isString),
};

const GROUP = 'grafana';

export async function checkGrafana(ctx: FlowContext, grafana: ServiceEndpoint, auth?: BasicAuth): Promise<CheckResult[]> {
  const { site } = ctx;
  const login: ServiceLogin = {
    auth,
    secret: { namespace: site.kubernetes.namespace, name: site.grafana.adminSecret, keys: ['admin-user', 'admin-password'] },
    // GF_SECURITY_ADMIN_PASSWORD seeds the admin account on Grafana's first start only.
    takesChange: 'set the admin password to the Secret\'s with `grafana cli admin reset-admin-password` in Grafana\'s pod (Grafana reads the Secret on its first start only)',
  };

  const healthTitle = 'Grafana and its database up';
  let health: CheckResult;
  try {
    const answer = await callAs(grafana, 'GET', '/api/health', HEALTH, { accept: [503] });
    health = answer.database === 'ok'
      ? pass(GROUP, 'grafana/health', healthTitle, `Grafana ${answer.version ?? '(version hidden)'}, database ok`)
      : fail(GROUP, 'grafana/health', healthTitle, `Grafana reports its database as ${answer.database ?? 'unknown'}`, `check Grafana's log and its volume (PVC ${GRAFANA_DATA_CLAIM} in ${site.kubernetes.namespace})`);
  } catch (e) {
    return [failedAs(GROUP, 'grafana/health', healthTitle, e)];
  }

  const loginTitle = 'Grafana admin login';
  try {
    const user = await callAs(grafana, 'GET', '/api/user', USER, { login });
    const results = [health, pass(GROUP, 'grafana/login', loginTitle, `logged in as ${user.login}`)];
    for (const datasource of grafanaDatasources(site, stackTopology(site, 'kubernetes')).datasources) {
      results.push(await checkDatasource(site, grafana, login, datasource));
    }
    return results;
  } catch (e) {
    return [health, failedAs(GROUP, 'grafana/login', loginTitle, e)];
  }
}

async function checkDatasource(site: Site, grafana: ServiceEndpoint, login: ServiceLogin, expected: GrafanaDatasource): Promise<CheckResult> {
  const id = `grafana/datasource/${expected.uid}`;
  const title = `datasource ${expected.name} reaches ${expected.type}`;
  const base = `/api/datasources/uid/${encodeURIComponent(expected.uid)}`;
  const reprovision = `re-apply dist/ (ConfigMap ${site.kubernetes.namespace}/${GRAFANA_PROVISIONING_CONFIG_MAP}) and check Grafana's log for provisioning errors`;
  try {
    const found = await call(grafana, 'GET', base, { login, accept: [404] });
    if (found.status === 404) {
      return fail(GROUP, id, title, `datasource ${expected.name} (uid ${expected.uid}) is not in Grafana`, reprovision);
    }
    const dto = bodyAs(grafana, found, `GET ${base}`, DATASOURCE);
    if (dto.type !== expected.type || dto.url !== expected.url) {
      return fail(GROUP, id, title, `datasource ${expected.name} (uid ${expected.uid}) differs from the site's provisioning`, reprovision,
        [`Grafana: type ${dto.type}, url ${dto.url}`, `site:    type ${expected.type}, url ${expected.url}`]);
    }
    const checked = await call(grafana, 'GET', `${base}/health`, { login, accept: 'any' });
    if (checked.status === 404) return await proxyProbe(site, grafana, login, expected, id, title);
    if (checked.status === 200) {
      const answer = bodyAs(grafana, checked, `GET ${base}/health`, HEALTH_ANSWER);
      if (answer.status === 'OK') return pass(GROUP, id, title, `Grafana's health check: ${answer.message ?? 'OK'}`);
      return fail(GROUP, id, title, `Grafana's health check of ${expected.name} answered HTTP 200 without status OK: ${answer.message ?? snippet(checked.body)}`, nextFor(site, expected));
    }
    return fail(GROUP, id, title, `Grafana's health check of ${expected.name} failed (HTTP ${checked.status}): ${failureMessage(checked)}`, nextFor(site, expected));
  } catch (e) {
    return failedAs(GROUP, id, title, e);
  }
}

/** For a plugin without a backend health check: one read of the service through Grafana's datasource proxy. */
async function proxyProbe(site: Site, grafana: ServiceEndpoint, login: ServiceLogin, expected: GrafanaDatasource, id: string, title: string): Promise<CheckResult> {
  const path = `/api/datasources/proxy/uid/${encodeURIComponent(expected.uid)}${PROXY_PROBE[expected.type]}`;
  const answer = await call(grafana, 'GET', path, { login, accept: 'any' });
  if (answer.status >= 200 && answer.status < 300) {
    return pass(GROUP, id, title, `GET ${PROXY_PROBE[expected.type]} through Grafana's proxy answered ${answer.status} (the plugin has no health check of its own)`);
  }
  return fail(GROUP, id, title, `GET ${PROXY_PROBE[expected.type]} through Grafana's proxy to ${expected.url} answered HTTP ${answer.status}: ${snippet(answer.body)}`, nextFor(site, expected));
}

/** Grafana's message of a failed health check (400 `{ status: 'ERROR', message }`), else the start of the body (a proxy's page). */
function failureMessage(response: HttpResponse): string {
  try {
    const answer: unknown = JSON.parse(response.body);
    if (isRecord(answer) && isString(answer.message)) return answer.message;
  } catch {
    // Not JSON: the body itself says more than nothing.
  }
  return snippet(response.body);
}

/** What to check when a datasource cannot reach its service: the address, and the Secret its password comes from. */
function nextFor(site: Site, datasource: GrafanaDatasource): string {
  const env = /\$__env\{(\w+)\}/.exec(datasource.secureJsonData?.basicAuthPassword ?? '')?.[1];
  const secret = datasourcePasswordEnv(site).find((e) => e.name === env);
  const reach = `check that Grafana's pod reaches ${datasource.url} (NetworkPolicy, the ${datasource.type} pod ready)`;
  return secret
    ? `${reach}, and that Secret ${site.kubernetes.namespace}/${secret.secret} (key ${secret.key}, env ${secret.name} of Grafana) holds the password ${datasource.type} runs with (restart Grafana after changing it)`
    : reach;
}

