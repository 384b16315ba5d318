/**
 * Who may reach what in the cluster, decided by evaluating every NetworkPolicy a synth emits
 * (test/support/network-policy.ts implements the API's semantics) for every pod and every port it
 * declares, against a matrix written here from the report's intent and the site: never against
 * the committed dist/ or the renderers' own constants.
 *
 * The intent: report rule 2 (syslog from all VLANs), rule 3 (Grafana from the management VLAN),
 * rule 4 (Prometheus from the management VLAN), Alertmanager's API from the management VLAN only,
 * Loki for the log agents on the guests and the Proxmox host (the LXC path's firewall admits the
 * same clients), and inside the cluster only the stack's own flows: Grafana queries Prometheus,
 * Loki and Alertmanager; Prometheus scrapes everything and sends alerts. Everything else, from
 * anyone, is denied.
 */
import * as YAML from 'yaml';
import type { Site, SiteInput } from '../../site';
import { readObjects, type DistObject } from '../support/dist-tree';
import { podsOf } from '../support/pods';
import { SECOND_SITE } from '../support/second-site';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';
import {
  inCidr, numberToIp, parseCidr, PolicyCluster, policyProblems,
  type AddressEndpoint, type ContainerPort, type Endpoint, type NetworkPolicy, type PodEndpoint, type Protocol,
} from '../support/network-policy';

/** A source of connections, with what the intent needs to know about it. */
interface Peer {
  readonly endpoint: Endpoint;
  /** app.kubernetes.io/name of a pod the stack itself runs (not of a look-alike). */
  readonly stackComponent?: string;
  /** Its address lies in the site's management VLAN (network.managementCidr). */
  readonly managementVlan: boolean;
  /** A log agent pushes from it: the Proxmox host or a guest. */
  readonly logAgent: boolean;
}

/** Where an intended flow enters: the site's address for it, a Service of the stack, or a pod's port directly. */
type Via = { readonly address: string } | { readonly service: string } | { readonly podOf: string };

interface IntendedFlow {
  readonly what: string;
  readonly via: Via;
  readonly port: number;
  readonly protocol: Protocol;
  readonly from: (peer: Peer) => boolean;
}

interface Stack {
  readonly site: Site;
  readonly objects: readonly DistObject[];
  readonly policies: readonly NetworkPolicy[];
  readonly cluster: PolicyCluster;
  /** Every pod the synthesized workloads start. */
  readonly pods: readonly PodEndpoint[];
  readonly peers: readonly Peer[];
}

/** Outside the site (TEST-NET-3, RFC 5737). */
const INTERNET_HOST = '203.0.113.10';
/** A port no container declares: a policy that isolates a pod must close it too. */
const UNDECLARED_PORT = 31337;
/** Pod addresses handed out to pods in this model (Talos' default pod network). */
const POD_NETWORK = '10.244.0.0/16';

const podPeers = (...components: string[]) => (p: Peer) => p.stackComponent !== undefined && components.includes(p.stackComponent);
const managementVlan = (p: Peer) => p.managementVlan;
const everyone = () => true;

