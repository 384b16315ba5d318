/**
 * The site's input handling, in-process and without a synth: the file checks (missing, too
 * large, not UTF-8, bad YAML), the error text, cron schedules, durations, IPv4 block edges and
 * the advice lines. Written for mutants StrykerJS left alive in site/ (docs/mutation-testing.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { firstInvalidUtf8, isUsableHost, loadSite, parseSite, parseSiteText, SiteError, SITE_FILE_MAX_BYTES, cronRunsPerDay, type SiteProblem } from '../../site';
import { isCronSchedule } from '../../site/primitives';
import { talosMinor } from '../../site/talos-support';
import { tempDir } from '../support/synth-once';

function problemsOf(fn: () => unknown): SiteProblem[] {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SiteError)) throw err;
    return [...err.problems];
  }
  return [];
}

describe('SiteError', () => {
  test('its message names the source and lists one problem per line: path, JSON value, message', () => {
    const err = new SiteError('my-site.yaml', [
      { path: 'a.b', value: 'x', message: 'is wrong' },
      { path: 'c', value: 3, message: 'is too big' },
    ]);
    expect(err.message).toBe('invalid site (my-site.yaml):\n  - a.b: "x" is wrong\n  - c: 3 is too big');
    expect(err.name).toBe('SiteError');
    expect(err.source).toBe('my-site.yaml');
  });

  test('a site object in code is named "site object"', () => {
    let error: unknown;
    try { parseSite({ prometheus: { cpu: 0 } }); } catch (err) { error = err; }
    expect((error as SiteError).source).toBe('site object');
  });
});

describe('parseSite', () => {
  test.each([['a number', 5], ['a string', 'prometheus'], ['a list', [1, 2]], ['an empty list', []], ['true', true], ['a function', () => 1]])('refuses %s at the top level, asking for a mapping', (_name, raw) => {
    expect(problemsOf(() => parseSite(raw))).toEqual([{ path: '(top level)', value: raw, message: 'must be a mapping of settings (see site.schema.json)' }]);
  });

  test('an empty document (null) is the default site', () => {
    expect(parseSite(null).site.name).toBe('pve01-monitoring');
  });

  test('a schema problem carries the bad value and zod\'s reason', () => {
    expect(problemsOf(() => parseSite({ prometheus: { cpu: 'four' } }))).toEqual([
      { path: 'prometheus.cpu', value: 'four', message: 'is invalid: Invalid input: expected number, received string' },
    ]);
  });

  test('an unknown key is named with its full path and value', () => {
    expect(problemsOf(() => parseSite({ prometheus: { retension: '15d' } }))).toEqual([
      { path: 'prometheus.retension', value: '15d', message: 'is not a known setting; remove it or check its spelling against site.schema.json' },
    ]);
  });

  test('a webhook with both url and urlSecret is refused', () => {
    const found = problemsOf(() => parseSite({ alertmanager: { receivers: { webhooks: [{ name: 'a', url: 'https://x.example/h', urlSecret: 's' }] } } }));
    expect(found.map((p) => [p.path, p.message])).toEqual([['alertmanager.receivers.webhooks.0', 'is invalid: give exactly one of url (no credentials in it) or urlSecret (a Secret with key "url")']]);
  });

  test.each(['0s', 'soon', ''])('a retention of %j is not a positive duration', (retention) => {
    expect(problemsOf(() => parseSite({ prometheus: { retention } })).map((p) => p.path)).toEqual(['prometheus.retention']);
  });
});

describe('advice lines', () => {
  const advice = (input: unknown) => parseSite(input).warnings.filter((w) => !w.startsWith('assumed '));
  const email = { name: 'm', to: 'a@b.example', from: 'c@d.example', smarthost: 'h:25' };

  test('the default site is told it has no receiver and no dead man\'s switch', () => {
    expect(advice({}).map((w) => w.split(':')[0])).toEqual(['alertmanager.receivers', 'alertmanager.heartbeat']);
  });

  test('one webhook and one email receiver: no "none configured" advice', () => {
    expect(advice({ alertmanager: { receivers: { webhooks: [{ name: 'w', url: 'https://a.example/h' }], emails: [email] } } }).some((w) => w.startsWith('alertmanager.receivers'))).toBe(false);
  });

  test('a host capacity equal to what is allocated, or unknown, is not overcommitted', () => {
    expect(advice({ proxmox: { capacity: { vcpu: 18, diskGB: 71 } } }).some((w) => w.startsWith('proxmox.capacity'))).toBe(false);
    expect(advice({ proxmox: { capacity: { memoryGB: 64 } } }).some((w) => w.startsWith('proxmox.capacity'))).toBe(false);
  });

  test('a host with fewer vCPUs than allocated is overcommitted (advice, not an error)', () => {
    expect(advice({ proxmox: { capacity: { vcpu: 17 } } }).filter((w) => w.startsWith('proxmox.capacity'))).toEqual([
      'proxmox.capacity.vcpu: below proxmox.allocated.vcpu; the host is overcommitted (normal for vCPUs), so the comparison\'s shares of the host exceed 100 %',
    ]);
  });
});

describe('site files', () => {
  const dir = tempDir('site-input-');
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  test('a missing file names the error code and how to pass a file', () => {
    const file = path.join(dir, 'missing.yaml');
    expect(problemsOf(() => loadSite(file))).toEqual([{ path: '(file)', value: file, message: 'cannot be read (ENOENT); pass an existing YAML file with --site FILE or SITE=FILE' }]);
  });

  test('a file of exactly the limit passes the size check; one byte more is refused before reading', () => {
    // Not UTF-8 from its first byte, so passing the size check ends at once (no 1 MiB YAML parse).
    const exact = write('exact.bin', Buffer.alloc(SITE_FILE_MAX_BYTES, 0xff));
    expect(problemsOf(() => loadSite(exact))[0].message).toMatch(/^is not UTF-8: byte 0xff at line 1, column 1 \(offset 0\)/);
    const over = write('over.yaml', `#${'x'.repeat(SITE_FILE_MAX_BYTES - 1)}\n`);
    expect(problemsOf(() => loadSite(over))).toEqual([{ path: '(file)', value: over, message: `is ${SITE_FILE_MAX_BYTES + 1} bytes; a site file is at most ${SITE_FILE_MAX_BYTES} bytes (1 MiB): pass the site description, not another file` }]);
  });

  test('a file that is not UTF-8 is refused with the byte, line, column and offset', () => {
    const file = write('latin1.yaml', Buffer.concat([Buffer.from('name: x\n  # caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(problemsOf(() => loadSite(file))).toEqual([{ path: '(file)', value: file, message: 'is not UTF-8: byte 0xe9 at line 2, column 8 (offset 15); save the file as UTF-8' }]);
  });

  test('a byte below 0x10 is printed with two hex digits', () => {
    const file = write('ctl.yaml', Buffer.from([0x6e, 0x3a, 0x20, 0xc3, 0x05]));
    expect(problemsOf(() => loadSite(file))[0].message).toMatch(/^is not UTF-8: byte 0xc3 at line 1, column 4 \(offset 3\)/);
  });

  test('a valid UTF-8 file with multi-byte characters is read', () => {
    const file = write('utf8.yaml', 'name: x # café ☃ 😀\n');
    expect(loadSite(file).site.name).toBe('x');
  });
});

describe('YAML problems', () => {
  test('a duplicate key is named (plain, double- and single-quoted), with its line and the first one\'s', () => {
    expect(problemsOf(() => parseSiteText('syslog: { port: 514 }\nsyslog: { tcp: false }\n', 'f.yaml'))).toEqual([
      { path: '(yaml)', value: 'line 2', message: 'is not valid YAML: the key "syslog" appears twice in one mapping (first at line 1); keep one (later keys do not override earlier ones)' },
    ]);
    // Named as YAML reads them: escapes and doubled quotes resolved.
    expect(problemsOf(() => parseSiteText('a: 1\n"b\\"c": 2\n"b\\"c": 3\n', 'f.yaml'))[0].message).toContain('the key "b\\"c" appears twice in one mapping (first at line 2)');
    expect(problemsOf(() => parseSiteText("a: 1\n'it''s': 2\n'it''s': 3\n", 'f.yaml'))[0].message).toContain('the key "it\'s" appears twice');
  });

  const named = (text: string) => problemsOf(() => parseSiteText(text, 'f.yaml')).map((p) => `${p.value}: ${p.message.replace(/^is not valid YAML: the key /, '').replace(/; keep one .*$/, '')}`);
  /** The problem for a key repeated once, as `named` gives it. */
  const twice = (line: number, key: string, first: number) => `line ${line}: ${JSON.stringify(key)} appears twice in one mapping (first at line ${first})`;

  test('keys are named whole, whatever they hold', () => {
    expect(named('"a b": 1\n"a b": 2\n')).toEqual([twice(2, 'a b', 1)]);
    expect(named("'a b': 1\n'a b': 2\n")).toEqual([twice(2, 'a b', 1)]);
    expect(named("it's: 1\nit's: 2\n")).toEqual([twice(2, 'it\'s', 1)]);
    // Plain keys hold spaces between words, a ":" not followed by a space, "#" not after a space,
    // flow indicators (in block maps), a non-breaking space; block scalars can be explicit keys.
    expect(named('a b: 1\na b: 2\n')).toEqual([twice(2, 'a b', 1)]);
    expect(named(':a: 1\n:a: 2\n')).toEqual([twice(2, ':a', 1)]);
    expect(named('a:b: 1\na:b: 2\n')).toEqual([twice(2, 'a:b', 1)]);
    expect(named('x: {a b: 1, a:b: 2, a b: 3, a:b: 4}\n')).toEqual([twice(1, 'a b', 1), twice(1, 'a:b', 1)]);
    expect(named('a#b: 1 # note\na#b: 2\n')).toEqual([twice(2, 'a#b', 1)]);
    expect(named('a[0]: 1\na[0]: 2\n')).toEqual([twice(2, 'a[0]', 1)]);
    expect(named('a{b},c: 1\na{b},c: 2\n')).toEqual([twice(2, 'a{b},c', 1)]);
    expect(named('a\u00a0b: 1\na\u00a0b: 2\n')).toEqual([twice(2, 'a\u00a0b', 1)]);
    expect(named('? |\n  two\n  lines\n: 1\n? |\n  two\n  lines\n: 2\n')).toEqual([twice(5, 'two\nlines\n', 1)]);
  });

  test('empty keys, in block, explicit and flow maps, with comments between', () => {
    expect(named('x:\n  : 1\n  : 2\n')).toEqual([twice(3, '', 2)]);
    expect(named('x:\n  ? \n  : 1\n  ?\n  : 2\n')).toEqual([twice(4, '', 2)]);
    expect(named('x: {: 1,  : 2}\n')).toEqual([twice(1, '', 1)]);
    expect(named(': 1\n# a note\n: 2\n')).toEqual([twice(2, '', 1)]);
    // An empty key beside a duplicate is not mistaken for it.
    expect(named('a: 1\n?\na: 2\n')).toEqual([twice(3, 'a', 1)]);
    expect(named('a:\na: 2\n: x\n')).toEqual([twice(2, 'a', 1)]);
  });

  // The parser reports a duplicate that follows a key without a value at the end of that entry,
  // a line early; the problem names the key and its own line.
  test('a duplicate after a key without a value is named at its own line', () => {
    expect(named('nodes:\nnodes:\n  - name: x\n')).toEqual([twice(2, 'nodes', 1)]);
    expect(named('alerting:\n  slack:\n  slack:\n    url: x\n')).toEqual([twice(3, 'slack', 2)]);
  });

  // The parser itself compares equal scalars only: these would have silently replaced the earlier value.
  test('keys written differently that become the same setting are repeats too, named as written', () => {
    expect(named('1: a\n0x1: b\n')).toEqual(['line 2: `0x1` is the setting "1" again, as the key `1` at line 1 of the same mapping']);
    expect(named('null: a\n~: b\n')).toEqual(['line 2: `~` is the setting "" again, as the key `null` at line 1 of the same mapping']);
    // A null key becomes the object key "" (as toJS names it), not "null".
    expect(named('x:\n  "": 1\n  ~: 2\n  "null": 3\n')).toEqual(['line 3: `~` is the setting "" again, as the key `""` at line 2 of the same mapping']);
    expect(named('x:\n  .inf: 1\n  .Inf: 2\n')).toEqual(['line 3: `.Inf` is the setting "Infinity" again, as the key `.inf` at line 2 of the same mapping']);
    expect(named('headers:\n  1: tenant-a\n  "1": tenant-b\n')).toEqual(['line 3: `"1"` is the setting "1" again, as the key `1` at line 2 of the same mapping']);
    expect(named('headers:\n  &h X-Scope-OrgID: a\n  *h : b\n')).toEqual(['line 3: `*h` is the setting "X-Scope-OrgID" again, as the key `X-Scope-OrgID` at line 2 of the same mapping']);
    expect(named('x:\n  .nan: 1\n  .NaN: 2\n')).toEqual(['line 3: `.NaN` is the setting "NaN" again, as the key `.nan` at line 2 of the same mapping']);
    expect(named('<<: {name: a}\n<<: {name: b}\n')).toEqual(['line 2: "<<" appears twice in one mapping (first at line 1)']);
  });

  test('tags that would turn a setting into another kind of data are refused, with their line', () => {
    const refused = (text: string) => problemsOf(() => parseSiteText(text, 'f.yaml')).map((p) => `${p.path} ${p.value} ${p.message.replace(/ at line \d+, column \d+:/, '')}`);
    const message = (tag: string) => `uses a tag a site file cannot hold (Unresolved tag: tag:yaml.org,2002:${tag}); remove the tag: settings are plain mappings, lists and scalars`;
    expect(refused('name: x\nprometheus: !!omap [retention: 1d]\n')).toEqual([`(yaml) line 2 ${message('omap')}`]);
    expect(refused('!!set {name}\n')).toEqual([`(yaml) line 1 ${message('set')}`]);
    expect(refused('p: !!pairs\n  - a: 1\n    a: 2\n')).toEqual([
      `(yaml) line 1 ${message('pairs')}`,
      '(yaml) line 3 is not valid YAML: the key "a" appears twice in one mapping (first at line 2); keep one (later keys do not override earlier ones)',
    ]);
    expect(refused('name: !local lab\n')).toEqual(['(yaml) line 1 uses a tag a site file cannot hold (Unresolved tag: !local); remove the tag: settings are plain mappings, lists and scalars']);
    // The core schema's own tags are fine, and other warnings (an unknown directive) are no refusal.
    expect(parseSiteText('name: !!str lab\n', 'f.yaml').site.name).toBe('lab');
    expect(parseSiteText('%FOO bar\n---\nname: lab\n', 'f.yaml').site.name).toBe('lab');
  });

  test('a value that contains itself through an alias is shown as such, not thrown while printing', () => {
    const error = (() => { try { parseSiteText('prometheus: &x { a: *x }\n', 'f.yaml'); } catch (e) { return e as SiteError; } throw new Error('expected a SiteError'); })();
    expect(error.message).toContain('  - prometheus.a: (a value that contains itself, through an alias of its own anchor) is not a known setting');
    // Nor a bigint, which JSON cannot hold (a site object from code).
    expect(() => parseSite(5n)).toThrow('  - (top level): 5n must be a mapping of settings');
  });

  test('each duplicate is named at its own place, with its line, in file order among other errors', () => {
    expect(named('a: 1\nb: 1\na: 2\nb: 2\na: 3\n')).toEqual([
      'line 3: "a" appears twice in one mapping (first at line 1)',
      'line 4: "b" appears twice in one mapping (first at line 2)',
      'line 5: "a" appears 3 times in one mapping (first at line 1)',
    ]);
    // Keys of other mappings are no duplicates; a repeat inside a nested map is its own.
    expect(named('x:\n  y: {k: 1}\n  z: {k: 1, k: 2}\n')).toEqual(['line 3: "k" appears twice in one mapping (first at line 3)']);
    // A repeat inside a nested map comes before its parent's repeat in the file, and in the list.
    expect(named('x:\n  k: 1\n  k: 2\nx: 3\n')).toEqual([
      'line 3: "k" appears twice in one mapping (first at line 2)',
      'line 4: "x" appears twice in one mapping (first at line 1)',
    ]);
    expect(named('a: 1\na: 2\nb: {\n').map((p) => p.slice(0, 30))).toEqual(['line 2: "a" appears twice in o', 'line 4: is not valid YAML: Flo']);
    // Flow maps check a key after its value: the parser reports the inner repeat first.
    expect(named('{a: 1, a: {b: 1, b: 2}}\n').map((p) => p.slice(0, 12))).toEqual(['line 1: "a" ', 'line 1: "b" ']);
    expect(named('a: 1\nb: [\nc: 1\nc: 2\n')).toEqual([
      'line 3: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:',
      'line 4: "c" appears twice in one mapping (first at line 3)',
    ]);
  });

  // Two oracles the parser provides: every key its own duplicate check flags (equal scalars) is
  // named at its line; and where nothing is named, its toJS keeps a key per pair of every mapping.
  test('on generated documents: every key the parser flags is named at its line, and no setting is lost unnamed', () => {
    const pieces = ['a: 1', 'a:', 'b: 2', '"a": 3', '? a', '?', ': 4', '# c', 'x:\n  a: 1\n  a: 2', '{a: 1, a: 2}: 5', '1: 6', '0x1: 7', '"1": 8', '~: 9',
      'null: 10', '- a', '&k k: 11', '*k : 12', '!!str a: 13', '.nan: 14', '.NaN: 15', 'y: [a: 1, a: 2]', '<<: {m: 1}', 'z: &z {a: 1}', 'w: *z', '"": 16', '"null": 17'];
    let seed = 7;
    const next = () => { seed = (seed * 48271) % 2147483647; return seed; };
    let flagged = 0;
    let clean = 0;
    for (let i = 0; i < 4000; i++) {
      const text = `${Array.from({ length: 2 + (next() % 5) }, () => pieces[next() % pieces.length]).join('\n')}\n`;
      const lines = new YAML.LineCounter();
      const parserFlagged: number[] = [];
      const doc = YAML.parseDocument(text, {
        merge: true, lineCounter: lines,
        uniqueKeys: (a, b) => {
          const same = a === b || (YAML.isScalar(a) && YAML.isScalar(b) && a.value === b.value);
          if (same) parserFlagged.push(lines.linePos(b.range![0]).line);
          return same;
        },
      });
      let named: string[] = [];
      try {
        parseSiteText(text, 'f.yaml');
      } catch (e) {
        if (!(e instanceof SiteError)) throw e;
        named = e.problems.filter((p) => / in one mapping \(| of the same mapping;/.test(p.message)).map((p) => String(p.value));
      }
      // Only the first document's keys count (a second one is an error of its own).
      const inFirst = parserFlagged.filter((l) => l <= lines.linePos(doc.range[2]).line);
      expect({ text, missing: inFirst.map((l) => `line ${l}`).filter((l) => !named.includes(l)) }).toEqual({ text, missing: [] });
      flagged += inFirst.length;
      // The root mapping's data (the library's toJS; merges left out, they add keys) keeps a key per pair.
      if (named.length === 0 && doc.errors.length === 0 && YAML.isMap(doc.contents) && !text.includes('<<')) {
        let js: object;
        try { js = doc.toJS({ maxAliasCount: 100 }) as object; } catch { continue; } // an alias before its anchor
        clean++;
        expect({ text, keys: Object.keys(js).length }).toEqual({ text, keys: doc.contents.items.length });
      }
    }
    expect(flagged).toBeGreaterThan(500);
    expect(clean).toBeGreaterThan(300);
  });

  test('other syntax errors give the parser\'s first line', () => {
    expect(problemsOf(() => parseSiteText('prometheus: { cpu: 4\n', 'f.yaml'))[0]).toEqual({
      path: '(yaml)', value: 'line 2',
      message: 'is not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 2, column 1:',
    });
  });

  test('an alias bomb is refused as data that cannot be read', () => {
    const bomb = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c]'].join('\n');
    expect(problemsOf(() => parseSiteText(bomb, 'bomb.yaml'))).toEqual([
      { path: '(yaml)', value: 'bomb.yaml', message: 'parses but cannot be read as data (Excessive alias count indicates a resource exhaustion attack); expand the aliases, or merge (<<) only mappings' },
    ]);
  });

  test('merge keys between mappings are read', () => {
    const { site } = parseSiteText('grafana: &size { cpu: 3, memoryGiB: 6 }\nalertmanager:\n  <<: *size\n  storageGiB: 20\n', 'merge.yaml');
    expect(site.alertmanager).toMatchObject({ cpu: 3, memoryGiB: 6, storageGiB: 20 });
  });
});

