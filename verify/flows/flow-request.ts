/**
 * HTTP for the flow checks: every way a request can go wrong (no answer, credentials rejected,
 * an unexpected status, a body that is not JSON, JSON of another shape) becomes a FlowFailure
 * carrying the why and the next step, which the flow turns into one `fail` row. Nothing here
 * throws anything else for a broken stack, so a dead or odd service is a row in the table, never
 * a stack trace.
 */
import { fail, type CheckGroup, type CheckResult } from '../check';
import { VerifyTransportError, type HttpResponse, type ServiceEndpoint } from '../http';
import type { BasicAuth } from './context';

/** A step that did not hold. */
export class FlowFailure extends Error {
  constructor(readonly detail: string, readonly next: string, readonly lines?: readonly string[]) {
    super(detail);
    this.name = 'FlowFailure';
  }
}

/** The cluster Secret a service takes its login from. */
export interface LoginSecret {
  readonly namespace: string;
  readonly name: string;
  /** The keys holding user and password, e.g. `['username', 'password']`. */
  readonly keys: readonly [string, string];
}

/** A service's login, the Secret it must match, and how the service takes a changed one. */
export interface ServiceLogin {
  readonly auth?: BasicAuth;
  readonly secret: LoginSecret;
  /**
   * What makes the running service use the Secret's current values, ending the next step of a
   * rejected login. @default - restart the service's pod
   */
  readonly takesChange?: string;
}

/** `Secret monitoring/grafana-admin (keys admin-user, admin-password)`. */
export function secretText(secret: LoginSecret): string {
  return `Secret ${secret.namespace}/${secret.name} (keys ${secret.keys.join(', ')})`;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly login?: ServiceLogin;
  /** Statuses besides 2xx handed back to the caller (e.g. 404 when absence is the finding), or 'any'. @default - none */
  readonly accept?: readonly number[] | 'any';
}

/** One request; anything but 2xx or an accepted status is a FlowFailure. */
export async function call(endpoint: ServiceEndpoint, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    response = await endpoint.request(method, path, {
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      basicAuth: options.login?.auth,
    });
  } catch (e) {
    if (e instanceof VerifyTransportError) throw unreachable(endpoint, e);
    throw e;
  }
  if ((response.status >= 200 && response.status < 300) || options.accept === 'any' || options.accept?.includes(response.status)) return response;
  if (response.status === 401 || response.status === 403) throw rejected(endpoint, response.status, options.login);
  throw new FlowFailure(
    `${method} ${path.split('?')[0]} at ${endpoint.describe} answered HTTP ${response.status}: ${snippet(response.body)}`,
    `check ${endpoint.service}'s log for this request; the status says what it refused`,
  );
}

/** The response body as JSON; a body that is not JSON (a proxy's error page) is a FlowFailure. */
export function bodyJson<T>(endpoint: ServiceEndpoint, response: HttpResponse): T {
  try {
    return response.json<T>();
  } catch (e) {
    if (e instanceof VerifyTransportError) throw new FlowFailure(e.message, notTheService(endpoint));
    throw e;
  }
}

/** What a JSON answer must look like for the flow to read it: a type guard and its description for messages. */
export interface Shape<T> {
  /** e.g. `Prometheus' scrape pools (data.scrapePools, a list of names)`. */
  readonly what: string;
  readonly test: (value: unknown) => value is T;
}

/**
 * The body as JSON of `shape`. JSON of another shape (another service, another API version, an
 * error object with status 200) is a FlowFailure, never a TypeError further on.
 */
export function bodyAs<T>(endpoint: ServiceEndpoint, response: HttpResponse, request: string, shape: Shape<T>): T {
  const value = bodyJson<unknown>(endpoint, response);
  if (shape.test(value)) return value;
  throw new FlowFailure(`${request.split('?')[0]} at ${endpoint.describe} answered JSON that is not ${shape.what}: ${snippet(response.body)}`, notTheService(endpoint));
}

/** `call` then `bodyAs`. */
export async function callAs<T>(endpoint: ServiceEndpoint, method: 'GET' | 'POST', path: string, shape: Shape<T>, options: CallOptions = {}): Promise<T> {
  return bodyAs(endpoint, await call(endpoint, method, path, options), `${method} ${path}`, shape);
}

/** Guards for Shape tests. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isArrayOf = <T>(v: unknown, test: (item: unknown) => item is T): v is T[] => Array.isArray(v) && v.every(test);
export const isStringMap = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every(isString);
/** Absent, or present and of the type. */
export const optional = <T>(v: unknown, test: (item: unknown) => item is T): v is T | undefined => v === undefined || test(v);

/** The FlowFailure for "no HTTP answer". */
export function unreachable(endpoint: ServiceEndpoint, e: Error): FlowFailure {
  return new FlowFailure(
    `no answer from ${endpoint.service} at ${endpoint.describe}: ${e.message}`,
    `check that ${endpoint.service} is running and ready, and that ${endpoint.describe} is reachable from this machine`,
  );
}

function notTheService(endpoint: ServiceEndpoint): string {
  return `check that ${endpoint.describe} is ${endpoint.service} itself, not a proxy or another service`;
}

/**
 * Credentials missing or rejected. When the login says where it was read (BasicAuth.source) and
 * that is not the cluster's Secret itself (the local Secrets file), the two may differ: the next
 * step says so and how to reconcile them.
 */
function rejected(endpoint: ServiceEndpoint, status: number, login: ServiceLogin | undefined): FlowFailure {
  if (!login) {
    return new FlowFailure(`${endpoint.service} at ${endpoint.describe} answered HTTP ${status}: it wants credentials`, `check that ${endpoint.describe} is the stack's ${endpoint.service}`);
  }
  const secret = secretText(login.secret);
  if (!login.auth) {
    return new FlowFailure(`${endpoint.service} at ${endpoint.describe} answered HTTP ${status}: credentials required and none were given`, `make ${secret} readable to verify`);
  }
  const takesChange = login.takesChange ?? `restart ${endpoint.service}'s pod`;
  const { source } = login.auth;
  const from = source ? `, read from ${source}` : '';
  const detail = `credentials rejected by ${endpoint.service} at ${endpoint.describe} (HTTP ${status}, user ${login.auth.username}${from})`;
  const clusterSecret = `Secret ${login.secret.namespace}/${login.secret.name}`;
  if (!source) {
    return new FlowFailure(detail, `check ${secret}: ${endpoint.service} must run with the same values (re-apply the Secret, then ${takesChange})`);
  }
  if (source === clusterSecret) {
    return new FlowFailure(detail, `${endpoint.service} does not run with the login that ${secret} holds: ${takesChange}`);
  }
  return new FlowFailure(detail,
    `the password in ${source} is not the one the cluster's ${secret} holds, or ${endpoint.service} has not taken it yet: `
    + `kubectl apply -f ${source}, then ${takesChange}; or, if the cluster's Secret is the right one, move ${source} aside so verify reads the Secret`);
}

/** A fail row from a FlowFailure; anything else (a bug) is rethrown. */
export function failedAs(group: CheckGroup, id: string, title: string, e: unknown): CheckResult {
  if (e instanceof FlowFailure) return fail(group, id, title, e.detail, e.next, e.lines);
  throw e;
}

/** The start of a body, on one line, for messages. */
export function snippet(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line || '(empty body)';
}
