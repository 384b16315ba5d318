import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as bcrypt from 'bcryptjs';
import * as YAML from 'yaml';
import { describeWithBinary, run } from '../support/binaries';
import { snapshotTree } from '../support/dist-tree';
import { kubernetesValidator, schemaVersionFor } from '../support/k8s-schemas';
import { sharedAvailable } from '../support/shared-dir';
import { tempDir } from '../support/synth-once';
import { synthesize } from '../../render/synthesize';

describe('generated stack Secrets', () => {
  const root = tempDir('secrets-');
  const first = synthesize({ projectRoot: root, outDir: 'dist' });
  const file = path.join(root, '.secrets', 'kubernetes', 'monitoring-secrets.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const secrets = YAML.parseAllDocuments(text).map((d) => d.toJS());
  const byName = (n: string) => secrets.find((s) => s.metadata.name === n);

  test('are written once into the secrets directory with mode 0600 (directories 0700)', () => {
    expect(first.secretFiles).toEqual([{ path: file, created: true }]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, '.secrets')).mode & 0o777).toBe(0o700);
  });

  test('are never overwritten by a later run', () => {
    const again = synthesize({ projectRoot: root, outDir: 'dist' });
    expect(again.secretFiles[0].created).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('a file restored with loose permissions is tightened, its content kept', () => {
    fs.chmodSync(file, 0o644);
    synthesize({ projectRoot: root, outDir: 'dist' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('the secrets directory is git-ignored in this repository', () => {
    const r = spawnSync('git', ['check-ignore', '-q', '.secrets/kubernetes/monitoring-secrets.yaml'], { cwd: path.join(__dirname, '..', '..') });
    expect(r.status).toBe(0);
  });

  test('no secret value and no Secret object reaches dist/', () => {
    const dist = Object.values(snapshotTree(path.join(root, 'dist'))).join('\n');
    for (const s of secrets) for (const value of Object.values(s.stringData as Record<string, string>)) {
      if (value.length >= 16) expect(dist).not.toContain(value);
    }
    expect(dist).not.toMatch(/^kind: Secret$/m);
  });

  test.each(['alertmanager-web-auth', 'prometheus-web-auth'])('the %s password matches the bcrypt hash the server checks', (name) => {
    const auth = byName(name).stringData;
    const hash = YAML.parse(auth['web.yml']).basic_auth_users.monitoring;
    expect(bcrypt.compareSync(auth.password, hash)).toBe(true);
    expect(auth.password.length).toBeGreaterThanOrEqual(32);
    expect(auth.username).toBe('monitoring');
  });

  test('Prometheus and Alertmanager get different passwords', () => {
    expect(byName('prometheus-web-auth').stringData.password).not.toBe(byName('alertmanager-web-auth').stringData.password);
  });

  test('the Grafana admin Secret has the keys the Grafana pod reads', () => {
    expect(Object.keys(byName('grafana-admin').stringData).sort()).toEqual(['admin-password', 'admin-user']);
  });

  (sharedAvailable() ? test : test.skip)('the Secret manifests validate strictly against the Kubernetes schema', () => {
    const validator = kubernetesValidator(schemaVersionFor('1.31.0').version);
    for (const s of secrets) expect(validator.validate(s)).toEqual([]);
  });
});

describeWithBinary('promtool', 'Alertmanager and Prometheus web configs', () => {
  // In beforeAll: a skipped describe still runs its body.
  let root = '';
  let secrets: { metadata: { name: string }; stringData: Record<string, string> }[] = [];
  beforeAll(() => {
    root = tempDir('webcfg-');
    synthesize({ projectRoot: root, outDir: 'dist' });
    secrets = YAML.parseAllDocuments(fs.readFileSync(path.join(root, '.secrets', 'kubernetes', 'monitoring-secrets.yaml'), 'utf8')).map((d) => d.toJS());
  });

  test.each(['alertmanager-web-auth', 'prometheus-web-auth'])('%s web.yml passes promtool check web-config', (name) => {
    const web = path.join(root, `${name}.yml`);
    fs.writeFileSync(web, secrets.find((s) => s.metadata.name === name)!.stringData['web.yml']);
    const result = run('promtool', ['check', 'web-config', web]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a web.yml whose password hash is not bcrypt is rejected (the check bites)', () => {
    const web = path.join(root, 'broken-web.yml');
    const text = secrets.find((s) => s.metadata.name === 'prometheus-web-auth')!.stringData['web.yml'];
    const broken = text.replace(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/, 'plain-text-password');
    expect(broken).not.toBe(text);
    fs.writeFileSync(web, broken);
    const result = run('promtool', ['check', 'web-config', web]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED: .*(hash|bcrypt)/i);
  });
});
