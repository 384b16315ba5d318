/** Reads, parses and validates a site file once; everything downstream trusts the result. */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import type * as z from 'zod';
import { ASSUMED_DEFAULTS, SITE_ADVICE } from './assumed';
import { checkSiteRules, SiteProblem } from './rules';
import { Site, SiteSchema } from './schema';

/** Thrown for any bad site input; `problems` name the field, the value and the fix. */
export class SiteError extends Error {
  constructor(readonly source: string, readonly problems: readonly SiteProblem[]) {
    super(`invalid site (${source}):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SiteError';
  }
}

export interface LoadedSite {
  readonly site: Site;
  /** One line per assumed default the site file did not set, and per piece of advice that applies. */
  readonly warnings: readonly string[];
  /** Where the site came from: a file path or "embedded default (assessment mon-001)". */
  readonly source: string;
}

export const EMBEDDED_SOURCE = 'embedded default (assessment mon-001)';

function formatProblem(p: SiteProblem): string {
  return `  - ${p.path}: ${describeValue(p.value)} ${p.message}`;
}

/** The value as JSON; one JSON cannot hold (an alias inside its own anchor, a bigint) is described instead of thrown. */
function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value === 'bigint' ? `${value}n` : '(a value that contains itself, through an alias of its own anchor)';
  }
}

function issueToProblem(issue: z.core.$ZodIssue): SiteProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...issue.path, key].join('.'),
      value: (issue.input as Record<string, unknown> | undefined)?.[key],
      message: 'is not a known setting; remove it or check its spelling against site.schema.json',
    }));
  }
  // The top level is a strict object without refinements: its only other issue is a value that is
  // no mapping at all (a list, a string, a number).
  if (issue.path.length === 0) return [{ path: '(top level)', value: issue.input, message: 'must be a mapping of settings (see site.schema.json)' }];
  return [{ path: issue.path.join('.'), value: issue.input, message: `is invalid: ${issue.message}` }];
}

/** Validate already-parsed site data (a YAML document or an object in code). */
export function parseSite(raw: unknown, source = 'site object'): LoadedSite {
  const result = SiteSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) throw new SiteError(source, result.error.issues.flatMap(issueToProblem));
  const problems = checkSiteRules(result.data);
  if (problems.length > 0) throw new SiteError(source, problems);
  const warnings = [
    ...ASSUMED_DEFAULTS.filter((a) => !hasPath(raw, a.path)).map((a) => `assumed ${a.path}: ${a.reason}`),
    ...SITE_ADVICE.flatMap((advise) => advise(result.data) ?? []),
  ];
  return { site: result.data, warnings, source };
}

/** A site file is a few KiB; anything larger is not one (and must not exhaust memory). */
export const SITE_FILE_MAX_BYTES = 1024 * 1024;
/** YAML aliases a site file may expand; more is a "billion laughs" bomb, not a site. */
const MAX_ALIAS_COUNT = 100;

/** Load from a YAML file, or the embedded default (the report's values) when no file is given. */
export function loadSite(file?: string): LoadedSite {
  if (!file) return parseSite(undefined, EMBEDDED_SOURCE);
  const fileProblem = (message: string) => new SiteError(file, [{ path: '(file)', value: file, message }]);
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > SITE_FILE_MAX_BYTES) throw fileProblem(`is ${size} bytes; a site file is at most ${SITE_FILE_MAX_BYTES} bytes (1 MiB): pass the site description, not another file`);
    bytes = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof SiteError) throw err;
    throw fileProblem(`cannot be read (${(err as NodeJS.ErrnoException).code}); pass an existing YAML file with --site FILE or SITE=FILE`);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = bytes.subarray(0, bad).toString('utf8').split('\n');
    throw fileProblem(`is not UTF-8: byte 0x${bytes[bad].toString(16).padStart(2, '0')} at line ${before.length}, column ${before[before.length - 1].length + 1} (offset ${bad}); save the file as UTF-8`);
  }
  return parseSiteText(bytes.toString('utf8'), file);
}

/** Parse and validate the text of a site file (what loadSite does once the bytes are read and checked). */
export function parseSiteText(text: string, file: string): LoadedSite {
  const lineCounter = new YAML.LineCounter();
  // merge: YAML 1.1 merge keys (`<<: *defaults`), which people use in site files. Repeated keys
  // are found below, by the setting each key becomes (the parser's own check compares equal
  // scalars only: `1` and `"1"`, or a key and an alias of it, would silently replace the earlier
  // value). Known tags such as !!omap or !!set are not resolved: they are refused below rather
  // than turning a setting into something the validator reads as empty.
  const doc = YAML.parseDocument(text, { uniqueKeys: false, resolveKnownTags: false, prettyErrors: true, merge: true, lineCounter });
  const problems = yamlProblems(doc, text, lineCounter, file);
  if (problems.length > 0) throw new SiteError(file, problems);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // Parses, but cannot become data: an alias bomb, a merge key on something that is not a mapping.
    throw new SiteError(file, [{ path: '(yaml)', value: file, message: `parses but cannot be read as data (${(err as Error).message}); expand the aliases, or merge (<<) only mappings` }]);
  }
  return parseSite(raw, file);
}

/** The parser's errors, tags it could not resolve and repeated keys, as site problems in file order. */
function yamlProblems(doc: YAML.Document, text: string, lines: YAML.LineCounter, file: string): SiteProblem[] {
  const line = (offset: number) => `line ${lines.linePos(offset).line}`;
  const found = doc.errors.map((e) => ({
    offset: e.pos[0],
    problem: { path: '(yaml)', value: e.linePos?.[0] ? `line ${e.linePos[0].line}` : file, message: `is not valid YAML: ${e.message.split('\n')[0]}` },
  }));
  for (const w of doc.warnings.filter((e) => e.code === 'TAG_RESOLVE_FAILED')) {
    found.push({ offset: w.pos[0], problem: { path: '(yaml)', value: line(w.pos[0]), message: `uses a tag a site file cannot hold (${w.message.split('\n')[0]}); remove the tag: settings are plain mappings, lists and scalars` } });
  }
  // Parsed nodes always have a range.
  const written = (node: YAML.Node) => text.slice(node.range![0], node.range![1]);
  for (const { key, first, count, setting } of repeatedKeys(doc)) {
    const again = written(key) === written(first)
      ? `the key ${JSON.stringify(YAML.isScalar(key) ? key.source : written(key))} appears ${count === 2 ? 'twice' : `${count} times`} in one mapping (first at ${line(first.range![0])})`
      : `the key \`${written(key)}\` is the setting ${JSON.stringify(setting)} again, as the key \`${written(first)}\` at ${line(first.range![0])} of the same mapping`;
    found.push({ offset: key.range![0], problem: { path: '(yaml)', value: line(key.range![0]), message: `is not valid YAML: ${again}; keep one (later keys do not override earlier ones)` } });
  }
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.problem);
}

