/** LogQL syntax check with Grafana's own grammar (@grafana/lezer-logql, as Grafana's editor parses). */

interface SyntaxParser {
  parse(input: string): { iterate(spec: { enter(node: { type: { isError: boolean } }): void }): void };
}
// An ES module with a CommonJS build: required, as test/components/grafana.test.ts does (TS1479 otherwise).
const { parser } = require('@grafana/lezer-logql') as { parser: SyntaxParser }; // eslint-disable-line @typescript-eslint/no-require-imports

/** Number of error nodes in the parse tree of `query`: 0 for valid LogQL. */
export function logqlSyntaxErrors(query: string): number {
  let errors = 0;
  parser.parse(query).iterate({ enter: (node) => { if (node.type.isError) errors += 1; } });
  return errors;
}