/** The intended flows of a site, from the report and the stack's design (ports are the upstream defaults the report uses). */
function intendedFlows(site: Site): IntendedFlow[] {
  const tcp = (what: string, via: Via, port: number, from: IntendedFlow['from']): IntendedFlow => ({ what, via, port, protocol: 'TCP', from });
  return [
    tcp('Grafana UI from the management VLAN (report rule 3)', { address: site.grafana.address }, 3000, managementVlan),
    tcp('Grafana\'s /metrics, scraped by Prometheus', { service: 'grafana' }, 3000, podPeers('prometheus')),
    tcp('Prometheus from the management VLAN (report rule 4)', { address: site.prometheus.address }, 9090, managementVlan),
    tcp('Prometheus, Grafana\'s datasource', { service: 'prometheus' }, 9090, podPeers('grafana')),
    tcp('Alertmanager\'s API (basic auth) from the management VLAN', { address: site.alertmanager.address }, 9093, managementVlan),
    tcp('Alertmanager: alerts from Prometheus, Grafana\'s datasource', { service: 'alertmanager' }, 9093, podPeers('prometheus', 'grafana')),
    ...(site.integrations.wazuh.enabled && site.proxmox.guests.some((g) => g.role === 'wazuh' && g.address !== undefined)
      ? [tcp('Alertmanager: Wazuh alerts from Loki\'s ruler (integrations.wazuh)', { service: 'alertmanager' }, 9093, podPeers('loki'))]
      : []),
    tcp('Loki: queries from the management VLAN, pushes from the log agents on the guests and the Proxmox host', { address: site.loki.address }, 3100, (p) => p.managementVlan || p.logAgent),
    tcp('Loki, Grafana\'s datasource and scraped by Prometheus', { service: 'loki' }, 3100, podPeers('prometheus', 'grafana')),
    ...(site.integrations.logs.pods || site.integrations.logs.events
      ? [
        tcp('Loki: pod logs and events pushed by the cluster log collector', { service: 'loki' }, 3100, podPeers('cluster-logs')),
        tcp('the cluster log collector\'s metrics, scraped by Prometheus', { podOf: 'cluster-logs' }, 12345, podPeers('prometheus')),
      ]
      : []),
    // A node's own connection to the log address is masqueraded by kube-proxy to the node's
    // pod-network address when it is handed to the gateway: so the pod network too (docs/logs.md).
    ...(site.integrations.logs.talos
      ? [tcp('Talos machine logs from the nodes (integrations.logs.talos)', { address: site.loki.address }, 5170,
        (p) => site.talos.nodes.some((n) => n.address === p.endpoint.ip) || inCidr(p.endpoint.ip, POD_NETWORK))]
      : []),
    { what: 'syslog over UDP from all VLANs (report rule 2)', via: { address: site.loki.address }, port: site.syslog.port, protocol: 'UDP', from: everyone },
    ...(site.syslog.tcp
      ? [{ what: 'syslog over TCP from all VLANs (report rule 2, syslog.tcp)', via: { address: site.loki.address }, port: site.syslog.port, protocol: 'TCP' as const, from: everyone }]
      : []),
    // Alloy's HTTP server (its default port) in Loki's pod, found by the kubernetes-pods job.
    tcp('the syslog gateway\'s metrics, scraped by Prometheus', { podOf: 'loki' }, 12345, podPeers('prometheus')),
    tcp('blackbox_exporter, Prometheus only', { service: 'blackbox-exporter' }, 9115, podPeers('prometheus')),
    tcp('pve_exporter, Prometheus only', { service: 'pve-exporter' }, 9221, podPeers('prometheus')),
    tcp('kube-state-metrics\' object metrics, Prometheus only', { service: 'kube-state-metrics' }, 8080, podPeers('prometheus')),
    tcp('kube-state-metrics\' own telemetry, Prometheus only', { service: 'kube-state-metrics' }, 8081, podPeers('prometheus')),
  ];
}

