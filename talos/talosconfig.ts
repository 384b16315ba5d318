/** talosconfig (client config) in talosctl's layout: pkg/machinery/client/config/config.go. */
import { toGoYaml } from './go-yaml';
import type { PemCertificateAndKey } from './pki';
import { encodePem } from './secrets-bundle';

export interface TalosconfigInput {
  /** Context name: the cluster name. */
  readonly contextName: string;
  /** Node IPs. Never the VIP: it only exists once etcd is up, and talosctl must reach nodes before that. */
  readonly endpoints: readonly string[];
  /** OS CA certificate PEM. */
  readonly caCrt: string;
  /** os:admin client certificate and key. */
  readonly client: PemCertificateAndKey;
}

export function renderTalosconfig(input: TalosconfigInput): string {
  return toGoYaml({
    context: input.contextName,
    contexts: {
      [input.contextName]: {
        endpoints: [...input.endpoints],
        ca: encodePem(input.caCrt),
        crt: encodePem(input.client.crt),
        key: encodePem(input.client.key),
      },
    },
  });
}
