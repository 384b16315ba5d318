/**
 * Where each service of the stack listens, per platform. Service configs (prometheus.yml,
 * alertmanager.yml, Loki, Grafana provisioning, Alloy) are built once from the site and this
 * topology, so the Kubernetes and LXC paths differ only where the platform forces it.
 */
import type { Site } from '../site';
import { lokiSimpleScalable } from '../site/workloads';
import { PORTS } from '../site/ports';

export type Platform = 'kubernetes' | 'lxc';

/** Ports live with the site model (site/ports.ts): its rules check clashes against them. */
export { PORTS };

/** The in-cluster Service of each service of the stack (what other services and `npm run verify` reach). */
export const SERVICE_NAMES = {
  prometheus: 'prometheus',
  /** ClusterIP Service with client-IP affinity in front of several Prometheus replicas (Grafana's datasource). */
  prometheusQuery: 'prometheus-query',
  /**
   * ClusterIP Service in front of several Alertmanager replicas (Grafana's datasource): ready pods
   * only, where the headless Service also lists starting ones and those of a lost host.
   */
  alertmanagerQuery: 'alertmanager-query',
  alertmanager: 'alertmanager',
  grafana: 'grafana',
  loki: 'loki',
  /** Simple-scalable Loki: its targets' Services (write takes pushes, read answers queries) and the memberlist ring. */
  lokiWrite: 'loki-write',
  lokiRead: 'loki-read',
  lokiBackend: 'loki-backend',
  /** Every ready backend by DNS (the readers' index gateway client), and the backends' StatefulSet. */
  lokiBackendHeadless: 'loki-backend-headless',
  lokiMemberlist: 'loki-memberlist',
  blackboxExporter: 'blackbox-exporter',
  pveExporter: 'pve-exporter',
  kubeStateMetrics: 'kube-state-metrics',
} as const;

export interface StackTopology {
  readonly platform: Platform;
  /** host:port of each service as other services of the stack reach it. */
  readonly prometheus: string;
  readonly alertmanager: string;
  /**
   * host:port of every Prometheus and every Alertmanager pod: with replicas, each pod by its
   * StatefulSet DNS name (Prometheus sends every alert to each Alertmanager, never through a
   * load-balanced name, and scrapes each pod); otherwise the one address above.
   */
  readonly prometheusPods: readonly string[];
  readonly alertmanagerPods: readonly string[];
  readonly grafana: string;
  /** host:port Loki answers queries on (Grafana, verify); simple-scalable: the read target. */
  readonly loki: string;
  /** host:port Loki takes pushes on (the cluster log collector); simple-scalable: the write target. */
  readonly lokiPush: string;
  readonly blackboxExporter: string;
  readonly pveExporter: string;
  /** Directory holding rule files, as Prometheus sees it. */
  readonly prometheusRulesDir: string;
  /** Data directories, as each service sees them. */
  readonly prometheusDataDir: string;
  readonly alertmanagerDataDir: string;
  readonly lokiDataDir: string;
  /** Where Alertmanager's web (basic auth) password file is mounted, for Prometheus and Grafana clients. */
  readonly alertmanagerPasswordFile: string;
}

export function stackTopology(site: Site, platform: Platform): StackTopology {
  if (platform === 'kubernetes') {
    const ns = site.kubernetes.namespace;
    const svc = (name: string, port: number) => `${name}.${ns}.svc:${port}`;
    // StatefulSet pod <name>-<i> under its governing headless Service <name>.
    const pods = (name: string, port: number, replicas: number) => (replicas === 1
      ? [svc(name, port)]
      : Array.from({ length: replicas }, (_, i) => `${name}-${i}.${name}.${ns}.svc:${port}`));
    return {
      platform,
      // Several replicas: Grafana sticks to one (graphs do not jump between two TSDBs) and fails over.
      prometheus: svc(site.prometheus.replicas > 1 ? SERVICE_NAMES.prometheusQuery : SERVICE_NAMES.prometheus, PORTS.prometheus),
      alertmanager: svc(site.alertmanager.replicas > 1 ? SERVICE_NAMES.alertmanagerQuery : SERVICE_NAMES.alertmanager, PORTS.alertmanager),
      prometheusPods: pods(SERVICE_NAMES.prometheus, PORTS.prometheus, site.prometheus.replicas),
      alertmanagerPods: pods(SERVICE_NAMES.alertmanager, PORTS.alertmanager, site.alertmanager.replicas),
      grafana: svc(SERVICE_NAMES.grafana, PORTS.grafana),
      loki: svc(lokiSimpleScalable(site) ? SERVICE_NAMES.lokiRead : SERVICE_NAMES.loki, PORTS.loki),
      lokiPush: svc(lokiSimpleScalable(site) ? SERVICE_NAMES.lokiWrite : SERVICE_NAMES.loki, PORTS.loki),
      blackboxExporter: svc(SERVICE_NAMES.blackboxExporter, PORTS.blackboxExporter),
      pveExporter: svc(SERVICE_NAMES.pveExporter, PORTS.pveExporter),
      prometheusRulesDir: '/etc/prometheus/rules',
      prometheusDataDir: '/prometheus',
      alertmanagerDataDir: '/alertmanager',
      lokiDataDir: '/var/loki',
      alertmanagerPasswordFile: '/etc/alertmanager-client/password',
    };
  }
  return {
    platform,
    prometheus: `${site.prometheus.address}:${PORTS.prometheus}`,
    alertmanager: `${site.alertmanager.address}:${PORTS.alertmanager}`,
    // The LXC path is one container per service whatever the replicas.
    prometheusPods: [`${site.prometheus.address}:${PORTS.prometheus}`],
    alertmanagerPods: [`${site.alertmanager.address}:${PORTS.alertmanager}`],
    grafana: `${site.grafana.address}:${PORTS.grafana}`,
    loki: `${site.loki.address}:${PORTS.loki}`,
    // The LXC path is one Loki container whatever loki.mode says.
    lokiPush: `${site.loki.address}:${PORTS.loki}`,
    // On LXC the exporters run beside Prometheus in its container (report: "Install on Prometheus VM").
    blackboxExporter: `127.0.0.1:${PORTS.blackboxExporter}`,
    pveExporter: `127.0.0.1:${PORTS.pveExporter}`,
    prometheusRulesDir: '/etc/prometheus/rules',
    prometheusDataDir: '/var/lib/prometheus',
    alertmanagerDataDir: '/var/lib/alertmanager',
    lokiDataDir: '/var/lib/loki',
    alertmanagerPasswordFile: '/etc/prometheus/alertmanager-password',
  };
}