function synthStack(input?: SiteInput): Stack {
  const result = synthToTemp(input ? writeSiteFile(tempDir('netpol-'), YAML.stringify(input)) : undefined);
  const site = result.loaded.site;
  const objects = readObjects(result.outDir);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const namespaces = Object.fromEntries(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  const cluster = new PolicyCluster(policies, namespaces);

  const podNet = parseCidr(POD_NETWORK);
  let nextPodIp = podNet.first + 10;
  const pod = (name: string, namespace: string, labels: Record<string, string>, ports: readonly ContainerPort[] = []): PodEndpoint => ({
    kind: 'pod', name, namespace, labels, ports, ip: numberToIp(nextPodIp++),
  });
  // Pods on the host network are not on the pod network: no NetworkPolicy selects them (the test
  // below names them). The matrix covers the pod network.
  const pods = objects.flatMap(podsOf).filter((p) => !(p.spec as { hostNetwork?: boolean }).hostNetwork).map((p) => {
    // "file: Kind/name path": unlabelled pods (local-path's helper) are named after their object.
    const what = p.labels['app.kubernetes.io/name'] ?? p.where.split(' ')[1];
    return pod(`${what} pod`, p.namespace ?? 'default', p.labels, p.spec.containers.flatMap((c) => (c.ports ?? []) as ContainerPort[]));
  });
  const stackPeers: Peer[] = pods.map((p) => ({ endpoint: p, stackComponent: p.labels['app.kubernetes.io/name'], managementVlan: false, logAgent: false }));

  const ns = site.kubernetes.namespace;
  const labelsOf = (component: string) => pods.find((p) => p.labels['app.kubernetes.io/name'] === component)!.labels;
  // Pods that are not the stack's, some dressed like it: selectors must tell them apart.
  const strangers: Peer[] = [
    pod(`unlabelled pod in ${ns}`, ns, {}),
    pod(`pod in ${ns} labelled only app.kubernetes.io/name=prometheus`, ns, { 'app.kubernetes.io/name': 'prometheus' }),
    pod('pod in namespace default carrying Prometheus\' labels', 'default', { ...labelsOf('prometheus') }),
    pod('pod in namespace default carrying Grafana\'s labels', 'default', { ...labelsOf('grafana') }),
    pod('pod in kube-system', 'kube-system', { 'k8s-app': 'kube-dns' }),
  ].map((endpoint) => ({ endpoint, managementVlan: false, logAgent: false }));

  const mgmt = parseCidr(site.network.managementCidr);
  const address = (name: string, ip: string, logAgent = false): Peer => ({
    endpoint: { kind: 'address', name: `${name} (${ip})`, ip } satisfies AddressEndpoint,
    managementVlan: inCidr(ip, site.network.managementCidr), logAgent,
  });
  const addresses: Peer[] = [
    address('a client on the management VLAN', numberToIp(Math.min(mgmt.first + 200, mgmt.last - 1))),
    address(`the Proxmox host ${site.proxmox.node}`, site.proxmox.hostAddress, true),
    ...site.proxmox.guests.flatMap((g) => (g.address ? [address(`guest ${g.name} (${g.role})`, g.address, true)] : [])),
    address('a DHCP client on the monitoring VLAN', site.network.dhcpRange.start),
    // Another node than the pod's: kubelet probes come from the pod's own node, always allowed.
    address(`Talos node ${site.talos.nodes[0].hostname}`, site.talos.nodes[0].address),
    address('a host on the internet', INTERNET_HOST),
  ];
  return { site, objects, policies, cluster, pods, peers: [...stackPeers, ...strangers, ...addresses] };
}

/** The pod and container port a flow lands on: through a LoadBalancer on the address, a Service of the stack, or directly. */
function resolve(stack: Stack, flow: IntendedFlow): { pod: PodEndpoint; port: number } {
  const ns = stack.site.kubernetes.namespace;
  const only = <T>(found: T[], what: string): T => {
    if (found.length !== 1) throw new Error(`${flow.what}: expected one ${what}, found ${found.length}`);
    return found[0];
  };
  if ('podOf' in flow.via) {
    const podOf = flow.via.podOf;
    return { pod: only(stack.pods.filter((p) => p.labels['app.kubernetes.io/name'] === podOf), `pod of ${podOf}`), port: flow.port };
  }
  const via = flow.via;
  type ServiceSpec = { type?: string; selector?: Record<string, string>; externalTrafficPolicy?: string; ports: { port: number; targetPort?: number | string; protocol?: Protocol }[] };
  const services = stack.objects.filter((o) => o.kind === 'Service' && o.metadata.namespace === ns && ('service' in via
    ? o.metadata.name === via.service
    : (o.spec as ServiceSpec).type === 'LoadBalancer' && (o.metadata.annotations?.['metallb.io/loadBalancerIPs'] ?? '').split(',').includes(via.address)));
  const [service, servicePort] = only(services.flatMap((s) => (s.spec as ServiceSpec).ports
    .filter((p) => p.port === flow.port && (p.protocol ?? 'TCP') === flow.protocol).map((p) => [s, p] as const)), `Service port ${flow.protocol}/${flow.port} ${JSON.stringify(via)}`);
  const spec = service.spec as ServiceSpec;
  // Only Local keeps the client's address, which is what the policies' ipBlocks are written against.
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy !== 'Local') throw new Error(`${flow.what}: Service ${service.metadata.name} does not keep client addresses`);
  const pod = only(stack.pods.filter((p) => p.namespace === ns && Object.entries(spec.selector ?? { none: '' }).every(([k, v]) => p.labels[k] === v)), `pod behind Service ${service.metadata.name}`);
  const target = servicePort.targetPort ?? servicePort.port;
  const port = typeof target === 'number' ? target
    : only(pod.ports.filter((c) => c.name === target && (c.protocol ?? 'TCP') === flow.protocol), `container port "${target}" of ${pod.name}`).containerPort;
  return { pod, port };
}

