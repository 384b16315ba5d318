/**
 * What a PromQL query reads, from lezer-promql's syntax tree (the parser the Grafana tests use):
 * each vector selector with its metric name and label matchers, and each label a `by (...)`,
 * `on (...)` or `group_left (...)` names together with the selectors it applies to. Names come
 * from the tree, never from a regex over the text, so a string literal or a function name is
 * never taken for a metric.
 */

/** The part of lezer's tree API used here. */
interface SyntaxNode {
  readonly type: { readonly name: string; readonly isError: boolean };
  readonly from: number;
  readonly to: number;
  readonly parent: SyntaxNode | null;
  getChild(name: string): SyntaxNode | null;
  getChildren(name: string): SyntaxNode[];
  readonly firstChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
}
interface Tree {
  readonly topNode: SyntaxNode;
  iterate(spec: { enter(node: { type: { name: string; isError: boolean }; node: SyntaxNode }): boolean | void }): void;
}
// The package is "type": "module" with a CommonJS build under `require` (see test/grafana/support.ts).
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(input: string): Tree } }; // eslint-disable-line @typescript-eslint/no-require-imports

export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface Selector {
  /** The metric name: the identifier before the braces, or a `__name__="..."` matcher. @default - none (a selector by labels only) */
  readonly metric?: string;
  readonly matchers: readonly LabelMatcher[];
  /** Its text in the query, for messages. */
  readonly text: string;
}

/** A label a grouping clause names, and the selectors whose series it must be a label of (any one of them). */
export interface GroupingLabel {
  readonly label: string;
  /** `by`, `on`, `ignoring`, `group_left`, `group_right`. */
  readonly clause: string;
  readonly selectors: readonly Selector[];
  /** Labels the expression creates on the way (label_replace / label_join targets), which count as present. */
  readonly created: readonly string[];
}

export interface ParsedQuery {
  readonly selectors: readonly Selector[];
  readonly groupings: readonly GroupingLabel[];
  readonly syntaxErrors: number;
}

const unquote = (s: string): string => {
  if (s.startsWith('`')) return s.slice(1, -1);
  return JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : s) as string;
};

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    for (const c of children(n)) {
      if (c.type.name === name) out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

function selectorOf(expr: string, node: SyntaxNode): Selector {
  const text = expr.slice(node.from, node.to);
  const id = node.getChild('Identifier');
  const matchers: LabelMatcher[] = [];
  for (const m of descendants(node, 'UnquotedLabelMatcher').concat(descendants(node, 'QuotedLabelMatcher'))) {
    const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (!name || !op || !value) continue;
    const rawName = expr.slice(name.from, name.to);
    matchers.push({
      label: rawName.startsWith('"') ? unquote(rawName) : rawName,
      op: expr.slice(op.from, op.to) as LabelMatcher['op'],
      value: unquote(expr.slice(value.from, value.to)),
    });
  }
  // {"metric_name"} (Prometheus 3's quoted name) and {__name__="x"} both name the metric.
  const quotedName = descendants(node, 'QuotedLabelName').find((q) => q.parent?.type.name === 'LabelMatchers');
  const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
  const metric = id ? expr.slice(id.from, id.to) : quotedName ? unquote(expr.slice(quotedName.from, quotedName.to)) : byName?.value;
  return { metric, matchers: matchers.filter((m) => m.label !== '__name__'), text };
}

/** label_replace(v, "dst", ...) and label_join(v, "dst", ...): the labels they add. */
function createdLabels(expr: string, node: SyntaxNode): string[] {
  return descendants(node, 'FunctionCall').flatMap((call) => {
    const fn = call.getChild('FunctionIdentifier');
    const name = fn ? expr.slice(fn.from, fn.to) : '';
    if (name !== 'label_replace' && name !== 'label_join') return [];
    const body = call.getChild('FunctionCallBody');
    const literals = body ? children(body).filter((c) => c.type.name === 'StringLiteral') : [];
    return literals.length > 0 ? [unquote(expr.slice(literals[0].from, literals[0].to))] : [];
  });
}

export function parsePromql(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  let syntaxErrors = 0;
  const selectorNodes: SyntaxNode[] = [];
  const groupingNodes: SyntaxNode[] = [];
  tree.iterate({
    enter: ({ type, node }) => {
      if (type.isError) syntaxErrors += 1;
      if (type.name === 'VectorSelector') selectorNodes.push(node);
      if (type.name === 'GroupingLabels') groupingNodes.push(node);
    },
  });
  const selectors = selectorNodes.map((n) => selectorOf(expr, n));
  const within = (scope: SyntaxNode) => selectorNodes.flatMap((n, i) => (n.from >= scope.from && n.to <= scope.to ? [selectors[i]] : []));
  const groupings = groupingNodes.flatMap((g) => {
    const clauseNode = g.parent;
    if (!clauseNode) return [];
    // by/without sit in an AggregateModifier of an AggregateExpr; on/ignoring/group_* in a
    // MatchingModifierClause of a BinaryExpr. Either way the enclosing expression is the scope.
    const scope = clauseNode.parent ?? clauseNode;
    const keyword = expr.slice(clauseNode.from, g.from).trim().split(/\s+/).at(-1) ?? '';
    if (keyword === 'without' || keyword === 'ignoring') return [];
    const created = createdLabels(expr, scope);
    return children(g).filter((c) => c.type.name === 'LabelName').map((c) => ({
      label: expr.slice(c.from, c.to), clause: keyword, selectors: within(scope), created,
    }));
  });
  return { selectors, groupings, syntaxErrors };
}
