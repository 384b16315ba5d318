/** What Loki's pods share in both modes: user, config and rules ConfigMaps, the readiness probe. */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

/** The loki user of the grafana/loki image. */
export const LOKI_UID = 10001;
export const LOKI_CONFIG_DIR = '/etc/loki';
export const LOKI_CONFIG_FILE = 'loki.yaml';
export const LOKI_CONFIG_MAP = 'loki-config';
export const LOKI_RULES_CONFIG_MAP = 'loki-rules';

/**
 * ConfigMap `loki-config` with loki.yaml and, with LogQL rules (the Wazuh integration), ConfigMap
 * `loki-rules`, the ruler's tenant directory. The ruler re-reads its rule store every minute: a
 * rules change needs no restart.
 */
export function addLokiConfigMaps(scope: Construct, labels: Record<string, string>, configYaml: string, ruleFiles: readonly { name: string; content: string }[]): void {
  new k8s.KubeConfigMap(scope, 'Config', { metadata: { name: LOKI_CONFIG_MAP, labels }, data: { [LOKI_CONFIG_FILE]: configYaml } });
  if (ruleFiles.length > 0) {
    new k8s.KubeConfigMap(scope, 'Rules', {
      metadata: { name: LOKI_RULES_CONFIG_MAP, labels },
      data: Object.fromEntries(ruleFiles.map((f) => [f.name, f.content])),
    });
  }
}

/** GET /ready on the http port, every `periodSeconds`, failing after `failureThreshold` misses. */
export function lokiReadyProbe(failureThreshold: number, periodSeconds: number): k8s.Probe {
  return { httpGet: { path: '/ready', port: k8s.IntOrString.fromString('http') }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}
