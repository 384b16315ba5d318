/** Every image, pinned by version (research snapshot 2026-08; bump deliberately, one place). */
export const IMAGES = {
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.14.0' },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.34.0' },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.2.0' },
  loki: { repository: 'docker.io/grafana/loki', tag: '3.7.6' },
  alloy: { repository: 'docker.io/grafana/alloy', tag: 'v1.18.1' },
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  blackboxExporter: { repository: 'quay.io/prometheus/blackbox-exporter', tag: 'v0.28.0' },
  pveExporter: { repository: 'docker.io/prompve/prometheus-pve-exporter', tag: '3.10.0' },
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.20.0' },
} as const;

export type ImageName = keyof typeof IMAGES;

export function imageRef(name: ImageName): string {
  const image = IMAGES[name];
  return `${image.repository}:${image.tag}`;
}
