/** CheckMK: being written (issue 10 item 3). */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';

export function checkmkIntegrationFiles(_site: Site): OutputFile[] {
  return [];
}
