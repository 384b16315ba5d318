/** The compact diff drift prints: readable paths, both values, short, no Secret values. */
import { changedFields, describeChange, diffObjects } from '../../verify/cluster/object-diff';

const deployment = (args: string[], replicas = 1) => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'x', namespace: 'monitoring', resourceVersion: '1', generation: 1, managedFields: [], uid: 'u', creationTimestamp: 't' },
  spec: { replicas, template: { spec: { containers: [{ name: 'sidecar', image: 'a' }, { name: 'main', image: 'b', args }] } } },
  status: { readyReplicas: 1 },
});

describe('diffObjects', () => {
  test('identical objects differ in nothing, whatever their volatile metadata and status', () => {
    const live = deployment(['--a']);
    const git = { ...deployment(['--a']), metadata: { ...live.metadata, resourceVersion: '2', generation: 2 }, status: { readyReplicas: 0 } };
    expect(diffObjects(live, git)).toEqual({ count: 0, lines: [] });
  });

  test('named list items are matched by name, so the path says which container', () => {
    expect(diffObjects(deployment(['--a', '--b'], 3), deployment(['--a', '--c'])).lines).toEqual([
      'spec.replicas: 3 → 1',
      'spec.template.spec.containers[name=main].args[1]: "--b" → "--c"',
    ]);
  });

  test('a key with dots or slashes is quoted; absent values are shown as such', () => {
    expect(changedFields({ metadata: { labels: { 'app.kubernetes.io/name': 'a' } } }, { metadata: { labels: {} } }))
      .toEqual([{ path: 'metadata.labels["app.kubernetes.io/name"]', live: 'a', git: undefined }]);
    expect(describeChange({ path: 'p', live: 'a', git: undefined })).toBe('p: "a" → (absent)');
  });

  test('multi-line text (an embedded config file) shows the first line that differs', () => {
    const live = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'prometheus.yml': 'global:\n  scrape_interval: 5s\nrule_files: []' } };
    const git = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'prometheus.yml': 'global:\n  scrape_interval: 30s\nrule_files: []' } };
    expect(diffObjects(live, git).lines).toEqual(['data["prometheus.yml"] line 2: "  scrape_interval: 5s" → "  scrape_interval: 30s"']);
  });

  test('long values are shortened', () => {
    const [line] = diffObjects({ kind: 'ConfigMap', metadata: {}, data: { a: 'x'.repeat(200) } }, { kind: 'ConfigMap', metadata: {}, data: { a: 'y' } }).lines;
    expect(line.length).toBeLessThan(90);
    expect(line).toMatch(/…" → "y"$|…→ "y"$|… → "y"$/);
  });

  test('Secret values are never printed', () => {
    const lines = diffObjects({ kind: 'Secret', metadata: {}, data: { password: 'c2VjcmV0' } }, { kind: 'Secret', metadata: {}, data: { password: 'b3RoZXI=' } }).lines;
    expect(lines).toEqual(['data.password: (Secret value, not shown) set → changed']);
    expect(lines.join('')).not.toMatch(/c2VjcmV0|b3RoZXI/);
  });

  test('at most `max` lines, then a count of the rest', () => {
    const many = (v: string) => ({ kind: 'ConfigMap', metadata: {}, data: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, v])) });
    const diff = diffObjects(many('a'), many('b'), 12);
    expect(diff.count).toBe(15);
    expect(diff.lines).toHaveLength(13);
    expect(diff.lines[12]).toBe('… and 3 more changed fields');
  });
});
