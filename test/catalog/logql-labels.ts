/**
 * LogQL against the stack's label scheme (docs/logs.md): a stream selector may only name a label
 * some flow writes; a label filter or a grouping may also name a field the query's own parser
 * stage extracts (`json a="b"`), or, after a bare `| json` of the Wazuh stream, a field of
 * Wazuh's alert. Read from @grafana/lezer-logql's syntax tree.
 */
import { CSYSLOGD_APP_NAME } from '../../charts/integrations/wazuh-csyslogd';
import { closest } from './metric-catalog';

/** Every stream label a flow of docs/logs.md writes. */
export const LOG_LABELS: readonly string[] = [
  'job', 'source', 'host', 'app', 'level', 'facility', 'transport', 'source_ip', 'service', 'namespace', 'pod', 'container', 'instance',
];

/**
 * The fields `| json` flattens out of a Wazuh alert (wazuh/wazuh v4.14.7 src/analysisd/format/to_json.c:
 * the root keys, rule.*, agent.*, manager.*, decoder.*, predecoder.*, cluster.*; data.* varies by decoder).
 */
export const WAZUH_FIELDS: readonly string[] = [
  'timestamp', 'id', 'full_log', 'location', 'previous_output', 'previous_log',
  'rule_level', 'rule_id', 'rule_description', 'rule_firedtimes', 'rule_mail', 'rule_groups', 'rule_frequency', 'rule_cve', 'rule_info',
  'agent_id', 'agent_name', 'agent_ip', 'manager_name', 'cluster_name', 'cluster_node',
  'decoder_name', 'decoder_parent', 'predecoder_program_name', 'predecoder_timestamp', 'predecoder_hostname',
  'data_srcip', 'data_srcport', 'data_dstip', 'data_dstport', 'data_srcuser', 'data_dstuser', 'data_protocol', 'data_action', 'data_id', 'data_url', 'data_status', 'data_system_name',
];

/** Labels Loki itself adds in a pipeline. */
const LOKI_INTERNAL = ['__error__', '__error_details__', '__line__', '__stream_shard__'];

interface Node {
  readonly type: { readonly name: string };
  readonly from: number;
  readonly to: number;
  readonly parent: Node | null;
  getChild(name: string): Node | null;
  getChildren(name: string): Node[];
}
const { parser } = require('@grafana/lezer-logql') as { parser: { parse(input: string): { iterate(spec: { enter(n: { type: { name: string; isError: boolean }; node: Node }): void }): void } } }; // eslint-disable-line @typescript-eslint/no-require-imports

/** Parser stages that extract labels nobody lists here: after one, filters and groupings are not checked. */
const OPEN_PARSERS = new Set(['LogfmtParser', 'LogfmtExpressionParser', 'RegexpParser', 'PatternParser', 'Unpack', 'LabelFormatExpr']);

export function logqlLabels(expr: string): { problems: string[] } {
  const stream: string[] = [];
  const used: Array<{ label: string; where: string }> = [];
  const extracted = new Set<string>();
  let bareJson = false;
  let open = false;
  let errors = 0;
  const text = (n: Node) => expr.slice(n.from, n.to);
  parser.parse(expr).iterate({
    enter: ({ type, node }) => {
      if (type.isError) errors += 1;
      const inside = (name: string) => {
        for (let p = node.parent; p; p = p.parent) if (p.type.name === name) return true;
        return false;
      };
      if (type.name === 'Identifier' && node.parent?.type.name === 'Matcher' && inside('Selector')) stream.push(text(node));
      else if (type.name === 'Identifier' && inside('LabelFilter')) used.push({ label: text(node), where: 'label filter' });
      else if (type.name === 'Identifier' && inside('Grouping')) used.push({ label: text(node), where: 'grouping' });
      else if (type.name === 'Identifier' && node.parent?.type.name === 'LabelExtractionExpression') extracted.add(text(node));
      else if (type.name === 'JsonExpressionParser' && !node.getChild('LabelExtractionExpressionList')) bareJson = true;
      else if (type.name === 'LabelParser' && /^json\b/.test(text(node))) bareJson = true;
      else if (OPEN_PARSERS.has(type.name) || (type.name === 'LabelParser' && !/^json\b/.test(text(node)))) open = true;
    },
  });
  if (errors > 0) return { problems: ['does not parse (lezer-logql)'] };
  const problems = stream.filter((l) => !LOG_LABELS.includes(l))
    .map((l) => `stream selector label "${l}" is not in the label scheme (docs/logs.md); closest: ${closest(l, LOG_LABELS).join(', ')}`);
  const wazuh = new RegExp(`app\\s*=\\s*"${CSYSLOGD_APP_NAME}"`).test(expr);
  if (open || (bareJson && !wazuh)) return { problems };
  const known = new Set([...LOG_LABELS, ...LOKI_INTERNAL, ...extracted, ...(bareJson ? WAZUH_FIELDS : [])]);
  for (const u of used.filter((x) => !known.has(x.label))) {
    problems.push(`${u.where} on "${u.label}": neither a stream label nor a field the query extracts; closest: ${closest(u.label, known).join(', ')}`);
  }
  return { problems };
}
