/**
 * charts/common/yaml-text.ts in-process (mutation testing, issue 18), in plain tests: what the fast
 * writer covers itself (not only that its text equals the library's when it does), that it passes
 * on errors other than "not covered", and the literal blocks' edges. test/render/yaml-text.test.ts
 * checks the writer against the yaml library on generated values and every synthesized document.
 */
import * as YAML from 'yaml';
import { CDK8S_YAML, CONFIG_YAML, fastYamlText, libraryOptions, yamlText } from '../../charts/common/yaml-text';

const library = (value: unknown): string => YAML.stringify(value, libraryOptions(CONFIG_YAML));

test('nothing to write at the top (undefined), a sequence or an empty map is declined, not an error; the library writes them', () => {
  expect(fastYamlText(undefined, CONFIG_YAML)).toBeUndefined();
  for (const v of [[], ['a'], {}, { a: undefined }]) {
    expect(fastYamlText(v, CONFIG_YAML)).toBeUndefined();
    expect(yamlText(v, CONFIG_YAML)).toBe(library(v));
  }
  expect(yamlText({}, CONFIG_YAML)).toBe('{}\n');
});

test('an undefined value is dropped by the fast writer itself where the style drops it, and declined where cdk8s keeps it', () => {
  const v = { a: undefined, b: 1, c: { d: undefined, e: 'x' } };
  expect(fastYamlText(v, CONFIG_YAML)).toBe('b: 1\nc:\n  e: x\n');
  expect(library(v)).toBe('b: 1\nc:\n  e: x\n');
  expect(fastYamlText(v, CDK8S_YAML)).toBeUndefined();
});

test('an error thrown while reading the value is passed on, not retried by the library', () => {
  let reads = 0;
  const v = { get a(): number { reads++; if (reads === 1) throw new RangeError('first read fails'); return 1; } };
  expect(() => yamlText(v, CONFIG_YAML)).toThrow(new RangeError('first read fails'));
  expect(reads).toBe(1);
});

describe('literal blocks', () => {
  test.each<[string, string, string | undefined]>([
    // Declined: line breaks the block cannot hold as written.
    ['spaces after the last line break', 'x\n  ', undefined],
    ['two final line breaks', 'x\n\n', undefined],
    ['only line breaks', '\n\n', undefined],
    ['a line break and spaces only', ' \n', undefined],
    // Written: trailing spaces before the one final line break, without one, leading blank lines.
    ['spaces before the final line break', 'x  \n', 'a: |\n  x  \n'],
    ['a tab and spaces at the end, no final break', 'x\ny \t', 'a: |-\n  x\n  y \t\n'],
    // The library indents the first (blank) line of the block too.
    ['leading blank lines', '\n\nx\ny', 'a: |-\n  \n\n  x\n  y\n'],
    ['leading blank lines, then a space', '\n\n x\ny\n', 'a: |2\n  \n\n   x\n  y\n'],
    ['a tab first (content, no indicator)', '\tx\ny\n', 'a: |\n  \tx\n  y\n'],
    ['blank lines inside', 'x\n\n\ny\n', 'a: |\n  x\n\n\n  y\n'],
  ])('%s', (_name, text, expected) => {
    expect(fastYamlText({ a: text }, CONFIG_YAML)).toBe(expected);
    expect(yamlText({ a: text }, CONFIG_YAML)).toBe(library({ a: text }));
    if (expected !== undefined) expect(library({ a: text })).toBe(expected);
  });
});

// The per-version resolver test is built once and cached at module level, so a mutant in it would
// only be seen by the first test to write YAML; loading the module afresh here builds it again.
test('strings that YAML would read as something else are quoted, in both styles, with the library\'s own resolvers', () => {
  const looksTyped = ['true', 'False', 'null', '~', '1', '-1.5', '0x1F', '0o17', '.inf', '.NaN', '1e3', '1_000', '0b101', 'yes', 'off', 'y', '2001-12-14', '12:30:45'];
  const typed = Object.fromEntries(looksTyped.map((s, i) => [`k${i}`, s]));
  // "<<" is YAML 1.1's merge key: only a key, so the library writes it plain, as a key and as a value.
  const value = { ...typed, merge: '<<', '<<': 'x', plain: 'text' };
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../charts/common/yaml-text') as typeof import('../../charts/common/yaml-text');
    for (const style of [fresh.CONFIG_YAML, fresh.CDK8S_YAML]) {
      const text = fresh.fastYamlText(value, style);
      expect(text).toBe(YAML.stringify(value, fresh.libraryOptions(style)));
      // The first three always resolve to bool or null; "text" never does.
      expect(text).toMatch(/^k0: "true"\nk1: "False"\nk2: "null"\n/);
      expect(text).toMatch(/\nmerge: <<\n<<: x\nplain: text\n$/);
      expect(YAML.parse(fresh.fastYamlText(typed, style)!, { version: style.version })).toEqual(typed);
    }
  });
});

// The module's constants (the two styles, the plain-scalar and document-marker patterns) are read
// as it loads, before a mutant is active: the statically imported module is the unmutated oracle,
// and a fresh load inside the test (which a mutant does reach) must write exactly what it writes.
test('a fresh load of the module writes what the first load does: every pair of tricky pieces, as keys, values and items, both styles', () => {
  const pieces = ['', ' ', '\t', '\n', 'a', '-', '?', ':', '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '---', '...', 'true', '0x1F', '<<', '~', 'é', '\u0085', '\u2028', '\x07'];
  const strings = pieces.flatMap((a) => pieces.map((b) => `${a}${b}`));
  const values: unknown[] = [
    ...strings.flatMap((s) => [{ k: s }, { [s]: 1 }, { k: [s, 'x'] }, { k: { n: s } }]),
    { a: undefined, b: 1 }, { a: { b: undefined, c: 2 } }, { a: [1, undefined] }, { a: {} }, { a: [] }, { a: null },
  ];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../charts/common/yaml-text') as typeof import('../../charts/common/yaml-text');
    const differ: string[] = [];
    for (const [mine, theirs] of [[CONFIG_YAML, fresh.CONFIG_YAML], [CDK8S_YAML, fresh.CDK8S_YAML]]) {
      expect(theirs).toEqual(mine);
      for (const v of values) {
        const expected = fastYamlText(v, mine);
        if (fresh.fastYamlText(v, theirs) !== expected) differ.push(JSON.stringify(v));
      }
    }
    expect(differ).toEqual([]);
    // A value the writer declines is passed on to the library with the reason in no message.
    expect(fresh.yamlText({ k: '%x' }, fresh.CONFIG_YAML)).toBe(library({ k: '%x' }));
  });
});
