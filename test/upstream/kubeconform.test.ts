/**
 * kubeconform -strict (yannh/kubeconform, built by test/upstream/build.sh) over every manifest the
 * synthesizer writes, with schemas generated from ../shared/schemas: a second, independent
 * implementation (Go, santhosh-tekuri/jsonschema) beside the ajv harness in test/kubernetes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadSite, parseSite } from '../../site';
import { describeWithBinary, run } from '../support/binaries';
import { CRDS_NOT_IN_SHARED } from '../support/crd-schemas';
import { listFiles, manifestDirs, readObjects } from '../support/dist-tree';
import { schemaVersionFor } from '../support/k8s-schemas';
import { SCHEMA_LOCATION_TEMPLATE, writeKubeconformSchemas } from '../support/kubeconform-schemas';
import { SECOND_SITE, SECOND_SITE_ENCRYPTED } from '../support/second-site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';
import { CSI_SITE_INPUT } from '../support/csi-site';
import { decryptSopsYaml, generateAgeKeyPair, treeToObject } from '../../encryption';
import { synthesizeAll } from '../../render/synthesize';
import { pinnedModule } from './pins';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';

/** Kinds with no schema anywhere in ../shared, skipped by GVK (never by kind alone). */
const NO_UPSTREAM_SCHEMA = CRDS_NOT_IN_SHARED;
const SKIP = Object.keys(NO_UPSTREAM_SCHEMA).map((k) => k.replace('|', '/')).join(',');

interface KubeconformResource { filename: string; kind: string; name: string; version: string; status: string; msg: string }

/** Every manifest file of a synthesized tree (the kustomization.yaml files are kustomize's, not objects). */
function manifestFiles(outDir: string): string[] {
  const dirs = new Set(manifestDirs(outDir));
  return listFiles(outDir)
    .filter((f) => dirs.has(path.dirname(f)) && /\.ya?ml$/.test(f) && path.basename(f) !== 'kustomization.yaml')
    .map((f) => path.join(outDir, f));
}

function kubeconform(schemaDir: string, files: string[]): { status: number | null; resources: KubeconformResource[]; output: string } {
  const result = run('kubeconform', ['-strict', '-verbose', '-skip', SKIP, '-output', 'json', '-schema-location', path.join(schemaDir, SCHEMA_LOCATION_TEMPLATE), ...files]);
  const start = result.output.indexOf('{');
  const parsed = start >= 0 ? (JSON.parse(result.output.slice(start, result.output.lastIndexOf('}') + 1)) as { resources: KubeconformResource[] }) : { resources: [] };
  return { status: result.status, resources: parsed.resources ?? [], output: result.output };
}

