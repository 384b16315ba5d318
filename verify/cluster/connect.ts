/**
 * The connection to the cluster verify checks: the kubeconfig and context chosen, the typed APIs
 * of @kubernetes/client-node on it, and a first request that proves the server answers, accepts
 * the credentials and grants what the checks need. Everything that would make every later check
 * fail the same way ends here, as one VerifyError with the next step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { VerifyError } from '../errors';
import { type AccessNeed, checkAccess, CLUSTER_CHECKS_ACCESS } from './access';
import { fatalClusterError } from './api-errors';

export interface ClusterOptions {
  /**
   * The kubeconfig file.
   * @default - $KUBECONFIG (a list, as kubectl reads it), else ~/.kube/config
   */
  readonly kubeconfig?: string;
  /** @default - the kubeconfig's current-context */
  readonly context?: string;
  /** Per request, milliseconds. @default 10000 */
  readonly requestTimeoutMs?: number;
  /**
   * Permissions asked for up front (one VerifyError lists every one missing). Pass what the
   * checks that will run need: DRIFT_ACCESS, HEALTH_ACCESS, and the flows' own (get secrets,
   * create pods/portforward).
   * @default CLUSTER_CHECKS_ACCESS (drift and health)
   */
  readonly access?: readonly AccessNeed[];
}

export interface Cluster {
  readonly kc: k8s.KubeConfig;
  /** The context in use. */
  readonly context: string;
  /** The API server URL, for messages. */
  readonly server: string;
  readonly objects: k8s.KubernetesObjectApi;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly batch: k8s.BatchV1Api;
  readonly custom: k8s.CustomObjectsApi;
  /** Per request, milliseconds. @default 10000 */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10000;

/** The kubeconfig files to read, as kubectl picks them. */
function kubeconfigFiles(options: ClusterOptions, env: NodeJS.ProcessEnv): { files: string[]; from: string } {
  if (options.kubeconfig) return { files: [options.kubeconfig], from: '--kubeconfig' };
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length > 0) return { files: list, from: '$KUBECONFIG' };
  return { files: [path.join(os.homedir(), '.kube', 'config')], from: 'the default location' };
}

function loadKubeConfig(options: ClusterOptions, env: NodeJS.ProcessEnv): k8s.KubeConfig {
  const { files, from } = kubeconfigFiles(options, env);
  // kubectl skips missing entries of a $KUBECONFIG list; one file given explicitly must exist.
  const present = files.filter((f) => fs.existsSync(f));
  if (present.length === 0) {
    throw new VerifyError(`no kubeconfig: ${files.join(', ')} (${from}) does not exist`,
      'pass --kubeconfig FILE or set KUBECONFIG; talosctl kubeconfig FILE writes one for the Talos cluster');
  }
  // kubectl's merge rule: the first file to name a cluster, user or context wins, and the first
  // non-empty current-context is used (the client library's mergeConfig throws on a repeated name).
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  const fresh = <T extends { name: string }>(have: readonly T[], added: readonly T[]) => added.filter((a) => !have.some((h) => h.name === a.name));
  for (const file of present) {
    const more = new k8s.KubeConfig();
    try {
      more.loadFromFile(file);
    } catch (e) {
      throw new VerifyError(`cannot read the kubeconfig ${file}: ${(e as Error).message.split('\n')[0]}`,
        'check that it is a kubeconfig (kubectl config view --kubeconfig FILE), or pass another with --kubeconfig');
    }
    kc.loadFromOptions({
      clusters: [...kc.getClusters(), ...fresh(kc.getClusters(), more.getClusters())],
      users: [...kc.getUsers(), ...fresh(kc.getUsers(), more.getUsers())],
      contexts: [...kc.getContexts(), ...fresh(kc.getContexts(), more.getContexts())],
      currentContext: kc.getCurrentContext() || more.getCurrentContext(),
    });
  }
  return kc;
}

function chooseContext(kc: k8s.KubeConfig, wanted: string | undefined): string {
  const names = kc.getContexts().map((c) => c.name);
  const available = names.length ? names.join(', ') : '(none)';
  const context = wanted ?? kc.getCurrentContext();
  if (!context) throw new VerifyError(`the kubeconfig has no current-context; available contexts: ${available}`, 'pass --context NAME');
  if (!names.includes(context)) {
    throw new VerifyError(`unknown context "${context}"${wanted ? '' : ' (the kubeconfig\'s current-context)'}; available contexts: ${available}`, 'pass --context with one of them');
  }
  kc.setCurrentContext(context);
  if (!kc.getCurrentCluster()) {
    const cluster = kc.getContextObject(context)?.cluster;
    throw new VerifyError(`context "${context}" names cluster "${cluster}", which the kubeconfig does not define`, 'fix the kubeconfig or pass another --context');
  }
  return context;
}

/**
 * The client library's configuration for `kc`'s current context, with a deadline on every
 * request (the library sets none: an unreachable server would hang the run).
 */
export function apiConfiguration(kc: k8s.KubeConfig, timeoutMs: number): k8s.Configuration {
  const timeout: k8s.Middleware = {
    pre: async (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return context;
    },
    post: async (response) => response,
  };
  return k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [timeout],
  });
}

/** The user as the server knows it (a token's name is not in the kubeconfig); the kubeconfig's user entry if the server cannot say. */
async function whoAmI(config: k8s.Configuration, kc: k8s.KubeConfig): Promise<string> {
  try {
    const review = await new k8s.AuthenticationV1Api(config).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const name = review.status?.userInfo?.username;
    if (name) return `user "${name}"`;
  } catch {
    // Older servers (before 1.28) have no SelfSubjectReview.
  }
  return `kubeconfig user "${kc.getCurrentUser()?.name ?? '(none)'}"`;
}

/** The typed APIs on `kc`'s current context, each request bounded by `requestTimeoutMs`; no request is made. */
export function clusterApis(kc: k8s.KubeConfig, context: string, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Cluster {
  const config = apiConfiguration(kc, requestTimeoutMs);
  return {
    kc, context, server: kc.getCurrentCluster()!.server, requestTimeoutMs,
    objects: new k8s.KubernetesObjectApi(config),
    core: new k8s.CoreV1Api(config),
    apps: new k8s.AppsV1Api(config),
    batch: new k8s.BatchV1Api(config),
    custom: new k8s.CustomObjectsApi(config),
  };
}

/** Connects with the kubeconfig and context given, proving the server answers and grants what verify needs. */
export async function connectCluster(options: ClusterOptions, env: NodeJS.ProcessEnv = process.env): Promise<Cluster> {
  const kc = loadKubeConfig(options, env);
  const context = chooseContext(kc, options.context);
  const server = kc.getCurrentCluster()!.server;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const config = apiConfiguration(kc, requestTimeoutMs);
  const cluster = clusterApis(kc, context, requestTimeoutMs);
  try {
    await new k8s.VersionApi(config).getCode();
    await checkAccess(new k8s.AuthorizationV1Api(config), options.access ?? CLUSTER_CHECKS_ACCESS, `${await whoAmI(config, kc)} (context "${context}")`);
  } catch (e) {
    if (e instanceof VerifyError) throw e;
    const fatal = fatalClusterError(e, server, requestTimeoutMs);
    if (fatal) throw fatal;
    // An exec credential plugin that fails, a proxy answering instead of the API server, ...
    throw new VerifyError(`the API server ${server} could not be queried with context "${context}": ${(e as Error).message.split('\n')[0]}`,
      'check the kubeconfig with kubectl --context CONTEXT version');
  }
  return cluster;
}
