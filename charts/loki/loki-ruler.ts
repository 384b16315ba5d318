/**
 * Loki's ruler, switched on only when there are LogQL rules to evaluate (today: the Wazuh
 * integration's, charts/integrations/wazuh-rules.ts). Without rules nothing here is emitted: no
 * `ruler` block, no rules files, no password, no extra flag, no network path to Alertmanager.
 *
 * Rules are read from the local rule store (filesystem storage makes it `local`, at
 * `common.storage.filesystem.rules_directory`), one directory per tenant; with auth_enabled
 * false every push and query is tenant "fake" (v3.7.6 pkg/util/fakeauth, pkg/loki/modules.go),
 * so the rules go in `<rules_directory>/fake/` (pkg/ruler/rulestore/local: each file in a
 * tenant's directory is a rule namespace; subdirectories, e.g. a ConfigMap volume's `..data`,
 * are skipped).
 *
 * Alertmanager wants basic auth. Loki's alertmanager_client has no password file (v3.7.6
 * pkg/util/http.go BasicAuth: basic_auth_username / basic_auth_password; HeaderAuth's
 * credentials_file would need base64("user:password") in a file of its own), so loki.yaml says
 * `${LOKI_ALERTMANAGER_PASSWORD}` and Loki runs with `-config.expand-env=true`
 * (pkg/util/cfg/files.go, drone/envsubst): the variable comes from Alertmanager's web-auth
 * Secret on Kubernetes and from an environment file the operator places on LXC.
 */
import type { LokiTarget, Site } from '../../site';
import { lokiRuleFiles } from '../integrations/wazuh-rules';
import { ALERTMANAGER_CLIENT_USER } from '../prometheus/prometheus-config';
import type { StackTopology } from '../topology';

/** The tenant every log line belongs to when auth_enabled is false. */
export const LOKI_TENANT = 'fake';

/** Environment variable holding Alertmanager's basic-auth password (never in loki.yaml itself). */
export const ALERTMANAGER_PASSWORD_ENV = 'LOKI_ALERTMANAGER_PASSWORD';

/** Key of Alertmanager's web-auth Secret holding the clients' plain password. */
export const ALERTMANAGER_PASSWORD_KEY = 'password';

/** Loki's `ruler` block (names as in Loki v3.7.6 pkg/ruler/base/ruler.go and pkg/ruler/config). */
export interface LokiRulerConfig {
  alertmanager_url: string;
  /** Alertmanager 0.27+ serves only API v2 (Loki's default since 3.0; said explicitly). */
  enable_alertmanager_v2: true;
  alertmanager_client: { basic_auth_username: string; basic_auth_password: string };
}

/** True when there are LogQL rules: everything the ruler needs hangs on this. */
export function lokiRulerEnabled(site: Site): boolean {
  return lokiRuleFiles(site).length > 0;
}

/** The `ruler` block, or undefined when there are no rules. */
export function lokiRulerConfig(site: Site, topology: StackTopology): LokiRulerConfig | undefined {
  if (!lokiRulerEnabled(site)) return undefined;
  return {
    // Loki takes a comma-separated list and sends every alert to each (several Alertmanager replicas).
    alertmanager_url: topology.alertmanagerPods.map((pod) => `http://${pod}`).join(','),
    enable_alertmanager_v2: true,
    alertmanager_client: { basic_auth_username: ALERTMANAGER_CLIENT_USER, basic_auth_password: `\${${ALERTMANAGER_PASSWORD_ENV}}` },
  };
}

/** The ruler's local rule store, as loki.yaml names it (the tenants' directories live under it). */
export function lokiRulesDirectory(topology: StackTopology): string {
  return `${topology.lokiDataDir}/rules`;
}

/** Where the stack's rule files go: the tenant's directory in the rule store. */
export function lokiTenantRulesDirectory(topology: StackTopology): string {
  return `${lokiRulesDirectory(topology)}/${LOKI_TENANT}`;
}

/**
 * Loki's command line on both paths: `all` for the single binary, or one simple-scalable target.
 * The ruler's password and the S3 credentials (simple-scalable) need environment expansion.
 */
export function lokiArgs(site: Site, configFile: string, target: 'all' | LokiTarget = 'all'): string[] {
  const expand = lokiRulerEnabled(site) || target !== 'all';
  return [`-config.file=${configFile}`, `-target=${target}`, ...(expand ? ['-config.expand-env=true'] : [])];
}
