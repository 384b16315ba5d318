/**
 * The Loki container's share of the ruler (charts/loki/loki-ruler.ts): the same rule files in
 * the same tenant directory as the Kubernetes ConfigMap mount, and the Alertmanager password as
 * an environment file the operator places (the Kubernetes path reads the same key of
 * Alertmanager's web-auth Secret into the same variable). Nothing when there are no rules.
 */
import type { Site } from '../site';
import { ALERTMANAGER_PASSWORD_ENV, ALERTMANAGER_PASSWORD_KEY, lokiRulerEnabled, lokiTenantRulesDirectory } from '../charts/loki/loki-ruler';
import { lokiRuleFiles } from '../charts/integrations/wazuh-rules';
import type { StackTopology } from '../charts/topology';
import type { ContainerFile, OutOfBandSecret } from './container-payloads';

/** KEY=value file systemd loads into Loki's environment (mode 0640: it holds a password). */
export const LOKI_ALERTMANAGER_ENV_FILE = '/etc/loki/alertmanager.env';

export interface LokiRulerFiles {
  readonly files: readonly ContainerFile[];
  /** For the unit's EnvironmentFile=. @default - none: no ruler */
  readonly environmentFile?: string;
  readonly secrets: readonly OutOfBandSecret[];
}

export function lokiRulerFiles(site: Site, topology: StackTopology): LokiRulerFiles {
  if (!lokiRulerEnabled(site)) return { files: [], secrets: [] };
  return {
    files: lokiRuleFiles(site).map((f) => ({ path: `${lokiTenantRulesDirectory(topology)}/${f.name}`, content: f.content })),
    environmentFile: LOKI_ALERTMANAGER_ENV_FILE,
    secrets: [{
      path: LOKI_ALERTMANAGER_ENV_FILE,
      owner: 'loki',
      what: `${ALERTMANAGER_PASSWORD_ENV}=<the Alertmanager basic-auth password: the ${ALERTMANAGER_PASSWORD_KEY} key of Secret ${site.alertmanager.webAuthSecret}>, for Loki's ruler, mode 0640`,
    }],
  };
}
