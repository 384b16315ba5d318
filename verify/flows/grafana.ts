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
import type { ServiceEndpoint } from '../http';
import { datasourcePasswordEnv, grafanaDatasources, type GrafanaDatasource } from '../../charts/grafana/provisioning';
import { stackTopology } from '../../charts/topology';
import type { Site } from '../../site';
import type { BasicAuth, FlowContext } from './context';
import { call, callJson, failedAs, snippet, type ServiceLogin } from './flow-request';

/** A cheap read of each datasource type's service, through Grafana's proxy. */
const PROXY_PROBE: Record<GrafanaDatasource['type'], string> = {
  prometheus: '/api/v1/status/buildinfo',
  loki: '/loki/api/v1/labels',
  alertmanager: '/api/v2/status',
};

interface DatasourceDto { uid: string; name: string; type: string; url: string }
interface HealthAnswer { status?: string; message?: string }

const GROUP = 'grafana';

export async function checkGrafana(ctx: FlowContext, grafana: ServiceEndpoint, auth?: BasicAuth): Promise<CheckResult[]> {
  const { site } = ctx;
  const login: ServiceLogin = { auth, source: `Secret ${site.kubernetes.namespace}/${site.grafana.adminSecret} (keys admin-user, admin-password)` };

  const healthTitle = 'Grafana and its database up';
  let health: CheckResult;
  try {
    const answer = await callJson<{ database?: string; version?: string }>(grafana, 'GET', '/api/health', { accept: [503] });
    health = answer.database === 'ok'
      ? pass(GROUP, 'grafana/health', healthTitle, `Grafana ${answer.version ?? '(version hidden)'}, database ok`)
      : fail(GROUP, 'grafana/health', healthTitle, `Grafana reports its database as ${answer.database ?? 'unknown'}`, `check Grafana's log and its volume (PVC grafana-data in ${site.kubernetes.namespace})`);
  } catch (e) {
    return [failedAs(GROUP, 'grafana/health', healthTitle, e)];
  }

  const loginTitle = 'Grafana admin login';
  try {
    const user = await callJson<{ login?: string }>(grafana, 'GET', '/api/user', { login });
    const results = [health, pass(GROUP, 'grafana/login', loginTitle, `logged in as ${user.login ?? auth?.username ?? 'admin'}`)];
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
  const reprovision = `re-apply dist/ (ConfigMap ${site.kubernetes.namespace}/grafana-provisioning) and check Grafana's log for provisioning errors`;
  try {
    const found = await call(grafana, 'GET', base, { login, accept: [404] });
    if (found.status === 404) {
      return fail(GROUP, id, title, `datasource ${expected.name} (uid ${expected.uid}) is not in Grafana`, reprovision);
    }
    const dto = found.json<DatasourceDto>();
    if (dto.type !== expected.type || dto.url !== expected.url) {
      return fail(GROUP, id, title, `datasource ${expected.name} (uid ${expected.uid}) differs from the site's provisioning`, reprovision,
        [`Grafana: type ${dto.type}, url ${dto.url}`, `site:    type ${expected.type}, url ${expected.url}`]);
    }
    const checked = await call(grafana, 'GET', `${base}/health`, { login, accept: 'any' });
    if (checked.status === 404) return await proxyProbe(site, grafana, login, expected, id, title);
    const answer = checked.json<HealthAnswer>();
    if (checked.status === 200 && answer.status === 'OK') {
      return pass(GROUP, id, title, `Grafana's health check: ${answer.message ?? 'OK'}`);
    }
    return fail(GROUP, id, title, `Grafana's health check of ${expected.name} failed (HTTP ${checked.status}): ${answer.message ?? snippet(checked.body)}`, nextFor(site, expected));
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

/** What to check when a datasource cannot reach its service: the address, and the Secret its password comes from. */
function nextFor(site: Site, datasource: GrafanaDatasource): string {
  const env = /\$__env\{(\w+)\}/.exec(datasource.secureJsonData?.basicAuthPassword ?? '')?.[1];
  const secret = datasourcePasswordEnv(site).find((e) => e.name === env);
  const reach = `check that Grafana's pod reaches ${datasource.url} (NetworkPolicy, the ${datasource.type} pod ready)`;
  return secret
    ? `${reach}, and that Secret ${site.kubernetes.namespace}/${secret.secret} (key ${secret.key}, env ${secret.name} of Grafana) holds the password ${datasource.type} runs with (restart Grafana after changing it)`
    : reach;
}

