/** Grafana on a PVC, with provisioned datasources and dashboards, its Services and NetworkPolicy. */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { configChecksumAnnotation } from '../common/checksum';
import { ComponentChart, type ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { LoadBalancerService } from '../common/load-balancer';
import { IngressPolicy } from '../common/network-policy';
import { quantityGi, resourcesFor } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { PORTS, SERVICE_NAMES } from '../topology';
import { KEEP_ON_PRUNE } from '../platform/sync-options';
import { placementFor } from '../common/placement';
import { GRAFANA_DATA_DIR, GRAFANA_LOGS_DIR, grafanaSettings, grafanaSettingsEnv } from './grafana-settings';
import {
  datasourcePasswordEnv,
  GRAFANA_PATHS,
  grafanaDashboardProvidersYaml,
  grafanaDashboards,
  grafanaDatasourcesYaml,
} from './provisioning';

export const GRAFANA_COMPONENT = 'grafana';
/** Grafana's data volume (its SQLite database), kept on prune. */
export const GRAFANA_DATA_CLAIM = 'grafana-data';
/** ConfigMap with the datasources and dashboard providers files; verify names it in its next steps. */
export const GRAFANA_PROVISIONING_CONFIG_MAP = 'grafana-provisioning';
/** The grafana user of the grafana/grafana image. */
const GRAFANA_UID = 472;

export type GrafanaServerProps = ComponentChartProps;

/**
 * Objects: ConfigMaps `grafana-provisioning` and `grafana-dashboards`, PVC `grafana-data`
 * (grafana.storage volume), Deployment `grafana` (Recreate: one pod owns the ReadWriteOnce volume
 * and its SQLite DB; with storage ephemeral grafana.replicas pods, each its own DB in an emptyDir),
 * Service `grafana` (in-cluster `grafana.<ns>.svc:3000`), LoadBalancer Service `grafana-lb` on
 * site.grafana.address, NetworkPolicy `grafana`.
 *
 * Needs, created out of band: Secret site.grafana.adminSecret (keys admin-user, admin-password)
 * and Secrets site.prometheus.webAuthSecret and site.alertmanager.webAuthSecret (key password).
 */
export class GrafanaServer extends ComponentChart {
  constructor(scope: Construct, id: string, props: GrafanaServerProps) {
    super(scope, id, props);
    const { site, topology } = props;
    const version = IMAGES.grafana.tag;
    const labels = componentLabels(GRAFANA_COMPONENT, version);
    const datasourcesYaml = grafanaDatasourcesYaml(site, topology);
    const providersYaml = grafanaDashboardProvidersYaml(topology.platform);
    const dashboards = grafanaDashboards(site, topology.platform);
    const settings = grafanaSettings(site);
    const placement = placementFor(site, GRAFANA_COMPONENT);
    const http = k8s.IntOrString.fromString('http');
    // Report rule 3: the management VLAN only; Nginx Proxy Manager and the Cloudflare tunnel,
    // which publish the external URL, are guests there too.
    const uiSources = [site.network.managementCidr];

    new k8s.KubeConfigMap(this, 'Provisioning', {
      metadata: { name: GRAFANA_PROVISIONING_CONFIG_MAP, labels },
      data: { 'datasources.yaml': datasourcesYaml, 'dashboards.yaml': providersYaml },
    });
    new k8s.KubeConfigMap(this, 'Dashboards', {
      metadata: { name: 'grafana-dashboards', labels },
      data: Object.fromEntries(dashboards.map((d) => [d.fileName, d.json])),
    });

    const ephemeral = site.grafana.storage === 'ephemeral';
    const replicas = site.grafana.replicas;
    if (!ephemeral) {
      new k8s.KubePersistentVolumeClaim(this, 'Data', {
        // Dashboards, users and alert state: never pruned or deleted with the Application.
        metadata: { name: GRAFANA_DATA_CLAIM, labels, annotations: { ...KEEP_ON_PRUNE } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: site.kubernetes.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(quantityGi(site.grafana.storageGiB)) } },
        },
      });
    }

    new k8s.KubeService(this, 'Service', {
      metadata: { name: SERVICE_NAMES.grafana, labels },
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(GRAFANA_COMPONENT),
        ports: [{ name: 'http', port: PORTS.grafana, targetPort: http, protocol: 'TCP' }],
      },
    });

    const lb = new LoadBalancerService(this, 'LoadBalancer', {
      site,
      name: 'grafana-lb',
      component: GRAFANA_COMPONENT,
      version,
      address: site.grafana.address,
      ports: [{ name: 'http', port: PORTS.grafana, targetPort: http, protocol: 'TCP' }],
      sourceRanges: uiSources,
    });

    const secretEnv = (name: string, secret: string, key: string): k8s.EnvVar => ({
      name,
      valueFrom: { secretKeyRef: { name: secret, key } },
    });
    const healthProbe = (failureThreshold: number, periodSeconds: number): k8s.Probe => ({
      httpGet: { path: '/api/health', port: http },
      periodSeconds,
      timeoutSeconds: 5,
      failureThreshold,
    });

    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: 'grafana', labels },
      spec: {
        replicas,
        // One volume (ReadWriteOnce): the old pod lets go of it before the new one starts. Without
        // one, pods are replaced one at a time in place (one per zone: no room for a surge pod).
        strategy: ephemeral ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } } : { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(GRAFANA_COMPONENT) },
        template: {
          metadata: {
            labels: { ...labels, ...placement.labels },
            annotations: configChecksumAnnotation(datasourcesYaml, providersYaml, ...dashboards.map((d) => d.json), JSON.stringify(settings)),
          },
          spec: {
            affinity: placement.affinity,
            securityContext: restrictedPodSecurity(GRAFANA_UID),
            automountServiceAccountToken: false,
            containers: [{
              name: 'grafana',
              image: imageRef('grafana'),
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: PORTS.grafana, protocol: 'TCP' }],
              env: [
                ...grafanaSettingsEnv(settings),
                // Seeds the admin account on first start only; rotate later with `grafana cli admin reset-admin-password`.
                secretEnv('GF_SECURITY_ADMIN_USER', site.grafana.adminSecret, 'admin-user'),
                secretEnv('GF_SECURITY_ADMIN_PASSWORD', site.grafana.adminSecret, 'admin-password'),
                // Expanded by datasource provisioning as $__env{ALERTMANAGER_PASSWORD}.
                // The datasources' basic-auth passwords (Prometheus, Alertmanager), by Secret reference.
                ...datasourcePasswordEnv(site).map((e) => secretEnv(e.name, e.secret, e.key)),
              ],
              resources: resourcesFor(site.grafana),
              securityContext: restrictedContainerSecurity(),
              // Database migrations after an upgrade run before /api/health answers.
              startupProbe: healthProbe(60, 10),
              readinessProbe: healthProbe(3, 10),
              livenessProbe: healthProbe(6, 20),
              volumeMounts: [
                { name: 'data', mountPath: GRAFANA_DATA_DIR },
                { name: 'provisioning', mountPath: GRAFANA_PATHS.provisioning, readOnly: true },
                { name: 'dashboards', mountPath: GRAFANA_PATHS.dashboards, readOnly: true },
                { name: 'logs', mountPath: GRAFANA_LOGS_DIR },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              // grafana.storage ephemeral: the database lives as long as the pod (provisioning rebuilds it).
              ephemeral ? { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } } : { name: 'data', persistentVolumeClaim: { claimName: GRAFANA_DATA_CLAIM } },
              {
                name: 'provisioning',
                configMap: {
                  name: GRAFANA_PROVISIONING_CONFIG_MAP,
                  items: [
                    { key: 'datasources.yaml', path: 'datasources/datasources.yaml' },
                    { key: 'dashboards.yaml', path: 'dashboards/dashboards.yaml' },
                  ],
                },
              },
              // ConfigMap keys cannot hold "/": items place each dashboard in its folder's directory.
              { name: 'dashboards', configMap: { name: 'grafana-dashboards', items: dashboards.map((d) => ({ key: d.fileName, path: d.path })) } },
              { name: 'logs', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });

    new IngressPolicy(this, 'NetworkPolicy', {
      component: GRAFANA_COMPONENT,
      version,
      // Report rule 3 (clients of the LoadBalancer) and Prometheus scraping /metrics.
      rules: [{ ports: [{ port: PORTS.grafana, protocol: 'TCP' }], cidrs: lb.policySources, fromComponents: ['prometheus'] }],
    });
  }
}
