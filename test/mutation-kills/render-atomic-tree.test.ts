/**
 * render/atomic-tree.ts's crash and failure paths, in-process (mutation testing, issue 18): where
 * the staging tree lives, discarding it, a failed swap putting the old tree back, a backup that
 * cannot be deleted, and recovery choosing the newest previous tree. Failures are injected by
 * spying on the fs module object, which atomic-tree.ts reads at each call.
 */
import * as path from 'node:path';
import { recoverInterruptedSwap, stageTree, writeTreeAtomically } from '../../render/atomic-tree';
import { snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

afterEach(() => jest.restoreAllMocks());

const project = (prefix: string) => {
  const root = tempDir(prefix);
  return { root, dist: path.join(root, 'dist') };
};

describe('staging', () => {
  test('the staging tree is a hidden sibling named after the target, complete before the check runs', () => {
    const { root, dist } = project('stage-');
    let seen: { dir: string; files: Record<string, string> } | undefined;
    writeTreeAtomically(dist, [{ path: 'b.yaml', content: 'b' }, { path: 'a/x.yaml', content: 'x' }], {
      beforeSwap: (staging) => { seen = { dir: staging, files: snapshotTree(staging) }; },
    });
    expect(path.dirname(seen!.dir)).toBe(root);
    expect(path.basename(seen!.dir)).toMatch(/^\.dist-staging-.{6}$/);
    expect(seen!.files).toEqual({ 'a/x.yaml': 'x', 'b.yaml': 'b' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  test('deeply nested files get their directories, each 0755 whatever the umask', () => {
    const { dist } = project('nested-');
    const old = process.umask(0o077);
    try {
      writeTreeAtomically(dist, [{ path: 'a/b/c/d.yaml', content: 'd' }]);
    } finally {
      process.umask(old);
    }
    expect(snapshotTree(dist)).toEqual({ 'a/b/c/d.yaml': 'd' });
    for (const dir of ['a', 'a/b', 'a/b/c']) expect(fs.statSync(path.join(dist, dir)).mode & 0o777).toBe(0o755);
  });

  test('a path climbing out of the tree is refused and nothing is left behind', () => {
    const { root, dist } = project('escape-');
    for (const bad of ['../x.yaml', 'a/../../x.yaml']) {
      expect(() => writeTreeAtomically(dist, [{ path: bad, content: 'x' }])).toThrow(new Error(`refusing to write outside the tree: ${bad}`));
    }
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('a discarded stage leaves the target as it was and no staging tree', () => {
    const { root, dist } = project('discard-');
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'old' }]);
    const staged = stageTree(dist, [{ path: 'x.yaml', content: 'new' }]);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.dist-staging-'))).toHaveLength(1);
    staged.discard();
    expect(fs.readdirSync(root)).toEqual(['dist']);
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'old' });
  });

  test('a later run replaces the tree and leaves no previous tree beside it', () => {
    const { root, dist } = project('again-');
    writeTreeAtomically(dist, [{ path: 'old/x.yaml', content: 'old' }]);
    writeTreeAtomically(dist, [{ path: 'y.yaml', content: 'new' }]);
    expect(snapshotTree(dist)).toEqual({ 'y.yaml': 'new' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  test('a first run has no previous tree to move aside', () => {
    const { root, dist } = project('first-');
    const renames = jest.spyOn(fs, 'renameSync');
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'x' }]);
    expect(renames).toHaveBeenCalledTimes(1);
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});

describe('the swap', () => {
  test('when the new tree cannot be moved in, the old tree is put back and the staging tree removed', () => {
    const { root, dist } = project('swap-fails-');
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'old' }]);
    const real = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).includes('-staging-')) throw new Error('injected rename failure');
      real(from, to);
    });
    expect(() => writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'new' }])).toThrow('injected rename failure');
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'old' });
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });

  test('a first run whose swap fails leaves nothing at all', () => {
    const { root, dist } = project('first-fails-');
    jest.spyOn(fs, 'renameSync').mockImplementation(() => { throw new Error('injected rename failure'); });
    expect(() => writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'new' }])).toThrow('injected rename failure');
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('an old tree that cannot be deleted does not undo the run; the next run removes it', () => {
    const { root, dist } = project('backup-stays-');
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'old' }]);
    const real = fs.rmSync;
    const rm = jest.spyOn(fs, 'rmSync').mockImplementation((target, options) => {
      if (String(target).includes('-previous-')) throw new Error('injected rm failure');
      real(target, options);
    });
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'new' }]);
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'new' });
    const left = fs.readdirSync(root).filter((n) => n !== 'dist');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.dist-previous-.{6}$/);
    expect(snapshotTree(path.join(root, left[0]))).toEqual({ 'x.yaml': 'old' });
    rm.mockRestore();
    expect(recoverInterruptedSwap(dist)).toEqual([]);
    expect(fs.readdirSync(root)).toEqual(['dist']);
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'new' });
  });
});

describe('recovery', () => {
  test.each([['aaaaaa', 'bbbbbb'], ['bbbbbb', 'aaaaaa']])('restores the newest previous tree when the target is missing, says so, and removes the rest (older %s, newer %s)', (olderName, newerName) => {
    const { root, dist } = project('recover-');
    const older = path.join(root, `.dist-previous-${olderName}`);
    const newer = path.join(root, `.dist-previous-${newerName}`);
    for (const [dir, content] of [[newer, 'newer'], [older, 'older']] as const) {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'x.yaml'), content);
    }
    fs.utimesSync(older, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    fs.utimesSync(newer, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));
    fs.mkdirSync(path.join(root, '.dist-staging-cccccc', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(root, '.dist-staging-cccccc', 'deep', 'y'), 'y');
    fs.mkdirSync(path.join(root, '.other-previous-dddddd'));

    expect(recoverInterruptedSwap(dist)).toEqual([`restored ${dist} from ${newer} (an earlier run stopped mid-swap)`]);
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'newer' });
    expect(fs.readdirSync(root).sort()).toEqual(['.other-previous-dddddd', 'dist']);
  });

  test('a target whose parent does not exist has nothing to recover', () => {
    const { root } = project('no-parent-');
    expect(recoverInterruptedSwap(path.join(root, 'missing', 'dist'))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'missing'))).toBe(false);
  });
});