interface RepeatedKey {
  /** The key as written: a scalar, or an alias of one. */
  readonly key: YAML.Node;
  /** The first key of the mapping that becomes the same setting. */
  readonly first: YAML.Node;
  /** How many keys of the mapping become this setting up to this one (2 for the first repeat). */
  readonly count: number;
  /** The object key the data gets. */
  readonly setting: string;
}

/**
 * Each key that becomes the same object key as an earlier key of its mapping, named as the
 * library's toJS names keys (aliases followed, null as "", other values as String() gives them).
 * Keys that are collections are left to the validator.
 */
function repeatedKeys(doc: YAML.Document): RepeatedKey[] {
  const repeated: RepeatedKey[] = [];
  YAML.visit(doc, {
    Map(_, map) {
      const seen = new Map<string, { first: YAML.Node; count: number }>();
      for (const { key } of map.items) {
        const scalar = YAML.isAlias(key) ? key.resolve(doc) : key;
        if (!YAML.isScalar(scalar)) continue;
        // A merge key's value is a symbol: two `<<` in one mapping are repeats too (merge a list).
        const setting = scalar.value === null ? '' : String(scalar.value);
        const earlier = seen.get(setting);
        if (earlier) repeated.push({ key: key as YAML.Node, first: earlier.first, count: ++earlier.count, setting });
        else seen.set(setting, { first: key as YAML.Node, count: 1 });
      }
    },
  });
  return repeated;
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong 3/4-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    const second = bytes[i + 1];
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return -1;
}

function hasPath(raw: unknown, path: string): boolean {
  let node = raw;
  for (const key of path.split('.')) {
    if (!node || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
