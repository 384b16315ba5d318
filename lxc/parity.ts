/**
 * What differs between the Kubernetes and LXC paths' service configs: the same builders run with
 * each platform's topology, and every difference is listed by path. The parity test pins the
 * list; COMPARISON.md prints it.
 */
import type { Site } from '../site';
import { alertmanagerConfig } from '../charts/alertmanager/alertmanager-config';
import { grafanaDatasources } from '../charts/grafana/provisioning';
import { lokiConfig } from '../charts/loki/loki-config';
import { prometheusConfig } from '../charts/prometheus/prometheus-config';
import { prometheusRuleGroups } from '../charts/prometheus/rules';
import { stackTopology } from '../charts/topology';

export interface ConfigDifference {
  /** Config file, e.g. "prometheus.yml". */
  readonly file: string;
  /** Location inside it; list items are named by job_name / name where they have one. */
  readonly path: string;
  /** JSON of the value on each side; undefined when the side has no such entry. */
  readonly kubernetes?: string;
  readonly lxc?: string;
}

type Json = unknown;

function itemKey(item: Json, index: number): string {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    for (const k of ['job_name', 'name', 'alert']) {
      if (typeof o[k] === 'string') return `[${k}=${o[k]}]`;
    }
  }
  return `[${index}]`;
}

/** Structural diff: objects by key, lists by job_name/name when present, else by position. */
export function diffValues(file: string, a: Json, b: Json, path = ''): ConfigDifference[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) {
    return [{ file, path: path || '(root)', kubernetes: a === undefined ? undefined : JSON.stringify(a), lxc: b === undefined ? undefined : JSON.stringify(b) }];
  }
  const entries = (v: Json): Map<string, Json> => Array.isArray(v)
    ? new Map(v.map((item, i) => [itemKey(item, i), item]))
    : new Map(Object.entries(v as Record<string, unknown>).map(([k, val]) => [`.${k}`, val]));
  const ea = entries(a);
  const eb = entries(b);
  const keys = [...ea.keys(), ...[...eb.keys()].filter((k) => !ea.has(k))];
  return keys.flatMap((k) => diffValues(file, ea.get(k), eb.get(k), `${path}${k}`));
}

/** Every difference between the paths' service configs for this site. */
export function pathDifferences(site: Site): ConfigDifference[] {
  const k8s = stackTopology(site, 'kubernetes');
  const lxc = stackTopology(site, 'lxc');
  return [
    ...diffValues('prometheus.yml', prometheusConfig(site, k8s), prometheusConfig(site, lxc)),
    ...diffValues('alerts.yml', prometheusRuleGroups(site, k8s.platform), prometheusRuleGroups(site, lxc.platform)),
    ...diffValues('alertmanager.yml', alertmanagerConfig(site, k8s), alertmanagerConfig(site, lxc)),
    ...diffValues('loki.yaml', lokiConfig(site, k8s), lokiConfig(site, lxc)),
    ...diffValues('datasources.yaml', grafanaDatasources(site, k8s), grafanaDatasources(site, lxc)),
  ];
}
