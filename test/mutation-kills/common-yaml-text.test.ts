/**
 * charts/common/yaml-text.ts in-process (mutation testing, issue 18), in plain tests: what the fast
 * writer covers itself (not only that its text equals the library's when it does), that it passes
 * on errors other than "not covered", and the literal blocks' edges. test/render/yaml-text.test.ts
 * checks the writer against the yaml library on generated values and every synthesized document.
 */
import { Yaml } from 'cdk8s';
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
// as it loads; loaded afresh inside the test, their mutants count, and are active in every load.
// So the oracles here are independent: cdk8s's own Yaml.stringify for the manifest style, what the
// config style promises, and the library's text for each string (the fast writer must write every
// string the library writes plain or as a literal block itself, and match the library whenever it
// writes one).
test('the styles and the plain-string patterns, loaded afresh: cdk8s\'s text, the config promises, every plain string and literal block written', () => {
  const pieces = ['', ' ', '\t', '\n', 'a', '-', '?', ':', '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '---', '...', 'true', '0x1F', '<<', '~', 'é', '\u0085', '\u2028', '\x07'];
  const pairs = pieces.flatMap((a) => pieces.map((b) => `${a}${b}`));
  const strings = [...pairs, ...pairs.flatMap((ab) => ['a', ' ', '-', 'x y', ' b', '\nb'].map((c) => `${ab}${c}`)), ...pieces.map((a) => `x${a}y`)];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../charts/common/yaml-text') as typeof import('../../charts/common/yaml-text');
    const shared = { x: 1 };
    // The manifest style is cdk8s's: undefined kept (as null), shared objects aliased, YAML 1.1.
    for (const v of [{ a: undefined, b: 1 }, { p: shared, q: shared }, { a: 'yes', b: 'a%b' }]) expect(fresh.yamlText(v, fresh.CDK8S_YAML)).toBe(Yaml.stringify(v));
    // The config style: YAML 1.2, undefined dropped, no anchors (each use written out).
    expect(fresh.yamlText({ a: undefined, b: 'yes', p: shared, q: shared }, fresh.CONFIG_YAML)).toBe('b: yes\np:\n  x: 1\nq:\n  x: 1\n');
    const wrong: string[] = [];
    for (const style of [fresh.CONFIG_YAML, fresh.CDK8S_YAML]) {
      for (const s of strings) {
        for (const v of [{ k: s }, { [s]: 1 }]) {
          const library = YAML.stringify(v, fresh.libraryOptions(style));
          const fast = fresh.fastYamlText(v, style);
          // Written plain or as a literal block; by design not a "|+" block (final line breaks
          // kept), nor a line that starts with "%", "---" or "..." (lines as JavaScript's
          // multi-line "^" splits them), which the library indents or quotes in some places.
          const covered = (library === `k: ${s}\n` || library === `${s}: 1\n` || /^k: \|(?!\+)/.test(library)) && !/^(%|---|\.\.\.)/m.test(s);
          if (fast === undefined ? covered : fast !== library) wrong.push(`${style.version} ${JSON.stringify(v)}: ${fast === undefined ? 'declined' : JSON.stringify(fast)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