describe('firstInvalidUtf8', () => {
  const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
  test.each<[string, number[], number]>([
    ['ASCII up to 0x7f', [0x41, 0x7f], -1],
    ['a lone continuation byte 0x80', [0x41, 0x80], 1],
    ['continuation bytes without a lead', [0x80, 0x80, 0x80, 0x80], 0],
    ['an overlong 2-byte lead 0xc0 before continuation bytes', [0xc0, 0x80, 0x80, 0x80], 0],
    ['the overlong lead bytes 0xc0 and 0xc1', [0xc1, 0xbf], 0],
    ['the smallest and largest 2-byte leads', [0xc2, 0x80, 0xdf, 0xbf], -1],
    ['a 2-byte lead without its continuation', [0xc2, 0x41], 0],
    ['a 2-byte lead at the end', [0x41, 0xc2], 1],
    ['3-byte leads 0xe0 (from 0xa0) and 0xef', [0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf], -1],
    ['an overlong 3-byte form (0xe0 0x9f)', [0xe0, 0x9f, 0xbf], 0],
    ['the last code point before the surrogates (0xed 0x9f)', [0xed, 0x9f, 0xbf], -1],
    ['a UTF-16 surrogate (0xed 0xa0)', [0xed, 0xa0, 0x80], 0],
    ['4-byte leads 0xf0 (from 0x90) and 0xf4 (to 0x8f)', [0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf], -1],
    ['an overlong 4-byte form (0xf0 0x8f)', [0xf0, 0x8f, 0xbf, 0xbf], 0],
    ['a code point above U+10FFFF (0xf4 0x90)', [0xf4, 0x90, 0x80, 0x80], 0],
    ['the lead bytes 0xf5 and up', [0x41, 0xf5, 0x80, 0x80, 0x80], 1],
    ['a 3-byte sequence cut short by the end', [0xe2, 0x82], 0],
    ['a bad third byte', [0xe2, 0x82, 0x41], 0],
    ['the second character broken, after a good 3-byte one', [0xe2, 0x82, 0xac, 0xe2, 0x41], 3],
  ])('%s', (_name, bytes, expected) => {
    expect(at(...bytes)).toBe(expected);
  });
});

