/**
 * Which receivers an alertmanager.yml sends a label set to, computed the way Alertmanager walks its
 * route tree (dispatch/route.go, Route.Match): a route whose matchers hold tries its children in
 * order, stopping after the first that matched unless that child has `continue`; a route none of
 * whose children matched is itself the match. The root matches everything.
 *
 * Two trees are walked: the site's (what verify expects) and the one a running Alertmanager
 * reports in /api/v2/status (what a posted alert would really reach). The running one is
 * Alertmanager's re-serialization of what it loaded: `matchers` as `name op "value"` strings
 * (=, !=, =~, !~; the value quoted with \\, \" and \n escaped, the name quoted when it is not a
 * plain label name), and the legacy `match` / `match_re` maps. Regexes are anchored, as
 * Alertmanager anchors them. Anything else is a RouteTreeError: the caller cannot tell where an
 * alert goes and must not guess. test/verify/flows-alert-routing checks the result against
 * amtool's own `config routes test`.
 */
import * as YAML from 'yaml';
import { alertmanagerConfig } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import type { Site } from '../../site';
import { isRecord, isStringMap } from './flow-request';

export type Labels = Readonly<Record<string, string>>;

/** One route of an alertmanager.yml: the site's, or the running Alertmanager's. */
export interface RouteNode {
  /** @default - the parent's */
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  /** Legacy equality matchers, label name to value. */
  readonly match?: Readonly<Record<string, string>>;
  /** Legacy regex matchers, label name to regex (anchored). */
  readonly match_re?: Readonly<Record<string, string>>;
  readonly continue?: boolean;
  readonly routes?: readonly RouteNode[];
}

/** A receiver: its name and its integrations (`webhook_configs`, `email_configs`, `slack_configs`, …). */
export interface ReceiverNode {
  readonly name: string;
  readonly [key: string]: unknown;
}

/** A route tree or matcher this evaluator cannot read: where an alert goes is unknown. */
export class RouteTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteTreeError';
  }
}

/** Receiver names in route-tree order, each once (what Alertmanager's API lists for an alert). */
export function routeReceivers(route: RouteNode, labels: Labels): string[] {
  if (!route.receiver) throw new RouteTreeError('the root route names no receiver');
  return [...new Set(matchRoutes(route, labels, true, route.receiver))];
}

/** The receivers the site's own alertmanager.yml gives `labels`. */
export function siteReceivers(site: Site, labels: Labels): string[] {
  return routeReceivers(alertmanagerConfig(site, stackTopology(site, 'kubernetes')).route, labels);
}

/** Every receiver the site's alertmanager.yml defines, and whether it sends anywhere (has an integration). */
export function siteReceiverList(site: Site): { name: string; notifies: boolean }[] {
  return alertmanagerConfig(site, stackTopology(site, 'kubernetes')).receivers.map((r) => ({ name: r.name, notifies: integrations(r).length > 0 }));
}

/** The receiver's integrations that would send something: every non-empty `*_configs` list, e.g. `['webhook_configs']`. */
export function integrations(receiver: object): string[] {
  return Object.entries(receiver).filter(([key, value]) => key.endsWith('_configs') && Array.isArray(value) && value.length > 0).map(([key]) => key);
}

/** The route tree and receivers of the configuration a running Alertmanager reports (`config.original` of /api/v2/status). */
export interface RunningConfig {
  readonly route: RouteNode;
  readonly receivers: readonly ReceiverNode[];
}

/** Reads `config.original`; a text that is not a configuration this module can walk is a RouteTreeError. */
export function readRunningConfig(original: string): RunningConfig {
  let parsed: unknown;
  try {
    parsed = YAML.parse(original);
  } catch (e) {
    throw new RouteTreeError(`the configuration is not YAML: ${(e as Error).message}`);
  }
  if (!isRecord(parsed)) throw new RouteTreeError(`the configuration is not a YAML mapping: ${JSON.stringify(original.slice(0, 120))}`);
  const receivers = parsed.receivers ?? [];
  if (!Array.isArray(receivers) || !receivers.every((r) => isRecord(r) && typeof r.name === 'string')) {
    throw new RouteTreeError('its receivers are not a list of named receivers');
  }
  return { route: readRoute(parsed.route, 'route'), receivers: receivers as ReceiverNode[] };
}

