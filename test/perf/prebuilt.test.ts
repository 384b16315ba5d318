/**
 * The commands users run go through build/run.cjs and the esbuild bundles in .build/ (issue 13);
 * the tests elsewhere run the TypeScript sources. Speed must not change a byte: `npm run synth`'s
 * command (bundle, V8 code cache, node's flags) and the sources (ts-node, as npm run synth ran
 * before) write byte-identical dist/ trees, for the default site and for a site that sets every
 * field. And a build never goes stale: an edited source reaches the next run.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { snapshotTree } from '../support/dist-tree';
import { SECOND_SITE } from '../support/second-site';
import { synthCommand } from '../../bench/synth-command';

const REPO = path.join(__dirname, '..', '..');
const RUN = path.join(REPO, 'build', 'run.cjs');
const TS_NODE = [require.resolve('ts-node/dist/bin'), '--swc', '--project', path.join(REPO, 'tsconfig.json')];
// Builds and cold starts on a busy two-core machine.
const SLOW = 240_000;

let scratch: string;
beforeAll(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilt-')); });
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function node(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** A project root of its own (key material lands in its .secrets/), and the dist/ written there. */
function synth(name: string, command: readonly string[], siteArgs: readonly string[]): string {
  const root = path.join(scratch, name);
  fs.mkdirSync(root);
  const out = path.join(root, 'dist');
  const r = node([...command, ...siteArgs, '--out', out], root);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  return out;
}

describe('the prebuilt synth and the TypeScript sources write the same dist/', () => {
  test.each([
    ['the default site', [] as string[]],
    ['a site that sets every field', ['--site', 'second-site.yaml']],
  ])('for %s, byte for byte', (label, siteArgs) => {
    // GIVEN
    fs.writeFileSync(path.join(scratch, 'second-site.yaml'), YAML.stringify(SECOND_SITE));
    const args = siteArgs.map((a) => (a.endsWith('.yaml') ? path.join(scratch, a) : a));
    const slug = label.replace(/\W+/g, '-');
    // WHEN
    const [, ...npmRunSynth] = synthCommand();
    const prebuilt = synth(`${slug}-prebuilt`, npmRunSynth, args);
    const sources = synth(`${slug}-ts`, [...TS_NODE, path.join(REPO, 'main.ts')], args);
    // THEN
    const expected = snapshotTree(sources);
    expect(Object.keys(expected).length).toBeGreaterThan(40);
    expect(snapshotTree(prebuilt)).toEqual(expected);
  }, SLOW);
});

describe('build/run.cjs', () => {
  test('cdk8s.yaml runs the app as npm run synth does', () => {
    const app = (YAML.parse(fs.readFileSync(path.join(REPO, 'cdk8s.yaml'), 'utf8')) as { app: string }).app;
    const script = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth;
    expect(app).toBe(script);
  });

  test('the prebuilt verify refuses an unknown argument with exit 2 and its usage', () => {
    const r = node([RUN, 'verify', '--bogus'], scratch);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument "--bogus"');
    expect(r.stderr).toContain('usage: npm run verify');
  }, SLOW);

  test('fails when the command is unknown, listing the commands', () => {
    const r = node([RUN, 'nonsense'], scratch);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: node build/run.cjs synth|verify|compare|talos|schema|readme');
  }, SLOW);

  // render/secrets-cli.ts's CLI entry (its `require.main` lines) only runs in a process of its own:
  // the in-process tests call runSecretsCli, which cannot show what reaches the terminal.
  test('the secrets command prints its lines on stdout with exit 0, and an error as "error: ..." with exit 1', () => {
    const root = path.join(scratch, 'secrets-cli');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, '.gitignore'), '.secrets/\n');
    const init = node([RUN, 'secrets', 'init'], root);
    expect(init.status).toBe(0);
    const recipient = /# public key: (age1\w+)/.exec(fs.readFileSync(path.join(root, '.secrets/age/keys.txt'), 'utf8'))![1];
    expect(init.stdout.split('\n').slice(0, 3)).toEqual([
      `created the age key ${path.join(root, '.secrets/age/keys.txt')} (mode 0600, git-ignored): back it up outside this machine, it opens every encrypted file`,
      `wrote ${path.join(root, '.sops.yaml')} (sops CLI creation rules for 1 recipient(s))`,
      'add to your site file (then npm run synth -- --site FILE):',
    ]);
    expect(init.stdout).toContain(`  ageRecipients:\n    - ${recipient}\n`);
    expect(init.stdout.endsWith('see docs/secrets-encryption.md for the repo-server setup.\n')).toBe(true);
    expect(init.stderr).not.toContain('error');
    const wrong = node([RUN, 'secrets', 'bogus'], root);
    expect({ status: wrong.status, stdout: wrong.stdout }).toEqual({ status: 1, stdout: '' });
    expect(wrong.stderr.split('\n').filter((l) => !l.startsWith('.build/') && !l.startsWith('built '))).toEqual([
      'error: usage: npm run secrets -- init | rotate   [--site FILE] [--out DIR]', '',
    ]);
  }, SLOW);

  test('builds again when a source changed, so the edit reaches the run', () => {
    // GIVEN a copy of the project (node_modules linked) that has been built and run once
    const copy = path.join(scratch, 'project');
    fs.mkdirSync(copy);
    const notSources = new Set(['node_modules', '.git', '.build', '.secrets', '.stryker-tmp', '.tools', 'reports', 'coverage', 'dist', 'cdk8s.out', 'test']);
    for (const entry of fs.readdirSync(REPO).filter((e) => !notSources.has(e) && !e.startsWith('.dist-'))) {
      fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const run = (cwd: string) => node([path.join(copy, 'build', 'run.cjs'), 'synth', '--out', path.join(cwd, 'dist')], cwd);
    const work = path.join(scratch, 'edit-root');
    fs.mkdirSync(work);
    const first = run(work);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('.build/ is out of date (no build of synth yet): building synth first');
    const outOfDate = (r: SpawnSyncReturns<string>) => r.stderr.split('\n').filter((l) => l.includes('out of date'));
    expect(outOfDate(run(work))).toEqual([]);
    // a file rewritten with the same content (a checkout) is no reason to build
    const main = path.join(copy, 'main.ts');
    fs.utimesSync(main, new Date(), new Date(Date.now() + 5000));
    expect(outOfDate(run(work))).toEqual([]);
    // WHEN main.ts is edited
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('`synthesized ${', '`synthesized (edited) ${'));
    const edited = run(work);
    // THEN the run rebuilt first and ran the edit
    expect(edited.status).toBe(0);
    expect(outOfDate(edited)).toEqual(['.build/ is out of date (main.ts changed): building synth first']);
    expect(edited.stdout).toContain('synthesized (edited) ');
  }, SLOW);

  test('what it builds is git-ignored, the build scripts are not', () => {
    const ignored = (file: string) => spawnSync('git', ['check-ignore', '-q', '--no-index', file], { cwd: REPO }).status === 0;
    expect(ignored('.build/synth.js')).toBe(true);
    expect(ignored('.build/synth.json')).toBe(true);
    expect(ignored('build/main.js')).toBe(true);
    expect(ignored('build/build.mjs')).toBe(false);
    expect(ignored('build/run.cjs')).toBe(false);
    expect(ignored('build/commands.json')).toBe(false);
  });
});
