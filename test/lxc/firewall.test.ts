/**
 * The report's firewall rules hold on the LXC path too: each container's Proxmox firewall file
 * drops inbound traffic except from the clients the Kubernetes NetworkPolicies admit.
 */
import { parseSite, type StackServiceName } from '../../site';
import { containerFirewallFile, containerFirewallRules } from '../../lxc/firewall';
import { lxcContainers } from '../../lxc';

const site = parseSite({}).site;
const MGMT = '10.88.140.0/24';

/** Who may reach a container on a port, read back from its firewall file. */
function allowed(text: string, protocol: string, port: number): string[] | 'any' | undefined {
  const line = text.split('\n').find((l) => l.startsWith('IN ACCEPT') && l.includes(` -p ${protocol} `) && l.includes(` -dport ${port} `));
  if (!line) return undefined;
  const m = / -source (\S+)/.exec(line);
  return m ? m[1].split(',') : 'any';
}

describe('LXC firewall files', () => {
  const file = (s: StackServiceName) => containerFirewallFile(site, s);

  test('every container drops inbound traffic by default and keeps outbound open (rule 1)', () => {
    for (const c of lxcContainers(site)) {
      expect(file(c.service)).toMatch(/^\[OPTIONS\]\nenable: 1\npolicy_in: DROP\npolicy_out: ACCEPT\n/m);
    }
  });

  test.each([
    ['rule 3: Grafana 3000', 'grafana', 3000, [MGMT, '10.70.0.10']],
    ['rule 4: Prometheus 9090', 'prometheus', 9090, [MGMT, '10.70.0.11']],
    ['Alertmanager 9093', 'alertmanager', 9093, [MGMT, '10.70.0.10', '10.70.0.11']],
    ['Loki 3100', 'loki', 3100, [MGMT, '10.70.0.10', '10.70.0.11']],
  ] as const)('%s: the management VLAN and the stack containers that use it, nobody else', (_rule, service, port, sources) => {
    expect(allowed(file(service), 'tcp', port)).toEqual(sources);
  });

  test('rule 2: syslog reaches the Loki container from anywhere, on UDP and TCP', () => {
    expect(allowed(file('loki'), 'udp', 514)).toBe('any');
    expect(allowed(file('loki'), 'tcp', 514)).toBe('any');
    const udpOnly = containerFirewallFile(parseSite({ syslog: { port: 1514, tcp: false } }).site, 'loki');
    expect(allowed(udpOnly, 'udp', 1514)).toBe('any');
    expect(allowed(udpOnly, 'tcp', 1514)).toBeUndefined();
  });

  test('node_exporter on the other containers only from the Prometheus container', () => {
    for (const service of ['grafana', 'loki', 'alertmanager'] as const) expect(allowed(file(service), 'tcp', 9100)).toEqual(['10.70.0.10']);
  });

  test('the rules follow the site: management VLAN, addresses, syslog port, log agents outside the management VLAN', () => {
    const custom = parseSite({
      network: { managementCidr: '192.168.10.0/24' },
      prometheus: { address: '10.70.0.40' },
      syslog: { port: 5514 },
      proxmox: { apiUrl: 'https://192.168.10.5:8006', hostAddress: '192.168.10.5', guests: [{ vmid: 101, name: 'far', address: '172.16.0.9' }] },
    }).site;
    const loki = containerFirewallFile(custom, 'loki');
    expect(allowed(loki, 'tcp', 3100)).toEqual(['192.168.10.0/24', '172.16.0.9/32', '10.70.0.40', '10.70.0.11']);
    expect(allowed(loki, 'udp', 5514)).toBe('any');
    expect(allowed(containerFirewallFile(custom, 'grafana'), 'tcp', 3000)).toEqual(['192.168.10.0/24', '10.70.0.40']);
    expect(allowed(containerFirewallFile(custom, 'grafana'), 'tcp', 9100)).toEqual(['10.70.0.40']);
  });

  test('each rule says why it exists, and the file names its container', () => {
    for (const c of lxcContainers(site)) {
      expect(containerFirewallRules(site, c.service).every((r) => r.why.length > 10)).toBe(true);
      expect(file(c.service)).toContain(`# ${c.service} (CT ${c.vmid})`);
    }
  });
});
