/**
 * A failed synth must leave the previous dist/ byte-identical: a controller that prunes would
 * otherwise delete live objects for every file a half-written tree is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesize } from '../../render/synthesize';
import { listFiles, snapshotTree } from '../support/dist-tree';
import { sharedSecretsDir, synthToTemp, writeSiteFile } from '../support/synth-once';

describe('synth replaces dist/ atomically', () => {
  const first = synthToTemp();
  const before = snapshotTree(first.outDir);
  const run = (extra: Partial<Parameters<typeof synthesize>[0]> = {}) =>
    synthesize({ projectRoot: first.root, outDir: 'dist', secretsDir: sharedSecretsDir(), ...extra } as Parameters<typeof synthesize>[0]);
  // The module object itself (its properties are writable), not the import's read-only namespace wrapper.
  const nodeFs = require('node:fs') as typeof fs;
  const leftovers = () => fs.readdirSync(first.root).filter((n) => n.startsWith('.dist-'));

  afterEach(() => jest.restoreAllMocks());

  test('the first synth wrote a non-empty tree', () => {
    expect(Object.keys(before).length).toBeGreaterThan(1);
  });

  test('fails when a write fails half-way through the staging tree, and the old dist/ is byte-identical', () => {
    const realWrite = nodeFs.writeFileSync;
    let writes = 0;
    jest.spyOn(nodeFs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
      writes += 1;
      if (writes === Math.ceil(Object.keys(before).length / 2)) throw new Error('injected: disk full');
      return realWrite(...args);
    });
    expect(() => run()).toThrow(/injected: disk full/);
    jest.restoreAllMocks();
    expect(writes).toBeGreaterThan(1);
    expect(snapshotTree(first.outDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('fails when the finished staging tree is rejected before the swap, and the old dist/ is byte-identical', () => {
    let staged: string[] = [];
    expect(() => run({ beforeSwap: (staging: string) => { staged = listFiles(staging); throw new Error('injected: check failed'); } })).toThrow(/injected: check failed/);
    expect(staged.length).toBe(Object.keys(before).length);
    expect(snapshotTree(first.outDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('fails on a bad site file without touching dist/', () => {
    const bad = writeSiteFile(first.root, 'prometheus:\n  address: 10.70.0.150\n', 'bad-site.yaml');
    expect(() => run({ siteFile: bad })).toThrow(/prometheus\.address/);
    expect(snapshotTree(first.outDir)).toEqual(before);
  });

  test('a successful synth over an existing dist/ removes files the new render no longer has', () => {
    const stale = path.join(first.outDir, 'monitoring', 'stale.yaml');
    fs.writeFileSync(stale, 'kind: ConfigMap\n');
    run();
    expect(fs.existsSync(stale)).toBe(false);
    expect(snapshotTree(first.outDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });
});
