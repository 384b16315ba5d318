/**
 * connectCluster ends the run with one clear message (VerifyError: what, and the next step) for
 * every way the connection can fail, against a real kube-apiserver where a server is needed:
 * rejected token, a user without RBAC rights, a certificate of another cluster.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as YAML from 'yaml';
import { connectCluster } from '../../verify/cluster/connect';
import { checkDrift } from '../../verify/cluster/drift';
import { checkHealth } from '../../verify/cluster/health';
import { loadSite } from '../../site';
import { VerifyError } from '../../verify/errors';
import { freePort } from '../prometheus/loopback-daemon';
import { toolPath } from '../support/binaries';
import { type ApiServer, startApiServer, stopAll } from '../support/kube-apiserver';
import { tempDir } from '../support/synth-once';
import { describeWithApiServer, grantClusterWide, LIST_WITHOUT_GET_USER, NO_RIGHTS_USER, writeKubeconfig } from './cluster-support';

/** The VerifyError connectCluster rejects with (fails the test if it resolves or throws anything else). */
async function refusal(promise: Promise<unknown>): Promise<VerifyError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof VerifyError) return e;
    throw new Error(`expected a VerifyError, got ${(e as Error).stack}`);
  }
  throw new Error('expected connectCluster to fail');
}

describe('connectCluster without a server', () => {
  test('fails when the kubeconfig file does not exist, naming it', async () => {
    const e = await refusal(connectCluster({ kubeconfig: '/nonexistent/kubeconfig' }));
    expect(e.message).toBe('no kubeconfig: /nonexistent/kubeconfig (--kubeconfig) does not exist');
    expect(e.next).toMatch(/talosctl kubeconfig/);
  });

  test('fails when the kubeconfig is not one', async () => {
    const file = path.join(tempDir('bad-kubeconfig-'), 'config');
    fs.writeFileSync(file, 'clusters: [\n');
    expect((await refusal(connectCluster({ kubeconfig: file }))).message).toMatch(new RegExp(`^cannot read the kubeconfig ${file}: `));
  });

  test('with $KUBECONFIG a list of files none of which exists, fails naming them all', async () => {
    const e = await refusal(connectCluster({}, { KUBECONFIG: `/nonexistent/a${path.delimiter}/nonexistent/b` }));
    expect(e.message).toBe('no kubeconfig: /nonexistent/a, /nonexistent/b ($KUBECONFIG) does not exist');
  });

  test('an unreachable cluster (nothing listens on the port) names the server', async () => {
    const port = await freePort();
    const file = path.join(tempDir('closed-port-'), 'config');
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: lab',
      'clusters: [{name: lab, cluster: {server: "https://127.0.0.1:' + port + '"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: u}}, {name: other, context: {cluster: lab, user: u}}]', '',
    ].join('\n'));
    const e = await refusal(connectCluster({ kubeconfig: file }));
    expect(e.message).toBe(`cannot reach the API server https://127.0.0.1:${port}: connection refused`);
    expect(e.next).toMatch(/kubectl cluster-info/);

    const unknown = await refusal(connectCluster({ kubeconfig: file, context: 'prod' }));
    expect(unknown.message).toBe('unknown context "prod"; available contexts: lab, other');
  });

  test('a server that accepts but never answers: the request deadline ends the wait', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const file = path.join(tempDir('silent-'), 'config');
    fs.writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: lab\nclusters: [{name: lab, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: lab, context: {cluster: lab, user: u}}]\n`);
    try {
      const e = await refusal(connectCluster({ kubeconfig: file, requestTimeoutMs: 300 }));
      expect(e.message).toBe(`the API server https://127.0.0.1:${port} did not answer within 0.3 s`);
      // --timeout bounds the flows, not one request: the advice is what does help.
      expect(e.next).toBe('check that the cluster is up and reachable from here (VPN, firewall, the Talos VIP) and that the API server is not overloaded (kubectl get --raw /readyz); each request may take at most 0.3 s, and --timeout does not change that');
    } finally {
      silent.close();
    }
  });
});

