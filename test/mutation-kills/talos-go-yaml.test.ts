/**
 * talos/go-yaml.ts in-process (mutation testing, issue 18): the exact text for each shape and kind
 * of scalar. The expected texts are what go.yaml.in/yaml/v4 v4.0.0-rc.4 (Talos 1.13's encoder)
 * writes for the same values, checked once with a Go program on 4 December 2026, except where noted:
 * go-yaml's output there does not read back, or this writer quotes more than it needs to.
 * Every output is also read back with the yaml library. test/talos/parity.test.ts compares whole
 * machine configs with Talos' own output.
 */
import * as YAML from 'yaml';
import { toGoYaml, toGoYamlDocuments, type YamlValue } from '../../talos/go-yaml';

const same = (value: YamlValue, text: string) => {
  expect(toGoYaml(value)).toBe(text);
  expect(YAML.parse(text)).toEqual(value);
};

test('scalars at the top level, and empty collections in flow style', () => {
  same('x', 'x\n');
  same(null, 'null\n');
  same(true, 'true\n');
  same(false, 'false\n');
  same(1.5, '1.5\n');
  same([], '[]\n');
  same({}, '{}\n');
  same([[], {}], '- []\n- {}\n');
  same({ k: [], m: {} }, 'k: []\nm: {}\n');
  same({ a: null }, 'a: null\n');
  same([null], '- null\n');
  // Undefined values are left out; a mapping of only undefined values is empty.
  expect(toGoYaml({ a: undefined })).toBe('{}\n');
  expect(toGoYaml({ a: undefined, b: 1 })).toBe('b: 1\n');
  expect(() => toGoYaml(Infinity)).toThrow(new Error('cannot write Infinity as YAML'));
  expect(() => toGoYaml({ a: NaN })).toThrow(new Error('cannot write NaN as YAML'));
});

test('strings that would read back as something else are double-quoted', () => {
  for (const text of ['', 'null', '~', 'yes', 'No', 'on', '1.5', '1e3', '.inf', '-.Inf', '.nan', '0o17', '0x1F', '0b101', '1_000', '2026-12-04', '2026-12-04T10:00:00Z']) {
    same(text, `${JSON.stringify(text)}\n`);
  }
});

test('strings that would not read back plain are single-quoted', () => {
  for (const text of ['a: b', 'a #b', 'ends:', '#c', '&a', '*a', '!t', '|p', '>f', '%p', '@p', '`p', '"q', '[x', ']x', '{x', '}x', ',x', ' x', 'x ']) {
    same(text, `'${text}'\n`);
  }
  same('\'s', '\'\'\'s\'\n');
  // Plain in go-yaml, quoted here (conservative and valid): a leading "?" or "-", non-ASCII text.
  same('?x', '\'?x\'\n');
  same('-x', '\'-x\'\n');
  same('é', '"é"\n');
  same('tab\there', '"tab\\there"\n');
  // Plain, as in go-yaml.
  for (const text of ['it\'s', 'a-b', 'x:y', 'a#b', 'https://x/y?z=1', 'a b']) same(text, `${text}\n`);
});

test('mappings indent their children four columns; a mapping in a sequence item sits after the dash', () => {
  same({ a: { b: ['x'] } }, 'a:\n    b:\n        - x\n');
  same([{ a: ['x', 'y'], b: 'z' }], '- a:\n    - x\n    - "y"\n  b: z\n');
});

test('a sequence in a sequence item starts on the dash\'s line, its items two columns in', () => {
  same([[{ a: '1', b: '2' }]], '- - a: "1"\n    b: "2"\n');
  same({ k: [['x', 'y']] }, 'k:\n    - - x\n      - "y"\n');
  same([[['deep']]], '- - - deep\n');
});

test('strings with line breaks are literal blocks with the chomping their end asks for', () => {
  same({ k: 'a\nb\n' }, 'k: |\n    a\n    b\n');
  same({ k: 'a\nb' }, 'k: |-\n    a\n    b\n');
  same({ k: 'a\n\n' }, 'k: |+\n    a\n\n');
  same({ k: '\na' }, 'k: |-\n\n    a\n');
  same({ k: 'a\tb\nc' }, 'k: |-\n    a\tb\n    c\n');
  same({ k: 'é\nb' }, 'k: |-\n    é\n    b\n');
  same(['a\nb'], '- |-\n  a\n  b\n');
  same(['a\n\nb\n\n'], '- |+\n  a\n\n  b\n\n');
  same({ k: ['a\nb\n', 'c'] }, 'k:\n    - |\n      a\n      b\n    - c\n');
  same([['a\nb']], '- - |-\n    a\n    b\n');
});

test('a first line starting with a space gives the indentation; a space before a line break makes it double-quoted', () => {
  same({ k: '  a\nb' }, 'k: |4-\n      a\n    b\n');
  same({ k: '  a\n' }, 'k: |4\n      a\n');
  same({ k: '  a\n\n' }, 'k: |4+\n      a\n\n');
  same({ a: { k: '  x\ny' } }, 'a:\n    k: |4-\n          x\n        y\n');
  same({ k: 'a \nb' }, 'k: "a \\nb"\n');
  same({ k: 'a\n ' }, 'k: "a\\n "\n');
  same(['a \nb'], '- "a \\nb"\n');
  // go-yaml writes "- k: |4-" and "- |4-" here, which do not read back: the indentation is given
  // from the mapping's own column, and a sequence item is double-quoted.
  same([{ k: '  x\ny' }], '- k: |2-\n      x\n    y\n');
  same(['  a\nb'], '- "  a\\nb"\n');
});

test('line breaks before an indented first line still give the indentation; whitespace alone and control characters are double-quoted', () => {
  // go-yaml writes these as literal blocks that read back otherwise, or not at all (found by review).
  same({ k: '\n  a' }, 'k: |4-\n\n      a\n');
  same({ k: '\n\n  a\nb' }, 'k: |4-\n\n\n      a\n    b\n');
  same(['\n  a'], '- "\\n  a"\n');
  same({ k: '\n' }, 'k: "\\n"\n');
  same({ k: '\n\n' }, 'k: "\\n\\n"\n');
  same({ k: ' \n' }, 'k: " \\n"\n');
  same({ k: 'a\r\nb' }, 'k: "a\\r\\nb"\n');
  same({ k: 'a\x01\nb' }, 'k: "a\\u0001\\nb"\n');
  same({ k: 'a\x7f' }, 'k: "a\\u007f"\n');
  same({ k: 'a\x85' }, 'k: "a\\u0085"\n');
  same({ k: '\ufeffa\nb' }, 'k: "\\ufeffa\\nb"\n');
  // The merge key of YAML 1.1 is quoted, as go-yaml does.
  same({ '<<': 1 }, '\'<<\': 1\n');
});

test('documents are joined with "---" lines, each ending with a newline', () => {
  expect(toGoYamlDocuments([{ a: 1 }, 'x', []])).toBe('a: 1\n---\nx\n---\n[]\n');
  expect(toGoYamlDocuments([])).toBe('');
});
