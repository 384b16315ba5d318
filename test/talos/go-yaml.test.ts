import * as YAML from 'yaml';
import { toGoYaml, toGoYamlDocuments } from '../../talos/go-yaml';

describe('go-yaml emitter', () => {
  test('writes nested maps, sequences and empty collections in go-yaml v3 layout', () => {
    expect(toGoYaml({ a: { b: [1, 'x'], c: {}, d: [] }, e: [{ f: 'g', h: { i: true } }] })).toBe(
      'a:\n    b:\n        - 1\n        - x\n    c: {}\n    d: []\ne:\n    - f: g\n      h:\n        i: true\n',
    );
  });

  test('quotes strings that would read back as another type or are not plain-safe', () => {
    const value = { empty: '', bool: 'true', yes: 'yes', num: '1.5', cel: '!system_disk', colon: 'a: b', quote: "it's", date: '2026-01-01', url: 'https://x:6443' };
    const text = toGoYaml(value);
    expect(text).toContain('empty: ""');
    expect(text).toContain('bool: "true"');
    expect(text).toContain('url: https://x:6443');
    expect(YAML.parse(text)).toEqual(value);
  });

  test('skips undefined values and joins documents with ---', () => {
    expect(toGoYamlDocuments([{ a: 1, b: undefined }, { c: 'd' }])).toBe('a: 1\n---\nc: d\n');
  });

  test('round-trips multi-line strings as literal blocks', () => {
    const value = { script: 'line one\nline two\n', list: ['a\nb'] };
    expect(YAML.parse(toGoYaml(value))).toEqual(value);
  });
});
