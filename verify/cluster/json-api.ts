/**
 * KubernetesObjectApi that sends and returns objects exactly as JSON. The parent class passes
 * every body through the client library's typed models, which keep only the fields the models
 * know under their TypeScript names: a NetworkPolicy rule's `from` (`_from` in the model) is
 * dropped from a plain object on the way out, and fields newer than the models vanish on the way
 * in. A drift check built on that would report changes nobody made; this one compares what the
 * server really holds with what dist/ really says.
 */
import * as k8s from '@kubernetes/client-node';
import { apiFailure, isNotFound } from './api-errors';
import { apiConfiguration, type Cluster, DEFAULT_REQUEST_TIMEOUT_MS } from './connect';

/** A Kubernetes object as JSON. */
export interface JsonObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** Names one object: what `read` and the messages need. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Attempts of one request the server answers 429 (Too Many Requests), and the longest wait honoured. */
const MAX_ATTEMPTS = 5;
const MAX_RETRY_AFTER_S = 5;

export class JsonObjectApi extends k8s.KubernetesObjectApi {
  /** True when the server serves this apiVersion and kind (false when its CRD is not installed). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.resource(apiVersion, kind)) !== undefined;
    } catch (e) {
      // The whole group/version is unknown: discovery answers 404.
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Whether the kind is namespaced, per discovery; undefined when not served. */
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    if (!(await this.serves(apiVersion, kind))) return undefined;
    return (await this.resource(apiVersion, kind))!.namespaced;
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<JsonObject | undefined> {
    try {
      return await this.read<JsonObject>({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...ref.metadata } });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** What a server-side apply of `object` by `fieldManager` (taking over conflicting fields) would store; nothing is written. */
  async applyDryRun(object: JsonObject, fieldManager: string): Promise<JsonObject> {
    const spec = structuredClone(object);
    const request = this.configuration.baseServer.makeRequestContext(await this.specUriPath(spec, 'patch'), k8s.HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', k8s.PatchStrategy.ServerSideApply);
    request.setQueryParam('dryRun', 'All');
    request.setQueryParam('fieldManager', fieldManager);
    request.setQueryParam('force', 'true');
    request.setBody(JSON.stringify(object));
    return this.requestPromise<JsonObject>(request);
  }

  /** Every object of a kind in all namespaces matching a label selector. */
  async listAll(apiVersion: string, kind: string, labelSelector: string): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    let next: string | undefined;
    do {
      const page = await this.list<JsonObject>(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector, 500, next);
      // List items carry no apiVersion/kind of their own.
      items.push(...page.items.map((o) => ({ ...o, apiVersion, kind })));
      next = page.metadata?._continue ?? (page.metadata as { continue?: string } | undefined)?.continue;
    } while (next);
    return items;
  }

  /** Objects of a kind in one namespace, by label and field selectors. */
  async listIn(apiVersion: string, kind: string, namespace: string, selectors: { labelSelector?: string; fieldSelector?: string }): Promise<JsonObject[]> {
    const page = await this.list<JsonObject>(apiVersion, kind, namespace, undefined, undefined, undefined, selectors.fieldSelector, selectors.labelSelector);
    return page.items.map((o) => ({ ...o, apiVersion, kind }));
  }

  /**
   * Retries what the server asks to retry (429 with Retry-After): API Priority and Fairness
   * under load, and a custom resource's storage that is still initializing just after its CRD
   * became Established, which the real API server answers this way.
   */
  protected override async requestPromise<T extends k8s.KubernetesObject>(request: k8s.RequestContext, type?: string, options?: k8s.Configuration): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.requestPromise<T>(request, type, options);
      } catch (e) {
        const failure = apiFailure(e);
        if (failure?.code !== 429 || attempt >= MAX_ATTEMPTS) throw e;
        const seconds = Number((e as k8s.ApiException<unknown>).headers?.['retry-after']) || 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(seconds, MAX_RETRY_AFTER_S) * 1000));
      }
    }
  }

  /** The body as the server sent it (parsed JSON), instead of the typed models. */
  protected override async processResponse<T extends k8s.KubernetesObject>(response: k8s.ResponseContext): Promise<T> {
    const text = await response.body.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON: keep the text for the error */ }
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return body as T;
    throw new k8s.ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', body, response.headers);
  }
}

const apis = new WeakMap<Cluster, JsonObjectApi>();

/** One JsonObjectApi per connection, so API discovery is asked once. */
export function jsonApi(cluster: Cluster): JsonObjectApi {
  let api = apis.get(cluster);
  if (!api) {
    api = new JsonObjectApi(apiConfiguration(cluster.kc, cluster.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
    apis.set(cluster, api);
  }
  return api;
}
