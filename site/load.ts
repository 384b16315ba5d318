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
  return `  - ${p.path}: ${JSON.stringify(p.value)} ${p.message}`;
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
  // merge: YAML 1.1 merge keys (`<<: *defaults`), which people use in site files.
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: true, lineCounter });
  if (doc.errors.length > 0) throw new SiteError(file, yamlProblems(doc, lineCounter, file));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // Parses, but cannot become data: an alias bomb, a merge key on something that is not a mapping.
    throw new SiteError(file, [{ path: '(yaml)', value: file, message: `parses but cannot be read as data (${(err as Error).message}); expand the aliases, or merge (<<) only mappings` }]);
  }
  return parseSite(raw, file);
}

/**
 * The parser's errors as site problems, in file order. A duplicate key is named from the parsed
 * document, not from where the parser reports it (after a key without a value it reports the end
 * of that entry, a line early): each key that repeats an earlier key of its mapping, compared as
 * the parser compares them (equal scalar values), at its own line.
 */
function yamlProblems(doc: YAML.Document, lines: YAML.LineCounter, file: string): SiteProblem[] {
  const found = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY').map((e) => ({
    offset: e.pos[0],
    problem: { path: '(yaml)', value: e.linePos?.[0] ? `line ${e.linePos[0].line}` : file, message: `is not valid YAML: ${e.message.split('\n')[0]}` },
  }));
  const lineOf = (key: YAML.Scalar) => lines.linePos(key.range![0]).line; // parsed nodes have a range
  for (const { key, first, count } of repeatedKeys(doc)) {
    const again = key.source === first.source
      ? `the key ${JSON.stringify(key.source)} appears ${count === 2 ? 'twice' : `${count} times`} in one mapping (first at line ${lineOf(first)})`
      : `the key ${JSON.stringify(key.source)} reads as ${String(key.value)}, as the key ${JSON.stringify(first.source)} at line ${lineOf(first)} of the same mapping does`;
    found.push({ offset: key.range![0], problem: { path: '(yaml)', value: `line ${lineOf(key)}`, message: `is not valid YAML: ${again}; keep one (later keys do not override earlier ones)` } });
  }
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.problem);
}

interface RepeatedKey {
  readonly key: YAML.Scalar;
  /** The first key of the mapping with the same value. */
  readonly first: YAML.Scalar;
  /** How many keys with this value the mapping has up to this one (2 for the first repeat). */
  readonly count: number;
}

/** Each scalar key equal to an earlier key of its mapping: the yaml parser's DUPLICATE_KEY test, which compares scalar values. */
function repeatedKeys(doc: YAML.Document): RepeatedKey[] {
  const repeated: RepeatedKey[] = [];
  YAML.visit(doc, {
    Map(_, map) {
      const seen: { first: YAML.Scalar; count: number }[] = [];
      for (const { key } of map.items) {
        if (!YAML.isScalar(key)) continue;
        const earlier = seen.find((s) => s.first.value === key.value);
        if (earlier) repeated.push({ key, first: earlier.first, count: ++earlier.count });
        else seen.push({ first: key, count: 1 });
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