function readRoute(value: unknown, at: string): RouteNode {
  if (!isRecord(value)) throw new RouteTreeError(`${at} is not a mapping`);
  const { receiver, matchers, match, match_re: matchRe, continue: cont, routes } = value;
  const problem = (field: string, want: string) => new RouteTreeError(`${at}.${field} is not ${want}: ${JSON.stringify(value[field])}`);
  if (receiver !== undefined && typeof receiver !== 'string') throw problem('receiver', 'a name');
  if (matchers !== undefined && !(Array.isArray(matchers) && matchers.every((m) => typeof m === 'string'))) throw problem('matchers', 'a list of strings');
  if (match !== undefined && !isStringMap(match)) throw problem('match', 'a map of strings');
  if (matchRe !== undefined && !isStringMap(matchRe)) throw problem('match_re', 'a map of strings');
  if (cont !== undefined && typeof cont !== 'boolean') throw problem('continue', 'true or false');
  if (routes !== undefined && routes !== null && !Array.isArray(routes)) throw problem('routes', 'a list');
  return {
    receiver: receiver || undefined,
    matchers: matchers as string[] | undefined,
    match: match as Record<string, string> | undefined,
    match_re: matchRe as Record<string, string> | undefined,
    continue: cont,
    routes: (routes ?? []).map((child: unknown, i: number) => readRoute(child, `${at}.routes[${i}]`)),
  };
}

function matchRoutes(route: RouteNode, labels: Labels, isRoot: boolean, inherited: string): string[] {
  if (!isRoot && !routeMatches(route, labels)) return [];
  const receiver = route.receiver ?? inherited;
  const found: string[] = [];
  for (const child of route.routes ?? []) {
    const matched = matchRoutes(child, labels, false, receiver);
    found.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [receiver];
}

function routeMatches(route: RouteNode, labels: Labels): boolean {
  return (route.matchers ?? []).every((m) => matches(m, labels))
    && Object.entries(route.match ?? {}).every(([name, value]) => (labels[name] ?? '') === value)
    && Object.entries(route.match_re ?? {}).every(([name, value]) => anchored(value, `match_re ${name}`).test(labels[name] ?? ''));
}

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const MATCHER = new RegExp(`^\\s*(?:([A-Za-z_:][A-Za-z0-9_:]*)|${QUOTED})\\s*(=~|!~|!=|=)\\s*${QUOTED}\\s*$`);

/** One matcher string against the labels; a label the alert lacks counts as the empty string. */
export function matches(matcher: string, labels: Labels): boolean {
  const m = MATCHER.exec(matcher);
  if (!m) throw new RouteTreeError(`matcher ${JSON.stringify(matcher)} is not of the form name="value" (=, !=, =~, !~): extend verify/flows/alert-routing.ts for it`);
  const [, plainName, quotedName, op, quoted] = m;
  const value = unescape(quoted);
  const actual = labels[plainName ?? unescape(quotedName)] ?? '';
  switch (op) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case '=~': return anchored(value, `matcher ${matcher}`).test(actual);
    default: return !anchored(value, `matcher ${matcher}`).test(actual);
  }
}

/** Alertmanager's unescaping of a quoted matcher value: \n, \" and \\; any other backslash stays (labels/parse.go). */
function unescape(quoted: string): string {
  return quoted.replace(/\\(.)/gs, (all, c: string) => (c === 'n' ? '\n' : c === '"' || c === '\\' ? c : all));
}

function anchored(regex: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (e) {
    throw new RouteTreeError(`the regex of ${where} is not one JavaScript reads (Go's RE2 syntax differs, e.g. (?i)): ${(e as Error).message}`);
  }
}