interface Probe { readonly pod: PodEndpoint; readonly port: number; readonly protocol: Protocol }
const probeKey = (p: Probe) => `${p.pod.name} ${p.protocol}/${p.port}`;

/** Every port to try on every pod that listens or is isolated: declared ports over both protocols, the intended ports, and one nobody declares. */
function probes(stack: Stack, flows: readonly IntendedFlow[]): Probe[] {
  const all = new Map<string, Probe>();
  const add = (p: Probe) => all.set(probeKey(p), p);
  for (const pod of stack.pods) {
    if (pod.ports.length === 0 && stack.cluster.isolating(pod, 'Ingress').length === 0) continue;
    for (const port of [...pod.ports.map((c) => c.containerPort), UNDECLARED_PORT]) for (const protocol of ['TCP', 'UDP'] as const) add({ pod, port, protocol });
  }
  for (const flow of flows) add({ ...resolve(stack, flow), protocol: flow.protocol });
  return [...all.values()];
}

/** Every (pod, port, peer) whose verdict differs from the intent, one readable line each. */
function mismatches(stack: Stack, cluster: PolicyCluster = stack.cluster, onlyPod?: string): string[] {
  const flows = intendedFlows(stack.site).map((f) => ({ flow: f, at: resolve(stack, f) }));
  const out: string[] = [];
  for (const probe of probes(stack, flows.map((f) => f.flow)).filter((p) => !onlyPod || p.pod.name === onlyPod)) {
    const landing = flows.filter(({ flow, at }) => at.pod === probe.pod && at.port === probe.port && flow.protocol === probe.protocol);
    for (const peer of stack.peers) {
      // A pod reaching its own address stays on its loopback (Prometheus scraping itself).
      if (peer.endpoint === probe.pod) continue;
      const intended = landing.filter(({ flow }) => flow.from(peer)).map(({ flow }) => flow.what);
      const verdict = cluster.verdict(peer.endpoint, probe.pod, probe.port, probe.protocol);
      if (verdict.allowed !== intended.length > 0) {
        out.push(`${probeKey(probe)} from ${peer.endpoint.name}: intended ${intended.length > 0 ? `allowed (${intended.join('; ')})` : 'denied'}, `
          + `but ${verdict.allowed ? 'allowed' : 'denied'} (${verdict.why})`);
      }
    }
  }
  return out;
}

/** SECOND_SITE with a log sender outside the management VLAN: Loki must admit it, the UIs must not. */
const REMOTE_GUEST = { vmid: 307, name: 'edge-logs', role: 'other' as const, address: '10.77.0.7' };
const SECOND_SITE_REMOTE_GUEST: SiteInput = { ...SECOND_SITE, proxmox: { ...SECOND_SITE.proxmox, guestCount: 7, guests: [...SECOND_SITE.proxmox!.guests!, REMOTE_GUEST] } };

