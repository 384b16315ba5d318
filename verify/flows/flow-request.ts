/**
 * HTTP for the flow checks: every way a request can go wrong (no answer, credentials rejected,
 * an unexpected status, a body that is not JSON) becomes a FlowFailure carrying the why and the
 * next step, which the flow turns into one `fail` row. Nothing here throws anything else for a
 * broken stack, so a dead service is a row in the table, never a stack trace.
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

/** A service's login and where the operator finds it when it is rejected. */
export interface ServiceLogin {
  readonly auth?: BasicAuth;
  /** e.g. `Secret monitoring/prometheus-web-auth (keys username, password)`. */
  readonly source: string;
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
    if (e instanceof VerifyTransportError) throw new FlowFailure(e.message, `check that ${endpoint.describe} is ${endpoint.service} itself, not a proxy or another service`);
    throw e;
  }
}

/** `call` then `bodyJson`. */
export async function callJson<T>(endpoint: ServiceEndpoint, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<T> {
  return bodyJson<T>(endpoint, await call(endpoint, method, path, options));
}

/** The FlowFailure for "no HTTP answer". */
export function unreachable(endpoint: ServiceEndpoint, e: Error): FlowFailure {
  return new FlowFailure(
    `no answer from ${endpoint.service} at ${endpoint.describe}: ${e.message}`,
    `check that ${endpoint.service} is running and ready, and that ${endpoint.describe} is reachable from this machine`,
  );
}

function rejected(endpoint: ServiceEndpoint, status: number, login: ServiceLogin | undefined): FlowFailure {
  if (!login) {
    return new FlowFailure(`${endpoint.service} at ${endpoint.describe} answered HTTP ${status}: it wants credentials`, `check that ${endpoint.describe} is the stack's ${endpoint.service}`);
  }
  if (!login.auth) {
    return new FlowFailure(`${endpoint.service} at ${endpoint.describe} answered HTTP ${status}: credentials required and none were given`, `make ${login.source} readable to verify`);
  }
  return new FlowFailure(
    `credentials rejected by ${endpoint.service} at ${endpoint.describe} (HTTP ${status}, user ${login.auth.username})`,
    `check ${login.source}: ${endpoint.service} must run with the same values (re-apply the Secret and restart ${endpoint.service})`,
  );
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
