/**
 * Fuzzing the site file: random field-level mutations of a valid site (types, ranges, deletions,
 * collisions between fields, small edits) each either validate, and then every renderer succeeds
 * and the output passes the strict validators, or fail with a SiteError whose every problem names
 * a field and a fix. Never another exception (the CLI would print a stack trace). A second run
 * goes through synthesize() on disk: a rejected site leaves dist/ byte-identical.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as YAML from 'yaml';
import { spawnSync } from 'node:child_process';
import { parseSiteText, SiteError, SiteSchema, type Site } from '../../site';
import { renderDist } from '../../render/pipeline';
import { synthesize } from '../../render/synthesize';
import { stackSecrets } from '../../charts/secrets/stack-secrets';
import { checkTalosConfig } from '../../talos/config-rules';
import { renderNodeMachineConfigs, talosContract } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { crdValidator } from '../support/crd-schemas';
import { snapshotTree } from '../support/dist-tree';
import { kubernetesValidator, schemaVersionFor } from '../support/k8s-schemas';
import { SECOND_SITE } from '../support/second-site';
import { sharedSecretsDir, tempDir } from '../support/synth-once';
import { readFixture } from '../talos/helpers';

type Json = Record<string, unknown>;
type Mutation =
  | { kind: 'delete'; path: string }
  | { kind: 'set'; path: string; value: unknown }
  | { kind: 'copy'; path: string; from: string }
  | { kind: 'nudge'; path: string; by: number };

/** Every path of an object, inner nodes included, array elements by index. */
function allPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Json);
  return entries.flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...allPaths(v, p)];
  });
}

function get(root: unknown, p: string): unknown {
  return p.split('.').reduce<unknown>((node, k) => (node && typeof node === 'object' ? (node as Json)[k] : undefined), root);
}

function set(root: Json, p: string, value: unknown, remove = false): void {
  const keys = p.split('.');
  const parent = keys.slice(0, -1).reduce<unknown>((node, k) => (node && typeof node === 'object' ? (node as Json)[k] : undefined), root);
  if (!parent || typeof parent !== 'object') return;
  const last = keys[keys.length - 1];
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Json)[last];
  } else {
    (parent as Json)[last] = value;
  }
}

function apply(base: Json, mutations: readonly Mutation[]): Json {
  const site = structuredClone(base);
  for (const m of mutations) {
    if (m.kind === 'delete') set(site, m.path, undefined, true);
    else if (m.kind === 'set') set(site, m.path, m.value);
    else if (m.kind === 'copy') set(site, m.path, structuredClone(get(site, m.from)));
    else {
      const v = get(site, m.path);
      if (typeof v === 'number') set(site, m.path, v + m.by);
      else if (typeof v === 'string') set(site, m.path, v.length > 0 ? `${v.slice(0, -1)}${String.fromCharCode(v.charCodeAt(v.length - 1) + m.by)}` : v);
    }
  }
  return site;
}

const BASE = structuredClone(SECOND_SITE) as Json;
const PATHS = allPaths(BASE);
/** Values at the edges of what fields accept. */
const EDGES = [0, -1, 1, 0.5, 2.5, 3, 65535, 65536, 4094, 4095, 1e12, '', ' ', '0', 'x', '1d', '36h', '15s', '10.0.0.0/8', '172.20.42.1',
  '172.20.42.300', '::1', 'git@h:x', 'https://h', '/dev/sda', 'v1.12.3', 'v1.13.0', '1.37.0', '* * * * *', 'a'.repeat(70), [], {}, null];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: fc.constantFrom(...EDGES) }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constantFrom(...PATHS),
    value: fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -100000, max: 100000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
  }),
  fc.record({ kind: fc.constant('copy' as const), path: fc.constantFrom(...PATHS), from: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('nudge' as const), path: fc.constantFrom(...PATHS), by: fc.constantFrom(-1, 1, 10) }),
);

const SITE_SECTIONS = new Set(Object.keys(SiteSchema.shape));

/**
 * A readable problem: a field of the site (its section exists in the schema; a pseudo-field for
 * the YAML or the top level; one derived name like "(pve_exporter token)") and a message long
 * enough to say what is wrong and what to do.
 */
function problemIsUseful(p: { path: string; message: string }): boolean {
  // Segments may carry dashes: map keys such as a header name (prometheus.remoteWrite.0.headers.X-Scope-OrgID).
  const field = /^[a-zA-Z]\w*(\.[\w-]+)*$/.test(p.path) && SITE_SECTIONS.has(p.path.split('.')[0]);
  return (field || /^\((yaml|top level|file|[\w ]+)\)$/.test(p.path)) && p.message.length > 10;
}