describeWithApiServer('connectCluster against a real API server', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer(tempDir('kube-apiserver-connect-'), { users: [{ name: NO_RIGHTS_USER }, { name: LIST_WITHOUT_GET_USER }] });
  }, 180000);
  afterAll(() => stopAll());

  test('the admin kubeconfig connects: context and server as the kubeconfig names them', async () => {
    const cluster = await connectCluster({ kubeconfig: server.kubeconfig });
    expect({ context: cluster.context, server: cluster.server }).toEqual({ context: 'test', server: server.url });
    const namespaces = await cluster.core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });

  test('$KUBECONFIG is read as a list, skipping entries that do not exist, as kubectl does', async () => {
    const cluster = await connectCluster({}, { KUBECONFIG: ['/nonexistent/a', server.kubeconfig].join(path.delimiter) });
    expect(cluster.server).toBe(server.url);
  });

  test('$KUBECONFIG files that share names merge as kubectl merges them: the first file\'s entry wins, the first current-context set is used', async () => {
    // GIVEN a first file with the working cluster and user and no current-context, and a second
    // that reuses both names for a closed port and a bad token, and sets current-context
    const dir = tempDir('kubeconfig-merge-');
    const admin = YAML.parse(fs.readFileSync(server.kubeconfig, 'utf8'));
    const first = path.join(dir, 'first');
    fs.writeFileSync(first, YAML.stringify({ ...admin, 'current-context': '', contexts: [{ name: 'one', context: { cluster: 'test', user: 'admin' } }] }));
    const second = path.join(dir, 'second');
    fs.writeFileSync(second, YAML.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'two',
      clusters: [{ name: 'test', cluster: { server: `https://127.0.0.1:${await freePort()}` } }],
      users: [{ name: 'admin', user: { token: 'not-a-token' } }],
      contexts: [{ name: 'two', context: { cluster: 'test', user: 'admin' } }, { name: 'one', context: { cluster: 'elsewhere', user: 'nobody' } }],
    }));
    const KUBECONFIG = [first, second].join(path.delimiter);
    // WHEN
    const cluster = await connectCluster({}, { KUBECONFIG });
    // THEN context two of the second file, on the first file's cluster and user (which answer)
    expect({ context: cluster.context, server: cluster.server }).toEqual({ context: 'two', server: server.url });
    // as kubectl itself resolves the same list
    const kubectl = spawnSync(toolPath('kubectl') ?? 'kubectl', ['config', 'view', '--minify', '-o', 'jsonpath={.contexts[0].name} {.clusters[0].cluster.server}'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG } });
    expect(kubectl.stdout).toBe(`two ${server.url}`);
    // and context one is the first file's
    expect((await connectCluster({ context: 'one' }, { KUBECONFIG })).server).toBe(server.url);
  });

  test('a context other than the current one is used when asked for; an unknown one lists those available', async () => {
    const file = writeKubeconfig(server, { context: 'lab' });
    expect((await connectCluster({ kubeconfig: file, context: 'lab' })).context).toBe('lab');
    const e = await refusal(connectCluster({ kubeconfig: file, context: 'test' }));
    expect(e.message).toBe('unknown context "test"; available contexts: lab');
  });

  test('a token the server does not know: credentials rejected (401)', async () => {
    const e = await refusal(connectCluster({ kubeconfig: writeKubeconfig(server, { token: 'not-a-token' }) }));
    expect(e.message).toBe(`the API server ${server.url} rejected the credentials of this kubeconfig (HTTP 401 Unauthorized)`);
  });

  test('a user without RBAC rights: one message listing the permissions verify needs, and how to check them', async () => {
    const e = await refusal(connectCluster({ kubeconfig: writeKubeconfig(server, { token: server.userTokens[NO_RIGHTS_USER] }) }));
    expect(e.message).toMatch(/^user "no-rights" \(context "test"\) lacks RBAC permissions verify needs in all namespaces: get namespaces \(drift: read each object of dist\/\); get configmaps/);
    expect(e.message).toMatch(/and \d+ more$/);
    expect(e.next).toMatch(/kubectl auth can-i get namespaces --all-namespaces/);
  });

  test('a user who may list but not get (RBAC grants each verb on its own): refused up front, naming the gets it lacks', async () => {
    // GIVEN a ClusterRole with list and patch on everything, but no get (drift and health read objects by name)
    await grantClusterWide(server, LIST_WITHOUT_GET_USER, ['list', 'patch']);
    const kubeconfig = writeKubeconfig(server, { token: server.userTokens[LIST_WITHOUT_GET_USER] });
    // WHEN
    const e = await refusal(connectCluster({ kubeconfig }));
    // THEN only gets are missing, each named
    expect(e.message).toMatch(/^user "list-without-get" \(context "test"\) lacks RBAC permissions verify needs in all namespaces: get namespaces \(drift: read each object of dist\/\); get configmaps/);
    const named = e.message.slice(e.message.indexOf(': ') + 2).split('; ').map((n) => n.split(' ')[0]);
    expect(new Set(named)).toEqual(new Set(['get']));
    expect(e.message).toMatch(/get storageclasses\.storage\.k8s\.io|and \d+ more$/);
    expect(e.next).toMatch(/granting get on these resources; check one with kubectl auth can-i get namespaces --all-namespaces$/);
  });

  test('the same user passes when the run needs nothing of the cluster but to reach it (access: [])', async () => {
    const cluster = await connectCluster({ kubeconfig: writeKubeconfig(server, { token: server.userTokens[NO_RIGHTS_USER] }), access: [] });
    expect(cluster.server).toBe(server.url);
  });

  test('a certificate of another cluster: TLS fails, naming the server', async () => {
    const dir = tempDir('other-ca-');
    const r = spawnSync(toolPath('openssl') ?? 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=other',
      '-keyout', path.join(dir, 'k'), '-out', path.join(dir, 'c')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const e = await refusal(connectCluster({ kubeconfig: writeKubeconfig(server, { ca: fs.readFileSync(path.join(dir, 'c'), 'utf8') }) }));
    expect(e.message).toMatch(new RegExp(`^TLS to the API server ${server.url.replace(/\./g, '\\.')} failed: `));
  });

  // Last: it stops the server.
  test('a cluster that goes away during the checks ends the run with the connection error, not a failed check per object', async () => {
    const cluster = await connectCluster({ kubeconfig: server.kubeconfig });
    await server.stop();
    const health = await refusal(checkHealth(cluster, loadSite().site, []));
    expect(health.message).toBe(`cannot reach the API server ${server.url}: connection refused`);
    expect((await refusal(checkDrift(cluster, []))).message).toBe(`cannot reach the API server ${server.url}: connection refused`);
  });
});
