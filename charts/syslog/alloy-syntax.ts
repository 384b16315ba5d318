/**
 * A typed model of Grafana Alloy configuration syntax and its one serializer, so config.alloy is
 * built from data like the YAML configs and never from string templates.
 *
 * Syntax rules followed (Alloy docs, get-started/syntax): a block is `name "label" { ... }`;
 * an attribute is `key = value` ended by a newline; strings are double-quoted with Go-style
 * escapes; lists are `[a, b]`; objects are `{ key = value, ... }`; references to other
 * components' exports are bare dotted identifiers.
 */

/** A bare reference to another component's export, e.g. `loki.write.local.receiver`. */
export interface AlloyReference {
  readonly ref: string;
}

export type AlloyValue = string | number | boolean | AlloyReference | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  /** Block name, e.g. `loki.source.syslog` or `listener`. */
  readonly name: string;
  /** Component label (only top-level component blocks have one). @default - no label */
  readonly label?: string;
  /** Attributes in output order. */
  readonly attributes?: ReadonlyArray<readonly [string, AlloyValue]>;
  /** Nested blocks, after the attributes. @default - none */
  readonly blocks?: readonly AlloyBlock[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Literals Alloy's scanner reads as values, never as identifiers. */
const KEYWORDS = new Set(['true', 'false', 'null']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isIdentifier = (name: string) => IDENTIFIER.test(name) && !KEYWORDS.has(name);
const REFERENCE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
/** `alloy fmt` indents with tabs. */
const INDENT = '\t';

export function ref(path: string): AlloyReference {
  if (!REFERENCE.test(path)) throw new Error(`Alloy reference ${JSON.stringify(path)} is not a dotted identifier such as loki.write.local.receiver`);
  return { ref: path };
}

function isReference(value: AlloyValue): value is AlloyReference {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'ref' in value && typeof (value as AlloyReference).ref === 'string';
}

/**
 * Alloy strings take Go escapes; JSON's escapes (\" \\ \n \t \uXXXX ...) are a subset of them,
 * so JSON.stringify yields a valid Alloy string literal.
 */
function stringLiteral(text: string): string {
  // A lone surrogate would be written as an escape Alloy rejects ("invalid Unicode code point").
  if (LONE_SURROGATE.test(text)) throw new Error(`Alloy string ${JSON.stringify(text)} holds a lone UTF-16 surrogate`);
  return JSON.stringify(text);
}

function checkIdentifier(name: string, what: string): void {
  if (!isIdentifier(name)) throw new Error(`Alloy ${what} ${JSON.stringify(name)} is not an identifier (letters, digits, _; not starting with a digit)`);
}

/**
 * Pads keys so the `=` of consecutive lines line up, as `alloy fmt` does (a tabwriter): a value
 * spanning several lines ends the run, and the keys after it align among themselves.
 */
function alignKeys(entries: ReadonlyArray<readonly [string, string]>): [string, string][] {
  const out: [string, string][] = [];
  let run: (readonly [string, string])[] = [];
  const flush = () => {
    // Characters, not UTF-16 units, as the formatter counts them.
    const length = (k: string) => [...k].length;
    const width = Math.max(0, ...run.map(([k]) => length(k)));
    out.push(...run.map(([k, text]): [string, string] => [k + ' '.repeat(width - length(k)), text]));
    run = [];
  };
  for (const entry of entries) {
    run.push(entry);
    if (entry[1].includes('\n')) flush();
  }
  flush();
  return out;
}

function formatValue(value: AlloyValue, depth: number): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Alloy number ${value} is not finite`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (isReference(value)) return value.ref;
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v, depth)).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: AlloyValue });
  if (entries.length === 0) return '{}';
  const inner = INDENT.repeat(depth + 1);
  // Object keys that are not identifiers must be quoted (Alloy accepts both forms); `alloy fmt`
  // aligns the `=` of an object's keys as it does a block's attributes.
  const aligned = alignKeys(entries.map(([k, v]) => [isIdentifier(k) ? k : stringLiteral(k), formatValue(v, depth + 1)]));
  const lines = aligned.map(([key, text]) => `${inner}${key} = ${text},`);
  return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
}

function formatBlock(block: AlloyBlock, depth: number): string[] {
  block.name.split('.').forEach((part) => checkIdentifier(part, 'block name part'));
  const pad = INDENT.repeat(depth);
  const header = block.label === undefined ? block.name : `${block.name} ${stringLiteral(block.label)}`;
  const attributes = block.attributes ?? [];
  attributes.forEach(([key]) => checkIdentifier(key, 'attribute'));
  if (attributes.length === 0 && (block.blocks ?? []).length === 0) return [`${pad}${header} { }`];
  const lines = [`${pad}${header} {`];
  for (const [key, text] of alignKeys(attributes.map(([k, v]) => [k, formatValue(v, depth + 1)]))) {
    lines.push(`${pad}${INDENT}${key} = ${text}`);
  }
  // `alloy fmt` separates nested blocks from the attributes and from each other by a blank line.
  for (const child of block.blocks ?? []) {
    if (lines.length > 1) lines.push('');
    lines.push(...formatBlock(child, depth + 1));
  }
  lines.push(`${pad}}`);
  return lines;
}

/**
 * Serialize top-level blocks, one blank line apart, newline-terminated: the canonical form
 * `alloy fmt` prints (checked against Alloy's own printer in test/upstream).
 */
export function formatAlloy(blocks: readonly AlloyBlock[]): string {
  return `${blocks.map((b) => formatBlock(b, 0).join('\n')).join('\n\n')}\n`;
}
