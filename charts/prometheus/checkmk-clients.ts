/** CheckMK servers as clients of Prometheus (site.integrations.checkmk), on both paths. */
import type { Site } from '../../site';
import { checkmkServers } from '../../site/derived';

/** Each CheckMK server's address as a /32: its special agents query Prometheus from there. */
export function checkmkClientCidrs(site: Site): string[] {
  return [...new Set(checkmkServers(site).map((g) => `${g.address}/32`))];
}
