/**
 * Where the flow checks reach each service: `--endpoint NAME=URL` first, then `--direct` (the
 * site's LoadBalancer addresses, what clients on the VLAN use), else a tunnel through the API
 * server to a ready pod. Syslog always goes to an address (UDP cannot be port-forwarded): the
 * log address and syslog port of the site unless `--endpoint syslog=HOST:PORT`.
 */
import { lokiSimpleScalable, type Site } from '../site';
import { PORTS, SERVICE_NAMES } from '../charts/topology';
import type { EndpointName } from './args';
import type { Cluster } from './cluster/connect';
import type { SyslogTarget } from './flows/logs';
import { directEndpoint, VerifyTransportError, type ServiceEndpoint } from './http';
import { tunnelEndpoint } from './port-forward';

export type HttpServiceName = Exclude<EndpointName, 'syslog'>;

export interface StackEndpoints {
  readonly http: Readonly<Record<HttpServiceName, ServiceEndpoint>>;
  readonly syslog: SyslogTarget;
}

/** Each HTTP service: its Service (charts/topology.ts), port and LoadBalancer address. */
function services(site: Site): Record<HttpServiceName, { service: string; port: number; address: string }> {
  return {
    prometheus: { service: SERVICE_NAMES.prometheus, port: PORTS.prometheus, address: site.prometheus.address },
    alertmanager: { service: SERVICE_NAMES.alertmanager, port: PORTS.alertmanager, address: site.alertmanager.address },
    grafana: { service: SERVICE_NAMES.grafana, port: PORTS.grafana, address: site.grafana.address },
    // Simple-scalable Loki answers queries on its read pods only; the log address reaches the write pods.
    loki: { service: lokiSimpleScalable(site) ? SERVICE_NAMES.lokiRead : SERVICE_NAMES.loki, port: PORTS.loki, address: site.loki.address },
  };
}

/** An endpoint that cannot be used; every request fails with `reason` (the checks report it). */
function unreachable(service: string, reason: string): ServiceEndpoint {
  return {
    service,
    describe: `${service} (${reason})`,
    request: async () => { throw new VerifyTransportError(reason); },
    close: async () => undefined,
  };
}

export function stackEndpoints(site: Site, options: { direct: boolean; endpoints: Partial<Record<EndpointName, string>>; cluster?: Cluster }): StackEndpoints {
  const namespace = site.kubernetes.namespace;
  const http = Object.fromEntries(Object.entries(services(site)).map(([name, s]) => {
    const override = options.endpoints[name as HttpServiceName];
    if (override) return [name, directEndpoint(name, override)];
    if (options.direct && name === 'loki' && lokiSimpleScalable(site)) {
      return [name, unreachable(name, `simple-scalable Loki answers queries only inside the cluster (Service ${SERVICE_NAMES.lokiRead}); drop --direct or give --endpoint loki=URL`)];
    }
    if (options.direct) return [name, directEndpoint(name, `http://${s.address}:${s.port}`)];
    if (options.cluster) return [name, tunnelEndpoint(options.cluster, namespace, s.service, s.port)];
    return [name, unreachable(name, 'no cluster connection to tunnel through; use --direct or --endpoint')];
  })) as Record<HttpServiceName, ServiceEndpoint>;
  const syslogOverride = options.endpoints.syslog;
  const syslog = syslogOverride
    ? { host: syslogOverride.slice(0, syslogOverride.lastIndexOf(':')), port: Number(syslogOverride.slice(syslogOverride.lastIndexOf(':') + 1)) }
    : { host: site.loki.address, port: site.syslog.port };
  return { http, syslog };
}
