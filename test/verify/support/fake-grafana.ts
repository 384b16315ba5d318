/**
 * A FAKE Grafana HTTP API: no Grafana server can run on this machine, so checkGrafana is tested
 * against this stand-in. Its datasources are read from a datasources provisioning file (by default
 * the site's, as synth writes it), and it answers the way Grafana's API does (pkg/api/datasources.go):
 * - /api/health without login: `database` ok (200) or failing (503);
 * - every other /api path wants the admin's basic auth, else 401;
 * - /api/datasources/uid/<uid>: the datasource, or 404 "Data source not found";
 * - /api/datasources/uid/<uid>/health: runs the plugin's health check: 200 `status: OK`, or 400
 *   `status: ERROR` with a message; a plugin without a backend (alertmanager) answers 404, as
 *   Grafana does when the plugin has no health check;
 * - /api/datasources/proxy/uid/<uid>/...: the datasource's service through Grafana's proxy; here
 *   200 with an empty JSON object, or the configured fault's status.
 * Every request is recorded with the user it logged in as. Fault `pages` answers chosen paths with
 * 200 and another body (a proxy's HTML page, JSON of another shape) once the login has passed.
 */
import * as YAML from 'yaml';
import { grafanaDatasourcesYaml } from '../../../charts/grafana/provisioning';
import { stackTopology } from '../../../charts/topology';
import type { Site } from '../../../site';
import { listenHttp } from './http-peer';

export interface FakeGrafanaOptions {
  readonly admin: { readonly username: string; readonly password: string };
  /** The datasources provisioning file Grafana read. @default the site's (grafanaDatasourcesYaml) */
  readonly datasourcesYaml?: string;
  /** @default 'ok' */
  readonly database?: 'ok' | 'failing';
  /** Per datasource uid: the health check's error message (backend plugins), or the proxy's status (others). */
  readonly faults?: Readonly<Record<string, string | number>>;
  /** Per path (`/api/datasources/uid/prometheus`): a 200 answer with this body instead of the API's; HTML when it starts with `<`. */
  readonly pages?: Readonly<Record<string, string>>;
}

export interface FakeGrafana {
  readonly url: string;
  /** `METHOD path user` per request (`-` without login). */
  readonly requests: string[];
  close(): Promise<void>;
}

interface Provisioned { name: string; type: string; uid: string; url: string }

/** Datasource types whose plugin has a backend (a server-side health check). */
const BACKEND_TYPES = new Set(['prometheus', 'loki']);

export async function startFakeGrafana(site: Site, options: FakeGrafanaOptions): Promise<FakeGrafana> {
  const file = YAML.parse(options.datasourcesYaml ?? grafanaDatasourcesYaml(site, stackTopology(site, 'kubernetes'))) as { datasources: Provisioned[] };
  const datasources = new Map(file.datasources.map((d) => [d.uid, d]));
  const requests: string[] = [];
  const peer = await listenHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://grafana');
    const user = loggedIn(req.headers.authorization, options.admin);
    requests.push(`${req.method} ${url.pathname} ${user ?? '-'}`);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/health') {
      const database = options.database ?? 'ok';
      json(database === 'ok' ? 200 : 503, { commit: 'fake', database, version: '12.0.0' });
      return;
    }
    if (!user) {
      json(401, { message: 'invalid username or password' });
      return;
    }
    const page = options.pages?.[url.pathname];
    if (page !== undefined) {
      res.writeHead(200, { 'Content-Type': page.startsWith('<') ? 'text/html' : 'application/json' }).end(page);
      return;
    }
    if (url.pathname === '/api/user') {
      json(200, { login: user, isGrafanaAdmin: true });
      return;
    }
    const m = /^\/api\/datasources\/(?:proxy\/)?uid\/([^/]+)(\/health)?(\/.*)?$/.exec(url.pathname);
    const proxied = url.pathname.startsWith('/api/datasources/proxy/');
    const datasource = m ? datasources.get(decodeURIComponent(m[1])) : undefined;
    const fault = datasource && options.faults?.[datasource.uid];
    if (!m) {
      json(404, { message: 'Not found' });
    } else if (!datasource) {
      json(m[2] ? 500 : 404, { message: m[2] ? 'Unable to load datasource metadata' : 'Data source not found' });
    } else if (proxied) {
      if (typeof fault === 'number') res.writeHead(fault).end(`fake proxy fault ${fault}`);
      else json(200, {});
    } else if (m[2]) {
      if (!BACKEND_TYPES.has(datasource.type)) json(404, { message: 'Plugin not found', messageId: 'plugin.notRegistered' });
      else if (typeof fault === 'string') json(400, { status: 'ERROR', message: fault });
      else json(200, { status: 'OK', message: `Successfully queried the ${datasource.type} API.` });
    } else {
      json(200, { id: 1, uid: datasource.uid, name: datasource.name, type: datasource.type, url: datasource.url, access: 'proxy', readOnly: true });
    }
  });
  return { url: peer.url, requests, close: () => peer.close() };
}

function loggedIn(header: string | undefined, admin: FakeGrafanaOptions['admin']): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return user === admin.username && rest.join(':') === admin.password ? user : undefined;
}
