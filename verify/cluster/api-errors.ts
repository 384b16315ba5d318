/**
 * What went wrong with a request to the API server, in words an operator can act on. The client
 * library reports two kinds of failure: an ApiException (the server answered with a status) and
 * a node-fetch error (no answer: refused, DNS, TLS, timeout). The first kind is usually about one
 * object (a check fails); the second, and a rejected credential, end the run (VerifyError).
 */
import * as k8s from '@kubernetes/client-node';
import { VerifyError } from '../errors';

/** The server's answer to a failed request: HTTP status and its Status message. */
export interface ApiFailure {
  readonly code: number;
  /** The Status object's message, or the reason phrase when the body has none. */
  readonly message: string;
  /** The Status object's reason (NotFound, Forbidden, Invalid, Conflict, ...), when given. */
  readonly reason?: string;
}

/** The server's status for `e`, or undefined when `e` is not an answer from the server. */
export function apiFailure(e: unknown): ApiFailure | undefined {
  if (!(e instanceof k8s.ApiException)) return undefined;
  // Typed APIs hand over the body as text, KubernetesObjectApi parses it; 401 comes without one.
  let body: unknown = e.body;
  if (typeof body === 'string') {
    try { body = JSON.parse(body); } catch { /* plain text */ }
  }
  const status = (body && typeof body === 'object' ? body : {}) as { message?: string; reason?: string };
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined;
  return { code: e.code, message: status.message ?? text ?? `HTTP ${e.code}`, reason: status.reason };
}

export const isNotFound = (e: unknown): boolean => apiFailure(e)?.code === 404;

/** node-fetch and TLS error codes that mean "the certificate is not trusted or does not match". */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO|DEPTH_ZERO/;

/**
 * A fatal error for `e` when the run cannot go on: no answer from `server`, or credentials
 * rejected (401). Undefined for anything else (a status about one object is the caller's to report).
 */
export function fatalClusterError(e: unknown, server: string, timeoutMs: number): VerifyError | undefined {
  const failure = apiFailure(e);
  if (failure) {
    if (failure.code !== 401) return undefined;
    return new VerifyError(`the API server ${server} rejected the credentials of this kubeconfig (HTTP 401 Unauthorized)`,
      'the token or client certificate has expired or belongs to another cluster: fetch a fresh kubeconfig (talosctl kubeconfig) or pick another --context');
  }
  const err = e as { name?: string; code?: string; errno?: string; type?: string; message?: string } | undefined;
  if (!err || typeof err !== 'object') return undefined;
  const code = err.code ?? err.errno ?? '';
  if (err.name === 'AbortError' || err.type === 'aborted' || code === 'ETIMEDOUT') {
    return new VerifyError(`the API server ${server} did not answer within ${timeoutMs / 1000} s`,
      `check that the cluster is up and reachable from here (VPN, firewall, the Talos VIP) and that the API server is not overloaded (kubectl get --raw /readyz); each request may take at most ${timeoutMs / 1000} s, and --timeout does not change that`);
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new VerifyError(`cannot reach the API server ${server}: ${code === 'ECONNREFUSED' ? 'connection refused' : code}`,
      'check that the cluster is up and that this kubeconfig\'s server address is right (kubectl cluster-info), or pick another --context');
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new VerifyError(`cannot resolve the API server's host name in ${server} (${code})`,
      'check DNS, or the server address in the kubeconfig');
  }
  if (TLS_CODES.test(code) || /certificate|TLS|SSL/i.test(err.message ?? '')) {
    return new VerifyError(`TLS to the API server ${server} failed: ${code || err.message} (the server's certificate is not the one this kubeconfig trusts)`,
      'the kubeconfig\'s certificate-authority-data belongs to another cluster or the address changed: fetch a fresh kubeconfig (talosctl kubeconfig)');
  }
  if (err.name === 'FetchError' || err.type === 'system') {
    return new VerifyError(`request to the API server ${server} failed: ${err.message ?? code}`, 'check that the cluster is up and reachable from here');
  }
  return undefined;
}

/** One line about a failed request on an object, for a check's detail. */
export function describeFailure(e: unknown): string {
  const failure = apiFailure(e);
  if (failure) return `HTTP ${failure.code}${failure.reason ? ` ${failure.reason}` : ''}: ${failure.message}`;
  return e instanceof Error ? e.message : String(e);
}
