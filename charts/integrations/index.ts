/**
 * What the operator installs on the systems the stack integrates with, written under
 * dist/integrations/<integration>/ (in no GitOps layer: these files go onto the Wazuh manager, the
 * CheckMK server, the log senders, not into the cluster). Each integration contributes files only
 * when the site switches it on and names a guest it applies to.
 */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';
import { wazuhIntegrationFiles } from './wazuh';
import { checkmkIntegrationFiles } from './checkmk';

/** dist/ folder of the integration files. */
export const INTEGRATIONS_DIR = 'integrations';

export function renderIntegrationFiles(site: Site): OutputFile[] {
  return [...wazuhIntegrationFiles(site), ...checkmkIntegrationFiles(site)];
}
