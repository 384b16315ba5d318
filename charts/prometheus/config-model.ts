/**
 * The subset of prometheus.yml this tool emits, typed so a misspelt key fails to compile.
 * Field names are Prometheus' own (snake_case), as the pinned Prometheus 3 reads them; the tests
 * check the real file with that release's promtool and run it in that release's server.
 */
export interface PrometheusConfig {
  global: { scrape_interval: string; evaluation_interval: string; external_labels: Record<string, string> };
  /** TSDB retention (Prometheus 3.8+; replaces the deprecated --storage.tsdb.retention.* flags). */
  storage: { tsdb: { retention: { time: string; size: string } } };
  alerting: { alert_relabel_configs?: RelabelConfig[]; alertmanagers: AlertmanagerEndpoint[] };
  rule_files: string[];
  /** Left out when the site writes nowhere (prometheus.remoteWrite empty). */
  remote_write?: RemoteWriteConfig[];
  scrape_configs: ScrapeConfig[];
}

export interface RemoteWriteConfig {
  name: string;
  url: string;
  basic_auth?: { username_file: string; password_file: string };
  headers?: Record<string, string>;
}

export interface AlertmanagerEndpoint {
  scheme: 'http' | 'https';
  basic_auth?: BasicAuth;
  static_configs: StaticConfig[];
}

export interface BasicAuth {
  username: string;
  password_file: string;
}

export interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

export interface KubernetesSdConfig {
  /** No 'endpoints': the v1 Endpoints API is deprecated since Kubernetes 1.33. */
  role: 'node' | 'pod' | 'service' | 'endpointslice';
  namespaces?: { names: string[] };
}

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

export interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  /** Keep the labels a target reports (exporters of other objects: kube-state-metrics). */
  honor_labels?: boolean;
  scheme?: 'http' | 'https';
  params?: Record<string, string[]>;
  basic_auth?: BasicAuth;
  authorization?: { credentials_file: string };
  tls_config?: { ca_file?: string; insecure_skip_verify?: boolean };
  static_configs?: StaticConfig[];
  kubernetes_sd_configs?: KubernetesSdConfig[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}
