/** Wazuh: being written (issue 10 item 1). */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';

export function wazuhIntegrationFiles(_site: Site): OutputFile[] {
  return [];
}
