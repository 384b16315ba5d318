/**
 * render/synthesize.ts in-process (mutation testing, issue 18): where dist/ and the key material
 * may go, with the exact refusals, and the git-ignore check in each of its cases, without
 * synthesizing the stack (one synth at the end, for a plain site's messages;
 * test/secrets/secrets-location.test.ts and the one-transaction tests go end to end).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../render/cli-args';
import { synthesisDirs, synthesize, synthesizeAll } from '../../render/synthesize';
import { parseSite, SiteError, type LoadedSite, type SiteInput } from '../../site';
import { tempDir } from '../support/synth-once';

const loaded = (input: SiteInput = {}): LoadedSite => parseSite(input, 'lab.yaml');
const AGE_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

/** A git work tree with these .gitignore lines (none: no .gitignore). */
function gitProject(ignore?: string): string {
  const root = tempDir('dirs-git-');
  execFileSync('git', ['init', '-q'], { cwd: root });
  if (ignore !== undefined) fs.writeFileSync(path.join(root, '.gitignore'), ignore);
  return root;
}

const notIgnored = (root: string, secretsDir: string, rel: string) => ({
  path: 'talos.secretsDir', value: '.secrets',
  message: `(${secretsDir}) lies in the git work tree of ${root} and is not git-ignored (or already has tracked files), so key material could be committed; add ${rel}/ to .gitignore and \`git rm -r --cached\` what is tracked there (or choose a directory outside the repository)`,
});

// The git cases assume what CI and a developer's machine give: the temp directory is outside any
// git work tree, no GIT_DIR or GIT_WORK_TREE redirects git, and no global excludes file ignores
// .secrets. Checked once, so a machine that breaks them gets this message, not odd failures below.
beforeAll(() => {
  const plainGit = (broken: string) => new Error(`these tests need a plain git setup: ${broken}`);
  // Checked first: git init would otherwise write into the redirected repository.
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) throw plainGit('GIT_DIR or GIT_WORK_TREE is set');
  const outside = tempDir('dirs-probe-');
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: outside, encoding: 'utf8' });
  if (inside.status === 0 && inside.stdout.trim() === 'true') throw plainGit(`${outside} lies in a git work tree`);
  if (spawnSync('git', ['check-ignore', '-q', '.secrets/x'], { cwd: gitProject() }).status === 0) throw plainGit('a global git excludes file ignores .secrets');
});

function problemsOf(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(SiteError);
    expect((err as SiteError).source).toBe('lab.yaml');
    return (err as SiteError).problems;
  }
  throw new Error('expected a SiteError');
}

test('synthesize() refuses a site that encrypts, before anything is written', () => {
  const root = tempDir('dirs-enc-');
  expect(() => synthesize({ loaded: loaded({ secrets: { encryption: 'sops-age', ageRecipients: [AGE_RECIPIENT] } }), projectRoot: root }))
    .toThrow(new Error('synthesize() writes no encrypted files; use synthesizeAll() for a site with secrets.encryption: sops-age'));
  expect(fs.readdirSync(root)).toEqual([]);
});

test('outside a git work tree: dist and the site\'s secrets directory under the project, or as given', () => {
  const root = tempDir('dirs-plain-');
  expect(synthesisDirs({ projectRoot: root }, loaded())).toEqual({ outDir: path.join(root, 'dist'), secretsDir: path.join(root, '.secrets') });
  expect(synthesisDirs({ projectRoot: root, outDir: 'out/gitops', secretsDir: '/elsewhere/keys' }, loaded()))
    .toEqual({ outDir: path.join(root, 'out', 'gitops'), secretsDir: '/elsewhere/keys' });
  expect(synthesisDirs({ projectRoot: root }, loaded({ talos: { secretsDir: 'keys' } })).secretsDir).toBe(path.join(root, 'keys'));
});

test('an output directory that is the project root or above it is refused, naming both', () => {
  const root = tempDir('dirs-root-');
  for (const out of ['.', '..']) {
    const outDir = path.resolve(root, out);
    expect(() => synthesisDirs({ projectRoot: root, outDir: out, secretsDir: '/elsewhere/keys' }, loaded())).toThrow(new UsageError(
      `the output directory ${outDir} is the project root ${root} or holds it, and synth replaces its output directory whole; give a directory inside the project, e.g. --out dist`,
    ));
  }
});

test('key material inside the output directory, or holding it, is refused with the site field', () => {
  const root = tempDir('dirs-overlap-');
  const message = (outDir: string) => `overlaps the output directory ${outDir}, which is replaced on every synth (the secrets would be deleted); keep key material outside it, e.g. .secrets`;
  expect(problemsOf(() => synthesisDirs({ projectRoot: root }, loaded({ talos: { secretsDir: 'dist/keys' } }))))
    .toEqual([{ path: 'talos.secretsDir', value: 'dist/keys', message: message(path.join(root, 'dist')) }]);
  expect(problemsOf(() => synthesisDirs({ projectRoot: root, outDir: 'keys/dist' }, loaded({ talos: { secretsDir: 'keys' } }))))
    .toEqual([{ path: 'talos.secretsDir', value: 'keys', message: message(path.join(root, 'keys', 'dist')) }]);
});

describe('in a git work tree, every kind of key file must be ignored and none tracked', () => {
  test('not ignored at all, or only in part (one subdirectory): refused, naming what to add', () => {
    for (const ignore of [undefined, '.secrets/talos/\n', '.secrets/talos/\n.secrets/kubernetes/\n']) {
      const root = gitProject(ignore);
      expect(problemsOf(() => synthesisDirs({ projectRoot: root }, loaded()))).toEqual([notIgnored(root, path.join(root, '.secrets'), '.secrets')]);
    }
  });

  test('ignored whole, or each kind: accepted; a tracked file in it: refused again', () => {
    for (const ignore of ['.secrets/\n', '.secrets/talos/\n.secrets/kubernetes/\n.secrets/age/\n']) {
      const root = gitProject(ignore);
      expect(synthesisDirs({ projectRoot: root }, loaded()).secretsDir).toBe(path.join(root, '.secrets'));
    }
    const root = gitProject('.secrets/\n');
    fs.mkdirSync(path.join(root, '.secrets', 'talos'), { recursive: true });
    fs.writeFileSync(path.join(root, '.secrets', 'talos', 'talosconfig'), 'x');
    execFileSync('git', ['add', '-f', '.secrets/talos/talosconfig'], { cwd: root });
    expect(problemsOf(() => synthesisDirs({ projectRoot: root }, loaded()))).toEqual([notIgnored(root, path.join(root, '.secrets'), '.secrets')]);
  });

  test('the project root itself as the secrets directory (dist/ elsewhere) is named "./"', () => {
    const root = gitProject();
    const outDir = path.join(tempDir('dirs-out-'), 'dist');
    expect(problemsOf(() => synthesisDirs({ projectRoot: root, outDir, secretsDir: root }, loaded()))).toEqual([notIgnored(root, root, '.')]);
  });
});

test('a plain site on a fresh project: no encrypted file, and nothing to say about encryption or renamed Secrets', async () => {
  const root = tempDir('dirs-messages-');
  const result = await synthesizeAll({ projectRoot: root, loaded: loaded() });
  expect(result.secretMessages).toEqual([]);
  expect(result.files.filter((f) => f.path.endsWith('.sops.yaml'))).toEqual([]);
  expect(fs.existsSync(path.join(root, 'dist', 'runbooks.md'))).toBe(true);
});
