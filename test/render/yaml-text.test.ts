/**
 * charts/common/yaml-text.ts writes YAML without the yaml library's node tree, for speed. The
 * library stays the judge: on every document synth writes (two sites) and on generated values
 * the fast writer either declines or produces exactly the library's text.
 */
import fc from 'fast-check';
import * as YAML from 'yaml';
import { Yaml } from 'cdk8s';
import { CDK8S_YAML, CONFIG_YAML, fastYamlText, libraryOptions, yamlText, type YamlTextStyle } from '../../charts/common/yaml-text';
import { App } from 'cdk8s';
import { chartJson } from '../../charts/chart-json';
import { clusterCharts } from '../../charts/cluster-charts';
import { addGitopsLayer } from '../../gitops';
import { manifestsYaml } from '../../render/kubernetes-files';
import { renderDist } from '../../render/pipeline';
import { parseSite } from '../../site';
import { SECOND_SITE } from '../support/second-site';

const STYLES: [string, YamlTextStyle][] = [['cdk8s (YAML 1.1)', CDK8S_YAML], ['config (YAML 1.2)', CONFIG_YAML]];

const library = (value: unknown, style: YamlTextStyle): string => YAML.stringify(value, libraryOptions(style));

/** Every mapping document of every YAML file, and of YAML embedded in their strings (config files). */
function documentsOf(files: readonly { path: string; content: string }[]): unknown[] {
  const docs: unknown[] = [];
  const collect = (text: string): void => {
    for (const doc of YAML.parseAllDocuments(text)) {
      const value = doc.toJS();
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      docs.push(value);
      embedded(value);
    }
  };
  const embedded = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('\n') && /^[\w.-]+:/m.test(value)) {
        try {
          collect(value);
        } catch {
          // not YAML (a script, a dashboard's JSON is YAML too and is kept)
        }
      }
    } else if (value && typeof value === 'object') Object.values(value).forEach(embedded);
  };
  files.filter((f) => /\.ya?ml$/.test(f.path)).forEach((f) => collect(f.content));
  return docs;
}

describe.each([
  ['the default site', {}],
  ['the second site', SECOND_SITE],
])('every document synth writes for %s', (_name, input) => {
  const docs = documentsOf(renderDist(parseSite(input).site));

  test.each(STYLES)('is written by the fast writer, exactly as the yaml library writes it (%s)', (_style, style) => {
    expect(docs.length).toBeGreaterThan(100);
    const declined = docs.filter((d) => fastYamlText(d, style) === undefined);
    // None of them needs the library: the speed is not lost silently.
    expect(declined).toEqual([]);
    for (const d of docs) expect(fastYamlText(d, style)).toBe(library(d, style));
  });

  test('every object cdk8s resolves for the manifests is written by the fast writer, none left to the library', () => {
    // The objects themselves, before any YAML: undefined values or shared objects (what makes the
    // fast writer decline) would not survive the round trip through text above.
    const site = parseSite(input).site;
    const { monitoring, platform } = clusterCharts(site);
    const charts = [...monitoring, ...platform.flatMap((l) => l.charts), ...addGitopsLayer(new App({ outdir: '/nonexistent' }), site).flatMap((l) => l.charts)];
    const objects = charts.flatMap((chart) => chartJson(chart));
    expect(objects.length).toBeGreaterThan(50);
    const declined = objects.filter((o) => fastYamlText(o, CDK8S_YAML) === undefined).map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(declined).toEqual([]);
    for (const o of objects) expect(fastYamlText(o, CDK8S_YAML)).toBe(library(o, CDK8S_YAML));
  });

  test('cdk8s Yaml.stringify (its own copy of the yaml library) writes the same text', () => {
    for (const d of docs.slice(0, 200)) expect(yamlText(d, CDK8S_YAML)).toBe(Yaml.stringify(d));
  });
});

/** Strings that exercise the library's quoting rules: indicators, resolvable words, whitespace, blocks. */
const awkwardString = fc.oneof(
  fc.constantFrom(
    '', ' ', 'true', 'True', 'yes', 'no', 'on', 'off', 'y', 'N', 'null', 'Null', '~', '0', '007', '0o7', '0x1F', '1_000',
    '1:20', '1e3', '.5', '+1', '-1', '.inf', '-.Inf', '.NaN', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=',
    '- a', '-', '?', '? x', ':', 'a: b', 'a:b', 'a #b', 'a#b', '#x', '&a', '*a', '!t', '|', '>', "'", '"', "it's", 'say "hi"',
    `'"`, '%x', '@x', '`x', '[a]', '{a}', 'a, b', 'a:', 'a ', ' a', '\ta', 'a\t', '---', '...', 'x\n---\ny', '\u00e9t\u00e9', '\u2028',
    'a\nb', 'a\nb\n', 'a\nb\n\n', '\na', '  a\nb', '\n  a\n', 'a\n\n\nb', 'a \nb', 'a\n b', 'a\nb  ', 'a\nb \n', 'a\n  ', '\n', '\n\n',
    'x\u0007y', 'x\ry', 'x\u0085y', '1Gi', '100m', '15d', '/metrics', 'http://a:9090/x', 'a\tb',
  ),
  fc.string({ maxLength: 12 }),
  fc.array(fc.constantFrom('a', ' ', '\n', ':', '#', '-', '"', "'", '1', '.', '\t', 'e', 'true'), { maxLength: 10 }).map((p) => p.join('')),
);
/** Keys: single-line, non-empty (multi-line and empty keys are the library's, tested below). */
const awkwardKey = fc.oneof(
  awkwardString.filter((k) => k !== '' && !k.includes('\n') && !/^(---|\.\.\.|%)/.test(k)),
  fc.constantFrom('apiVersion', 'app.kubernetes.io/name', 'x-y_z', 'a b'),
);
const scalar = fc.oneof(awkwardString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(awkwardKey, tie('node'), { maxKeys: 5 }),
})).map;
/** Documents here are maps with at least one key (anything else is the library's). */
const documentValue = fc.dictionary(awkwardKey, value, { minKeys: 1, maxKeys: 5 });

