/**
 * `cdk8s synth` and `npm run synth` produce the same tree. Runs the real cdk8s CLI (the pinned
 * devDependency) in a fresh directory, with a cdk8s.yaml like the repository's but with absolute
 * paths, and compares its dist/ and cdk8s.out/ with a tree from `synthesize()` for the same site.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { synthesize } from '../../render/synthesize';
import { snapshotTree } from '../support/dist-tree';
import { sharedSecretsDir, tempDir } from '../support/synth-once';

const REPO = path.resolve(__dirname, '../..');
const BIN = (name: string) => path.join(REPO, 'node_modules', '.bin', name);
/** main.ts as cdk8s.yaml runs it, from any directory. */
const APP = `${BIN('ts-node')} --swc --project ${path.join(REPO, 'tsconfig.json')} ${path.join(REPO, 'main.ts')} --out dist`;

/** The child's environment: no inherited site file or CLI output directory. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { SITE: _site, CDK8S_OUTDIR: _outdir, ...env } = process.env;
  return { ...env, ...extra };
}

function projectDir(output: string): string {
  const dir = tempDir('cdk8s-cli-');
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), YAML.stringify({ language: 'typescript', app: APP, output }));
  return dir;
}

function cdk8sSynth(dir: string): SpawnSyncReturns<string> {
  return spawnSync(BIN('cdk8s'), ['synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', env: childEnv(), timeout: 60_000 });
}

const output = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

describe('cdk8s synth (real CLI) and npm run synth produce the same tree', () => {
  const dir = projectDir('cdk8s.out');
  const run = cdk8sSynth(dir);
  const reference = synthesize({ projectRoot: tempDir('reference-'), outDir: 'dist', secretsDir: sharedSecretsDir() });

  test('cdk8s synth exits 0', () => {
    expect(output(run)).toMatch(/^exit 0\n/);
  });

  test('its dist/ and cdk8s.out/ are byte-identical, and equal the tree synthesize() writes for the same site', () => {
    const dist = snapshotTree(path.join(dir, 'dist'));
    const cliOut = snapshotTree(path.join(dir, 'cdk8s.out'));
    const expected = snapshotTree(reference.outDir);
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(Object.keys(dist)).toEqual(Object.keys(expected));
    expect(dist).toEqual(expected);
    expect(cliOut).toEqual(dist);
  });

  test('the key material went to the secrets directory under the project, not into either tree', () => {
    const secrets = snapshotTree(path.join(dir, '.secrets'));
    expect(Object.keys(secrets)).toContain(path.join('kubernetes', 'monitoring-secrets.yaml'));
    const secretNames = new Set(Object.keys(secrets).map((f) => path.basename(f)));
    for (const tree of ['dist', 'cdk8s.out']) {
      const files = snapshotTree(path.join(dir, tree));
      expect(Object.keys(files).filter((f) => secretNames.has(path.basename(f)))).toEqual([]);
      expect(Object.entries(files).filter(([, text]) => /PRIVATE KEY/.test(text)).map(([f]) => f)).toEqual([]);
    }
  });

  test('the repository\'s own cdk8s.yaml points the CLI at a scratch directory, not at dist/', () => {
    const config = YAML.parse(fs.readFileSync(path.join(REPO, 'cdk8s.yaml'), 'utf8')) as { output?: string };
    expect(config.output).toBe('cdk8s.out');
  });
});

describe('"output: dist" in cdk8s.yaml', () => {
  const seedDist = (dir: string) => {
    fs.mkdirSync(path.join(dir, 'dist', 'monitoring'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'monitoring', 'previous.yaml'), 'kind: ConfigMap\n');
    return snapshotTree(path.join(dir, 'dist'));
  };

  test('fails when main.ts runs with the CLI\'s output directory set to the dist/ it writes: it refuses with the fix and leaves dist/ byte-identical', () => {
    const dir = tempDir('cdk8s-outdir-');
    const before = seedDist(dir);
    // The environment the CLI gives the app (util.js: CDK8S_OUTDIR), without the CLI's own rm.
    const [cmd, ...args] = APP.split(' ');
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: childEnv({ CDK8S_OUTDIR: path.join(dir, 'dist') }), timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/output: dist.*set "output: cdk8s\.out"/);
    expect(snapshotTree(path.join(dir, 'dist'))).toEqual(before);
    expect(fs.existsSync(path.join(dir, '.secrets'))).toBe(false);
  });

  test('fails when the real CLI runs it: main.ts refuses, but the CLI has already deleted dist/ (why the output must be a scratch directory)', () => {
    const dir = projectDir('dist');
    seedDist(dir);
    const r = cdk8sSynth(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/output: dist.*set "output: cdk8s\.out"/);
    // cdk8s-cli synth.js removes its output directory before it starts the app.
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});