describe('cron schedules', () => {
  test.each(['0 2 * * *', '* * * * *', '*/15 * * * *', '0-30 * * * *', '5/10 * * * *', '0,30 1-2 * * 1-5', '59 23 31 12 7', '0 0 1 1 0', ' 0 2 * * * ', '0  2 * * *'])('%j is a schedule', (s) => {
    expect(isCronSchedule(s)).toBe(true);
  });

  test.each(['0 2 * *', '0 2 * * * *', '60 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 * 0 *', '0 0 * 13 *', '0 0 * * 8', '*/0 * * * *', '5-1 * * * *',
    'a5 * * * *', '5x * * * *', '*/x * * * *', '0-60 * * * *', ',0 * * * *'])('%j is not a schedule', (s) => {
    expect(isCronSchedule(s)).toBe(false);
  });

  test.each<[string, number]>([
    ['0 2 * * *', 1], ['0 * * * *', 24], ['*/15 * * * *', 96], ['0,30 1-2 * * *', 4], ['5/20 * * * *', 72], ['0 0,0 * * *', 1], [' 0  2 * * * ', 1],
  ])('%j runs %i times a day', (s, runs) => {
    expect(cronRunsPerDay(s)).toBe(runs);
  });
});

describe('IPv4 blocks', () => {
  test.each<[string, string, boolean]>([
    ['10.69.255.255', '10.70.0.0/24', false],
    ['10.70.1.0', '10.70.0.0/24', false],
    ['10.70.0.1', '10.70.0.0/24', true],
    ['10.70.0.254', '10.70.0.0/24', true],
    ['10.0.0.0', '10.0.0.0/31', true],
    ['10.0.0.1', '10.0.0.0/31', true],
    ['10.0.0.2', '10.0.0.0/31', false],
    ['10.0.0.7', '10.0.0.7/32', true],
  ])('%s in %s is a usable host: %s', (ip, cidr, usable) => {
    expect(isUsableHost(ip, cidr)).toBe(usable);
  });
});

test('the Talos minor of a release is its first two numbers', () => {
  expect(talosMinor('v1.13.9')).toBe('1.13');
  expect(talosMinor('1.12.0')).toBe('1.12');
});