describe('fuzzing the site file', () => {
  const secrets = parseSecretsBundle(readFixture('secrets.yaml'));
  let valid = 0;
  let rejected = 0;

  function render(site: Site, withSecrets: boolean): void {
    const files = renderDist(site);
    for (const node of renderNodeMachineConfigs(site, secrets)) {
      const problems = checkTalosConfig(node.documents, talosContract(site));
      if (problems.length > 0) throw new Error(`Talos rules refuse the machine config of ${node.hostname}: ${problems.join('; ')}`);
    }
    // The generated Secrets cost a quarter second each (bcrypt): a sample of the valid sites.
    if (withSecrets) stackSecrets(site, () => 'fuzz');
    const k8s = kubernetesValidator(schemaVersionFor(site.kubernetes.version).version);
    const manifestDirs = new Set(files.filter((f) => f.path.endsWith('/kustomization.yaml')).map((f) => path.posix.dirname(f.path)));
    for (const f of files.filter((x) => manifestDirs.has(path.posix.dirname(x.path)) && !x.path.endsWith('kustomization.yaml'))) {
      for (const doc of YAML.parseAllDocuments(f.content).map((d) => d.toJS() as Json)) {
        const group = String(doc.apiVersion).split('/')[0];
        if (group === 'talos.dev') continue; // no schema for Talos' own CRD
        const errors = group.includes('.') && !group.endsWith('.k8s.io') ? crdValidator().validate(doc).errors : k8s.validate(doc);
        if (errors.length > 0) throw new Error(`${f.path} ${String(doc.kind)}: ${errors.join('; ')}`);
      }
    }
  }

  // No time bound here: speed is measured by `npm run bench`, not by a timed test on a shared machine.
  test('1,000 mutated sites are rendered and strictly valid, or rejected naming a field; nothing else', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const text = YAML.stringify(apply(BASE, mutations));
      let site: Site;
      try {
        site = parseSiteText(text, 'fuzz.yaml').site;
      } catch (err) {
        if (!(err instanceof SiteError)) throw err;
        expect(err.problems.filter((p) => !problemIsUseful(p))).toEqual([]);
        rejected += 1;
        return;
      }
      valid += 1;
      // Every valid site renders and its manifests are checked against the strict schemas.
      render(site, valid % 20 === 1);
    }), { numRuns: Number(process.env.FUZZ_RUNS ?? 1000), seed: 20261202 });
    if (process.env.FUZZ_RUNS) console.log(`valid ${valid} rejected ${rejected}`);
    // Both outcomes were exercised, so the property checked something on each side.
    expect(valid).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(200);
  }, 600000);

  test('through the CLI: rejected mutated sites exit 1 with the problems and no stack trace; an accepted one exits 0', () => {
    const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 2 }), { seed: 20261204, numRuns: 60 })
      .map((m) => YAML.stringify(apply(BASE, m)));
    const accepted = (text: string) => { try { parseSiteText(text, 'x'); return true; } catch { return false; } };
    const picks = [...samples.filter((t) => !accepted(t)).slice(0, 2), samples.find(accepted)!];
    const root = tempDir('fuzz-cli-');
    picks.forEach((text, i) => {
      const file = path.join(root, `site-${i}.yaml`);
      // Key material of the accepted one goes to a temporary directory, not the checkout's.
      fs.writeFileSync(file, accepted(text) ? text.replace(/secretsDir: .*/, `secretsDir: ${path.join(root, 'keys')}`) : text);
      const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'main.ts', '--site', file, '--out', path.join(root, `dist-${i}`)],
        { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/^\s+at /m);
      if (accepted(text)) {
        expect({ status: r.status, stderr: r.stderr.split('\n').filter((l) => l.startsWith('error')) }).toEqual({ status: 0, stderr: [] });
      } else {
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/^error: invalid site \(.*site-\d\.yaml\):\n {2}- \S+/);
        expect(r.stderr).toMatch(/nothing was written\.\n$/);
      }
    });
  }, 120000);

  test('a rejected site file changes nothing on disk; an accepted one writes a complete dist/', () => {
    const root = tempDir('fuzz-disk-');
    const outDir = path.join(root, 'dist');
    synthesize({ projectRoot: root, outDir, secretsDir: sharedSecretsDir() });
    const file = path.join(root, 'site.yaml');
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), (mutations) => {
      const before = snapshotTree(outDir);
      fs.writeFileSync(file, YAML.stringify(apply(BASE, mutations)));
      try {
        synthesize({ siteFile: file, projectRoot: root, outDir, secretsDir: sharedSecretsDir() });
      } catch (err) {
        if (!(err instanceof SiteError)) throw err;
        expect(snapshotTree(outDir)).toEqual(before);
        return;
      }
      expect(fs.existsSync(path.join(outDir, 'monitoring', 'kustomization.yaml'))).toBe(true);
    }), { numRuns: 25, seed: 20261203 });
  }, 120000);
});
