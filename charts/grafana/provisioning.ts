/**
 * Grafana provisioning files (datasources, dashboard providers, dashboards) built from the site
 * and the topology, serialized once with `yaml` / JSON.stringify.
 */
import type { Site } from '../../site';
import { configYaml } from '../common/config-yaml';
import { ALERTMANAGER_CLIENT_USER, PROMETHEUS_CLIENT_USER } from '../prometheus/prometheus-config';
import type { Platform, StackTopology } from '../topology';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_FOLDERS, type DashboardArea, type DashboardFolder } from './dashboards/catalog';
import { hostsDashboard } from './dashboards/hosts';
import { kubernetesDashboard } from './dashboards/kubernetes';
import { logsDashboard } from './dashboards/logs';
import { probesDashboard } from './dashboards/probes';
import { proxmoxDashboard } from './dashboards/proxmox';
import { securityDashboard } from './dashboards/security';
import { stackHealthDashboard } from './dashboards/stack-health';

/**
 * Datasource UIDs. Dashboards reference datasources by these, so they must never change
 * (a provisioned dashboard pointing at a vanished UID shows "datasource not found").
 */
export const DATASOURCE_UIDS = {
  prometheus: 'prometheus',
  loki: 'loki',
  alertmanager: 'alertmanager',
} as const;

/**
 * Env var (filled from Secret site.alertmanager.webAuthSecret, key `password`) that the
 * Alertmanager datasource's password is expanded from at provisioning time.
 */
export const ALERTMANAGER_PASSWORD_ENV = 'ALERTMANAGER_PASSWORD';
/** Likewise for the Prometheus datasource: Secret site.prometheus.webAuthSecret, key `password`. */
export const PROMETHEUS_PASSWORD_ENV = 'PROMETHEUS_PASSWORD';

/**
 * Every env var the datasources expand, with the Secret key it must be filled from: the Grafana
 * pod (env secretKeyRef) and the LXC secrets.env both follow this list.
 */
export function datasourcePasswordEnv(site: Site): { name: string; secret: string; key: 'password' }[] {
  return [
    { name: PROMETHEUS_PASSWORD_ENV, secret: site.prometheus.webAuthSecret, key: 'password' },
    { name: ALERTMANAGER_PASSWORD_ENV, secret: site.alertmanager.webAuthSecret, key: 'password' },
  ];
}

/** Where the chart mounts the provisioning files and the dashboards inside the container. */
export const GRAFANA_PATHS = {
  provisioning: '/etc/grafana/provisioning',
  dashboards: '/etc/grafana/dashboards',
} as const;

/** One datasource entry of provisioning/datasources/*.yaml (Grafana's field names). */
export interface GrafanaDatasource {
  name: string;
  type: 'prometheus' | 'loki' | 'alertmanager';
  uid: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
  /** Provisioned datasources are owned by Git: no edits in the UI. */
  editable: false;
  basicAuth?: boolean;
  basicAuthUser?: string;
  jsonData: Record<string, string | number | boolean>;
  /** Only `$__env{...}` references here, never a secret value. */
  secureJsonData?: Record<string, string>;
}

export interface GrafanaDatasourcesFile {
  apiVersion: 1;
  datasources: GrafanaDatasource[];
}

export interface GrafanaDashboardProvider {
  name: string;
  orgId: 1;
  folder: string;
  folderUid: string;
  type: 'file';
  disableDeletion: true;
  allowUiUpdates: false;
  updateIntervalSeconds: number;
  options: { path: string; foldersFromFilesStructure: false };
}

export interface GrafanaDashboardProvidersFile {
  apiVersion: 1;
  providers: GrafanaDashboardProvider[];
}

/** A dashboard as a file: its name (also its key in the dashboards ConfigMap), its folder, and its JSON text. */
export interface GrafanaDashboardFile {
  readonly fileName: string;
  readonly folder: DashboardFolder;
  /** Path under GRAFANA_PATHS.dashboards: `<folder directory>/<fileName>`. */
  readonly path: string;
  readonly json: string;
}

