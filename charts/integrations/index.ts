/**
 * What the operator installs on the systems the stack integrates with, written under
 * dist/integrations/<integration>/ (in no GitOps layer: these files go onto the Wazuh manager, the
 * CheckMK server, the log senders, not into the cluster). Each integration contributes files only
 * when the site switches it on and names a guest it applies to.
 */
import type { Site } from '../../site';
import { checkmkServers, uptimeKumaInstances, wazuhManagers } from '../../site/derived';
import { syslogSenders } from '../syslog/rsyslog-snippet';
import type { OutputFile } from '../../render/output-file';
import { wazuhIntegrationFiles } from './wazuh';
import { checkmkIntegrationFiles } from './checkmk';

/** dist/ folder of the integration files. */
export const INTEGRATIONS_DIR = 'integrations';

export function renderIntegrationFiles(site: Site): OutputFile[] {
  return [...wazuhIntegrationFiles(site), ...checkmkIntegrationFiles(site)];
}

/** One kind of thing an operator installs on systems outside the stack, and on how many. */
export interface IntegrationInstall {
  /** What is installed, e.g. "rsyslog forwarding". */
  readonly what: string;
  /** How many systems get it. */
  readonly systems: number;
}

/**
 * What the operator installs outside the stack, on either path (the addresses are the same, so
 * the files are too): counted from the site's senders and guests, for the comparison.
 */
export function integrationInstalls(site: Site): IntegrationInstall[] {
  return [
    { what: 'rsyslog forwarding (dist/syslog)', systems: syslogSenders(site).length },
    { what: 'Wazuh syslog_output (dist/integrations/wazuh)', systems: wazuhManagers(site).length },
    { what: 'CheckMK Prometheus special agent (dist/integrations/checkmk)', systems: checkmkServers(site).length },
    { what: 'UptimeKuma API key for /metrics', systems: uptimeKumaInstances(site).length },
  ].filter((i) => i.systems > 0);
}
