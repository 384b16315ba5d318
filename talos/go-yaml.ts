/**
 * A small YAML emitter that writes plain data the way go.yaml.in/yaml/v4's `yaml.Marshal` does
 * (Talos 1.13's encoder, 4-space indentation), so generated files can be compared byte for
 * byte with Talos' own output; where go-yaml's text would not read back, it writes one that does. npm `yaml` differs in one place: go-yaml indents collections
 * nested in a sequence item from the dash column, not from the item's first key.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const INDENT = 4;

/** One YAML document (no leading `---`), ending with a newline. Keys keep insertion order; undefined values are skipped. */
export function toGoYaml(value: YamlValue): string {
  const lines: string[] = [];
  if (isCollection(value) && !isEmptyCollection(value)) {
    emitCollection(value, 0, lines);
  } else {
    lines.push(scalar(value));
  }
  return lines.join('\n') + '\n';
}

/** Several documents joined the way Talos writes multi-document machine configs. */
export function toGoYamlDocuments(documents: readonly YamlValue[]): string {
  return documents.map(toGoYaml).join('---\n');
}

function isCollection(v: YamlValue | undefined): v is YamlValue[] | { [key: string]: YamlValue | undefined } {
  return typeof v === 'object' && v !== null;
}

function isEmptyCollection(v: YamlValue[] | { [key: string]: YamlValue | undefined }): boolean {
  return Array.isArray(v) ? v.length === 0 : definedEntries(v).length === 0;
}

function definedEntries(map: { [key: string]: YamlValue | undefined }): [string, YamlValue][] {
  return Object.entries(map).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** Emits a non-empty collection whose first line starts at `indent` (sequence dashes / map keys). */
function emitCollection(value: YamlValue[] | { [key: string]: YamlValue | undefined }, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !isEmptyCollection(item)) {
        if (Array.isArray(item)) {
          // A sequence in a sequence item starts on the dash's line ("- - a"), its items two columns in.
          const inner: string[] = [];
          emitCollection(item, indent + 2, inner);
          lines.push(`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1));
        } else {
          // Keys of a mapping in a sequence item sit after "- "; their children indent from the dash.
          emitMapping(item, indent + 2, indent + INDENT, lines, `${pad}- `);
        }
      } else if (typeof item === 'string' && literalAllowed(item) && !FIRST_LINE_INDENTED.test(item)) {
        // go-yaml's indentation indicator here ("- |4-") does not read back: such an item is quoted instead.
        lines.push(`${pad}- ${literalHeader(item)}`, ...literalLines(item, indent + 2));
      } else {
        lines.push(`${pad}- ${scalar(item)}`);
      }
    }
    return;
  }
  emitMapping(value, indent, indent + INDENT, lines);
}

function emitMapping(map: { [key: string]: YamlValue | undefined }, keyIndent: number, childIndent: number, lines: string[], firstPrefix?: string): void {
  const pad = ' '.repeat(keyIndent);
  definedEntries(map).forEach(([key, child], i) => {
    const prefix = i === 0 && firstPrefix !== undefined ? firstPrefix : pad;
    if (isCollection(child) && !isEmptyCollection(child)) {
      lines.push(`${prefix}${scalar(key)}:`);
      emitCollection(child, childIndent, lines);
    } else if (typeof child === 'string' && literalAllowed(child)) {
      // A first line that starts with a space needs the indentation given (go-yaml writes |4-).
      const indicator = FIRST_LINE_INDENTED.test(child) ? String(childIndent - keyIndent) : '';
      lines.push(`${prefix}${scalar(key)}: ${literalHeader(child, indicator)}`, ...literalLines(child, childIndent));
    } else {
      lines.push(`${prefix}${scalar(key)}: ${scalar(child)}`);
    }
  });
}

/** The first line with text starts with a space: a literal block must then say its indentation. */
const FIRST_LINE_INDENTED = /^\n* /;

/**
 * go-yaml writes a string with line breaks as a literal block unless it is only whitespace, a space
 * ends a line, or it holds a character a block cannot carry (CR, other controls, DEL, C1, BOM):
 * those are double-quoted.
 */
function literalAllowed(text: string): boolean {
  return text.includes('\n') && /\S/.test(text) && !/ (?:\n|$)/.test(text) && !/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]/.test(text);
}

function literalHeader(text: string, indicator = ''): string {
  if (text.endsWith('\n\n')) return `|${indicator}+`;
  return text.endsWith('\n') ? `|${indicator}` : `|${indicator}-`;
}

function literalLines(text: string, indent: number): string[] {
  return text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : ' '.repeat(indent) + line));
}

/** go-yaml v3 quotes strings that would read back as another type, including YAML 1.1 booleans. */
const NON_STRING_PLAIN = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/** Conservative plain-scalar test: anything unusual is quoted (a valid, if not go-identical, choice). */
function isPlainSafe(text: string): boolean {
  if (NON_STRING_PLAIN.test(text) || text === '<<') return false; // '' fails the last test; << is YAML 1.1's merge key
  if (/^[\s]|[\s]$/.test(text)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text)) return false;
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) return false;
  return /^[\x20-\x7e]+$/.test(text);
}

/** JSON's string escapes are YAML's, but YAML also wants DEL, the C1 controls and a BOM escaped. */
function doubleQuoted(text: string): string {
  return JSON.stringify(text).replace(/[\x7f-\x9f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(value: YamlValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  if (isPlainSafe(value)) return value;
  if (value === '' || NON_STRING_PLAIN.test(value) || !/^[\x20-\x7e]*$/.test(value)) return doubleQuoted(value);
  return `'${value.replace(/'/g, "''")}'`;
}
