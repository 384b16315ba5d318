/**
 * The small pure parts of render/ pinned in-process (mutation testing, issue 18): file modes, the
 * path guard, the kustomizations, the README block, the encrypted layout and where synth finds
 * the age identities. Elsewhere they are reached only through whole synths, which a mutation run
 * cannot afford per mutant.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ApiObject, App, Chart } from 'cdk8s';
import { formatAgeKeyFile, generateAgeKeyPair, type AgeKeyPair } from '../../encryption/age';
import { ageKeyFile, loadAgeIdentities } from '../../render/age-identities';
import { encryptedSecretFiles, isEncrypting, secretsLayerFiles, TALOS_ENCRYPTED_FILES } from '../../render/encrypted-layout';
import { EncryptionKeyError } from '../../render/encryption-errors';
import { dashboardsOverviewSpec } from '../../render/dashboards-picture';
import { chartFiles } from '../../render/kubernetes-files';
import { kustomizationFiles, kustomizationYaml } from '../../render/kustomization';
import { fileMode } from '../../render/output-file';
import { isPathInside } from '../../render/paths';
import { parseSiteAndOutArgs } from '../../render/cli-args';
import { COMPARISON_END, COMPARISON_START, readmeWithComparison } from '../../render/readme-section';
import { comparisonHeadline } from '../../lxc';
import { parseSite, type SiteInput } from '../../site';

describe('command-line arguments', () => {
  test('each flag\'s missing value is named with an example of its own', () => {
    expect(() => parseSiteAndOutArgs(['--out'], {})).toThrow('--out needs a value, e.g. --out dist');
    expect(() => parseSiteAndOutArgs(['--site', 'a.yaml', '--out', '--site'], {})).toThrow('--out needs a value, e.g. --out dist');
    expect(() => parseSiteAndOutArgs(['--site'], {})).toThrow('--site needs a value, e.g. --site site.yaml');
    // An empty SITE is no site file: the embedded default is used.
    expect(parseSiteAndOutArgs([], { SITE: '' })).toEqual({ siteFile: undefined, outDir: undefined });
  });
});

describe('file modes and the path guard', () => {
  test('a file keeps its own mode; otherwise shell scripts are executable and the rest is not', () => {
    expect(fileMode({ path: 'a/b.yaml', content: '' })).toBe(0o644);
    expect(fileMode({ path: 'talos/create-vms.sh', content: '' })).toBe(0o755);
    expect(fileMode({ path: 'x.sh.txt', content: '' })).toBe(0o644);
    expect(fileMode({ path: 'key', content: '', mode: 0o600 })).toBe(0o600);
  });

  test('inside means the directory itself or below it, never a sibling with the same prefix', () => {
    expect(isPathInside('/work/dist', '/work/dist')).toBe(true);
    expect(isPathInside('/work/dist/monitoring/a.yaml', '/work/dist')).toBe(true);
    expect(isPathInside('/work/dist-old', '/work/dist')).toBe(false);
    expect(isPathInside('/work', '/work/dist')).toBe(false);
    expect(isPathInside('/etc/passwd', '/work/dist')).toBe(false);
    // A name that merely starts with two dots is inside: a secrets directory there would be in dist/.
    expect(isPathInside('/work/dist/..secrets', '/work/dist')).toBe(true);
    expect(isPathInside('/work/dist/../secrets', '/work/dist')).toBe(false);
  });
});

describe('chart files', () => {
  test('cluster-scoped objects lose the chart namespace cdk8s stamps on them; namespaced ones keep it', () => {
    const chart = new Chart(new App(), 'stack', { namespace: 'obs' });
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'obs', labels: { a: 'b' } } });
    new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    const [file] = chartFiles([{ dir: 'monitoring', chart }]);
    expect(file.path).toBe('monitoring/stack.yaml');
    expect(YAML.parseAllDocuments(file.content).map((d) => d.toJS().metadata)).toEqual([
      { name: 'obs', labels: { a: 'b' } },
      { name: 'reader' },
      { name: 'c', namespace: 'obs' },
    ]);
  });
});

describe('the dashboards picture', () => {
  test('each dashboard is drawn on Grafana\'s 24-column grid, with one colour legend for all, in sans-serif vega-lite v5', () => {
    const spec = dashboardsOverviewSpec(parseSite({}).site) as unknown as Record<string, any>;
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
    expect(spec.config.font).toBe('sans-serif');
    expect(spec.resolve).toEqual({ scale: { color: 'shared' } });
    for (const map of spec.concat) expect(map.layer[0].encoding.x.scale).toEqual({ domain: [0, 24] });
  });

  test('the subtitle says which path the picture is of', () => {
    const subtitle = (platform?: 'kubernetes' | 'lxc') => (dashboardsOverviewSpec(parseSite({}).site, platform) as unknown as { title: { subtitle: string[] } }).title.subtitle[1];
    expect(subtitle()).toBe('The LXC path provisions the same dashboards but "Kubernetes and Talos".');
    expect(subtitle('lxc')).toBe('The LXC path.');
  });
});

describe('kustomizations', () => {
  test('the resources are listed once each, sorted, under Kustomize\'s own apiVersion and kind', () => {
    expect(YAML.parse(kustomizationYaml(['b.yaml', 'a.yaml', 'b.yaml']))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml', 'b.yaml'],
    });
    expect(() => kustomizationYaml([])).toThrow('a kustomization needs at least one resource; do not emit an empty layer directory');
  });

  const files = [
    { path: 'monitoring/prometheus.yaml', content: '' },
    { path: 'monitoring/grafana.yml', content: '' },
    { path: 'monitoring/README.md', content: '' },
    { path: 'monitoring/old.yaml.orig', content: '' },
    { path: 'monitoring/deep/other.yaml', content: '' },
    { path: 'platform/base/metallb.yaml', content: '' },
    { path: 'platform/crds/crd.yaml', content: '' },
  ];

  test('one per directory, sorted, listing its own manifests and the directories it includes', () => {
    const out = kustomizationFiles(files, ['platform/base', 'monitoring', 'platform/crds'], new Map([['platform/base', ['platform/crds']]]));
    expect(out.map((f) => [f.path, YAML.parse(f.content).resources])).toEqual([
      ['monitoring/kustomization.yaml', ['grafana.yml', 'prometheus.yaml']],
      ['platform/base/kustomization.yaml', ['../crds', 'metallb.yaml']],
      ['platform/crds/kustomization.yaml', ['crd.yaml']],
    ]);
  });

  test('refuses a directory without manifests, a second kustomization, and an include that is not a layer', () => {
    expect(() => kustomizationFiles([{ path: 'empty/README.md', content: '' }], ['empty'])).toThrow('empty/ has no manifests; a layer directory must hold at least one .yaml file');
    expect(() => kustomizationFiles([...files, { path: 'monitoring/kustomization.yaml', content: '' }], ['monitoring']))
      .toThrow('monitoring/kustomization.yaml already exists; each directory gets exactly one');
    expect(() => kustomizationFiles(files, ['monitoring'], new Map([['monitoring', ['platform/base']]])))
      .toThrow('monitoring/kustomization.yaml cannot include platform/base: not another manifest directory');
    expect(() => kustomizationFiles(files, ['monitoring'], new Map([['monitoring', ['monitoring']]])))
      .toThrow('monitoring/kustomization.yaml cannot include monitoring: not another manifest directory');
  });
});

describe('the README comparison block', () => {
  const site = parseSite({}).site;

  test('replaces only what is between the markers, markers kept', () => {
    const out = readmeWithComparison(`head\n${COMPARISON_START}\nold text\n${COMPARISON_END}\ntail\n`, site);
    expect(out.startsWith(`head\n${COMPARISON_START}\n`)).toBe(true);
    expect(out.endsWith(`\n${COMPARISON_END}\ntail\n`)).toBe(true);
    expect(out).not.toContain('old text');
    // The block is the comparison's headline (lxc/, outside render/), linking into dist/comparison.
    expect(out.split(COMPARISON_START)[1].split(COMPARISON_END)[0]).toBe(`\n${comparisonHeadline(site, 'dist/comparison').trim()}\n`);
  });

  test('a README that starts with the block is rewritten too', () => {
    expect(readmeWithComparison(`${COMPARISON_START}\nold\n${COMPARISON_END}\n`, site).startsWith(`${COMPARISON_START}\n`)).toBe(true);
  });

  test('fails without both markers in order', () => {
    const missing = `README.md lacks the markers ${COMPARISON_START} … ${COMPARISON_END}`;
    expect(() => readmeWithComparison('no markers', site)).toThrow(missing);
    expect(() => readmeWithComparison(`${COMPARISON_END}\n${COMPARISON_START}`, site)).toThrow(missing);
    expect(() => readmeWithComparison(`${COMPARISON_START} only`, site)).toThrow(missing);
  });
});

describe('the encrypted layout', () => {
  let ENCRYPTED: SiteInput;
  beforeAll(async () => {
    ENCRYPTED = { name: 'lab', kubernetes: { namespace: 'obs' }, secrets: { encryption: 'sops-age', ageRecipients: [(await generateAgeKeyPair()).recipient] } };
  });
  const site = (input: SiteInput) => parseSite(input).site;

  test('nothing is encrypted or delivered without sops-age', () => {
    expect(isEncrypting(site({}))).toBe(false);
    expect(encryptedSecretFiles(site({}))).toEqual([]);
    expect(secretsLayerFiles(site({}))).toEqual([]);
  });

  test('generated Secrets first, then the operator\'s, each in its own .sops.yaml in the site\'s namespace', () => {
    const s = site(ENCRYPTED);
    expect(isEncrypting(s)).toBe(true);
    const files = encryptedSecretFiles(s);
    const firstOperator = files.findIndex((f) => f.source === 'operator');
    expect(firstOperator).toBeGreaterThan(0);
    expect(files.slice(firstOperator).every((f) => f.source === 'operator')).toBe(true);
    for (const f of files) {
      expect(f.path).toBe(`secrets/${f.name}.sops.yaml`);
      expect(f.namespace).toBe('obs');
    }
    expect(files.map((f) => f.name)).toContain('grafana-admin');
    expect(TALOS_ENCRYPTED_FILES).toEqual({ bundle: 'talos/secrets.sops.yaml', admin: 'talos/admin-client.sops.yaml', talosconfig: 'talos/talosconfig.sops.yaml' });
  });

  test('Flux gets a plain kustomization; Argo CD a KSOPS generator over the same files, named after the site', () => {
    const s = site(ENCRYPTED);
    const names = encryptedSecretFiles(s).map((f) => path.posix.basename(f.path)).sort();
    const [flux, generator, ksops] = secretsLayerFiles(s);
    expect(flux.path).toBe('secrets/kustomization.yaml');
    expect(YAML.parse(flux.content).resources).toEqual(names);
    expect(generator.path).toBe('secrets/ksops/secret-generator.yaml');
    expect(YAML.parse(generator.content)).toEqual({
      apiVersion: 'viaduct.ai/v1',
      kind: 'ksops',
      metadata: { name: 'lab-secrets', annotations: { 'config.kubernetes.io/function': 'exec:\n  path: ksops\n' } },
      files: names.map((n) => `../${n}`),
    });
    expect(ksops.path).toBe('secrets/ksops/kustomization.yaml');
    expect(YAML.parse(ksops.content)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', generators: ['secret-generator.yaml'] });
    expect(secretsLayerFiles(site({ ...ENCRYPTED, secrets: { ...ENCRYPTED.secrets, argocd: 'none' } })).map((f) => f.path)).toEqual(['secrets/kustomization.yaml']);
  });
});

describe('where synth finds the age identities', () => {
  let dir: string;
  let keys: AgeKeyPair[];
  beforeAll(async () => {
    keys = await Promise.all([generateAgeKeyPair(), generateAgeKeyPair(), generateAgeKeyPair()]);
  });
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'age-ids-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keyFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const created = new Date('2026-12-04T00:00:00Z');

  test('SOPS_AGE_KEY, then SOPS_AGE_KEY_FILE, then sops\' default file, then the secrets directory; each once', () => {
    const secretsDir = path.join(dir, 'secrets');
    expect(ageKeyFile(secretsDir)).toBe(path.join(secretsDir, 'age', 'keys.txt'));
    const own = keyFile('secrets/age/keys.txt', formatAgeKeyFile(keys[2], created));
    fs.chmodSync(own, 0o644);
    const envFile = keyFile('env-keys.txt', formatAgeKeyFile(keys[1], created));
    const xdg = path.join(dir, 'xdg');
    const sopsDefault = keyFile('xdg/sops/age/keys.txt', `${keys[0].identity}\n${keys[1].identity}\n`);
    const got = loadAgeIdentities(secretsDir, { SOPS_AGE_KEY: keys[0].identity, SOPS_AGE_KEY_FILE: envFile, XDG_CONFIG_HOME: xdg });
    expect(got).toEqual({
      identities: [keys[0].identity, keys[1].identity, keys[2].identity],
      sources: ['SOPS_AGE_KEY', envFile, sopsDefault, own],
      skipped: [],
    });
    // A copy restored with loose permissions is tightened before it is read.
    expect(fs.statSync(own).mode & 0o777).toBe(0o600);
  });

  test('sops\' default file is under HOME/.config without XDG_CONFIG_HOME; no source, no identities', () => {
    const file = keyFile('home/.config/sops/age/keys.txt', formatAgeKeyFile(keys[0], created));
    expect(loadAgeIdentities(path.join(dir, 'none'), { HOME: path.join(dir, 'home') })).toEqual({ identities: [keys[0].identity], sources: [file], skipped: [] });
    expect(loadAgeIdentities(path.join(dir, 'none'), {})).toEqual({ identities: [], sources: [], skipped: [] });
  });

  test('plugin identities are skipped with a count and why; a file of only plugins adds no source', () => {
    const one = loadAgeIdentities(path.join(dir, 'none'), { SOPS_AGE_KEY: `AGE-PLUGIN-YUBIKEY-1ABC\n${keys[0].identity}` });
    expect(one).toEqual({
      identities: [keys[0].identity],
      sources: ['SOPS_AGE_KEY'],
      skipped: ['SOPS_AGE_KEY: 1 plugin identity (AGE-PLUGIN-…) skipped: synth reads X25519 keys (AGE-SECRET-KEY-1…) only'],
    });
    // Lines end in \n or \r\n, mixed.
    const three = loadAgeIdentities(path.join(dir, 'none'), { SOPS_AGE_KEY: '  AGE-PLUGIN-A-1X\nAGE-PLUGIN-B-1Y\r\nAGE-PLUGIN-C-1Z' });
    expect(three).toEqual({ identities: [], sources: [], skipped: ['SOPS_AGE_KEY: 3 plugin identities (AGE-PLUGIN-…) skipped: synth reads X25519 keys (AGE-SECRET-KEY-1…) only'] });
  });

  test('a bad key, a missing SOPS_AGE_KEY_FILE and an unreadable file are errors that name their source', () => {
    const load = (env: NodeJS.ProcessEnv) => () => loadAgeIdentities(path.join(dir, 'none'), env);
    expect(load({ SOPS_AGE_KEY: 'AGE-SECRET-KEY-1NOPE' })).toThrow(EncryptionKeyError);
    expect(load({ SOPS_AGE_KEY: 'AGE-SECRET-KEY-1NOPE' })).toThrow(/^SOPS_AGE_KEY: age: .* is not an X25519 age identity.*; fix or replace that key file$/);
    const missing = path.join(dir, 'missing.txt');
    expect(load({ SOPS_AGE_KEY_FILE: missing })).toThrow(`SOPS_AGE_KEY_FILE names ${missing}, which does not exist; point it at your age key file or unset it`);
    const bad = keyFile('bad.txt', 'not a key\n');
    expect(load({ SOPS_AGE_KEY_FILE: bad })).toThrow(new RegExp(`^${bad}: age: "not a key…" is not an X25519 age identity`));
    const directory = path.join(dir, 'a-directory');
    fs.mkdirSync(directory);
    expect(load({ SOPS_AGE_KEY_FILE: directory })).toThrow(`${directory}: cannot read ${directory} (EISDIR)`);
  });
});
