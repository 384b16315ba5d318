import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { recoverInterruptedSwap, writeTreeAtomically } from '../../render/atomic-tree';

describe('atomic tree writer', () => {
  test('a crash between the two renames is repaired by the next run', () => {
    // GIVEN a run that moved dist/ aside and died before putting the new tree in place
    const root = tempDir('crash-');
    const dist = path.join(root, 'dist');
    writeTreeAtomically(dist, [{ path: 'a/x.yaml', content: 'old\n' }]);
    fs.renameSync(dist, path.join(root, '.dist-previous-abc123'));
    fs.mkdirSync(path.join(root, '.dist-staging-def456'));
    // WHEN the next run fails before its own swap
    expect(() => writeTreeAtomically(dist, [{ path: 'a/x.yaml', content: 'new\n' }], { beforeSwap: () => { throw new Error('injected'); } })).toThrow('injected');
    // THEN the old tree is back and no leftovers remain
    expect(snapshotTree(dist)).toEqual({ 'a/x.yaml': 'old\n' });
    expect(fs.readdirSync(root).sort()).toEqual(['dist']);
  });

  test('recovery does nothing when dist/ is in place', () => {
    const root = tempDir('intact-');
    const dist = path.join(root, 'dist');
    writeTreeAtomically(dist, [{ path: 'x.yaml', content: 'x\n' }]);
    expect(recoverInterruptedSwap(dist)).toEqual([]);
    expect(snapshotTree(dist)).toEqual({ 'x.yaml': 'x\n' });
  });

  test('fails when two renderers claim the same path, before anything is written', () => {
    const root = tempDir('dup-');
    expect(() => writeTreeAtomically(path.join(root, 'dist'), [{ path: 'x', content: '1' }, { path: 'x', content: '2' }])).toThrow(/two renderers produced x/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('files get exact modes whatever the umask: 0644, scripts 0755, directories 0755', () => {
    const root = tempDir('modes-');
    const dist = path.join(root, 'dist');
    const old = process.umask(0o077);
    try { writeTreeAtomically(dist, [{ path: 'd/x.yaml', content: 'x' }, { path: 'run.sh', content: '#!/bin/sh\n' }]); } finally { process.umask(old); }
    expect(fs.statSync(path.join(dist, 'd/x.yaml')).mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.join(dist, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(dist, 'd')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(dist).mode & 0o777).toBe(0o755);
  });
});
