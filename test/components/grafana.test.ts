import * as YAML from 'yaml';
import { STACK_HEALTH_UID, stackHealthDashboard } from '../../charts/grafana/dashboards/stack-health';
import { GrafanaServer } from '../../charts/grafana/grafana-chart';
import {
  ALERTMANAGER_PASSWORD_ENV, DATASOURCE_UIDS, GRAFANA_PATHS, grafanaDashboards, grafanaDatasources, PROMETHEUS_PASSWORD_ENV,
} from '../../charts/grafana/provisioning';
import { ALERTMANAGER_CLIENT_USER, PROMETHEUS_CLIENT_USER } from '../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../charts/topology';
import { describeWithShared } from '../support/shared-dir';
import { grafanaSchemas, type Json, logqlParser, panelsOf, promqlParser, queriesOf, syntaxErrors } from '../grafana/support';
import { findObject, siteWith, strictSchemaErrors, synthChart } from './component-support';

const { site, objects } = synthChart(GrafanaServer);
const deployment = findObject(objects, 'Deployment', 'grafana');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const env = (name: string) => container.env.find((e: Json) => e.name === name);

/** The stack health dashboard as written into the ConfigMap, parsed back (the others: test/grafana). */
const writtenDashboards: Json[] = [JSON.parse(findObject(objects, 'ConfigMap', 'grafana-dashboards').data['stack-health.json'])];
const writtenDatasources = YAML.parse(findObject(objects, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']);
const writtenProviders = YAML.parse(findObject(objects, 'ConfigMap', 'grafana-provisioning').data['dashboards.yaml']);

describe('Grafana datasources', () => {
  test('Prometheus, Loki and Alertmanager are provisioned with stable UIDs at the topology addresses', () => {
    expect(writtenDatasources.apiVersion).toBe(1);
    expect(writtenDatasources.datasources.map((d: Json) => [d.type, d.uid, d.url])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus.monitoring.svc:9090'],
      ['loki', 'loki', 'http://loki.monitoring.svc:3100'],
      ['alertmanager', 'alertmanager', 'http://alertmanager.monitoring.svc:9093'],
    ]);
    expect(Object.values(DATASOURCE_UIDS)).toEqual(['prometheus', 'loki', 'alertmanager']);
    expect(writtenDatasources.datasources.filter((d: Json) => d.isDefault).map((d: Json) => d.type)).toEqual(['prometheus']);
  });

  test('the Alertmanager datasource logs in with basic auth, its password expanded from an env var filled from the Secret', () => {
    const am = writtenDatasources.datasources.find((d: Json) => d.type === 'alertmanager');
    expect(am).toMatchObject({ basicAuth: true, basicAuthUser: ALERTMANAGER_CLIENT_USER, jsonData: { implementation: 'prometheus' } });
    expect(am.secureJsonData).toEqual({ basicAuthPassword: `$__env{${ALERTMANAGER_PASSWORD_ENV}}` });
    expect(env(ALERTMANAGER_PASSWORD_ENV)).toEqual({
      name: ALERTMANAGER_PASSWORD_ENV,
      valueFrom: { secretKeyRef: { name: 'alertmanager-web-auth', key: 'password' } },
    });
  });

  test('the Prometheus datasource logs in with basic auth, its password expanded from an env var', () => {
    const prom = writtenDatasources.datasources.find((d: Json) => d.type === 'prometheus');
    expect(prom).toMatchObject({ basicAuth: true, basicAuthUser: PROMETHEUS_CLIENT_USER });
    expect(prom.secureJsonData).toEqual({ basicAuthPassword: `$__env{${PROMETHEUS_PASSWORD_ENV}}` });
  });

  test('every env var a datasource expands is filled in the pod from the password key of that server\'s web-auth Secret', () => {
    const referenced = [...findObject(objects, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml'].matchAll(/\$__env\{(\w+)\}/g)].map((m) => m[1]);
    expect(referenced.sort()).toEqual([ALERTMANAGER_PASSWORD_ENV, PROMETHEUS_PASSWORD_ENV].sort());
    expect(env(PROMETHEUS_PASSWORD_ENV)).toEqual({ name: PROMETHEUS_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: 'prometheus-web-auth', key: 'password' } } });
    expect(env(ALERTMANAGER_PASSWORD_ENV)).toEqual({ name: ALERTMANAGER_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: 'alertmanager-web-auth', key: 'password' } } });
  });

  test('the Prometheus datasource uses the site scrape interval as its minimum step', () => {
    const custom = grafanaDatasources(siteWith({ prometheus: { scrapeInterval: '30s' } }), stackTopology(site, 'kubernetes'));
    expect(custom.datasources[0].jsonData.timeInterval).toBe('30s');
  });

  test('no password, token or secret value appears anywhere in the chart\'s output', () => {
    const synthesized = synthChart(GrafanaServer).yaml;
    // Every line that names a password carries either a Secret reference or an env reference.
    const passwordLines = synthesized.split('\n').filter((l) => /password/i.test(l));
    for (const line of passwordLines) {
      expect(line).toMatch(/name: (GF_SECURITY_ADMIN_PASSWORD|ALERTMANAGER_PASSWORD|PROMETHEUS_PASSWORD)$|key: (admin-)?password$|basicAuthPassword: \$__env\{(ALERTMANAGER|PROMETHEUS)_PASSWORD\}$/);
    }
    expect(passwordLines.length).toBeGreaterThan(0);
  });
});

