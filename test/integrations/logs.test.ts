/**
 * Logs from the cluster into Loki: Talos machine logs through the log gateway, pod logs and
 * events through the cluster log collector. Each flow follows the site and leaves nothing behind
 * when switched off; every stream carries the stack's label scheme.
 */
import * as YAML from 'yaml';
import { parseSite, type SiteInput } from '../../site';
import { LokiServer } from '../../charts/loki/loki-chart';
import { ClusterLogs, CLUSTER_LOGS_COMPONENT } from '../../charts/logs/cluster-logs';
import { clusterLogBlocks, clusterLogConfig } from '../../charts/logs/cluster-logs-config';
import { alloySyslogBlocks, alloySyslogConfig } from '../../charts/syslog/alloy-config';
import type { AlloyBlock } from '../../charts/syslog/alloy-syntax';
import { ALLOY_EXPERIMENTAL_FLAG } from '../../charts/syslog/talos-logs';
import { addMonitoringLayer } from '../../charts/monitoring-layer';
import { POD_SUBNET } from '../../charts/common/cluster-contract';
import { selectorLabels } from '../../charts/common/labels';
import { PORTS } from '../../charts/topology';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { readFixture, describeWithShared, schemaErrors } from '../talos/helpers';
import { findObject, siteWith, strictSchemaErrors, synthChart } from '../components/component-support';
import { parseAlloy } from '../components/alloy-parser';
import { Testing } from 'cdk8s';

const VARIED: SiteInput = {
  kubernetes: { namespace: 'observability' },
  network: { cidr: '10.30.5.0/24', gateway: '10.30.5.1', dhcpRange: { start: '10.30.5.100', end: '10.30.5.200' }, dnsServers: ['10.30.5.1'] },
  prometheus: { address: '10.30.5.10' },
  grafana: { address: '10.30.5.11' },
  loki: { address: '10.30.5.42' },
  alertmanager: { address: '10.30.5.13' },
  talos: {
    vip: '10.30.5.20',
    nodes: [
      { hostname: 'kube-a', address: '10.30.5.51', vmid: 501 },
      { hostname: 'kube-b', address: '10.30.5.52', vmid: 502 },
      { hostname: 'kube-c', address: '10.30.5.53', vmid: 503 },
    ],
  },
};
const LOGS_OFF: SiteInput = { integrations: { logs: { pods: false, events: false, talos: false } } };

