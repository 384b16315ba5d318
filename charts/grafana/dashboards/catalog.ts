/**
 * The dashboards' identities: uid, title, folder and tags. Links between dashboards point at
 * these uids, so every dashboard file and the provisioning read them from here (no import cycles
 * between the dashboards themselves).
 */

/** A provisioned folder: one Grafana dashboard provider reads one directory into it. */
export interface DashboardFolder {
  /** Folder uid in Grafana: stable, so links and permissions survive a rename of the title. */
  readonly uid: string;
  readonly title: string;
  /** Directory under the dashboards mount (a ConfigMap item path; Kubernetes keys cannot hold "/"). */
  readonly directory: string;
}

export const DASHBOARD_FOLDERS = {
  stack: { uid: 'monitoring-stack', title: 'Monitoring stack', directory: 'monitoring-stack' },
  infrastructure: { uid: 'infrastructure', title: 'Infrastructure', directory: 'infrastructure' },
  availability: { uid: 'availability', title: 'Probes and uptime', directory: 'availability' },
  logs: { uid: 'logs', title: 'Logs', directory: 'logs' },
  security: { uid: 'security', title: 'Security', directory: 'security' },
  kubernetes: { uid: 'kubernetes', title: 'Kubernetes and Talos', directory: 'kubernetes' },
} as const satisfies Record<string, DashboardFolder>;

export type DashboardArea = keyof typeof DASHBOARD_FOLDERS;

/** Tag every generated dashboard carries: the "Dashboards" dropdown on each one lists them by it. */
export const GENERATED_TAG = 'generated';

/** Stable dashboard uids (Grafana URLs are /d/<uid>; links and bookmarks depend on them). */
export const DASHBOARD_UIDS = {
  stackHealth: 'monitoring-stack-health',
  proxmox: 'proxmox-host-guests',
  hosts: 'hosts-node-exporter',
  probes: 'probes-uptime',
  logs: 'logs-overview',
  security: 'security-wazuh',
  kubernetes: 'kubernetes-talos',
} as const;

export type DashboardUid = (typeof DASHBOARD_UIDS)[keyof typeof DASHBOARD_UIDS];
