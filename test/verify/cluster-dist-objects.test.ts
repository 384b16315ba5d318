/**
 * readDistObjects reads what the GitOps controllers apply: the directories dist/gitops points
 * at, built as kustomize builds them. Checked against kustomize itself on a synthesized tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as YAML from 'yaml';
import { VerifyError } from '../../verify/errors';
import { layerDirectories, readDeliveryObjects, readDistObjects } from '../../verify/cluster/dist-objects';
import { kustomizeCommand } from '../support/binaries';
import { SECOND_SITE } from '../support/second-site';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';
import { generateAgeKeyPair } from '../../encryption';
import { synthesizeAll } from '../../render/synthesize';

const key = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
const LAYERS = ['platform/base', 'platform/custom-resources', 'monitoring', 'platform/backups'];

describe('readDistObjects', () => {
  const { outDir } = synthToTemp();
  const kustomize = kustomizeCommand('readDistObjects against kustomize build');
  const testWithKustomize = kustomize ? test : test.skip;

  test('the layers are the directories the Argo CD Applications and Flux Kustomizations point at, in their order', () => {
    expect(layerDirectories(outDir)).toEqual(LAYERS);
  });

  testWithKustomize('the objects are exactly those kustomize builds from those directories, each with its dist/-relative file', () => {
    const [bin, ...args] = kustomize!;
    const built = LAYERS.flatMap((dir) => {
      const r = spawnSync(bin, [...args, path.join(outDir, dir)], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS());
    });
    const objects = readDistObjects(outDir);
    expect(objects.map(key).sort()).toEqual(built.map(key).sort());
    // The same content, not only the same names.
    for (const o of objects) {
      const { file: _f, ...plain } = o;
      expect(plain).toEqual(built.find((b) => key(b) === key(o)));
    }
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'grafana')!.file).toBe('monitoring/grafana.yaml');
    expect(objects.some((o) => o.file.startsWith('gitops/'))).toBe(false);
  });

  test('the delivery objects are dist/gitops\'s, each once (the AppProject is in two kustomizations)', () => {
    const delivery = readDeliveryObjects(outDir);
    expect(delivery.map(key)).toEqual([...new Set(delivery.map(key))]);
    const projects = YAML.parseAllDocuments(fs.readFileSync(path.join(outDir, 'gitops/argocd/project/argocd-project.yaml'), 'utf8')).filter((d) => d.get('kind') === 'AppProject');
    expect(delivery.filter((o) => o.kind === 'AppProject')).toHaveLength(projects.length);
    expect(delivery.filter((o) => o.kind === 'Application').length).toBe(6);
    expect(delivery.some((o) => o.kind === 'GitRepository')).toBe(true);
  });

  test('a site that keeps dist/ elsewhere in its repository (gitops.path clusters/east) resolves to the same directories', () => {
    const second = synthToTemp(writeSiteFile(tempDir('second-site-'), YAML.stringify(SECOND_SITE)));
    const paths = readDeliveryObjects(second.outDir).filter((o) => o.kind === 'Application').map((o) => (o.spec as { source: { path?: string } }).source.path);
    expect(paths).toContain('clusters/east/monitoring');
    expect(layerDirectories(second.outDir)).toEqual(LAYERS);
  });

  test('an encrypted site: the Secrets of the Flux layer and of the KSOPS build, each once, values dropped and marked encrypted', async () => {
    const root = tempDir('encrypted-site-');
    const { recipient } = await generateAgeKeyPair();
    const site = writeSiteFile(root, YAML.stringify({ secrets: { encryption: 'sops-age', ageRecipients: [recipient] } }));
    await synthesizeAll({ siteFile: site, projectRoot: root, outDir: 'dist', env: {} });
    const outDir = path.join(root, 'dist');
    expect(layerDirectories(outDir)).toEqual(['platform/base', 'platform/custom-resources', 'secrets/ksops', 'monitoring', 'platform/backups', 'secrets']);
    const secrets = readDistObjects(outDir).filter((o) => o.kind === 'Secret');
    expect(secrets.map((o) => o.metadata.name).sort()).toEqual(['alertmanager-web-auth', 'grafana-admin', 'prometheus-web-auth', 'pve-exporter', 'uptime-kuma-api-key']);
    for (const o of secrets) {
      expect(o.encrypted).toBe(true);
      expect(Object.keys(o).sort()).toEqual(['apiVersion', 'encrypted', 'file', 'kind', 'metadata', 'type']);
      expect(o.file).toBe(`secrets/${o.metadata.name}.sops.yaml`);
    }
    expect(readDistObjects(outDir).filter((o) => o.kind !== 'Secret').every((o) => o.encrypted === undefined)).toBe(true);
  });

  test('fails with "run npm run synth" when the directory holds no synthesized tree', () => {
    const empty = tempDir('no-dist-');
    expect(() => readDistObjects(empty)).toThrow(VerifyError);
    expect(() => readDistObjects(path.join(empty, 'missing'))).toThrow(/holds no synthesized GitOps tree/);
    try { readDistObjects(empty); } catch (e) { expect((e as VerifyError).next).toMatch(/npm run synth/); }
  });

  test('fails when a kustomization.yaml is damaged, naming the file and npm run synth, not with a raw parse error', () => {
    // GIVEN a copy of dist/ whose monitoring kustomization.yaml is cut off mid-list, or is a list
    const copy = tempDir('damaged-dist-');
    fs.cpSync(outDir, copy, { recursive: true });
    const file = path.join(copy, 'monitoring', 'kustomization.yaml');
    const refusal = () => {
      try { readDistObjects(copy); } catch (e) { return e; }
      throw new Error('expected readDistObjects to fail');
    };
    fs.writeFileSync(file, 'resources: [grafana.yaml\n');
    // WHEN / THEN
    const broken = refusal();
    expect(broken).toBeInstanceOf(VerifyError);
    expect((broken as VerifyError).message).toMatch(/^dist\/monitoring\/kustomization\.yaml is not valid YAML: /);
    expect((broken as VerifyError).next).toBe('run npm run synth to regenerate dist/');
    fs.writeFileSync(file, '- grafana.yaml\n');
    expect(refusal()).toMatchObject({ name: 'VerifyError', message: 'dist/monitoring/kustomization.yaml is not a kustomization (a YAML mapping)', next: 'run npm run synth to regenerate dist/' });
    fs.writeFileSync(file, 'resources: grafana.yaml\n');
    expect((refusal() as VerifyError).message).toBe('dist/monitoring/kustomization.yaml: resources is not a list of paths');
  });

  test('fails on a kustomization feature it does not model, rather than reading other objects than kustomize would', () => {
    const copy = tempDir('patched-dist-');
    fs.cpSync(outDir, copy, { recursive: true });
    const file = path.join(copy, 'monitoring', 'kustomization.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}namePrefix: x-\n`);
    expect(() => readDistObjects(copy)).toThrow(/dist\/monitoring\/kustomization\.yaml uses namePrefix, which verify does not model/);
  });
});
