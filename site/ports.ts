/**
 * Where the stack's services listen: fixed ports, the same on both paths. Kept with the site
 * model because its rules check the site's configurable ports against them; the renderers read
 * them through charts/topology.ts.
 */
export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  /** Alertmanager's cluster gossip (memberlist), TCP and UDP, between replicas (Kubernetes only). */
  alertmanagerCluster: 9094,
  grafana: 3000,
  loki: 3100,
  lokiGrpc: 9095,
  /** Simple-scalable Loki's memberlist ring between its pods (TCP only; Kubernetes only). */
  lokiMemberlist: 7946,
  alloy: 12345,
  /** In-container syslog port: non-root cannot bind below 1024; the Service maps 514 to it. */
  syslogContainer: 1514,
  nodeExporter: 9100,
  blackboxExporter: 9115,
  pveExporter: 9221,
  /** kube-state-metrics (Kubernetes only): object metrics, and its own telemetry. */
  kubeStateMetrics: 8080,
  kubeStateMetricsTelemetry: 8081,
  /** etcd's plain-HTTP metrics listener on the Talos control-plane nodes (the port kube-prometheus uses). */
  etcdMetrics: 2381,
  /**
   * The log gateway's listener for Talos machine and service logs (json_lines over TCP, Kubernetes
   * only); the port Talos' own logging guide uses for its receivers.
   */
  talosLogs: 5170,
} as const;

/**
 * TCP ports bound on the log address (site.loki.address) on either path: Loki's HTTP and gRPC
 * on both; on LXC the Loki container also runs Alloy's HTTP server and node_exporter.
 */
export const LOG_ADDRESS_TCP_PORTS: readonly { readonly port: number; readonly what: string }[] = [
  { port: PORTS.loki, what: 'Loki HTTP' },
  { port: PORTS.lokiGrpc, what: 'Loki gRPC' },
  { port: PORTS.alloy, what: 'the syslog gateway\'s HTTP server (LXC)' },
  { port: PORTS.nodeExporter, what: 'node_exporter (LXC)' },
  { port: PORTS.talosLogs, what: 'the Talos machine log listener (Kubernetes)' },
];