export function grafanaDatasources(site: Site, topology: StackTopology): GrafanaDatasourcesFile {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        type: 'prometheus',
        uid: DATASOURCE_UIDS.prometheus,
        access: 'proxy',
        url: `http://${topology.prometheus}`,
        isDefault: true,
        editable: false,
        basicAuth: true,
        basicAuthUser: PROMETHEUS_CLIENT_USER,
        // timeInterval = scrape interval, so $__rate_interval never spans fewer than 4 scrapes.
        jsonData: { httpMethod: 'POST', timeInterval: site.prometheus.scrapeInterval, prometheusType: 'Prometheus' },
        secureJsonData: { basicAuthPassword: `$__env{${PROMETHEUS_PASSWORD_ENV}}` },
      },
      {
        name: 'Loki',
        type: 'loki',
        uid: DATASOURCE_UIDS.loki,
        access: 'proxy',
        url: `http://${topology.loki}`,
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000 },
      },
      {
        name: 'Alertmanager',
        type: 'alertmanager',
        uid: DATASOURCE_UIDS.alertmanager,
        access: 'proxy',
        url: `http://${topology.alertmanager}`,
        isDefault: false,
        editable: false,
        basicAuth: true,
        basicAuthUser: ALERTMANAGER_CLIENT_USER,
        // Prometheus sends the alerts; Grafana only shows and silences them.
        jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
        secureJsonData: { basicAuthPassword: `$__env{${ALERTMANAGER_PASSWORD_ENV}}` },
      },
    ],
  };
}

export function grafanaDatasourcesYaml(site: Site, topology: StackTopology): string {
  return configYaml(grafanaDatasources(site, topology));
}

/** One dashboard: the area (folder) it belongs to, its file name, and the platforms it is for. */
interface DashboardDefinition {
  readonly area: DashboardArea;
  readonly fileName: string;
  readonly build: (site: Site) => dashboard.Dashboard;
  /** @default - both platforms. */
  readonly platforms?: readonly Platform[];
}

/** Every dashboard, in folder order. Kubernetes and Talos only where there is a cluster. */
const DASHBOARDS: readonly DashboardDefinition[] = [
  { area: 'stack', fileName: 'stack-health.json', build: stackHealthDashboard },
  { area: 'infrastructure', fileName: 'proxmox.json', build: proxmoxDashboard },
  { area: 'infrastructure', fileName: 'hosts.json', build: hostsDashboard },
  { area: 'availability', fileName: 'probes.json', build: probesDashboard },
  { area: 'logs', fileName: 'logs.json', build: logsDashboard },
  { area: 'security', fileName: 'security.json', build: securityDashboard },
  { area: 'kubernetes', fileName: 'kubernetes.json', build: kubernetesDashboard, platforms: ['kubernetes'] },
];

const dashboardsFor = (platform: Platform) => DASHBOARDS.filter((d) => !d.platforms || d.platforms.includes(platform));

/** The folders that hold a dashboard on this platform, in DASHBOARD_FOLDERS order. */
export function dashboardFolders(platform: Platform): DashboardFolder[] {
  const used = new Set(dashboardsFor(platform).map((d) => d.area));
  return (Object.keys(DASHBOARD_FOLDERS) as DashboardArea[]).filter((a) => used.has(a)).map((a) => DASHBOARD_FOLDERS[a]);
}

/**
 * One provider per folder, each reading its own directory: folder titles and uids are set here,
 * not derived from directory names (foldersFromFilesStructure), so they can be renamed freely.
 */
export function grafanaDashboardProviders(platform: Platform): GrafanaDashboardProvidersFile {
  return {
    apiVersion: 1,
    providers: dashboardFolders(platform).map((folder) => ({
      name: folder.uid,
      orgId: 1,
      folder: folder.title,
      folderUid: folder.uid,
      type: 'file',
      // Dashboards live in Git: the UI can neither delete nor save over them.
      disableDeletion: true,
      allowUiUpdates: false,
      updateIntervalSeconds: 60,
      options: { path: `${GRAFANA_PATHS.dashboards}/${folder.directory}`, foldersFromFilesStructure: false },
    })),
  };
}

export function grafanaDashboardProvidersYaml(platform: Platform): string {
  return configYaml(grafanaDashboardProviders(platform));
}

/** Every dashboard provisioned on the platform, as files (the LXC path has no Kubernetes dashboard). */
export function grafanaDashboards(site: Site, platform: Platform): GrafanaDashboardFile[] {
  return dashboardsFor(platform).map((d) => {
    const folder = DASHBOARD_FOLDERS[d.area];
    // JSON round trip: builder output carries a function-valued property JSON drops anyway.
    return { fileName: d.fileName, folder, path: `${folder.directory}/${d.fileName}`, json: `${JSON.stringify(d.build(site), null, 2)}\n` };
  });
}
