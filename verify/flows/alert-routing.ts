/**
 * Which receivers the site's alertmanager.yml sends a label set to, computed the way Alertmanager
 * walks its route tree (dispatch/route.go, Route.Match): a route whose matchers hold tries its
 * children in order, stopping after the first that matched unless that child has `continue`;
 * a route none of whose children matched is itself the match. The root matches everything.
 * Matchers are the `name op "value"` strings the config renderer emits (=, !=, =~, !~); regexes
 * are anchored, as Alertmanager anchors them. test/verify/flows-alert-routing checks the result
 * against amtool's own `config routes test`.
 */
import { alertmanagerConfig, type AlertmanagerConfig } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import type { Site } from '../../site';

type Route = AlertmanagerConfig['route'];
export type Labels = Readonly<Record<string, string>>;

/** Receiver names in route-tree order, each once (what Alertmanager's API lists for an alert). */
export function routeReceivers(route: Route, labels: Labels): string[] {
  return [...new Set(matchRoutes(route, labels, true, route.receiver))];
}

/** The receivers the site's own alertmanager.yml gives `labels`. */
export function siteReceivers(site: Site, labels: Labels): string[] {
  return routeReceivers(alertmanagerConfig(site, stackTopology(site, 'kubernetes')).route, labels);
}

/** Every receiver the site's alertmanager.yml defines, and whether it sends anywhere (has an integration). */
export function siteReceiverList(site: Site): { name: string; notifies: boolean }[] {
  return alertmanagerConfig(site, stackTopology(site, 'kubernetes')).receivers.map((r) => ({
    name: r.name,
    notifies: Boolean(r.webhook_configs?.length || r.email_configs?.length),
  }));
}

function matchRoutes(route: Route, labels: Labels, isRoot: boolean, inherited: string): string[] {
  if (!isRoot && !(route.matchers ?? []).every((m) => matches(m, labels))) return [];
  const receiver = route.receiver ?? inherited;
  const found: string[] = [];
  for (const child of route.routes ?? []) {
    const matched = matchRoutes(child, labels, false, receiver);
    found.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [receiver];
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** One matcher string against the labels; a label the alert lacks counts as the empty string. */
export function matches(matcher: string, labels: Labels): boolean {
  const m = MATCHER.exec(matcher);
  if (!m) throw new Error(`matcher ${JSON.stringify(matcher)} is not of the form name="value" (=, !=, =~, !~): extend verify/flows/alert-routing.ts for it`);
  const [, name, op, quoted] = m;
  const value = JSON.parse(`"${quoted}"`) as string;
  const actual = labels[name] ?? '';
  switch (op) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case '=~': return new RegExp(`^(?:${value})$`).test(actual);
    default: return !new RegExp(`^(?:${value})$`).test(actual);
  }
}
