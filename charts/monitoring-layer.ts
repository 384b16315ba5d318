/** The monitoring layer: one chart per component of the stack, all in the site's namespace. */
import type { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { lokiSimpleScalable, type Site } from '../site';
import { AlertmanagerServer } from './alertmanager/alertmanager-server';
import { EstateExporters } from './exporters/exporters-chart';
import { KubeStateMetrics } from './exporters/kube-state-metrics';
import { NodeExporterDaemonSet } from './exporters/node-exporter-daemonset';
import { GrafanaServer } from './grafana/grafana-chart';
import { LokiServer } from './loki/loki-chart';
import { LokiScalableServer } from './loki/loki-scalable';
import { ClusterLogs, clusterLogsWanted } from './logs/cluster-logs';
import { PrometheusServer } from './prometheus/prometheus-server';
import { stackTopology } from './topology';

/**
 * Chart ids are file names in dist/monitoring and part of the public contract: renaming one
 * moves objects between files (harmless) but must never change object names or selectors.
 */
export function addMonitoringLayer(scope: Construct, site: Site): Chart[] {
  const props = { site, topology: stackTopology(site, 'kubernetes') };
  return [
    new PrometheusServer(scope, 'prometheus', props),
    new AlertmanagerServer(scope, 'alertmanager', props),
    lokiSimpleScalable(site) ? new LokiScalableServer(scope, 'loki', props) : new LokiServer(scope, 'loki', props),
    new GrafanaServer(scope, 'grafana', props),
    new EstateExporters(scope, 'exporters', props),
    new KubeStateMetrics(scope, 'kube-state-metrics', props),
    new NodeExporterDaemonSet(scope, 'node-exporter'),
    // Pod logs and events (site.integrations.logs); no chart, so no file, when both are off.
    ...(clusterLogsWanted(site) ? [new ClusterLogs(scope, 'cluster-logs', props)] : []),
  ];
}
