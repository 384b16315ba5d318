/**
 * `npm run verify` as an operator runs it: the CLI in a child process (exit status, stdout,
 * stderr), and in-process against a real API server with dist/ applied. The flows each have
 * their own tests (flows-*.test.ts); here the question is whether the pieces are wired: options
 * reach the checks, credentials come from the secrets directory, the verdict sets the exit code,
 * and fatal problems end in one message with the next step, never a stack trace.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadSite, parseSite } from '../../site';
import { main } from '../../verify/cli';
import { readDistObjects } from '../../verify/cluster/dist-objects';
import { freePort } from '../prometheus/loopback-daemon';
import { type ApiServer, startApiServer, stopAll } from '../support/kube-apiserver';
import { sharedSecretsDir, synthToTemp, tempDir } from '../support/synth-once';
import { applyDistAsArgoCd, describeWithApiServer, NO_RIGHTS_USER, writeKubeconfig } from './cluster-support';
import { startFakeGrafana, type FakeGrafana } from './support/fake-grafana';
import { startFakeLogPipeline, type FakeLogPipeline } from './support/fake-log-pipeline';
import { logSourceExpectations } from '../../verify/flows/log-sources';

const ROOT = path.resolve(__dirname, '..', '..');
const STACK_FRAME = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

interface Run { status: number | null; stdout: string; stderr: string }

/** The CLI as `npm run verify` starts it, in `cwd`. */
function verifyCli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'ts-node'), '--swc', path.join(ROOT, 'verify', 'cli.ts'), ...args], { cwd, env: { ...process.env, SITE: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A site file that keeps its secrets where synthToTemp put them, in a fresh directory. */
function siteDir(): { dir: string; siteFile: string } {
  synthToTemp(); // makes the generated Secrets file in sharedSecretsDir() once
  const dir = tempDir('verify-cli-');
  const siteFile = path.join(dir, 'site.yaml');
  fs.writeFileSync(siteFile, YAML.stringify({ talos: { secretsDir: sharedSecretsDir() } }));
  return { dir, siteFile };
}

describe('npm run verify in a child process', () => {
  test('an unreachable cluster: exit 2, the server and the next step, no stack trace', async () => {
    const { dir } = siteDir();
    const port = await freePort();
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, YAML.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'u' } }],
    }));
    const run = await verifyCli(['--kubeconfig', kubeconfig, '--only', 'drift', '--dist', synthToTemp().outDir], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: .*https:\/\/127\.0\.0\.1:\d+/m);
    expect(run.stderr).toMatch(/^next: /m);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
  });

  test('bad arguments: exit 2 with what to use instead', async () => {
    const run = await verifyCli(['--timeout', 'forever'], tempDir('verify-cli-'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error: --timeout "forever" is not a duration between 1s and 1h; use e.g. --timeout 90s or --timeout 5m');
  });

  describe('logs and Grafana through --endpoint, no cluster needed', () => {
    let logs: FakeLogPipeline;
    let grafana: FakeGrafana;
    let site: ReturnType<typeof siteDir>;
    let logRows = 0;
    beforeAll(async () => {
      site = siteDir();
      const loaded = loadSite(site.siteFile).site;
      // The admin login the CLI must find in the secrets directory on its own.
      const secrets = YAML.parseAllDocuments(fs.readFileSync(path.join(sharedSecretsDir(), 'kubernetes', 'monitoring-secrets.yaml'), 'utf8')).map((d) => d.toJS());
      const admin = secrets.find((s) => s.metadata.name === loaded.grafana.adminSecret).stringData;
      // Loki already holds what the cluster's other sources send on their own (Talos, pods, events).
      const now = BigInt(Date.now()) * 1_000_000n;
      const preloaded = [
        ...loaded.talos.nodes.map((n) => ({ labels: { source: 'talos', job: 'talos', host: n.hostname }, timeNs: now, line: '{"msg":"ok"}' })),
        { labels: { source: 'kubernetes', namespace: loaded.kubernetes.namespace, job: `${loaded.kubernetes.namespace}/loki` }, timeNs: now, line: 'level=info' },
        { labels: { source: 'kubernetes', job: 'kubernetes-events', namespace: loaded.kubernetes.namespace }, timeNs: now, line: 'reason=Started' },
      ];
      logs = await startFakeLogPipeline(loaded, { preloaded });
      logRows = 2 + logSourceExpectations(loaded).length;
      grafana = await startFakeGrafana(loaded, { admin: { username: admin['admin-user'], password: admin['admin-password'] } });
    });
    afterAll(async () => { await logs?.close(); await grafana?.close(); });

    test('every check passes: exit 0, a ✓ row per transport and datasource, the run id in the lines sent', async () => {
      const run = await verifyCli(['--site', site.siteFile, '--only', 'logs,grafana', '--timeout', '30s',
        '--endpoint', `loki=${logs.lokiUrl}`, '--endpoint', `syslog=${logs.syslog.host}:${logs.syslog.port}`, '--endpoint', `grafana=${grafana.url}`], site.dir);
      expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 0 });
      const runId = /test signals of this run: (verify-[a-z0-9-]+)\)/.exec(run.stdout)?.[1];
      expect(runId).toBeDefined();
      expect(logs.received.map((m) => [m.transport, m.message.includes(runId!)])).toEqual(expect.arrayContaining([['udp', true], ['tcp', true]]));
      expect(run.stdout).toContain(`logs (${logRows}/${logRows} passed)`);
      expect(run.stdout).toMatch(/^grafana \(\d+\/\d+ passed\)$/m);
      expect(run.stdout).not.toContain('✗');
      expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/^PASSED: \d+ passed, 0 failed/);
      expect(grafana.requests.length).toBeGreaterThan(0);
    });

    test('--json with a Grafana that does not answer: exit 1, verdict failed, the endpoint named', async () => {
      const closed = await freePort();
      const run = await verifyCli(['--site', site.siteFile, '--only', 'grafana', '--json', '--endpoint', `grafana=http://127.0.0.1:${closed}`], site.dir);
      expect(run.status).toBe(1);
      const doc = JSON.parse(run.stdout);
      expect(doc.verdict).toBe('failed');
      expect(doc.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { detail: string }) => c.detail).join('\n')).toContain(`127.0.0.1:${closed}`);
      expect(run.stderr).not.toMatch(STACK_FRAME);
    });
  });
});

