/**
 * Validators the tests run (promtool, amtool, the blackbox exporter, openssl, shellcheck,
 * rsyslogd, kustomize): from PATH or the project's tool directory (.tools/bin, where .ci/run
 * builds the pinned Go ones). With CI=true a missing one fails the run; elsewhere its tests are
 * skipped with a visible SKIPPED line, and the run ends with a count (global-teardown.js).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Tools built by .ci/run (git-ignored). STACK_TOOLS_BIN overrides it, as it does where
 * test/upstream/build.sh builds them: mutation runs test a copy of the project that has no .tools/
 * (stryker.config.mjs points it at the real one with MUTATE_TOOLS=1).
 */
export const PROJECT_TOOLS_DIR = process.env.STACK_TOOLS_BIN || path.resolve(__dirname, '..', '..', '.tools', 'bin');

/**
 * Built by test/upstream/build.sh from pinned Go modules: only that build counts, so an older
 * same-named binary on PATH (Debian's amtool 0.25, promtool 2.42) never stands in for it.
 */
export const GO_BUILT_TOOLS: ReadonlySet<string> = new Set(['promtool', 'prometheus', 'amtool', 'blackbox_exporter', 'kubeconform', 'talos-check', 'alloy-fmt', 'loki-check', 'kube-apiserver', 'etcd', 'kubectl', 'sops']);

/** The tool's path: the project's tool directory first, then PATH (not for GO_BUILT_TOOLS); undefined when absent. */
export function toolPath(name: string): string | undefined {
  const local = path.join(PROJECT_TOOLS_DIR, name);
  if (fs.existsSync(local)) return local;
  if (GO_BUILT_TOOLS.has(name)) return undefined;
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export function hasBinary(name: string): boolean {
  return toolPath(name) !== undefined;
}

/** Where skipped groups are written for the end-of-run count. */
export const SKIP_LOG = 'skipped-validators.log';

/**
 * True when the tool is there. Otherwise: under CI=true an error (the run must not pass without
 * its validators); elsewhere a visible SKIPPED line, recorded for the count, and false.
 */
export function requireTool(name: string, title: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (hasBinary(name)) return true;
  if (env.CI === 'true') {
    throw new Error(`${name} is required with CI=true ("${title}"); .ci/run installs it (see the README's test section)`);
  }
  console.warn(`SKIPPED "${title}": ${name} not installed (.ci/run installs it)`);
  if (env.TEST_TMP_ROOT) fs.appendFileSync(path.join(env.TEST_TMP_ROOT, SKIP_LOG), `${name}\t${title}\n`);
  return false;
}

export interface RunResult { status: number | null; output: string }

/** Run a tool (found by toolPath) and collect its output. */
export function run(bin: string, args: string[], cwd?: string): RunResult {
  const r = spawnSync(toolPath(bin) ?? bin, args, { encoding: 'utf8', cwd });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `describe` when every tool is there; otherwise skipped naming the missing ones (or, under CI=true, an error). */
export function describeWithBinaries(bins: readonly string[], title: string, body: () => void): void {
  const missing = bins.filter((bin) => !requireTool(bin, title));
  if (missing.length === 0) describe(title, body);
  else describe.skip(`${title} [SKIPPED: ${missing.join(', ')} not installed]`, body);
}

/** `describe` when the tool is there; otherwise skipped (or, under CI=true, an error). */
export function describeWithBinary(bin: string, title: string, body: () => void): void {
  describeWithBinaries([bin], title, body);
}

/**
 * How to build a kustomization: the pinned kustomize (.ci/run builds it), else, outside CI,
 * kubectl's embedded copy; undefined (a recorded skip) when neither is there.
 */
export function kustomizeCommand(title: string, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const kustomize = env.KUSTOMIZE ?? toolPath('kustomize');
  if (kustomize) return [kustomize, 'build'];
  const kubectl = env.CI === 'true' ? undefined : toolPath('kubectl');
  if (kubectl) return [kubectl, 'kustomize'];
  requireTool('kustomize', title, env);
  return undefined;
}
