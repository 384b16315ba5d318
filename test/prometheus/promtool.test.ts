import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { describeWithBinary, run } from '../support/binaries';
import { readObjects } from '../support/dist-tree';
import { synthToTemp, tempDir } from '../support/synth-once';

/**
 * Debian's promtool (2.42) has no kubernetes_sd_configs: in a temporary copy each one becomes an
 * empty static_configs (relabelling etc. is still checked), and the in-cluster file paths point
 * at files of the same role in a temp dir, so the full check (rule files included) runs. The
 * `storage` block (retention, Prometheus 3.8+) is unknown to 2.42 and left out of the copy.
 */
function checkableCopy(configText: string, rulesText: string, dir: string): string {
  const config = YAML.parse(configText);
  delete config.storage;
  for (const job of config.scrape_configs) {
    if (job.kubernetes_sd_configs) {
      delete job.kubernetes_sd_configs;
      job.static_configs = [{ targets: [] }];
    }
  }
  const rulesDir = path.join(dir, 'rules');
  fs.mkdirSync(rulesDir);
  fs.writeFileSync(path.join(rulesDir, 'alerts.yml'), rulesText);
  config.rule_files = config.rule_files.map((glob: string) => path.join(rulesDir, path.basename(glob)));
  const stub = (p: string) => { const f = path.join(dir, 'files', p); fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, 'x'); return f; };
  const text = YAML.stringify(config).replace(/(\/(?:etc|var)\/[\w./-]+)/g, (p) => (p.includes('/rules/') ? p : stub(p)));
  const file = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(file, text);
  return file;
}

describeWithBinary('promtool', 'promtool accepts the synthesized Prometheus config and rules', () => {
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  const configMap = (name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as unknown as { data: Record<string, string> };
  const configText = configMap('prometheus-config').data['prometheus.yml'];
  const rulesText = configMap('prometheus-rules').data['alerts.yml'];
  const dir = tempDir('promtool-');

  test('promtool check config passes, rule files included', () => {
    const result = run('promtool', ['check', 'config', checkableCopy(configText, rulesText, dir)]);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toMatch(/\d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('promtool check rules passes with no lint findings', () => {
    const file = path.join(dir, 'alerts-only.yml');
    fs.writeFileSync(file, rulesText);
    const result = run('promtool', ['check', 'rules', '--lint-fatal', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('fails when a rule has a PromQL error (the check bites)', () => {
    const file = path.join(dir, 'broken.yml');
    fs.writeFileSync(file, rulesText.replace('expr: up == 0', 'expr: sum(up by (job)'));
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/could not parse expression: .*parse error/);
  });

  test('the storage block is left out only because 2.42 predates it: 2.42 rejects its retention field', () => {
    const copy = YAML.parse(fs.readFileSync(checkableCopy(configText, rulesText, tempDir('promtool-storage-')), 'utf8'));
    const file = path.join(dir, 'with-storage.yml');
    fs.writeFileSync(file, YAML.stringify({ ...copy, storage: YAML.parse(configText).storage }));
    expect(run('promtool', ['check', 'config', '--syntax-only', file]).output).toMatch(/field retention not found/);
  });

  test('the checked copy differs from the real config only in Kubernetes discovery, storage and file paths', () => {
    const original = YAML.parse(configText);
    const copy = YAML.parse(fs.readFileSync(checkableCopy(configText, rulesText, tempDir('promtool-copy-')), 'utf8'));
    const sdJobs = original.scrape_configs.filter((j: { kubernetes_sd_configs?: unknown }) => j.kubernetes_sd_configs).map((j: { job_name: string }) => j.job_name);
    expect(sdJobs).toEqual(['kubernetes-apiservers', 'kubernetes-nodes', 'kubernetes-cadvisor', 'kubernetes-pods']);
    // Undo the swap, blank every absolute path: what is left must be identical.
    expect(Object.keys(original.storage)).toEqual(['tsdb']);
    delete original.storage;
    for (const job of original.scrape_configs) delete job.kubernetes_sd_configs;
    for (const job of copy.scrape_configs) if (sdJobs.includes(job.job_name)) delete job.static_configs;
    const paths = (v: unknown): unknown => (typeof v === 'string' && v.startsWith('/') ? '<path>' : Array.isArray(v) ? v.map(paths) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, paths(x)])) : v);
    expect(paths(copy)).toEqual(paths(original));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
});
