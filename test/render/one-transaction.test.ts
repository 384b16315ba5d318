/**
 * synth is one transaction over every output: the Talos machine configs and talosconfig, the
 * generated Secrets and dist/ are all rendered before anything is written, and a failure at any
 * step — a renderer after Talos, the dist/ check, a write in the secrets directory, the dist/
 * swap — leaves .secrets/ and dist/ byte-identical (and creates no key material on a first run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pipeline from '../../render/pipeline';
import * as stackSecretsModule from '../../charts/secrets/stack-secrets';
import { synthesizeAll } from '../../render/synthesize';
import { snapshotTree } from '../support/dist-tree';
import { tempDir, writeSiteFile } from '../support/synth-once';

// The module object itself (its properties are writable), not the import's read-only wrapper.
const nodeFs = require('node:fs') as typeof fs; // eslint-disable-line @typescript-eslint/no-require-imports

/** Every file below the project root (dist/ and .secrets/), with content and mode. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of ['dist', '.secrets']) {
    const full = path.join(root, dir);
    for (const [file, content] of Object.entries(snapshotTree(full))) {
      out[`${dir}/${file}`] = `${(fs.statSync(path.join(full, file)).mode & 0o777).toString(8)} ${content}`;
    }
  }
  return out;
}

/** A site whose Talos configs, talosconfig and dist/ all differ from the default's. */
const CHANGED_SITE = [
  'network: { ntpServers: [ntp.example.org] }',
  'talos: { nodes: [{ hostname: node-a, address: 10.70.0.21, vmid: 211 }, { hostname: node-b, address: 10.70.0.22, vmid: 212 }, { hostname: node-c, address: 10.70.0.23, vmid: 213 }] }',
  'prometheus: { retention: 30d }',
].join('\n');

describe('one transaction for all outputs', () => {
  let root: string;
  let before: Record<string, string>;
  const rerun = () => synthesizeAll({ siteFile: path.join(root, 'changed.yaml'), projectRoot: root, outDir: 'dist' });

  beforeAll(async () => {
    root = tempDir('transaction-');
    await synthesizeAll({ projectRoot: root, outDir: 'dist' });
    writeSiteFile(root, CHANGED_SITE, 'changed.yaml');
    before = snapshot(root);
  });
  afterEach(() => jest.restoreAllMocks());

  test('the project holds both trees to protect, and the changed site would change both', async () => {
    expect(Object.keys(before).filter((f) => f.startsWith('.secrets/talos/nodes/'))).toHaveLength(3);
    expect(Object.keys(before).filter((f) => f.startsWith('dist/')).length).toBeGreaterThan(10);
    const copy = tempDir('transaction-copy-');
    fs.cpSync(root, copy, { recursive: true });
    await synthesizeAll({ siteFile: path.join(copy, 'changed.yaml'), projectRoot: copy, outDir: 'dist' });
    const after = snapshot(copy);
    const changed = (prefix: string) => Object.keys({ ...before, ...after }).filter((f) => f.startsWith(prefix) && before[f] !== after[f]);
    expect(changed('.secrets/talos/').length).toBeGreaterThanOrEqual(4);
    expect(changed('dist/').length).toBeGreaterThan(0);
  });

  test('fails when the dist/ renderer fails after Talos, and .secrets/ and dist/ are byte-identical', async () => {
    jest.spyOn(pipeline, 'renderDist').mockImplementation(() => { throw new Error('injected: renderer failed'); });
    await expect(rerun()).rejects.toThrow(/injected: renderer failed/);
    expect(snapshot(root)).toEqual(before);
  });

  test('fails when the dist/ check before the swap fails, and .secrets/ and dist/ are byte-identical', async () => {
    await expect(synthesizeAll({
      siteFile: path.join(root, 'changed.yaml'), projectRoot: root, outDir: 'dist',
      beforeSwap: () => { throw new Error('injected: staged tree rejected'); },
    })).rejects.toThrow(/injected: staged tree rejected/);
    expect(snapshot(root)).toEqual(before);
  });

  test('fails when a write in the secrets directory fails half-way, and what was written is undone', async () => {
    const realRename = nodeFs.renameSync;
    let renames = 0;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
      // The third secret file replaced (after two machine configs) fails.
      if (String(to).includes(`${path.sep}.secrets${path.sep}`) && ++renames === 3) throw new Error('injected: disk full');
      return realRename(from, to);
    });
    await expect(rerun()).rejects.toThrow(/injected: disk full/);
    jest.restoreAllMocks();
    expect(renames).toBe(3);
    expect(snapshot(root)).toEqual(before);
  });

  test('fails when the dist/ swap fails after the secrets were written, and the secrets are put back', async () => {
    const realRename = nodeFs.renameSync;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
      if (path.basename(String(from)).startsWith('.dist-staging-')) throw new Error('injected: swap failed');
      return realRename(from, to);
    });
    await expect(rerun()).rejects.toThrow(/injected: swap failed/);
    jest.restoreAllMocks();
    expect(snapshot(root)).toEqual(before);
  });

  test('a first run that fails creates no key material at all (the new bundle was only in memory)', async () => {
    const fresh = tempDir('transaction-first-');
    jest.spyOn(stackSecretsModule, 'stackSecretSpecs').mockImplementation(() => { throw new Error('injected: secrets renderer failed'); });
    await expect(synthesizeAll({ projectRoot: fresh, outDir: 'dist' })).rejects.toThrow(/injected: secrets renderer failed/);
    expect(fs.existsSync(path.join(fresh, '.secrets', 'talos', 'secrets.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(fresh, 'dist'))).toBe(false);
  });

  test('the same run without a failure replaces both, and removes the configs of nodes that left', async () => {
    await rerun();
    const after = snapshot(root);
    expect(Object.keys(after).filter((f) => f.startsWith('.secrets/talos/nodes/')).sort())
      .toEqual(['.secrets/talos/nodes/node-a.yaml', '.secrets/talos/nodes/node-b.yaml', '.secrets/talos/nodes/node-c.yaml']);
    expect(after['.secrets/talos/secrets.yaml']).toBe(before['.secrets/talos/secrets.yaml']);
    expect(after['dist/monitoring/prometheus.yaml']).not.toBe(before['dist/monitoring/prometheus.yaml']);
  });
});