describe.each([
  ['the report\'s site', undefined],
  ['SECOND_SITE', SECOND_SITE],
  ['SECOND_SITE with a guest outside the management VLAN', SECOND_SITE_REMOTE_GUEST],
] as const)('NetworkPolicies of %s', (_name, input) => {
  const stack = synthStack(input);
  const flows = intendedFlows(stack.site);
  // Pods that listen or that a policy isolates (the others run no server: a CronJob, a controller).
  const components = stack.pods.filter((p) => p.ports.length > 0 || stack.cluster.isolating(p, 'Ingress').length > 0).map((p) => p.name).sort();

  test('every NetworkPolicy is one the API server accepts, in a namespace the tree creates', () => {
    expect(stack.policies.flatMap(policyProblems)).toEqual([]);
    const namespaces = stack.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(stack.policies.map((p) => p.metadata.namespace).filter((n) => !namespaces.includes(n!))).toEqual([]);
    expect(stack.policies.length).toBeGreaterThanOrEqual(7);
  });

  test('the only host-network pod is node-exporter, in its own namespace (NetworkPolicies cannot select it)', () => {
    const host = stack.objects.flatMap(podsOf).filter((p) => (p.spec as { hostNetwork?: boolean }).hostNetwork).map((p) => `${p.namespace}/${p.labels['app.kubernetes.io/name']}`);
    expect(host).toEqual(['host-metrics/node-exporter']);
  });

  test('every pod that declares a port is isolated for ingress by a policy', () => {
    const open = stack.pods.filter((p) => p.ports.length > 0 && stack.cluster.isolating(p, 'Ingress').length === 0).map((p) => p.name);
    expect(open).toEqual([]);
  });

  test('each intended flow lands on a pod port through the site\'s address, a Service or the pod', () => {
    const landed = flows.map((f) => { const at = resolve(stack, f); return `${f.what} -> ${at.pod.name} ${f.protocol}/${at.port}`; });
    expect(landed).toHaveLength(flows.length);
    // The syslog Service forwards the site's port to the gateway's unprivileged port in Loki's pod.
    const syslog = resolve(stack, flows.find((f) => f.protocol === 'UDP')!);
    expect([syslog.pod.name, syslog.port]).toEqual(['loki pod', 1514]);
  });

  test.each(components.map((c) => [c]))('%s admits exactly its intended peers, by port and protocol', (component) => {
    expect(mismatches(stack, stack.cluster, component)).toEqual([]);
  });

  test('exporters answer Prometheus only: look-alikes in other namespaces and unlabelled pods are denied', () => {
    for (const exporter of ['blackbox-exporter', 'pve-exporter', 'kube-state-metrics']) {
      const to = stack.pods.find((p) => p.labels['app.kubernetes.io/name'] === exporter)!;
      for (const { containerPort: port } of to.ports) {
        const allowed = stack.peers.filter((peer) => peer.endpoint !== to && stack.cluster.verdict(peer.endpoint, to, port, 'TCP').allowed).map((peer) => peer.endpoint.name);
        expect([exporter, port, allowed]).toEqual([exporter, port, ['prometheus pod']]);
      }
    }
  });

  test('every connection the stack\'s own configs make inside the cluster is admitted', () => {
    // Independent of the matrix above: read the addresses prometheus.yml and Grafana's datasources dial.
    const config = (name: string, key: string) => YAML.parse(((stack.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)! as unknown as { data: Record<string, string> }).data[key]));
    const dialled = (client: string, doc: unknown) => JSON.stringify(doc).match(/[a-z0-9-]+\.[a-z0-9-]+\.svc(\.cluster\.local)?:\d+/g)!.map((hostPort) => ({ client, hostPort }));
    const targets = [
      ...dialled('prometheus', config('prometheus-config', 'prometheus.yml')),
      ...dialled('grafana', config('grafana-provisioning', 'datasources.yaml')),
    ];
    expect(targets.length).toBeGreaterThanOrEqual(8);
    const denied: string[] = [];
    for (const { client, hostPort } of targets) {
      const [service, namespace] = hostPort.split('.');
      expect(namespace).toBe(stack.site.kubernetes.namespace);
      const from = stack.pods.find((p) => p.labels['app.kubernetes.io/name'] === client)!;
      const at = resolve(stack, { what: `${client} -> ${hostPort}`, via: { service }, port: Number(hostPort.split(':')[1]), protocol: 'TCP', from: everyone });
      if (at.pod === from) continue; // itself, over its loopback
      const verdict = stack.cluster.verdict(from, at.pod, at.port, 'TCP');
      if (!verdict.allowed) denied.push(`${client} -> ${hostPort} (${at.pod.name} TCP/${at.port}): ${verdict.why}`);
    }
    // The kubernetes-pods job scrapes annotated pods on their prometheus.io/port.
    const prometheus = stack.pods.find((p) => p.labels['app.kubernetes.io/name'] === 'prometheus')!;
    for (const o of stack.objects) {
      const template = (o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
      const annotations = template?.metadata?.annotations ?? {};
      if (annotations['prometheus.io/scrape'] !== 'true') continue;
      for (const pod of podsOf(o)) {
        const to = stack.pods.find((p) => p.namespace === pod.namespace && p.labels['app.kubernetes.io/name'] === pod.labels['app.kubernetes.io/name'])!;
        const verdict = stack.cluster.verdict(prometheus, to, Number(annotations['prometheus.io/port']), 'TCP');
        if (!verdict.allowed) denied.push(`prometheus -> ${to.name} TCP/${annotations['prometheus.io/port']} (kubernetes-pods): ${verdict.why}`);
      }
    }
    expect(denied).toEqual([]);
  });
});

