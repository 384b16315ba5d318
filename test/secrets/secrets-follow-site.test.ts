/**
 * The generated Secrets file follows the site: a Secret renamed or moved to another namespace
 * keeps its values under the new name, a Secret the stack newly needs (an older file) is added,
 * and each change is reported; the values themselves are never made again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { synthesize, stackSecretsFile } from '../../render/synthesize';
import { tempDir, writeSiteFile } from '../support/synth-once';

type Json = Record<string, any>;
const read = (file: string): Json[] => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as Json);

describe('the generated Secrets follow the site', () => {
  const root = tempDir('follow-');
  const secretsDir = path.join(root, 'keys');
  const file = stackSecretsFile(secretsDir);
  const first = synthesize({ projectRoot: root, outDir: 'dist', secretsDir });
  const before = read(file);
  const values = (docs: Json[], name: string) => docs.find((d) => d.metadata.name === name)!.stringData;

  test('the first run creates them, labelled with what each one is', () => {
    expect(first.secretFiles).toEqual([{ path: file, created: true }]);
    expect(before.map((d) => [d.metadata.name, d.metadata.labels['monitoring-stack/generated-secret']])).toEqual([
      ['grafana-admin', 'grafana-admin'], ['alertmanager-web-auth', 'alertmanager-web-auth'], ['prometheus-web-auth', 'prometheus-web-auth'],
    ]);
  });

  test('an unchanged site leaves the file byte-identical and reports nothing', () => {
    const text = fs.readFileSync(file, 'utf8');
    const again = synthesize({ projectRoot: root, outDir: 'dist', secretsDir });
    expect(again.secretMessages).toEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('renamed Secrets in another namespace keep their values, and the run says so', () => {
    const site = writeSiteFile(root, 'kubernetes: { namespace: observability }\ngrafana: { adminSecret: dash-admin }\nalertmanager: { webAuthSecret: am-login }');
    const run = synthesize({ siteFile: site, projectRoot: root, outDir: 'dist', secretsDir });
    const after = read(file);
    expect(after.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['observability/dash-admin', 'observability/am-login', 'observability/prometheus-web-auth']);
    expect(values(after, 'dash-admin')).toEqual(values(before, 'grafana-admin'));
    expect(values(after, 'am-login')).toEqual(values(before, 'alertmanager-web-auth'));
    expect(values(after, 'prometheus-web-auth')).toEqual(values(before, 'prometheus-web-auth'));
    expect(run.secretMessages).toEqual([
      expect.stringMatching(/^Secret monitoring\/grafana-admin is now observability\/dash-admin in .*, values kept: apply it, then delete the old one$/),
      expect.stringMatching(/^Secret monitoring\/alertmanager-web-auth is now observability\/am-login/),
      expect.stringMatching(/^Secret monitoring\/prometheus-web-auth is now observability\/prometheus-web-auth/),
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a file from before a Secret existed gets it added with new values; the old values stay', () => {
    const dir = path.join(tempDir('legacy-'), 'keys');
    const legacyFile = stackSecretsFile(dir);
    fs.mkdirSync(path.dirname(legacyFile), { recursive: true });
    // What synth wrote before: no role labels, no Prometheus Secret.
    const legacy = before.slice(0, 2).map((d) => ({ ...d, metadata: { ...d.metadata, labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' } } }));
    fs.writeFileSync(legacyFile, legacy.map((d) => `---\n${YAML.stringify(d)}`).join(''), { mode: 0o600 });
    const run = synthesize({ projectRoot: path.dirname(dir), outDir: 'dist', secretsDir: dir });
    const after = read(legacyFile);
    expect(after.map((d) => d.metadata.name)).toEqual(['grafana-admin', 'alertmanager-web-auth', 'prometheus-web-auth']);
    expect(values(after, 'alertmanager-web-auth')).toEqual(values(before, 'alertmanager-web-auth'));
    expect(values(after, 'prometheus-web-auth').password).not.toBe(values(before, 'prometheus-web-auth').password);
    expect(run.secretMessages).toEqual([expect.stringMatching(/^added Secret monitoring\/prometheus-web-auth to .* with new values: apply it/)]);
  });

  test('documents that are not generated Secrets stay in the file as written, values and comments included', () => {
    const dir = path.join(tempDir('extra-'), 'keys');
    const extraFile = stackSecretsFile(dir);
    fs.mkdirSync(path.dirname(extraFile), { recursive: true });
    const extra = '# the dead man\'s switch, added by hand\napiVersion: v1\nkind: Secret\nmetadata:\n  name: deadman-url\n  namespace: monitoring\ndata:\n  url: aHR0cHM6Ly9leGFtcGxlLmNvbS9waW5n\n';
    fs.writeFileSync(extraFile, `${before.slice(0, 2).map((d) => `---\n${YAML.stringify(d)}`).join('')}---\n${extra}`, { mode: 0o600 });
    synthesize({ projectRoot: path.dirname(dir), outDir: 'dist', secretsDir: dir });
    const text = fs.readFileSync(extraFile, 'utf8');
    expect(text).toContain(extra);
    expect(read(extraFile).map((d) => d.metadata.name)).toEqual(['grafana-admin', 'alertmanager-web-auth', 'prometheus-web-auth', 'deadman-url']);
  });

  test('fails when the file is not YAML, and replaces nothing', () => {
    const dir = path.join(tempDir('broken-'), 'keys');
    const broken = stackSecretsFile(dir);
    fs.mkdirSync(path.dirname(broken), { recursive: true });
    fs.writeFileSync(broken, 'stringData: [unclosed\n', { mode: 0o600 });
    expect(() => synthesize({ projectRoot: path.dirname(dir), outDir: 'dist', secretsDir: dir })).toThrow(/monitoring-secrets\.yaml is not valid YAML .*; fix it or move it away/);
    expect(fs.readFileSync(broken, 'utf8')).toBe('stringData: [unclosed\n');
    expect(fs.existsSync(path.join(path.dirname(dir), 'dist'))).toBe(false);
  });
});