describeWithBinary('kubeconform', 'kubeconform -strict accepts every synthesized manifest', () => {
  const sites = [
    ['the default site', undefined],
    ['the second site', writeSiteFile(tempDir('kubeconform-site-'), YAML.stringify(SECOND_SITE))],
    ['three control planes and two workers on three hosts', writeSiteFile(tempDir('kubeconform-site-'), YAML.stringify(WORKERS_SITE_INPUT))],
    ['the same hosts with the Proxmox CSI plugin and Prometheus/Alertmanager replicas', writeSiteFile(tempDir('kubeconform-site-'), YAML.stringify(CSI_SITE_INPUT))],
  ] as const;

  test('is the pinned release', () => {
    expect(run('kubeconform', ['-v']).output.trim()).toBe(pinnedModule('kubeconform', 'github.com/yannh/kubeconform'));
  });

  describe.each(sites)('%s', (_label, siteFile) => {
    const { outDir } = synthToTemp(siteFile);
    const objects = readObjects(outDir);
    const version = schemaVersionFor((siteFile ? parseSite(YAML.parse(fs.readFileSync(siteFile, 'utf8'))) : loadSite()).site.kubernetes.version).version;
    const schemaDir = tempDir('kubeconform-schemas-');
    const kinds = [...new Map(objects.map((o) => [`${o.apiVersion}|${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }])).values()];
    const covered = writeKubeconformSchemas(schemaDir, kinds, version);

    test('every kind the tree uses has an upstream schema, except those listed with a reason', () => {
      expect(kinds.map((k) => `${k.apiVersion}|${k.kind}`).filter((k) => !covered.includes(k))).toEqual(Object.keys(NO_UPSTREAM_SCHEMA));
    });

    test('every object is valid; only the listed kinds are skipped', () => {
      const { status, resources, output } = kubeconform(schemaDir, manifestFiles(outDir));
      const skipped = resources.filter((r) => r.status === 'statusSkipped');
      const problems = resources.filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped').map((r) => `${path.relative(outDir, r.filename)} ${r.kind}/${r.name}: ${r.status} ${r.msg}`);
      expect(problems).toEqual([]);
      expect(skipped.map((r) => `${r.version}|${r.kind}`)).toEqual(objects.filter((o) => `${o.apiVersion}|${o.kind}` in NO_UPSTREAM_SCHEMA).map((o) => `${o.apiVersion}|${o.kind}`));
      expect(resources.length).toBe(objects.length);
      expect(status).toBe(0);
      expect(output).not.toMatch(/could not find schema/);
    });
  });

  describe('the second site with SOPS encryption (sops-age, KSOPS for Argo CD)', () => {
    let outDir: string;
    let schemaDir: string;
    let files: string[];
    beforeAll(async () => {
      const keys = await generateAgeKeyPair();
      const root = tempDir('kubeconform-encrypted-');
      const site = { ...SECOND_SITE_ENCRYPTED, secrets: { ...SECOND_SITE_ENCRYPTED.secrets, ageRecipients: [keys.recipient], argocd: 'ksops' as const } };
      await synthesizeAll({ siteFile: writeSiteFile(root, YAML.stringify(site)), projectRoot: root, outDir: 'dist', env: {} });
      outDir = path.join(root, 'dist');
      // The encrypted files as Flux and KSOPS hand them to the API server: decrypted.
      const plainDir = tempDir('kubeconform-decrypted-');
      const encrypted = listFiles(outDir).filter((f) => f.startsWith('secrets/') && f.endsWith('.sops.yaml'));
      for (const f of encrypted) {
        const { tree } = await decryptSopsYaml(fs.readFileSync(path.join(outDir, f), 'utf8'), [keys.identity]);
        fs.writeFileSync(path.join(plainDir, path.basename(f)), YAML.stringify(treeToObject(tree)));
      }
      // The KSOPS generator is configuration for kustomize's exec plugin, never an object in the cluster.
      files = [
        ...manifestFiles(outDir).filter((f) => !f.endsWith('.sops.yaml') && !f.endsWith('secrets/ksops/secret-generator.yaml')),
        ...encrypted.map((f) => path.join(plainDir, path.basename(f))),
      ];
      const objects = files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS() as { apiVersion: string; kind: string }));
      schemaDir = tempDir('kubeconform-encrypted-schemas-');
      writeKubeconformSchemas(schemaDir, objects, schemaVersionFor(parseSite(site).site.kubernetes.version).version);
    });

    test('every object is valid, the Flux Kustomization with its decryption and the decrypted Secrets included', () => {
      const { status, resources } = kubeconform(schemaDir, files);
      const problems = resources.filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped').map((r) => `${r.kind}/${r.name}: ${r.status} ${r.msg}`);
      expect(problems).toEqual([]);
      expect(resources.filter((r) => r.kind === 'Secret' && r.status === 'statusValid').map((r) => r.name).sort())
        .toEqual(['am-login', 'chat-hook', 'dash-admin', 'deadmans-snitch', 'loki-bucket-key', 'mimir-push', 'prom-login', 'pve-csi-login', 'pve-exporter', 'smtp-login', 'status-metrics-key']);
      expect(resources.find((r) => r.kind === 'Kustomization' && r.name === 'lab-observability-secrets')?.status).toBe('statusValid');
      expect(status).toBe(0);
    });
  });

  describe('the check bites', () => {
    const { outDir } = synthToTemp();
    const objects = readObjects(outDir);
    const schemaDir = tempDir('kubeconform-bites-');
    writeKubeconformSchemas(schemaDir, objects, schemaVersionFor(loadSite().site.kubernetes.version).version);
    const brokenCopy = (name: string, edit: (o: any) => void, pick: (o: any) => boolean) => {
      const source = objects.find(pick)!;
      const { file: _file, ...copy } = JSON.parse(JSON.stringify(source));
      edit(copy);
      const file = path.join(tempDir('kubeconform-broken-'), `${name}.yaml`);
      fs.writeFileSync(file, YAML.stringify(copy));
      return kubeconform(schemaDir, [file]);
    };

    test('an unknown container field is rejected by name', () => {
      const result = brokenCopy('unknown-field', (o) => { o.spec.template.spec.containers[0].imagePullPolicyy = 'Always'; }, (o) => o.kind === 'StatefulSet');
      expect(result.status).not.toBe(0);
      expect(result.resources[0].msg).toMatch(/additional properties 'imagePullPolicyy' not allowed/);
    });

    test('a custom resource with a misspelt field is rejected by its CRD schema', () => {
      const result = brokenCopy('crd-field', (o) => { o.spec.destinaton = o.spec.destination; delete o.spec.destination; }, (o) => o.kind === 'Application');
      expect(result.status).not.toBe(0);
      expect(result.resources[0].msg).toMatch(/destinaton/);
    });

    test('a custom resource with a misspelt metadata field is rejected (metadata is ObjectMeta)', () => {
      const result = brokenCopy('crd-metadata', (o) => { o.metadata.namspace = o.metadata.namespace; delete o.metadata.namespace; }, (o) => o.kind === 'Application');
      expect(result.status).not.toBe(0);
      expect(result.resources[0].msg).toMatch(/additional properties 'namspace' not allowed/);
    });

    test('a kind with no schema fails instead of passing unchecked', () => {
      const result = brokenCopy('no-schema', (o) => { o.apiVersion = 'apps/v1beta2'; }, (o) => o.kind === 'StatefulSet');
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/could not find schema for StatefulSet/);
    });
  });
});
