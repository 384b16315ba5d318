/**
 * A site that differs from the default in every field the schema has (test/support/second-site.ts)
 * is synthesized whole, Talos included, as a new user would; then no default value may appear
 * anywhere in dist/ or the secrets directory, except the explicit exceptions listed below, each
 * with its reason. A value that does not follow the site shows up here as a default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseSite, type Site } from '../../site';
import { synthesizeAll } from '../../render/synthesize';
import { listFiles } from '../support/dist-tree';
import { SECOND_SITE_ENCRYPTED as SECOND_SITE } from '../support/second-site';
import { tempDir } from '../support/synth-once';

type Json = Record<string, unknown>;

/** Every leaf of an object, as dotted path -> value (array elements by index). */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[prefix, value]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Json);
  if (entries.length === 0) return [[prefix, value]];
  return entries.flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** Property paths of the published JSON schema (arrays as `[]`), down to the leaves. */
function schemaPaths(schema: Json, prefix = ''): string[] {
  const props = schema.properties as Record<string, Json> | undefined;
  if (props) return Object.entries(props).flatMap(([k, v]) => schemaPaths(v, prefix ? `${prefix}.${k}` : k));
  const items = schema.items as Json | undefined;
  if (items && (items.properties || items.items)) return schemaPaths(items, `${prefix}[]`);
  return [prefix];
}

/**
 * Default values that may appear in the output of a site that sets them all differently.
 * `value` is the default, `where` the files, `why` the reason.
 */
