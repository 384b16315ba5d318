/**
 * A real API server with dist/ applied as Argo CD would apply it, for the verify cluster checks:
 * the controllers' CRDs from ../shared, then every layer in sync-wave order with server-side
 * apply as `argocd-controller` (the MetalLB chart's CRDs at its wave), then the Applications.
 * Nothing reconciles on this server: the tests play the controllers (status, claims, pods).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as YAML from 'yaml';
import { eventually } from '../prometheus/loopback-daemon';
import { describeWithBinaries, kustomizeCommand } from '../support/binaries';
import { CRDS_NOT_IN_SHARED, walkYamlFiles } from '../support/crd-schemas';
import { type ApiServer, startApiServer } from '../support/kube-apiserver';
import { SHARED_DIR } from '../support/shared-dir';
import { tempDir } from '../support/synth-once';
import { type Cluster, connectCluster } from '../../verify/cluster/connect';
import { readDeliveryObjects, type DistObject } from '../../verify/cluster/dist-objects';

const TOOLS = ['kube-apiserver', 'etcd', 'kubectl', 'openssl'];

/** `describe` with the API server's tools present; otherwise visibly skipped (CI=true: an error, from requireTool). */
export function describeWithApiServer(title: string, body: () => void): void {
  describeWithBinaries(TOOLS, title, body);
}

/** The user without any RBAC binding the tests add to the server. */
export const NO_RIGHTS_USER = 'no-rights';

/** A user the tests bind to `list` and `patch` on everything, but not `get` (see grantClusterWide). */
export const LIST_WITHOUT_GET_USER = 'list-without-get';

/** Argo CD's server-side apply field manager (what the checks must detect). */
export const ARGOCD_MANAGER = 'argocd-controller';

function must(r: { status: number | null; stderr: string }, what: string): void {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
}

/** `kustomize build` of a dist/ directory, without the objects whose CRD nobody installs here (talos.dev). */
export function buildLayer(outDir: string, dir: string): string {
  const [bin, ...args] = kustomizeCommand('verify cluster checks')!;
  const r = spawnSync(bin, [...args, path.join(outDir, dir)], { encoding: 'utf8' });
  must(r, `kustomize ${dir}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string })
    .filter((o) => !(`${o.apiVersion}|${o.kind}` in CRDS_NOT_IN_SHARED)).map((o) => YAML.stringify(o)).join('---\n');
}

/** CRD files of ../shared whose group passes `groups` and whose kind `objects` use. */
function crdFiles(objects: readonly DistObject[], groups: (g: string) => boolean): string[] {
  return walkYamlFiles(path.join(SHARED_DIR, 'schemas', 'crds')).filter((f) => {
    const crd = YAML.parse(fs.readFileSync(f, 'utf8'));
    return crd?.kind === 'CustomResourceDefinition' && groups(crd.spec.group) && objects.some((o) => o.apiVersion.startsWith(`${crd.spec.group}/`) && o.kind === crd.spec.names.kind);
  });
}

export function installCrds(server: ApiServer, files: string[]): void {
  must(server.kubectl(['apply', '--server-side', '--field-manager=crd-installer', ...files.flatMap((f) => ['-f', f])]), 'CRDs');
  must(server.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...files.flatMap((f) => ['-f', f])]), 'CRDs established');
}

export function applyAs(server: ApiServer, manager: string, yamlText: string): void {
  must(server.kubectl(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], yamlText), `apply as ${manager}`);
}

/**
 * Applies dist/ at `outDir` as Argo CD: Argo CD's and Flux's CRDs and namespaces (what their
 * installers bring), then each layer in the Applications' wave order, then the Applications.
 */
export function applyDistAsArgoCd(server: ApiServer, outDir: string, objects: readonly DistObject[]): void {
  const delivery = readDeliveryObjects(outDir);
  const all = [...objects, ...delivery];
  installCrds(server, crdFiles(all, (g) => ['argoproj.io', 'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io'].includes(g)));
  for (const ns of ['argocd', 'flux-system']) server.kubectl(['create', 'namespace', ns]);
  type App = { metadata: { annotations: Record<string, string> }; spec: { source: { path?: string; chart?: string } } };
  const apps = delivery.filter((o) => o.kind === 'Application' && o.file.startsWith('gitops/argocd/apps/')) as unknown as App[];
  const waves = apps.sort((a, b) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']) - Number(b.metadata.annotations['argocd.argoproj.io/sync-wave']));
  for (const app of waves) {
    if (app.spec.source.chart === 'metallb') installCrds(server, crdFiles(all, (g) => g === 'metallb.io'));
    else applyAs(server, ARGOCD_MANAGER, buildLayer(outDir, app.spec.source.path!.replace(/^dist\//, '')));
  }
  // The root Application and project are applied by hand; the root applies the project and the layers' Applications.
  applyAs(server, 'kubectl', buildLayer(outDir, 'gitops/argocd'));
  applyAs(server, ARGOCD_MANAGER, buildLayer(outDir, 'gitops/argocd/apps'));
}

/** A kubeconfig like the server's, with another token, server URL or context name. */
export function writeKubeconfig(server: ApiServer, change: { token?: string; url?: string; context?: string; ca?: string }): string {
  const config = YAML.parse(fs.readFileSync(server.kubeconfig, 'utf8'));
  if (change.token) config.users[0].user.token = change.token;
  if (change.url) config.clusters[0].cluster.server = change.url;
  if (change.ca) config.clusters[0].cluster['certificate-authority-data'] = Buffer.from(change.ca).toString('base64');
  if (change.context) {
    config.contexts[0].name = change.context;
    config['current-context'] = change.context;
  }
  const file = path.join(tempDir('kubeconfig-'), 'config');
  fs.writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
  return file;
}

/** Sets an object's status subresource as its controller would (kubectl --subresource=status). */
export function setStatus(server: ApiServer, kind: string, namespace: string | undefined, name: string, status: unknown): void {
  const ns = namespace ? ['-n', namespace] : [];
  must(server.kubectl(['patch', kind, name, ...ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]), `status of ${kind} ${name}`);
}

/**
 * Binds `user` to a new ClusterRole granting `verbs` on every resource of every group (kubectl as
 * admin), and waits until the authorizer's cache has the binding.
 */
export async function grantClusterWide(server: ApiServer, user: string, verbs: readonly string[]): Promise<void> {
  const name = `verify-test-${user}`;
  applyAs(server, 'kubectl', YAML.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs }] })
    + '---\n' + YAML.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] }));
  await eventually(async () => (server.kubectl(['auth', 'can-i', verbs[0], 'namespaces', '--all-namespaces', `--as=${user}`]).status === 0 ? true : undefined), 30000, `RBAC binding of ${user}`);
}

/** A fresh API server with dist/ applied as Argo CD applies it, and verify's connection to it (one per test file). */
export async function serverWithDist(name: string, outDir: string, objects: readonly DistObject[]): Promise<{ server: ApiServer; cluster: Cluster }> {
  const server = await startApiServer(tempDir(`kube-apiserver-${name}-`));
  applyDistAsArgoCd(server, outDir, objects);
  return { server, cluster: await connectCluster({ kubeconfig: server.kubeconfig }) };
}