describe.each(STYLES)('generated values (%s)', (_name, style) => {
  test('the fast writer either declines or writes the library\'s text, and covers most of them', () => {
    let covered = 0;
    let runs = 0;
    fc.assert(fc.property(documentValue, (v) => {
      runs++;
      const fast = fastYamlText(v, style);
      if (fast !== undefined) {
        covered++;
        expect(fast).toBe(library(v, style));
      }
      expect(yamlText(v, style)).toBe(library(v, style));
    }), { numRuns: 1500, seed: 13 });
    // Declining everything would pass the equality above: most generated maps must be covered.
    expect(covered / runs).toBeGreaterThan(0.5);
  });
});

describe('what the fast writer leaves to the library', () => {
  const shared = { a: 1 };
  test.each<[string, unknown, YamlTextStyle]>([
    ['a repeated object where the library writes an anchor and an alias', { x: shared, y: shared }, CDK8S_YAML],
    ['a repeated empty list where the library writes an alias', (() => { const e: unknown[] = []; return { x: e, y: e }; })(), CDK8S_YAML],
    ['an undefined value that cdk8s keeps', { a: undefined, b: 1 }, CDK8S_YAML],
    ['a multi-line string with trailing spaces after its last line break', { a: 'x\n  ' }, CONFIG_YAML],
    ['a string with kept final line breaks', { a: 'x\n\n' }, CONFIG_YAML],
    ['a control character', { a: 'bell\u0007' }, CONFIG_YAML],
    ['a Date', { a: new Date(0) }, CONFIG_YAML],
    ['a document marker', { a: 'x\n---\ny' }, CONFIG_YAML],
    ['an empty key', { '': 1 }, CONFIG_YAML],
    ['a key over 1,024 characters once quoted', { [`#${'a'.repeat(1022)}`]: 1 }, CONFIG_YAML],
    ['a key over 1,024 characters once escaped', { [`"${'a'.repeat(1023)}`]: 1 }, CDK8S_YAML],
    ['a key with a tab before ": " near the limit', { [`a\t: ${'b'.repeat(1019)}`]: 1 }, CONFIG_YAML],
    ['a top-level list', [1, 2], CONFIG_YAML],
    ['a top-level null', null, CONFIG_YAML],
    ['a map whose every value is undefined (the library writes {})', { a: undefined }, CONFIG_YAML],
    ['a nested map whose every value is undefined', { x: { a: undefined }, y: 1 }, CONFIG_YAML],
    ['an infinite number', { a: Infinity }, CONFIG_YAML],
    ['not a number', { a: NaN }, CDK8S_YAML],
  ])('%s', (_name, v, style) => {
    expect(fastYamlText(v, style)).toBeUndefined();
    expect(yamlText(v, style)).toBe(library(v, style));
  });

  test('a plain key of exactly 1,024 characters stays an implicit key, as in the library', () => {
    const v = { ['k'.repeat(1024)]: 1 };
    expect(fastYamlText(v, CONFIG_YAML)).toBe(library(v, CONFIG_YAML));
  });

  test('a repeated object without aliases is written twice, as the library does', () => {
    const text = fastYamlText({ x: shared, y: shared }, CONFIG_YAML);
    expect(text).toBe('x:\n  a: 1\ny:\n  a: 1\n');
  });

  test('a cycle is never written by the fast writer', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(fastYamlText(cyclic, CONFIG_YAML)).toBeUndefined();
  });
});

test('manifestsYaml joins documents exactly as cdk8s Yaml.stringify does, an undefined one included', () => {
  const docs = [{ kind: 'A' }, undefined, { kind: 'B', spec: { x: [1, 'two'] } }];
  expect(manifestsYaml(docs)).toBe(Yaml.stringify(...docs));
});

describe('layouts the library uses, spelled out', () => {
  test.each<[string, unknown, string]>([
    ['nested maps and a list of maps', { a: { b: [{ c: 1, d: 'x' }, 'e'] } }, 'a:\n  b:\n    - c: 1\n      d: x\n    - e\n'],
    ['a literal block keeps its line breaks, indented past its key', { s: 'one\ntwo\n' }, 's: |\n  one\n  two\n'],
    ['a block without a final line break is stripped', { s: 'one\ntwo' }, 's: |-\n  one\n  two\n'],
    ['a block starting with a space says its indentation', { s: ' one\ntwo\n' }, 's: |2\n   one\n  two\n'],
    ['a string that reads as a number or boolean in YAML 1.1 is quoted', { a: 'yes', b: '010' }, 'a: "yes"\nb: "010"\n'],
    ['a string with " and no \' takes single quotes', { a: '"q": 1' }, 'a: \'"q": 1\'\n'],
    ['empty collections are flow', { a: [], b: {} }, 'a: []\nb: {}\n'],
  ])('%s', (_name, v, text) => {
    expect(fastYamlText(v, CDK8S_YAML)).toBe(text);
    expect(library(v, CDK8S_YAML)).toBe(text);
  });
});