const ALLOWED: readonly { value: string; where: RegExp; line?: RegExp; why: string }[] = [
  ...['grafana-admin', 'alertmanager-web-auth', 'prometheus-web-auth'].map((value) => ({
    value, where: /kubernetes\/monitoring-secrets\.yaml$|secrets\/[\w-]+\.sops\.yaml$/, line: /^monitoring-stack\/generated-secret: /,
    why: 'the role label that identifies each generated Secret across renames, not its name',
  })),
  { value: 'none', where: /\.json$|grafana\.yaml$|lxc\/README\.md$/, why: 'a word (Grafana panel options graphMode/dedupStrategy, prose), not secrets.encryption' },
  { value: 'siderolabs/qemu-guest-agent', where: /\.keys\/talos\/nodes\/|proxmox\/(?:[a-z0-9-]+\/)?create-talos-vms\.sh/, why: 'the second site keeps the agent on purpose (Proxmox needs it), beside another extension' },
  { value: 'dist', where: /\.md$|\.sh$|\.conf$|comparison\.json$|\.fw$/, line: /dist\//, why: 'the local output directory is dist/ whatever gitops.path says; docs and scripts name it' },
  { value: '30s', where: /alertmanager\.ya?ml$/, why: 'Alertmanager\'s route group_wait (its documented default), not the evaluation interval' },
  { value: '101', where: /monitoring\/exporters\.yaml$/, why: 'the pve_exporter image\'s user and group id, not a guest VMID' },
  { value: 'nothing', where: /./, why: 'an English word, not availability.tolerate, which never appears in the output' },
  { value: 'volume', where: /./, why: 'an English word (a volume, its volume) and Kubernetes\' volume fields, not grafana.storage, which never appears in the output' },
  { value: 'none', where: /runbooks\.md$/, why: 'a word in the runbooks (cache=none, "scrapes none"), not secrets.encryption' },
  { value: 'local-path', where: /runbooks\.md$/, why: 'the provisioner local-path in the runbooks\' prose, not the StorageClass name' },
  ...['wazuh', 'uptime-kuma'].map((value) => ({ value, where: /runbooks\.md$/, line: /\*\*Group:\*\* |job uptime-kuma/, why: 'a rule group or job named after the integration, not the guest' })),
  { value: 'local-path', where: /local-path-provisioner\.yaml$|namespaces\.yaml$|create-talos-vms\.sh$|grafana\.yaml$|kubernetes-talos\.json$/, why: 'the product local-path-provisioner (provisioner rancher.io/local-path), not the StorageClass name' },
  // The comparison names the site's class (node-disk) and says what serves it: local-path volumes.
  { value: 'local-path', where: /comparison\/(COMPARISON\.md|comparison\.json)$/, line: /local-path volumes|instead of local-path/, why: 'local-path volumes (the provisioner\'s), beside the site\'s class name' },
];

describe('a site that differs from the default in every field', () => {
  const defaults = parseSite({}).site;
  const site: Site = parseSite(SECOND_SITE).site;

  test('sets every field the published schema has (a new field must be added to the second site)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../site.schema.json'), 'utf8')) as Json;
    const set = new Set(leaves(SECOND_SITE).map(([p]) => p.replace(/\.\d+(?=\.|$)/g, '[]')));
    const missing = schemaPaths(schema).filter((p) => ![...set].some((s) => s === p || s.startsWith(`${p}.`) || s.startsWith(`${p}[]`)));
    expect(missing).toEqual([]);
  });

  test('differs from the default in every leaf the default has', () => {
    const other = new Map(leaves(site));
    // A node's role has two values and a cluster needs three control planes: the second site's
    // first three nodes are control planes like the default's (tests with workers: test/support/workers-site.ts).
    const same = leaves(defaults).filter(([p, v]) => other.has(p) && other.get(p) === v && typeof v !== 'boolean' && !/^talos\.nodes\.\d+\.role$/.test(p));
    expect(same).toEqual([]);
  });

  test('no default value appears in dist/ or the secrets directory, except the listed quotations', async () => {
    const root = tempDir('every-field-');
    fs.writeFileSync(path.join(root, 'site.yaml'), YAML.stringify(SECOND_SITE));
    await synthesizeAll({ siteFile: path.join(root, 'site.yaml'), projectRoot: root, outDir: 'dist' });
    const files = ['dist', '.keys'].flatMap((dir) => listFiles(path.join(root, dir)).map((f) => `${dir}/${f}`));
    expect(files.some((f) => f.startsWith('.keys/talos/nodes/kube-a.yaml'))).toBe(true);

    // Distinctive defaults: strings of three or more characters, and the numbers that name things
    // (VMIDs, the syslog port); sizes and counts are too common as numbers to search for.
    const needles = leaves(defaults)
      .filter(([p, v]) => (typeof v === 'string' && v.length >= 3) || (typeof v === 'number' && /(vmid|syslog\.port)$/.test(p)))
      .map(([p, v]) => ({ path: p, value: String(v) }))
      // A guest role is a fixed vocabulary (the integration's name, its job, files and rule group);
      // the second site can only reorder it. Its guests' names are searched for below.
      .filter((n) => !/^proxmox\.guests\.\d+\.role$/.test(n.path))
      // So is a Talos node's role (machine.type: controlplane in its config).
      .filter((n) => !/^talos\.nodes\.\d+\.role$/.test(n.path));
    // The report's guests are named after their roles: such a name leaks only where a guest's name goes.
    const roleNames = new Set(leaves(defaults).filter(([p]) => /^proxmox\.guests\.\d+\.role$/.test(p)).map(([, v]) => String(v)));
    const hits: string[] = [];
    // The chart's vector coordinates are numbers, not values of the site.
    for (const file of files.filter((f) => !f.endsWith('.svg'))) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const n of needles) {
        const escaped = n.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // "monitoring" is also a word and the fixed dist/ directory: look for it only where it names the namespace.
        const re = n.path === 'kubernetes.namespace'
          ? new RegExp(`namespace: ${escaped}\\b|\\.${escaped}\\.svc|-n ${escaped}\\b|namespaces/${escaped}\\b`, 'g')
          : roleNames.has(n.value) && /\.name$/.test(n.path)
            ? new RegExp(`(?:(?<!user|job_|- )name\\W{0,4}|host\\W{0,4}|- \\\`)${escaped}(?![\\w-])|(?<![\\w.-])${escaped} \\(`, 'g')
            : new RegExp(`(?<![\\w.-])${escaped}(?![\\w-]|\\.\\d)`, 'g');
        for (const m of text.matchAll(re)) {
          const line = text.slice(0, m.index).split('\n').length;
          const content = text.split('\n')[line - 1].trim();
          if (ALLOWED.some((a) => a.value === n.value && a.where.test(file) && (!a.line || a.line.test(content)))) continue;
          hits.push(`${file}:${line} ${n.path}=${n.value}: ${text.split('\n')[line - 1].trim().slice(0, 120)}`);
        }
      }
    }
    if (process.env.EVERY_FIELD_HITS) fs.writeFileSync(process.env.EVERY_FIELD_HITS, hits.join('\n'));
    expect(hits).toEqual([]);
  });
});
