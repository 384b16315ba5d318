import * as YAML from 'yaml';

/**
 * The one serializer for embedded config files (prometheus.yml, alertmanager.yml, loki.yaml, ...):
 * no anchors/aliases for shared objects (some loaders reject them and they hide values from
 * readers), no line folding (PromQL and URLs stay on one line).
 */
export function configYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
