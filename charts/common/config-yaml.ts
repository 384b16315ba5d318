import { CONFIG_YAML, yamlText } from './yaml-text';

/**
 * The one serializer for embedded config files (prometheus.yml, alertmanager.yml, loki.yaml, ...):
 * no anchors/aliases for shared objects (some loaders reject them and they hide values from
 * readers), no line folding (PromQL and URLs stay on one line). The text is the yaml library's
 * (`YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })`), written faster.
 */
export function configYaml(value: unknown): string {
  return yamlText(value, CONFIG_YAML);
}
