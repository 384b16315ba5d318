/**
 * A strict reader for the subset of Alloy syntax the gateway config uses, written from the Alloy
 * syntax docs (blocks, newline-terminated attributes, strings, numbers, bools, lists, objects,
 * dotted references) independently of the serializer, so a round trip checks the text itself:
 * a missing terminator, an unbalanced brace or a bad string escape fails to parse.
 */
export type Parsed = string | number | boolean | { ref: string } | Parsed[] | { [key: string]: Parsed };

export interface ParsedBlock {
  name: string;
  label?: string;
  attributes: [string, Parsed][];
  blocks: ParsedBlock[];
}

const TOKEN = /[ \t\r]*(?:(\/\/[^\n]*)|("(?:[^"\\\n]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(-?[0-9]+(?:\.[0-9]+)?)|(\n)|([{}[\]=,]))/y;

interface Token { kind: 'string' | 'ident' | 'number' | 'newline' | 'punct'; text: string }

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(start))) break;
      throw new Error(`unexpected character at offset ${start}: ${JSON.stringify(text.slice(start, start + 20))}`);
    }
    if (m[1]) continue;
    if (m[2]) tokens.push({ kind: 'string', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'ident', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'number', text: m[4] });
    else if (m[5]) tokens.push({ kind: 'newline', text: '\n' });
    else tokens.push({ kind: 'punct', text: m[6] });
  }
  return tokens;
}

export function parseAlloy(text: string): ParsedBlock[] {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (text?: string): Token => {
    const t = tokens[i++];
    if (!t || (text !== undefined && t.text !== text)) throw new Error(`expected ${text ?? 'a token'} at token ${i - 1}, got ${JSON.stringify(t?.text)}`);
    return t;
  };
  const skipNewlines = () => { while (peek()?.kind === 'newline') i++; };

  function value(): Parsed {
    const t = take();
    if (t.kind === 'string') return JSON.parse(t.text) as string;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident') return t.text === 'true' ? true : t.text === 'false' ? false : { ref: t.text };
    if (t.text === '[') {
      const items: Parsed[] = [];
      skipNewlines();
      while (peek()?.text !== ']') {
        items.push(value());
        skipNewlines();
        if (peek()?.text === ',') { take(','); skipNewlines(); } else break;
      }
      take(']');
      return items;
    }
    if (t.text === '{') {
      const obj: { [key: string]: Parsed } = {};
      skipNewlines();
      while (peek()?.text !== '}') {
        const key = take();
        if (key.kind !== 'ident' && key.kind !== 'string') throw new Error(`bad object key ${key.text}`);
        take('=');
        obj[key.kind === 'string' ? (JSON.parse(key.text) as string) : key.text] = value();
        skipNewlines();
        if (peek()?.text === ',') { take(','); skipNewlines(); } else if (peek()?.text !== '}') throw new Error('object fields need commas between them');
      }
      take('}');
      return obj;
    }
    throw new Error(`unexpected ${JSON.stringify(t.text)}`);
  }

  function body(): Omit<ParsedBlock, 'name' | 'label'> {
    const attributes: [string, Parsed][] = [];
    const blocks: ParsedBlock[] = [];
    skipNewlines();
    while (peek() && peek().text !== '}') {
      const name = take();
      if (name.kind !== 'ident') throw new Error(`expected an identifier, got ${name.text}`);
      if (peek()?.text === '=') {
        take('=');
        attributes.push([name.text, value()]);
        // Every attribute ends with a newline (Alloy's terminator rule).
        if (peek()?.kind !== 'newline') throw new Error(`attribute ${name.text} is not terminated by a newline`);
      } else {
        const label = peek()?.kind === 'string' ? (JSON.parse(take().text) as string) : undefined;
        take('{');
        if (peek()?.kind !== 'newline') throw new Error(`block ${name.text} must open with a newline`);
        const inner = body();
        take('}');
        blocks.push({ name: name.text, ...(label === undefined ? {} : { label }), ...inner });
      }
      skipNewlines();
    }
    return { attributes, blocks };
  }

  const top = body();
  if (i !== tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[i].text)} at top level`);
  if (top.attributes.length > 0) throw new Error('attributes at top level');
  return top.blocks;
}
