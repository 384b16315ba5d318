import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotTree } from '../support/dist-tree';
import { tempDir, writeSiteFile } from '../support/synth-once';
import { synthesize, synthesizeAll } from '../../render/synthesize';
import { SiteError } from '../../site';
import { TalosBundleStateError } from '../../talos/secrets-store';

describe('where key material may live', () => {
  test.each([
    ['inside dist/', 'dist/keys'],
    ['inside dist/ under a name that starts with two dots', 'dist/..keys'],
    ['dist/ itself', 'dist'],
    ['a parent of dist/', '.'],
  ])('fails when the secrets directory is %s, before anything is written', async (_label, secretsDir) => {
    const root = tempDir('overlap-');
    synthesize({ projectRoot: root, outDir: 'dist', secretsDir: path.join(root, 'elsewhere') });
    const before = snapshotTree(path.join(root, 'dist'));
    const site = writeSiteFile(root, `talos: { secretsDir: ${JSON.stringify(secretsDir)} }`);
    await expect(synthesizeAll({ siteFile: site, projectRoot: root, outDir: 'dist' })).rejects.toThrow(SiteError);
    await expect(synthesizeAll({ siteFile: site, projectRoot: root, outDir: 'dist' })).rejects.toThrow(/talos\.secretsDir: .* overlaps the output directory/);
    expect(snapshotTree(path.join(root, 'dist'))).toEqual(before);
    expect(fs.existsSync(path.join(root, 'dist', 'keys'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'dist', '..keys'))).toBe(false);
  });

  test('fails when the secrets directory lies in a git work tree that does not ignore it, before anything is written', async () => {
    const root = tempDir('unignored-');
    execFileSync('git', ['init', '-q'], { cwd: root });
    await expect(synthesizeAll({ projectRoot: root, outDir: 'dist' })).rejects.toThrow(SiteError);
    await expect(synthesizeAll({ projectRoot: root, outDir: 'dist' })).rejects.toThrow(/talos\.secretsDir: ".secrets" \(.*\) lies in the git work tree of .* and is not git-ignored \(or already has tracked files\), so key material could be committed; add \.secrets\/ to \.gitignore and `git rm -r --cached`/);
    expect(fs.readdirSync(root)).toEqual(['.git']);
    // With the directory ignored the same project synthesizes.
    fs.writeFileSync(path.join(root, '.gitignore'), '.secrets/\n');
    await synthesizeAll({ projectRoot: root, outDir: 'dist' });
    expect(fs.existsSync(path.join(root, '.secrets', 'talos', 'secrets.yaml'))).toBe(true);
    // Ignored, but a file in it already tracked: the ignore rule would not keep the rest out.
    execFileSync('git', ['add', '-f', '.secrets/talos/talosconfig'], { cwd: root });
    await expect(synthesizeAll({ projectRoot: root, outDir: 'dist' })).rejects.toThrow(/already has tracked files.*git rm -r --cached/);
  });

  test('fails when machine configs exist but their bundle is gone, instead of minting new CAs', async () => {
    // GIVEN a project whose bundle was lost after configs were made from it
    const root = tempDir('orphans-');
    const nodes = path.join(root, '.secrets', 'talos', 'nodes');
    fs.mkdirSync(nodes, { recursive: true });
    fs.writeFileSync(path.join(nodes, 'talos-cp-1.yaml'), 'version: v1alpha1\n');
    // WHEN synth runs THEN it refuses and creates no bundle
    await expect(synthesizeAll({ projectRoot: root, outDir: 'dist' })).rejects.toThrow(TalosBundleStateError);
    await expect(synthesizeAll({ projectRoot: root, outDir: 'dist' })).rejects.toThrow(/secrets\.yaml is missing but .*nodes holds machine configs .*talos-cp-1\.yaml.*import FILE/);
    expect(fs.existsSync(path.join(root, '.secrets', 'talos', 'secrets.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'dist'))).toBe(false);
  });
});
