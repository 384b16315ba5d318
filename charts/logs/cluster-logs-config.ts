/**
 * config.alloy of the cluster log collector: every pod's container logs and the cluster's events,
 * read through the Kubernetes API (no host paths, so the collector stays `restricted`), pushed to
 * Loki's in-cluster Service.
 *
 * Label scheme shared with the syslog gateway and the Talos listener: `job` and `source` on every
 * line; pods add `namespace`, `pod`, `container` and `host` (the node); `job` is
 * `<namespace>/<container>`, the convention Grafana's Kubernetes dashboards and the Loki mixin
 * select on.
 */
import type { Site } from '../../site';
import { type AlloyBlock, formatAlloy, ref } from '../syslog/alloy-syntax';
import { stackTopology } from '../topology';

/** `source` label of everything this collector reads. */
export const KUBERNETES_LOG_SOURCE = 'kubernetes';
/** `job` label of the cluster's events. */
export const KUBERNETES_EVENTS_JOB = 'kubernetes-events';

/** Which of the two streams the site asks for (site.integrations.logs; Kubernetes only). */
export function clusterLogStreams(site: Site): { pods: boolean; events: boolean } {
  return { pods: site.integrations.logs.pods, events: site.integrations.logs.events };
}

/** Discovery meta labels -> the scheme's labels (Prometheus' relabelling, applied by Alloy). */
const POD_LABEL_RULES: ReadonlyArray<readonly [string, string]> = [
  ['__meta_kubernetes_namespace', 'namespace'],
  ['__meta_kubernetes_pod_name', 'pod'],
  ['__meta_kubernetes_pod_container_name', 'container'],
  ['__meta_kubernetes_pod_node_name', 'host'],
];

function podBlocks(): AlloyBlock[] {
  return [
    { name: 'discovery.kubernetes', label: 'pods', attributes: [['role', 'pod']] },
    {
      name: 'discovery.relabel',
      label: 'pods',
      attributes: [['targets', ref('discovery.kubernetes.pods.targets')]],
      blocks: [
        // Not yet scheduled: no node to read from.
        { name: 'rule', attributes: [['source_labels', ['__meta_kubernetes_pod_phase']], ['regex', 'Pending'], ['action', 'drop']] },
        ...POD_LABEL_RULES.map(([source, target]) => ({ name: 'rule', attributes: [['source_labels', [source]], ['target_label', target]] as const })),
        {
          name: 'rule',
          attributes: [
            ['source_labels', ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name']],
            ['separator', '/'],
            ['target_label', 'job'],
          ],
        },
      ],
    },
    {
      name: 'loki.source.kubernetes',
      label: 'pods',
      attributes: [
        ['targets', ref('discovery.relabel.pods.output')],
        ['forward_to', [ref('loki.process.kubernetes.receiver')]],
      ],
    },
  ];
}

function eventBlocks(): AlloyBlock[] {
  return [{
    name: 'loki.source.kubernetes_events',
    label: 'events',
    attributes: [
      ['job_name', KUBERNETES_EVENTS_JOB],
      ['log_format', 'logfmt'],
      ['forward_to', [ref('loki.process.kubernetes.receiver')]],
    ],
  }];
}

/** The collector's config as Alloy blocks; empty when neither stream is wanted. */
export function clusterLogBlocks(site: Site): AlloyBlock[] {
  const streams = clusterLogStreams(site);
  if (!streams.pods && !streams.events) return [];
  return [
    ...(streams.pods ? podBlocks() : []),
    ...(streams.events ? eventBlocks() : []),
    {
      name: 'loki.process',
      label: 'kubernetes',
      attributes: [['forward_to', [ref('loki.write.loki.receiver')]]],
      blocks: [{ name: 'stage.static_labels', attributes: [['values', { source: KUBERNETES_LOG_SOURCE }]] }],
    },
    {
      name: 'loki.write',
      label: 'loki',
      blocks: [{ name: 'endpoint', attributes: [['url', `http://${stackTopology(site, 'kubernetes').lokiPush}/loki/api/v1/push`]] }],
    },
  ];
}

export function clusterLogConfig(site: Site): string {
  return formatAlloy(clusterLogBlocks(site));
}