describeWithApiServer('npm run verify against a real API server with dist/ applied', () => {
  const { outDir } = synthToTemp();
  let server: ApiServer;
  const out: string[] = [];
  const err: string[] = [];
  const cli = async (...args: string[]) => {
    out.length = 0;
    err.length = 0;
    const status = await main(args.includes('--dist') ? args : ['--dist', outDir, ...args], (t) => out.push(t), (t) => err.push(t));
    return { status, stdout: out.join(''), stderr: err.join('') };
  };

  beforeAll(async () => {
    server = await startApiServer(tempDir('kube-apiserver-cli-'), { users: [{ name: NO_RIGHTS_USER }] });
    applyDistAsArgoCd(server, outDir, readDistObjects(outDir));
  }, 300000);
  afterAll(() => stopAll());

  test('drift and health: every object of dist/ checked; nothing runs the pods here, so health fails and the exit is 1', async () => {
    const run = await cli('--kubeconfig', server.kubeconfig, '--only', 'drift,health', '--json');
    expect(run.status).toBe(1);
    const doc = JSON.parse(run.stdout) as { verdict: string; context: string; checks: { id: string; status: string; next?: string }[] };
    expect(doc.verdict).toBe('failed');
    expect(doc.context).toBe('test');
    const objects = doc.checks.filter((c) => c.id.startsWith('drift/object/'));
    expect(objects).toHaveLength(readDistObjects(outDir).length);
    expect(objects.filter((c) => c.status === 'pass').length).toBeGreaterThan(objects.length - 3);
    const site = parseSite({}).site;
    const workload = doc.checks.find((c) => c.id === `health/workload/StatefulSet/${site.kubernetes.namespace}/prometheus`);
    expect(workload).toMatchObject({ status: 'fail', next: expect.any(String) });
    expect(err.join('')).toMatch(/drift: comparing \d+ objects/);
  });

  test('a user without RBAC rights: exit 2 with the missing permissions, before any check', async () => {
    const kubeconfig = writeKubeconfig(server, { token: server.userTokens[NO_RIGHTS_USER] });
    const run = await cli('--kubeconfig', kubeconfig, '--only', 'health');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: .*lacks RBAC permissions verify needs.*list deployments\.apps/m);
    expect(run.stderr).toMatch(/^next: .*kubectl auth can-i/m);
    expect(run.stdout).toBe('');
  });

  test('an unknown context: exit 2 naming the contexts there are; with --json a document says so on stdout', async () => {
    const run = await cli('--kubeconfig', server.kubeconfig, '--context', 'prod', '--only', 'drift');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: .*"prod".*test/m);
    expect(run.stdout).toBe('');
    const json = await cli('--kubeconfig', server.kubeconfig, '--context', 'prod', '--only', 'drift', '--json');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'error', message: expect.stringContaining('"prod"'), next: expect.any(String) });
  });

  test('a --dist without a synthesized tree stops before connecting', async () => {
    const run = await cli('--kubeconfig', path.join(tempDir('no-kubeconfig-'), 'absent'), '--only', 'drift', '--dist', tempDir('empty-dist-'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/npm run synth/);
    expect(run.stderr).not.toMatch(/kubeconfig/);
  });
});
