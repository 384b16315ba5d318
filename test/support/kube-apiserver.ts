/**
 * A real Kubernetes API server for tests: kube-apiserver of the site's Kubernetes release and an
 * etcd with etcd's own server package, both built from Go modules by test/upstream/build.sh
 * (test/upstream/kubernetes), started on loopback with free ports, a temporary data directory, a
 * self-signed serving certificate (openssl) and a static admin token; kubectl of the same release.
 * No controller-manager or scheduler runs: objects are stored and admitted, nothing reconciles
 * them. Debian's etcd-server (3.4) is older than the 3.5+ the 1.36 API server supports.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { eventually, freePort } from '../prometheus/loopback-daemon';
import { toolPath } from './binaries';

export interface ApiServer {
  readonly url: string;
  /** A kubeconfig for kubectl (admin, system:masters). */
  readonly kubeconfig: string;
  readonly token: string;
  /** Static tokens of the extra users (ApiServerOptions.users), by user name. */
  readonly userTokens: Readonly<Record<string, string>>;
  /** kubectl with this server's kubeconfig. */
  kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
  /** Milliseconds from spawning etcd to a ready API server. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

/** Every daemon started, so a failed or interrupted run still kills them (see stopAll). */
const running = new Set<ChildProcess>();

/** Kills every daemon this process started and waits until they are gone. */
export async function stopAll(): Promise<void> {
  const exits = [...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  }));
  await Promise.all(exits);
  running.clear();
}
// Outside jest (scripts), also on exit; under jest, afterAll(stopAll) and setpriv's pdeathsig do it.
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

function start(bin: string, args: string[], log: string): { child: ChildProcess; exited: () => string | undefined } {
  const out = fs.openSync(log, 'a');
  // setpriv --pdeathsig: the kernel kills the daemon when the test process dies, even by SIGKILL.
  const pdeathsig = toolPath('setpriv');
  const command = pdeathsig ? [pdeathsig, '--pdeathsig', 'KILL', '--', toolPath(bin) ?? bin, ...args] : [toolPath(bin) ?? bin, ...args];
  if (!pdeathsig && process.env.CI === 'true') throw new Error('setpriv (util-linux) is required with CI=true: it kills the test API server if the test process dies');
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  running.add(child);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    // The log may be gone already when the run's temp root is removed after a kill.
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '(log removed)';
    exit = `exit ${code ?? signal}; log ${log}:\n${tail}`;
  });
  return { child, exited: () => exit };
}

export interface ApiServerOptions {
  /**
   * Admission plugin configurations (`name` → configuration object), written to an
   * AdmissionConfiguration file as Talos does from cluster.apiServer.admissionControl.
   * @default - none: the plugins' built-in defaults
   */
  readonly admissionControl?: ReadonlyArray<{ name: string; configuration: unknown }>;
  /**
   * Extra static-token users besides the admin. No RBAC binding is made for them: they may do
   * what every authenticated user may (discovery, SelfSubjectAccessReview), nothing more.
   * @default - none
   */
  readonly users?: ReadonlyArray<{ readonly name: string; readonly groups?: readonly string[] }>;
}

/** Starts etcd and kube-apiserver below `dir`; call stop() when done (also on failure). */
export async function startApiServer(dir: string, options: ApiServerOptions = {}): Promise<ApiServer> {
  const began = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const etcdPort = await freePort();
  const peerPort = await freePort();
  const etcd = start('etcd', [path.join(dir, 'etcd'), String(etcdPort), String(peerPort)], path.join(dir, 'etcd.log'));
  const stop = stopAll;
  try {
    await eventually(async () => (fs.readFileSync(path.join(dir, 'etcd.log'), 'utf8').includes('etcd ready') ? true : undefined), 60000, 'etcd', etcd.exited);

    // Serving certificate for 127.0.0.1 (self-signed; the kubeconfig trusts exactly it).
    const cert = path.join(dir, 'apiserver.crt');
    const key = path.join(dir, 'apiserver.key');
    const openssl = spawnSync(toolPath('openssl') ?? 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
    if (openssl.status !== 0) throw new Error(`openssl: ${openssl.stderr}`);
    // Service-account signing key; a static token for the admin (group system:masters).
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const token = crypto.randomBytes(24).toString('hex');
    const userTokens = Object.fromEntries((options.users ?? []).map((u) => [u.name, crypto.randomBytes(24).toString('hex')]));
    const userLines = (options.users ?? []).map((u) => `${userTokens[u.name]},${u.name},${u.name}${u.groups?.length ? `,"${u.groups.join(',')}"` : ''}\n`);
    fs.writeFileSync(path.join(dir, 'tokens.csv'), [`${token},admin,admin,"system:masters"\n`, ...userLines].join(''), { mode: 0o600 });

    const admission: string[] = [];
    if (options.admissionControl?.length) {
      const file = path.join(dir, 'admission.yaml');
      fs.writeFileSync(file, JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AdmissionConfiguration', plugins: options.admissionControl }));
      admission.push(`--admission-control-config-file=${file}`);
    }
    const port = await freePort();
    const apiserver = start('kube-apiserver', [
      ...admission,
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
      `--tls-cert-file=${cert}`, `--tls-private-key-file=${key}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      // As Talos runs it (privileged pods are then a matter for Pod Security admission).
      '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/12',
      // No node or kubelet exists to advertise; otherwise the defaults (PodSecurity admission included).
      '--endpoint-reconciler-type=none',
    ], path.join(dir, 'kube-apiserver.log'));
    const url = `https://127.0.0.1:${port}`;
    const ca = fs.readFileSync(cert);
    await eventually(async () => ((await httpsGet(`${url}/readyz`, token, ca)) === 200 ? true : undefined), 120000, 'kube-apiserver /readyz', apiserver.exited);

    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', `- name: test`, '  cluster:', `    server: ${url}`, `    certificate-authority-data: ${ca.toString('base64')}`,
      'users:', '- name: admin', '  user:', `    token: ${token}`,
      'contexts:', '- name: test', '  context: { cluster: test, user: admin }', '',
    ].join('\n'), { mode: 0o600 });
    const kubectl = (args: string[], input?: string) => {
      // Discovery cache in the temp dir, not in $HOME.
      const r = spawnSync(toolPath('kubectl') ?? 'kubectl', [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, 'kube-cache')}`, ...args], { encoding: 'utf8', input });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    return { url, kubeconfig, token, userTokens, kubectl, startupMs: Date.now() - began, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function httpsGet(url: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}