describe('Grafana dashboards', () => {
  test('the stack health dashboard\'s provider reads its own directory of the dashboards mount into the "Monitoring stack" folder, read-only', () => {
    expect(writtenProviders.providers).toContainEqual(expect.objectContaining({
      type: 'file', folder: 'Monitoring stack', folderUid: 'monitoring-stack', disableDeletion: true, allowUiUpdates: false,
      options: { path: `${GRAFANA_PATHS.dashboards}/monitoring-stack`, foldersFromFilesStructure: false },
    }));
    expect(container.volumeMounts).toContainEqual({ name: 'dashboards', mountPath: GRAFANA_PATHS.dashboards, readOnly: true });
    expect(pod.volumes.find((v: Json) => v.name === 'dashboards').configMap.items).toContainEqual({ key: 'stack-health.json', path: 'monitoring-stack/stack-health.json' });
    const provisioning = pod.volumes.find((v: Json) => v.name === 'provisioning').configMap.items;
    expect(provisioning).toEqual([
      { key: 'datasources.yaml', path: 'datasources/datasources.yaml' },
      { key: 'dashboards.yaml', path: 'dashboards/dashboards.yaml' },
    ]);
  });

  test('the stack health dashboard is provisioned with its stable UID, first of the dashboards', () => {
    expect(writtenDashboards.map((d) => d.uid)).toEqual([STACK_HEALTH_UID]);
    expect(grafanaDashboards(site, 'kubernetes')[0]).toMatchObject({ fileName: 'stack-health.json', path: 'monitoring-stack/stack-health.json' });
  });

  test('it covers up, scrape durations, the TSDB, Loki ingestion, the syslog gateway and Alertmanager notifications', () => {
    const exprs = queriesOf(writtenDashboards[0]).map((q) => q.expr).join('\n');
    for (const metric of ['up{', 'scrape_duration_seconds', 'prometheus_tsdb_head_series', 'loki_distributor_bytes_received_total',
      'loki_source_syslog_entries_total', 'alertmanager_notifications_total', 'alertmanager_notifications_failed_total']) {
      expect(exprs).toContain(metric);
    }
  });

  test('every panel and query points at a provisioned datasource UID of the right type', () => {
    const provisioned = new Map(writtenDatasources.datasources.map((d: Json) => [d.uid, d.type]));
    const refs = [...panelsOf(writtenDashboards[0]).filter((p) => p.type !== 'row').map((p) => p.datasource), ...queriesOf(writtenDashboards[0]).map((q) => q.datasource)];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(provisioned.get(ref.uid)).toBe(ref.type);
  });

  test('every PromQL query parses (lezer-promql, $__rate_interval interpolated as Grafana does)', () => {
    const prom = queriesOf(writtenDashboards[0]).filter((q) => q.datasource.type === 'prometheus');
    expect(prom.length).toBeGreaterThan(10);
    for (const q of prom) expect({ expr: q.expr, errors: syntaxErrors(promqlParser, q.expr.replace(/\$__rate_interval/g, '5m')) }).toEqual({ expr: q.expr, errors: 0 });
  });

  test('every LogQL query parses (lezer-logql)', () => {
    const logql = queriesOf(writtenDashboards[0]).filter((q) => q.datasource.type === 'loki');
    expect(logql.map((q) => q.expr)).toEqual(['{job="syslog"}']);
    for (const q of logql) expect(syntaxErrors(logqlParser, q.expr)).toBe(0);
  });

  test('the syntax checks bite: broken PromQL and LogQL are reported', () => {
    expect(syntaxErrors(promqlParser, 'sum(rate(up[5m])')).toBeGreaterThan(0);
    expect(syntaxErrors(logqlParser, '{job="syslog"')).toBeGreaterThan(0);
  });

  test('rows are expanded with their panels laid out below them, inside the 24-column grid, with unique ids', () => {
    const panels = writtenDashboards[0].panels as Json[];
    for (const row of panels.filter((p) => p.type === 'row')) expect(row).toMatchObject({ collapsed: false, panels: [] });
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('the dashboard is the same object on every build', () => {
    expect(JSON.stringify(stackHealthDashboard(site))).toBe(JSON.stringify(stackHealthDashboard(site)));
  });

  describeWithShared('schemas/grafana', 'against the Grafana foundation SDK JSON schemas', () => {
    // Built lazily: a skipped describe still runs its body to collect tests.
    let schemas: ReturnType<typeof grafanaSchemas> | undefined;
    const grafana = { dashboardErrors: (d: Json) => (schemas ??= grafanaSchemas()).dashboardErrors(d) };

    test('the written dashboard validates, with every panel\'s options and every query', () => {
      expect(grafana.dashboardErrors(writtenDashboards[0])).toEqual([]);
    });

    test('fails when a dashboard key is misspelt', () => {
      const broken = { ...writtenDashboards[0], refrsh: '1m' };
      expect(grafana.dashboardErrors(broken).join('\n')).toMatch(/must NOT have additional properties 'refrsh'/);
    });

    test('fails when a panel option or a query field has a value the plugin does not accept', () => {
      const broken = JSON.parse(JSON.stringify(writtenDashboards[0]));
      const graph = broken.panels.find((p: Json) => p.type === 'timeseries');
      graph.options.legend.displayMode = 'sideways';
      graph.targets[0].format = 'csv';
      const errors = grafana.dashboardErrors(broken).join('\n');
      expect(errors).toMatch(/timeseries options \/legend\/displayMode must be equal to one of the allowed values/);
      expect(errors).toMatch(/prometheus query \/format must be equal to one of the allowed values/);
    });
  });
});

describe('Grafana chart', () => {
  test('every object has an explicit name in the site namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/grafana-provisioning', 'ConfigMap/grafana-dashboards', 'PersistentVolumeClaim/grafana-data',
      'Service/grafana', 'Service/grafana-lb', 'Deployment/grafana', 'NetworkPolicy/grafana',
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe('monitoring');
  });

  test('renaming the construct changes no name and no selector', () => {
    expect(synthChart(GrafanaServer, site, 'renamed').objects).toEqual(objects);
  });

  test('data lives on a 50Gi PVC on the site storage class, owned by one pod at a time (Recreate)', () => {
    expect(findObject(objects, 'PersistentVolumeClaim', 'grafana-data').spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '50Gi' } },
    });
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.replicas).toBe(1);
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } });
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/grafana' });
  });

  test('it runs the pinned image with the report\'s sizing: 2 CPU requested, 4Gi memory request = limit, no CPU limit', () => {
    expect(container.image).toMatch(/^docker\.io\/grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(container.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } });
  });

  test('the admin account comes from the site\'s Secret by reference', () => {
    expect(env('GF_SECURITY_ADMIN_USER')).toEqual({ name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-user' } } });
    expect(env('GF_SECURITY_ADMIN_PASSWORD')).toEqual({ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } });
  });

  test('anonymous access and sign-up are off, and the root URL is the site\'s external URL', () => {
    expect(env('GF_AUTH_ANONYMOUS_ENABLED').value).toBe('false');
    expect(env('GF_USERS_ALLOW_SIGN_UP').value).toBe('false');
    expect(env('GF_SERVER_ROOT_URL').value).toBe('https://monitoring.yourdomain.com');
    expect(env('GF_SERVER_DOMAIN').value).toBe('monitoring.yourdomain.com');
    expect(env('GF_PATHS_PROVISIONING').value).toBe(GRAFANA_PATHS.provisioning);
  });

  test('an https root URL makes the session cookie Secure; an http one cannot (the browser would drop it)', () => {
    expect(env('GF_SECURITY_COOKIE_SECURE').value).toBe('true');
    expect(env('GF_SECURITY_COOKIE_SAMESITE').value).toBe('lax');
    const plain = findObject(synthChart(GrafanaServer, siteWith({ grafana: { externalUrl: 'http://grafana.lan:3000' } })).objects, 'Deployment', 'grafana');
    const plainEnv = plain.spec.template.spec.containers[0].env.find((e: Json) => e.name === 'GF_SECURITY_COOKIE_SECURE');
    expect(plainEnv.value).toBe('false');
  });

  test('plugins are neither preinstalled nor auto-updated at start, nor installed from the UI: the bundled datasources stay at the image version on the read-only root', () => {
    expect(env('GF_PLUGINS_PREINSTALL_DISABLED').value).toBe('true');
    expect(env('GF_PLUGINS_PREINSTALL_AUTO_UPDATE').value).toBe('false');
    expect(env('GF_PLUGINS_PLUGIN_ADMIN_ENABLED').value).toBe('false');
    // No preinstall list that would reach for grafana.com anyway.
    expect(env('GF_PLUGINS_PREINSTALL')).toBeUndefined();
    expect(env('GF_PLUGINS_PREINSTALL_SYNC')).toBeUndefined();
    expect(env('GF_INSTALL_PLUGINS')).toBeUndefined();
  });

  test('a datasource or dashboard change changes the pod template checksum (the pod rolls)', () => {
    const other = findObject(synthChart(GrafanaServer, siteWith({ prometheus: { scrapeInterval: '30s' } })).objects, 'Deployment', 'grafana');
    const checksum = (d: Json) => d.spec.template.metadata.annotations['checksum/config'];
    expect(checksum(deployment)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(other)).not.toBe(checksum(deployment));
  });

  test('probes ask /api/health, and the pod runs restricted as uid 472 with a read-only root', () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/api/health', port: 'http' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 472, fsGroup: 472 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('the LoadBalancer serves 10.70.0.11:3000 to the management VLAN only, keeping client addresses', () => {
    const lb = findObject(objects, 'Service', 'grafana-lb');
    expect(lb.metadata.annotations['metallb.io/loadBalancerIPs']).toBe('10.70.0.11');
    expect(lb.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24']);
    expect(lb.spec.externalTrafficPolicy).toBe('Local');
    expect(findObject(objects, 'Service', 'grafana').spec.type).toBe('ClusterIP');
  });

  test('the NetworkPolicy admits 3000 from the management VLAN (report rule 3) and Prometheus only', () => {
    const np = findObject(objects, 'NetworkPolicy', 'grafana');
    expect(np.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(np.spec.ingress).toEqual([{
      from: [
        { ipBlock: { cidr: '10.88.140.0/24' } },
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/part-of': 'monitoring-stack' } } },
      ],
      ports: [{ port: 3000, protocol: 'TCP' }],
    }]);
  });

  test('a site management CIDR flows into both the LoadBalancer and the NetworkPolicy', () => {
    const custom = synthChart(GrafanaServer, siteWith({ network: { managementCidr: '192.168.10.0/24' } })).objects;
    expect(findObject(custom, 'Service', 'grafana-lb').spec.loadBalancerSourceRanges[0]).toBe('192.168.10.0/24');
    expect(findObject(custom, 'NetworkPolicy', 'grafana').spec.ingress[0].from[0]).toEqual({ ipBlock: { cidr: '192.168.10.0/24' } });
  });

  describeWithShared('schemas/kubernetes', 'against the Kubernetes schemas', () => {
    test('every object validates strictly', () => {
      expect(strictSchemaErrors(site, objects)).toEqual([]);
    });
  });
});
