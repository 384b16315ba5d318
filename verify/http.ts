/**
 * How verify reaches one service of the stack over HTTP. Two ways, both behind ServiceEndpoint so
 * the flow checks do not care: a tunnel through the Kubernetes API server to a ready pod of the
 * Service (the default, as `kubectl port-forward` does; the API server's service proxy would drop
 * the basic-auth header Prometheus and Alertmanager need), or an address on the network
 * (`--direct`: the site's LoadBalancer address; `--endpoint NAME=URL`: any address, e.g. a
 * port-forward of the operator's own).
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  /** The body parsed as JSON; throws VerifyTransportError naming the endpoint when it is not JSON. */
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly body?: string;
  /** @default 'application/json' when a body is given */
  readonly contentType?: string;
  /** The service's own basic auth (Prometheus, Alertmanager, Grafana). */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Per request, milliseconds. @default 10000 */
  readonly timeoutMs?: number;
}

export interface ServiceEndpoint {
  /** Service name, e.g. `prometheus`. */
  readonly service: string;
  /** Where requests go, for messages: `http://10.70.0.10:9090` or `pod monitoring/prometheus-0:9090 via the API server`. */
  readonly describe: string;
  /** One request; `path` starts with `/` and may carry a query. Rejects (VerifyTransportError) only when no HTTP answer came, never for a status. */
  request(method: 'GET' | 'POST' | 'DELETE', path: string, options?: RequestOptions): Promise<HttpResponse>;
  /** Releases what the endpoint holds (a tunnel's local listener). */
  close(): Promise<void>;
}

/** No HTTP answer: refused, reset, timed out, not HTTP, or an answer that should be JSON and is not. */
export class VerifyTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyTransportError';
  }
}

export function response(where: string, status: number, body: string): HttpResponse {
  return {
    status,
    body,
    json<T>(): T {
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new VerifyTransportError(`${where} answered HTTP ${status} with a body that is not JSON: ${body.slice(0, 120).replace(/\s+/g, ' ')}`);
      }
    },
  };
}

/**
 * HTTP to `baseUrl` (host, port, optional path prefix), e.g. `http://10.70.0.10:9090`; https too
 * (a service published through a reverse proxy), with the system's trusted CAs.
 */
export function directEndpoint(service: string, baseUrl: string): ServiceEndpoint {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new VerifyTransportError(`${service}: ${baseUrl} is not an http:// or https:// URL`);
  const prefix = base.pathname.replace(/\/$/, '');
  const describe = `${base.protocol}//${base.host}${prefix}`;
  const tls = base.protocol === 'https:';
  return {
    service,
    describe,
    request: (method, path, options = {}) => httpRequest(describe, { host: base.hostname, port: Number(base.port || (tls ? 443 : 80)), path: `${prefix}${path}`, tls }, method, options),
    close: async () => undefined,
  };
}

/** One HTTP/1.1 request to host:port (a tunnel's local listener uses this too). */
export function httpRequest(where: string, target: { host: string; port: number; path: string; tls?: boolean }, method: string, options: RequestOptions): Promise<HttpResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  if (options.basicAuth) headers.Authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? 10000;
  return new Promise((resolve, reject) => {
    const req = (target.tls ? https : http).request({ host: target.host, port: target.port, path: target.path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(response(`${where}${target.path.split('?')[0]}`, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', (e) => reject(new VerifyTransportError(`${where}: ${e.message}`)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new VerifyTransportError(`${where}${target.path.split('?')[0]}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof VerifyTransportError ? e : new VerifyTransportError(`${where}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim())));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