const find = (blocks: readonly AlloyBlock[], name: string) => blocks.filter((b) => b.name === name);
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describeWithShared('Talos machine and service logs', () => {
  const secrets = () => parseSecretsBundle(readFixture('secrets.yaml'));
  const machine = (input: SiteInput, i: number): Doc => {
    const docs = YAML.parseAllDocuments(toGoYamlDocuments(renderNodeMachineConfigs(parseSite(input).site, secrets())[i].documents));
    return docs.map((d) => d.toJS() as Doc)[0].machine;
  };

  test('every node sends json_lines over TCP to the log address, tagged with its own hostname', () => {
    for (const [i, node] of ['kube-a', 'kube-b', 'kube-c'].entries()) {
      expect(machine(VARIED, i).logging).toEqual({ destinations: [{ endpoint: `tcp://10.30.5.42:${PORTS.talosLogs}/`, format: 'json_lines', extraTags: { host: node } }] });
    }
  });

  test('the logging section is valid against the Talos v1.13 schema', () => {
    const { site } = parseSite(VARIED);
    for (const node of renderNodeMachineConfigs(site, secrets())) {
      for (const doc of YAML.parseAllDocuments(toGoYamlDocuments(node.documents))) expect(schemaErrors(doc.toJS())).toEqual([]);
    }
  });

  test('switched off, no node has a logging destination', () => {
    expect(machine({ integrations: { logs: { talos: false } } }, 0).logging).toBeUndefined();
  });

  describe('the gateway listener', () => {
    const { objects } = synthChart(LokiServer, siteWith(VARIED));
    const sts = findObject(objects, 'StatefulSet', 'loki');
    const gateway = sts.spec.template.spec.containers.find((c: Doc) => c.name === 'syslog-gateway');
    const config = parseAlloy(findObject(objects, 'ConfigMap', 'syslog-gateway-config').data['config.alloy']);

    test('listens on the Talos port behind its own Service, open only to the nodes, on the log address', () => {
      const svc = findObject(objects, 'Service', 'talos-logs');
      expect(svc.metadata.annotations['metallb.io/loadBalancerIPs']).toBe('10.30.5.42');
      expect(svc.spec.ports).toEqual([{ name: 'talos-logs', port: PORTS.talosLogs, targetPort: 'talos-logs', protocol: 'TCP' }]);
      expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.30.5.51/32', '10.30.5.52/32', '10.30.5.53/32']);
      expect(svc.spec.selector).toEqual(findObject(objects, 'Service', 'syslog').spec.selector);
      expect(gateway.ports).toContainEqual({ name: 'talos-logs', containerPort: PORTS.talosLogs, protocol: 'TCP' });
      const tcplog = config.find((b) => b.name === 'otelcol.receiver.tcplog')!;
      expect(Object.fromEntries(tcplog.attributes).listen_address).toBe(`0.0.0.0:${PORTS.talosLogs}`);
    });

    test('Loki\'s NetworkPolicy admits the port from the nodes and, masqueraded, from the pod network only', () => {
      const rule = findObject(objects, 'NetworkPolicy', 'loki').spec.ingress.find((r: Doc) => r.ports.some((p: Doc) => p.port === PORTS.talosLogs));
      expect(rule.from).toEqual(['10.30.5.51/32', '10.30.5.52/32', '10.30.5.53/32', POD_SUBNET].map((cidr) => ({ ipBlock: { cidr } })));
    });

    test('the experimental flag Alloy needs for otelcol.receiver.tcplog is set, and only with the listener', () => {
      expect(gateway.args).toContain(ALLOY_EXPERIMENTAL_FLAG);
      const off = findObject(synthChart(LokiServer, siteWith(LOGS_OFF)).objects, 'StatefulSet', 'loki');
      expect(off.spec.template.spec.containers.find((c: Doc) => c.name === 'syslog-gateway').args).not.toContain(ALLOY_EXPERIMENTAL_FLAG);
    });

    test('lines are labelled job and source "talos", host, service and level from the Talos fields, timed by talos-time', () => {
      const process = config.find((b) => b.name === 'loki.process' && b.label === 'talos')!;
      const stage = (name: string) => process.blocks.filter((b) => b.name === name).map((b) => Object.fromEntries(b.attributes));
      expect(stage('stage.json')[1]).toEqual({ source: 'body', expressions: { host: 'host', service: '"talos-service"', level: '"talos-level"', time: '"talos-time"' } });
      expect(stage('stage.labels')).toEqual([{ values: { host: '', service: '', level: '' } }]);
      expect(stage('stage.static_labels')).toEqual([{ values: { job: 'talos', source: 'talos' } }]);
      expect(stage('stage.timestamp')).toEqual([{ source: 'time', format: 'RFC3339Nano' }]);
      expect(stage('stage.output')).toEqual([{ source: 'body' }]);
    });

    test('a line that names no node of the site is dropped (the port is open to the pod network): the filter follows the nodes', () => {
      const process = config.find((b) => b.name === 'loki.process' && b.label === 'talos')!;
      const match = process.blocks.filter((b) => b.name === 'stage.match').map((b) => Object.fromEntries(b.attributes));
      expect(match).toEqual([{ selector: '{host!~"kube-a|kube-b|kube-c"}', action: 'drop', drop_counter_reason: 'not_a_talos_node' }]);
      // After stage.labels has set host, before anything reaches Loki.
      const names = process.blocks.map((b) => b.name);
      expect(names.indexOf('stage.match')).toBeGreaterThan(names.indexOf('stage.labels'));
    });

    test('switched off: no listener, no Service, no port, no policy rule', () => {
      const off = synthChart(LokiServer, siteWith(LOGS_OFF)).objects;
      expect(off.filter((o) => o.metadata.name === 'talos-logs')).toEqual([]);
      expect(findObject(off, 'ConfigMap', 'syslog-gateway-config').data['config.alloy']).not.toMatch(/otelcol|talos/);
      expect(JSON.stringify(findObject(off, 'NetworkPolicy', 'loki'))).not.toContain(String(PORTS.talosLogs));
      expect(JSON.stringify(findObject(off, 'StatefulSet', 'loki'))).not.toContain('talos-logs');
    });

    test('the LXC path\'s gateway has no Talos listener (no Talos nodes there)', () => {
      expect(alloySyslogConfig(siteWith(VARIED))).not.toMatch(/otelcol|talos/);
    });
  });
});

