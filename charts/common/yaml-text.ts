/**
 * YAML text for the JSON-shaped values this tool writes (manifests, embedded config files), fast.
 *
 * The yaml library (2.x) builds a node tree for every value and runs every scalar through the
 * schema's resolvers; on a cold process that was about a quarter of `npm run synth` (issue 13).
 * This writer emits the same text directly for the shapes that occur here: plain objects,
 * arrays, strings, finite numbers, booleans and null, block layout, no line folding. Whatever it
 * does not cover (undefined values where they are kept, shared or cyclic objects, control
 * characters, strings that would need a quoted multi-line or a kept-newlines block, other
 * objects) goes to the yaml library for the whole document, so the text is always the library's.
 * Which strings may be written plain is decided by the library's own schema resolvers.
 * test/render/yaml-text.test.ts compares both on every object synth serializes and on generated values.
 */
import * as YAML from 'yaml';

/** The layouts used here; both write block collections with no line folding (lineWidth 0). */
export interface YamlTextStyle {
  /** YAML version of the schema whose scalars must stay strings: cdk8s writes 1.1, configs 1.2. */
  readonly version: '1.1' | '1.2';
  /** Keep object keys whose value is undefined (as null), as cdk8s asks; else they are dropped. */
  readonly keepUndefined: boolean;
  /** Emit a repeated object once with an anchor and aliases (the library's default). */
  readonly aliasDuplicateObjects: boolean;
}

/** cdk8s's `Yaml.stringify` (cdk8s 2.x lib/yaml.js: keepUndefined, lineWidth 0, version 1.1). */
export const CDK8S_YAML: YamlTextStyle = { version: '1.1', keepUndefined: true, aliasDuplicateObjects: true };

/** Embedded config files (charts/common/config-yaml.ts): YAML 1.2, no anchors. */
export const CONFIG_YAML: YamlTextStyle = { version: '1.2', keepUndefined: false, aliasDuplicateObjects: false };

/** One document's text (ending in a newline), identical to `YAML.stringify(value, options)`. */
export function yamlText(value: unknown, style: YamlTextStyle): string {
  return fastYamlText(value, style) ?? YAML.stringify(value, libraryOptions(style));
}

/** What the yaml library is given for the same text. */
export function libraryOptions(style: YamlTextStyle): YAML.DocumentOptions & YAML.SchemaOptions & YAML.CreateNodeOptions & YAML.ToStringOptions {
  return { version: style.version, keepUndefined: style.keepUndefined, aliasDuplicateObjects: style.aliasDuplicateObjects, lineWidth: 0 };
}

/** The fast writer alone: undefined when the value is outside what it covers. */
export function fastYamlText(value: unknown, style: YamlTextStyle): string | undefined {
  // An empty map (or one whose values are all dropped) is declined by map(): the library writes "{}".
  if (!isPlainObject(value)) return undefined;
  try {
    return `${new Writer(style).map(value, '')}\n`;
  } catch (e) {
    if (e === NOT_COVERED) return undefined;
    throw e;
  }
}

const NOT_COVERED = new Error('outside the fast YAML writer; the yaml library writes this document');