describe('the matrix catches a policy opened to everyone', () => {
  const stack = synthStack();

  test.each([
    ['without from', (p: NetworkPolicy) => { delete p.spec.ingress![0].from; }],
    ['with an empty podSelector peer (every pod of the namespace)', (p: NetworkPolicy) => { p.spec.ingress![0].from = [{ podSelector: {} }]; }],
    ['with an empty namespaceSelector peer (every pod of the cluster)', (p: NetworkPolicy) => { p.spec.ingress![0].from!.push({ namespaceSelector: {} }); }],
    ['with a {} peer (which the API server rejects)', (p: NetworkPolicy) => { p.spec.ingress![0].from!.push({}); }],
  ])('pve-exporter\'s policy %s fails, naming the component, the peer and the port', (_how, open) => {
    // GIVEN the synthesized policies with pve-exporter's opened WHEN the matrix is evaluated THEN it names the breach
    const policies = structuredClone(stack.policies) as NetworkPolicy[];
    open(policies.find((p) => p.metadata.name === 'pve-exporter')!);
    const found = mismatches(stack, new PolicyCluster(policies), 'pve-exporter pod');
    expect(found).toContainEqual(expect.stringMatching(/^pve-exporter pod TCP\/9221 from unlabelled pod in monitoring: intended denied, but allowed/));
  });
});