describe('pod logs and events', () => {
  const site = siteWith(VARIED);
  const { objects } = synthChart(ClusterLogs, site);
  const deployment = findObject(objects, 'Deployment', CLUSTER_LOGS_COMPONENT);
  const pod = deployment.spec.template.spec;

  test('every object is strict-valid for the site\'s Kubernetes version', () => {
    expect(strictSchemaErrors(site, objects)).toEqual([]);
  });

  test('one restricted pod reads through the API: no host paths, no host network, non-root, read-only root', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.volumes.filter((v: Doc) => v.hostPath)).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].image).toMatch(/^docker\.io\/grafana\/alloy:v\d+\.\d+\.\d+$/);
  });

  test('its ClusterRole only reads pods, their logs and events, bound to its own account in the site namespace', () => {
    expect(findObject(objects, 'ClusterRole', 'observability-cluster-logs').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(findObject(objects, 'ClusterRoleBinding', 'observability-cluster-logs').subjects).toEqual([{ kind: 'ServiceAccount', name: CLUSTER_LOGS_COMPONENT, namespace: 'observability' }]);
    expect(pod.serviceAccountName).toBe(CLUSTER_LOGS_COMPONENT);
  });

  test('it pushes to Loki\'s in-cluster Service of the site namespace, and Loki admits it', () => {
    expect(clusterLogConfig(site)).toContain('url = "http://loki.observability.svc:3100/loki/api/v1/push"');
    const loki = synthChart(LokiServer, site).objects;
    const rule = findObject(loki, 'NetworkPolicy', 'loki').spec.ingress.find((r: Doc) => r.ports.some((p: Doc) => p.port === PORTS.loki));
    expect(rule.from).toContainEqual({ podSelector: { matchLabels: selectorLabels(CLUSTER_LOGS_COMPONENT) } });
  });

  test('pod streams carry namespace, pod, container, host (the node) and job <namespace>/<container>; every stream carries source', () => {
    const relabel = find(clusterLogBlocks(site), 'discovery.relabel')[0];
    const targets = (relabel.blocks ?? []).map((b) => Object.fromEntries(b.attributes ?? [])).filter((r) => r.target_label);
    expect(targets.map((r) => r.target_label)).toEqual(['namespace', 'pod', 'container', 'host', 'job']);
    expect(targets[4]).toEqual({ source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name'], separator: '/', target_label: 'job' });
    const events = find(clusterLogBlocks(site), 'loki.source.kubernetes_events')[0];
    expect(Object.fromEntries(events.attributes ?? []).job_name).toBe('kubernetes-events');
    expect(clusterLogConfig(site)).toMatch(/stage\.static_labels \{\n\t\tvalues = \{\n\t\t\tsource = "kubernetes",/);
  });

  test('events only: no pod discovery, and the role cannot read pods or their logs', () => {
    const eventsOnly = siteWith({ ...VARIED, integrations: { logs: { pods: false } } });
    expect(find(clusterLogBlocks(eventsOnly), 'loki.source.kubernetes')).toEqual([]);
    expect(find(clusterLogBlocks(eventsOnly), 'discovery.kubernetes')).toEqual([]);
    expect(findObject(synthChart(ClusterLogs, eventsOnly).objects, 'ClusterRole', 'observability-cluster-logs').rules).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('both off: no collector chart at all (no file in dist/monitoring), and Loki admits no collector', () => {
    const off = siteWith({ integrations: { logs: { pods: false, events: false } } });
    expect(JSON.stringify(findObject(synthChart(LokiServer, off).objects, 'NetworkPolicy', 'loki'))).not.toContain(CLUSTER_LOGS_COMPONENT);
    const charts = addMonitoringLayer(Testing.app(), off);
    expect(charts.map((c) => c.node.id)).not.toContain('cluster-logs');
    expect(addMonitoringLayer(Testing.app(), siteWith()).map((c) => c.node.id)).toContain('cluster-logs');
  });

  test('the gateway\'s syslog streams carry source too', () => {
    const listener = alloySyslogBlocks(site).find((b) => b.name === 'loki.source.syslog')!.blocks![0];
    expect(Object.fromEntries(listener.attributes ?? []).labels).toEqual({ job: 'syslog', source: 'syslog', transport: 'udp' });
  });
});
