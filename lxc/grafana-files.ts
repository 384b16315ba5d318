/**
 * Grafana's files in its container: the provisioning the Kubernetes chart mounts (same builders,
 * same paths), plus a systemd drop-in that gives the .deb's grafana-server the environment the
 * pod gets from its spec and Secrets.
 */
import type { Site } from '../site';
import {
  datasourcePasswordEnv, GRAFANA_PATHS, grafanaDashboardProvidersYaml, grafanaDashboards, grafanaDatasourcesYaml,
} from '../charts/grafana/provisioning';
import { grafanaSettings, grafanaSettingsEnv } from '../charts/grafana/grafana-settings';
import type { StackTopology } from '../charts/topology';
import type { ContainerFile, OutOfBandSecret } from './container-payloads';

/** Non-secret settings, generated. */
export const GRAFANA_ENV_FILE = '/etc/grafana/monitoring.env';
/** Secret settings, created by the operator. */
export const GRAFANA_SECRET_ENV_FILE = '/etc/grafana/secrets.env';

/** The pod's GF_* settings, as an EnvironmentFile (systemd takes the value verbatim after '='). */
export function grafanaEnvironmentFile(site: Site): string {
  return grafanaSettingsEnv(grafanaSettings(site)).map(({ name, value }) => `${name}=${value}\n`).join('');
}

export function grafanaContainerFiles(site: Site, topology: StackTopology): { files: ContainerFile[]; secrets: OutOfBandSecret[] } {
  const env = grafanaEnvironmentFile(site);
  return {
    files: [
      { path: `${GRAFANA_PATHS.provisioning}/datasources/datasources.yaml`, content: grafanaDatasourcesYaml(site, topology) },
      { path: `${GRAFANA_PATHS.provisioning}/dashboards/dashboards.yaml`, content: grafanaDashboardProvidersYaml(topology.platform) },
      // The same folders and files as the pod's mount, less the Kubernetes dashboard.
      ...grafanaDashboards(site, topology.platform).map((d) => ({ path: `${GRAFANA_PATHS.dashboards}/${d.path}`, content: d.json })),
      { path: GRAFANA_ENV_FILE, content: env },
      {
        path: '/etc/systemd/system/grafana-server.service.d/monitoring.conf',
        content: `[Service]\nEnvironmentFile=${GRAFANA_ENV_FILE}\nEnvironmentFile=${GRAFANA_SECRET_ENV_FILE}\n`,
      },
    ],
    secrets: [{
      path: GRAFANA_SECRET_ENV_FILE,
      owner: 'grafana',
      what: [
        `GF_SECURITY_ADMIN_USER, GF_SECURITY_ADMIN_PASSWORD (Secret ${site.grafana.adminSecret})`,
        ...datasourcePasswordEnv(site).map((e) => `${e.name} (key ${e.key} of Secret ${e.secret})`),
      ].join(', ') + ', mode 0640',
    }],
  };
}