describe('the evaluator follows the NetworkPolicy API', () => {
  const ns = 'apps';
  const pod = (name: string, namespace: string, labels: Record<string, string>, ip: string, ports: ContainerPort[] = []): PodEndpoint => ({
    kind: 'pod', name, namespace, labels, ports, ip,
  });
  const web = pod('web', ns, { app: 'web' }, '10.244.9.1', [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]);
  const client = pod('client', ns, { role: 'client' }, '10.244.9.2');
  const elsewhere = pod('client-elsewhere', 'other', { role: 'client' }, '10.244.9.3');
  const policy = (spec: Partial<NetworkPolicy['spec']>, name = 'p', namespace = ns): NetworkPolicy => ({ metadata: { name, namespace }, spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec } });
  const allowed = (policies: NetworkPolicy[], from: Endpoint, port: number, protocol: Protocol = 'TCP', to = web) =>
    new PolicyCluster(policies, { other: { team: 'b' } }).verdict(from, to, port, protocol).allowed;
  const lan = (ip: string): AddressEndpoint => ({ kind: 'address', name: ip, ip });

  test('a pod no policy selects is open; one policy with no rules closes it to everyone', () => {
    expect(allowed([], lan('1.2.3.4'), 8080)).toBe(true);
    expect(allowed([policy({ ingress: [] })], client, 8080)).toBe(false);
    expect(allowed([policy({ podSelector: { matchLabels: { app: 'db' } }, ingress: [] })], client, 8080)).toBe(true);
  });

  test('a podSelector peer picks pods of the policy\'s namespace only; a namespaceSelector widens it', () => {
    const rule = (peer: object) => [policy({ ingress: [{ from: [peer] }] })];
    expect(allowed(rule({ podSelector: { matchLabels: { role: 'client' } } }), client, 8080)).toBe(true);
    expect(allowed(rule({ podSelector: { matchLabels: { role: 'client' } } }), elsewhere, 8080)).toBe(false);
    expect(allowed(rule({ podSelector: { matchLabels: { role: 'client' } }, namespaceSelector: { matchLabels: { team: 'b' } } }), elsewhere, 8080)).toBe(true);
    expect(allowed(rule({ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }] } }), elsewhere, 8080)).toBe(true);
    expect(allowed(rule({ namespaceSelector: { matchLabels: { team: 'a' } } }), elsewhere, 8080)).toBe(false);
    expect(allowed(rule({ podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] } }), client, 8080)).toBe(false);
  });

  test('an ipBlock admits its CIDR minus except, and never matches by label', () => {
    const rules = [policy({ ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.5.0/24'] } }] }] })];
    expect(allowed(rules, lan('192.168.1.9'), 8080)).toBe(true);
    expect(allowed(rules, lan('192.168.5.9'), 8080)).toBe(false);
    expect(allowed(rules, lan('10.0.0.1'), 8080)).toBe(false);
  });

  test('ports match by number and protocol, by name against the destination\'s container ports, and by range', () => {
    const on = (ports: object[]) => [policy({ ingress: [{ ports: ports as never }] })];
    expect(allowed(on([{ port: 8080 }]), client, 8080)).toBe(true);
    expect(allowed(on([{ port: 8080 }]), client, 8080, 'UDP')).toBe(false);
    expect(allowed(on([{ port: 'http' }]), client, 8080)).toBe(true);
    expect(allowed(on([{ port: 'http' }]), client, 8081)).toBe(false);
    expect(allowed(on([{ port: 'dns', protocol: 'UDP' }]), client, 53, 'UDP')).toBe(true);
    expect(allowed(on([{ port: 'dns' }]), client, 53, 'UDP')).toBe(false);
    expect(allowed(on([{ port: 8000, endPort: 8100 }]), client, 8080)).toBe(true);
    expect(allowed(on([{ port: 8000, endPort: 8079 }]), client, 8080)).toBe(false);
    expect(allowed(on([{ protocol: 'UDP' }]), client, 9999, 'UDP')).toBe(true);
  });

  test('policies selecting one pod add up; policyTypes decide the direction', () => {
    const a = policy({ ingress: [{ ports: [{ port: 8080 }], from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] }, 'a');
    const b = policy({ ingress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }, 'b');
    expect(allowed([a, b], client, 8080)).toBe(true);
    expect(allowed([a, b], lan('1.2.3.4'), 53, 'UDP')).toBe(true);
    expect(allowed([a, b], lan('1.2.3.4'), 8080)).toBe(false);
    // An Egress-only policy on the destination leaves its ingress open.
    expect(allowed([policy({ policyTypes: ['Egress'] })], lan('1.2.3.4'), 8080)).toBe(true);
  });

  test('a pod source must also be let out by the egress policies that select it', () => {
    const clientEgress = (to: object[]) => policy({ podSelector: { matchLabels: { role: 'client' } }, egress: to.length ? [{ to: to as never }] : [] }, 'egress');
    expect(allowed([clientEgress([])], client, 8080)).toBe(false);
    expect(allowed([clientEgress([{ podSelector: { matchLabels: { app: 'web' } } }])], client, 8080)).toBe(true);
    expect(allowed([clientEgress([{ ipBlock: { cidr: `${web.ip}/32` } }])], client, 8080)).toBe(true);
    expect(allowed([clientEgress([{ podSelector: { matchLabels: { app: 'db' } } }])], client, 8080)).toBe(false);
  });

  test('invalid peers are named and read as open', () => {
    const bad = policy({ ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] });
    expect(policyProblems(bad)).toEqual([
      'NetworkPolicy apps/p ingress[0].from[0]: a peer must set podSelector, namespaceSelector or ipBlock',
      'NetworkPolicy apps/p ingress[0].from[1]: ipBlock cannot be combined with a selector',
    ]);
    expect(allowed([bad], lan('1.2.3.4'), 8080)).toBe(true);
  });
});