/** Characters that make the library quote (double) whatever the string: C0/C1 controls, lone surrogates. */
const NEEDS_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** A one-line string the library never writes plain (indicators, ": ", " #", edge whitespace); multi-line strings are literal blocks. */
const NOT_PLAIN = /^[\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|:[ \t]|[\t ]#|[\t :]$/;
/** "---", "..." or "%" at a line start: the library adds indentation or quotes; not covered. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** DOCUMENT_MARKER, with the multi-line regex run only on strings that hold a marker at all (it was 1 % of a synth on long embedded files). */
function hasDocumentMarker(value: string): boolean {
  return (value.includes('%') || value.includes('---') || value.includes('...')) && DOCUMENT_MARKER.test(value);
}
/** Keys longer than this as written become explicit ("? key") keys in the library. */
const MAX_IMPLICIT_KEY = 1024;

/** Per schema version: does a plain scalar with this text resolve to something other than a string? */
const resolvesToNonString = new Map<string, (text: string) => boolean>();
function nonStringTest(version: YamlTextStyle['version']): (text: string) => boolean {
  let test = resolvesToNonString.get(version);
  if (!test) {
    // The library's own resolvers for the schema (null, bool, int, float, timestamp for 1.1 ...);
    // str has no test (it is what everything else falls back to), merge's "<<" only counts as a key.
    const schema = new YAML.Document(null, { version }).schema as unknown as { tags: Tag[]; compat?: Tag[] | null };
    const resolvers = [...schema.tags, ...(schema.compat ?? [])]
      .filter((t) => t.default === true && t.test instanceof RegExp)
      .map((t) => t.test!);
    test = (text) => resolvers.some((r) => r.test(text));
    resolvesToNonString.set(version, test);
  }
  return test;
}
interface Tag { default?: boolean | 'key'; tag: string; test?: RegExp }

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

class Writer {
  private readonly nonString: (text: string) => boolean;
  /** Objects on the current path (cycles), or every object seen when repeats would become aliases. */
  private readonly seen = new Set<object>();

  constructor(private readonly style: YamlTextStyle) {
    this.nonString = nonStringTest(style.version);
  }

  /** A non-empty map's lines at `indent`, the first one without it (the caller places it). */
  map(obj: Record<string, unknown>, indent: string): string {
    this.enter(obj);
    const child = `${indent}  `;
    let out = '';
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value === undefined) {
        if (this.style.keepUndefined) throw NOT_COVERED;
        continue;
      }
      out += `${out === '' ? '' : `\n${indent}`}${this.key(key, child)}:${this.afterKey(value, child)}`;
    }
    this.leave(obj);
    if (out === '') throw NOT_COVERED; // every value undefined: the library writes "{}"
    return out;
  }

  /** A non-empty sequence's items at `indent`, the first one without it. */
  private seq(items: readonly unknown[], indent: string): string {
    this.enter(items);
    const child = `${indent}  `;
    let out = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // The library writes an undefined item as null (or drops it); not needed here.
      if (item === undefined) throw NOT_COVERED;
      out += `${i === 0 ? '' : `\n${indent}`}- ${this.item(item, child)}`;
    }
    this.leave(items);
    return out;
  }

  /** What follows "key:": a space and a scalar, "{}"/"[]", or a new line and the collection. */
  private afterKey(value: unknown, indent: string): string {
    if (Array.isArray(value)) return value.length === 0 ? ` ${this.empty(value, '[]')}` : `\n${indent}${this.seq(value, indent)}`;
    if (isPlainObject(value)) return Object.keys(value).length === 0 ? ` ${this.empty(value, '{}')}` : `\n${indent}${this.map(value, indent)}`;
    return ` ${this.scalar(value, indent)}`;
  }

  /** What follows "- ": a map or sequence starts on the same line. */
  private item(value: unknown, indent: string): string {
    if (Array.isArray(value)) return value.length === 0 ? this.empty(value, '[]') : this.seq(value, indent);
    if (isPlainObject(value)) return Object.keys(value).length === 0 ? this.empty(value, '{}') : this.map(value, indent);
    return this.scalar(value, indent);
  }

  /** An empty collection: a repeated one would be an alias too. */
  private empty(value: object, text: string): string {
    this.enter(value);
    this.leave(value);
    return text;
  }

  private scalar(value: unknown, indent: string): string {
    switch (typeof value) {
      case 'string': return this.string(value, indent);
      case 'boolean': return value ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(value)) throw NOT_COVERED;
        return Object.is(value, -0) ? '-0' : JSON.stringify(value);
      default:
        if (value === null) return 'null';
        throw NOT_COVERED; // bigint, symbol, function, Date and other objects
    }
  }

  private key(key: string, indent: string): string {
    if (key === '' || key.includes('\n')) throw NOT_COVERED;
    const text = this.string(key, indent);
    // The library measures the key as written (quotes and escapes included).
    if (text.length > MAX_IMPLICIT_KEY) throw NOT_COVERED;
    return text;
  }

  /** A string scalar as the library's default (plain) style would write it. */
  private string(value: string, indent: string): string {
    if (NEEDS_ESCAPES.test(value) || hasDocumentMarker(value)) throw NOT_COVERED;
    // Keys never get here with a line break (key() refuses them).
    if (value.includes('\n')) return this.literalBlock(value, indent);
    if (NOT_PLAIN.test(value) || this.nonString(value)) return quoted(value);
    return value;
  }

  /** A multi-line value as a literal block ("|", "|-"), indented one step past its key or dash. */
  private literalBlock(value: string, indent: string): string {
    // Spaces or tabs after the last line break need a quoted scalar, several final line breaks
    // "|+": either leaves a line break before the tail's end (tailBreak below). Neither occurs here.
    let bodyEnd = value.length;
    while (bodyEnd > 0 && (value[bodyEnd - 1] === '\n' || value[bodyEnd - 1] === '\t' || value[bodyEnd - 1] === ' ')) bodyEnd--;
    const tail = value.slice(bodyEnd);
    const tailBreak = tail.indexOf('\n');
    if (tailBreak !== -1 && (bodyEnd === 0 || tailBreak !== tail.length - 1)) throw NOT_COVERED;
    // "-": no final line break; "": exactly one (dropped here, implied by the block).
    const chomp = tailBreak === -1 ? '-' : '';
    const end = tailBreak === -1 ? tail : tail.slice(0, -1);
    // Leading blank lines are kept as they are; a first non-blank line that starts with a space
    // needs an explicit indentation indicator (always 2: a block here is never at the document's root).
    const leadingSpace = /^\n* /.test(value);
    const body = value.slice(0, bodyEnd).replace(/\n+/g, (breaks) => breaks + indent);
    return `|${leadingSpace ? '2' : ''}${chomp}\n${indent}${body}${end}`;
  }

  private enter(obj: object): void {
    if (this.seen.has(obj)) throw NOT_COVERED; // an alias (or a cycle) in the library's output
    this.seen.add(obj);
  }

  private leave(obj: object): void {
    // Without aliases a repeated object is written again in full; only a cycle is refused.
    if (!this.style.aliasDuplicateObjects) this.seen.delete(obj);
  }
}

/** A single-line string the library quotes: single quotes when it has " but no ', else JSON's. */
function quoted(value: string): string {
  if (value.includes('"') && !value.includes("'")) return `'${value}'`;
  // Without control characters, lone surrogates or line breaks the library's double-quoted form
  // is JSON's.
  return JSON.stringify(value);
}
