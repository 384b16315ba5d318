/**
 * promtool from the Prometheus release the image pins (built from its Go module by
 * test/upstream/build.sh) checks the real prometheus.yml and rules: Kubernetes discovery, the
 * storage block and every field as the server will read them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { IMAGES } from '../../charts/common/images';
import { describeWithBinary, run } from '../support/binaries';
import { pinnedModule, prometheusRelease } from '../upstream/pins';
import { relocatePaths } from './loopback-daemon';
import { readObjects } from '../support/dist-tree';
import { synthToTemp, tempDir } from '../support/synth-once';

/**
 * The config with every absolute path moved below `root`, and a file of the same role created
 * there: the one change promtool's file checks need (it stats credential files and reads the
 * rule files). Everything else is the file as synthesized.
 */
function relocated(configText: string, rulesText: string, root: string): string {
  const text = relocatePaths(configText, root, (p, target) => {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (p.includes('*')) fs.writeFileSync(path.join(path.dirname(target), 'alerts.yml'), rulesText);
    else fs.writeFileSync(target, 'placeholder');
  });
  const file = path.join(root, 'prometheus.yml');
  fs.writeFileSync(file, text);
  return file;
}

describeWithBinary('promtool', 'promtool (Prometheus 3, the pinned release) accepts the synthesized config and rules', () => {
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  const configMap = (name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as unknown as { data: Record<string, string> };
  const configText = configMap('prometheus-config').data['prometheus.yml'];
  const rulesText = configMap('prometheus-rules').data['alerts.yml'];
  const dir = tempDir('promtool-');
  const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };

  test('is the release the Prometheus image pins (go.mod pin, and what the binary reports)', () => {
    expect(prometheusRelease(pinnedModule('prometheus', 'github.com/prometheus/prometheus'))).toBe(IMAGES.prometheus.tag);
    expect(run('promtool', ['--version']).output).toContain(`promtool, version ${IMAGES.prometheus.tag.replace(/^v/, '')}`);
  });

  test('the file exactly as synthesized passes check config --syntax-only (Kubernetes discovery and storage included)', () => {
    const config = YAML.parse(configText);
    expect(config.scrape_configs.filter((j: { kubernetes_sd_configs?: unknown }) => j.kubernetes_sd_configs).length).toBeGreaterThan(0);
    expect(config.storage.tsdb.retention).toBeDefined();
    const result = run('promtool', ['check', 'config', '--syntax-only', write('prometheus.yml', configText)]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('the full check (credential files, rule files, rules) passes with only the paths moved below a temp root', () => {
    const root = tempDir('promtool-root-');
    const file = relocated(configText, rulesText, root);
    // The relocated file differs from the synthesized one in absolute paths only.
    expect(fs.readFileSync(file, 'utf8').split(root).join('')).toBe(configText);
    const result = run('promtool', ['check', 'config', '--lint=all', '--lint-fatal', file]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('the full check reads the credential files: one missing is reported by path (the check bites)', () => {
    const root = tempDir('promtool-missing-');
    const file = relocated(configText, rulesText, root);
    const token = path.join(root, 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount', 'token');
    fs.rmSync(token);
    const result = run('promtool', ['check', 'config', file]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(`error checking authorization credentials or bearer token file "${token}"`);
  });

  test('check rules --lint-fatal passes with no lint findings', () => {
    const result = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', write('alerts.yml', rulesText)]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a rule with a PromQL error is rejected (the check bites)', () => {
    const broken = rulesText.replace('expr: vector(1)', 'expr: sum(up by (job)');
    expect(broken).not.toBe(rulesText);
    const result = run('promtool', ['check', 'rules', write('broken.yml', broken)]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/could not parse expression: .*parse error/);
  });

  test('a misspelt Kubernetes discovery role is rejected in the unaltered file (the check bites)', () => {
    const broken = configText.replace(/role: endpointslice\b/, 'role: endpointslise');
    expect(broken).not.toBe(configText);
    const result = run('promtool', ['check', 'config', '--syntax-only', write('broken-role.yml', broken)]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unknown Kubernetes SD role "endpointslise"/);
  });

  test('a misspelt retention field is rejected (the check bites)', () => {
    const result = run('promtool', ['check', 'config', '--syntax-only', write('broken-storage.yml', configText.replace(/\bretention:/, 'retension:'))]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/field retension not found/);
  });

  test('the LXC path\'s prometheus.yml and rules pass the full check the same way', () => {
    const lxc = path.join(outDir, 'lxc', 'prometheus', 'etc', 'prometheus');
    const lxcConfig = fs.readFileSync(path.join(lxc, 'prometheus.yml'), 'utf8');
    const root = tempDir('promtool-lxc-');
    const file = relocated(lxcConfig, fs.readFileSync(path.join(lxc, 'rules', 'alerts.yml'), 'utf8'), root);
    expect(fs.readFileSync(file, 'utf8').split(root).join('')).toBe(lxcConfig);
    const result = run('promtool', ['check', 'config', '--lint=all', '--lint-fatal', file]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
});
