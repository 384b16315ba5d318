/**
 * Several Proxmox hosts in the site model: the rules on hosts and control-plane counts with their
 * exact messages, the advice about a host that holds etcd's quorum, and what proxmoxHosts and
 * topologyLabels derive. In-process, no synth.
 */
import { guestsWithRole } from '../../site/derived';
import { claimStorage, etcdQuorum, parseSite, proxmoxHosts, replicaDomains, talosNodesOn, topologyLabels, type SiteInput } from '../../site';
import { siteProblems } from './site-problems';

const node = (i: number, host?: string) => ({ hostname: `n${i}`, address: `10.70.0.${20 + i}`, vmid: 210 + i, ...(host ? { host } : {}) });
const threeHosts = (hosts: (string | undefined)[], extra: Record<string, unknown> = {}): SiteInput => ({
  proxmox: {
    additionalHosts: [
      { node: 'pve02', address: '10.88.140.152' },
      { node: 'pve03', address: '10.88.140.153', apiUrl: 'https://10.88.140.153:8443', storage: 'ceph-vm', bridge: 'vmbr1' },
    ],
    ...extra,
  },
  talos: { nodes: hosts.map((h, i) => node(i + 1, h)) },
});

describe('control-plane count', () => {
  test.each<[number, string]>([
    [0, 'has 0 control-plane nodes: there is no cluster without them; give 3 or 5 (5 survives the loss of two)'],
    [1, 'has 1 control-plane node: a single etcd member, so losing its VM stops the cluster; give 3 or 5 (5 survives the loss of two)'],
    [2, 'has 2 control-plane nodes: etcd needs both members, so losing either VM stops the cluster; give 3 or 5 (5 survives the loss of two)'],
    [4, 'has 4 control-plane nodes: etcd needs 3 of 4 members, so it survives no more losses than 3 nodes would; give 3 or 5 (5 survives the loss of two)'],
    [7, 'has 7 control-plane nodes: more etcd members make every write wait for more of them, for no gain on this stack; give 3 or 5 (5 survives the loss of two)'],
  ])('%d nodes are refused with the reason', (n, message) => {
    const nodes = Array.from({ length: n }, (_, i) => node(i + 1));
    expect(siteProblems({ talos: { nodes } })).toEqual([{ path: 'talos.nodes', value: nodes.map((x) => x.hostname), message }]);
  });

  test.each([3, 5])('%d nodes are accepted', (n) => {
    expect(siteProblems({ talos: { nodes: Array.from({ length: n }, (_, i) => node(i + 1)) } })).toEqual([]);
  });

  test('workers do not count: two control planes and three workers are refused, naming the control planes and the way out', () => {
    const nodes = [node(1), node(2), ...[3, 4, 5].map((i) => ({ ...node(i), role: 'worker' as const }))];
    expect(siteProblems({ talos: { nodes } })).toEqual([{
      path: 'talos.nodes', value: ['n1', 'n2'],
      message: 'has 2 control-plane nodes: etcd needs both members, so losing either VM stops the cluster; give 3 or 5 (5 survives the loss of two) (change role: worker to controlplane on some nodes)',
    }]);
  });

  test('three or five control planes take any number of workers', () => {
    const workers = (n: number) => Array.from({ length: n }, (_, i) => ({ ...node(10 + i), role: 'worker' as const }));
    expect(siteProblems({ talos: { nodes: [node(1), node(2), node(3), ...workers(1)] } })).toEqual([]);
    expect(siteProblems({ talos: { nodes: [node(1), node(2), node(3), node(4), node(5), ...workers(4)] } })).toEqual([]);
  });

  test('four control planes with a worker get no worker hint (the count is too high, not too low)', () => {
    const nodes = [node(1), node(2), node(3), node(4), { ...node(5), role: 'worker' as const }];
    expect(siteProblems({ talos: { nodes } })[0].message).toMatch(/give 3 or 5 \(5 survives the loss of two\)$/);
  });

  test('a role other than controlplane or worker names the two', () => {
    expect(() => parseSite({ talos: { nodes: [{ ...node(1), role: 'etcd' as never }, node(2), node(3)] } })).toThrow(/talos\.nodes\.0\.role/);
  });

  test('etcd quorum is a majority', () => {
    expect([1, 2, 3, 4, 5].map(etcdQuorum)).toEqual([1, 2, 2, 3, 3]);
  });
});

describe('host rules', () => {
  test('a spread of three nodes over three hosts is accepted without advice', () => {
    const loaded = parseSite(threeHosts([undefined, 'pve02', 'pve03']));
    expect(loaded.warnings.filter((w) => w.startsWith('talos.nodes[].host'))).toEqual([]);
  });

  test('a node on an unknown host names the known ones', () => {
    expect(siteProblems(threeHosts([undefined, 'pve02', 'pve04']))).toContainEqual({
      path: 'talos.nodes.2.host', value: 'pve04',
      message: 'is not a Proxmox host of the site (pve01, pve02, pve03); name proxmox.node or one of proxmox.additionalHosts[].node',
    });
  });

  test('a host without a node is refused, and only that one', () => {
    expect(siteProblems(threeHosts([undefined, 'pve02', 'pve02']))).toEqual([{
      path: 'proxmox.additionalHosts.1.node', value: 'pve03',
      message: 'has no Talos node (no talos.nodes[].host names it); place a node on it or remove the host',
    }]);
  });

  test('a node without host is on proxmox.node, which counts as carrying it', () => {
    // pve01 has no explicit node: only the implicit default one.
    expect(siteProblems(threeHosts([undefined, 'pve02', 'pve03']))).toEqual([]);
    expect(siteProblems(threeHosts(['pve02', 'pve02', 'pve03']))).toEqual([]);
  });

  test('two hosts with one name', () => {
    const input = threeHosts([undefined, 'pve02', 'pve03']);
    (input.proxmox!.additionalHosts as { node: string }[])[1].node = 'pve02';
    expect(siteProblems(input)).toContainEqual({
      path: 'proxmox.additionalHosts.1.node', value: 'pve02',
      message: 'is already the Proxmox node of proxmox.additionalHosts.0.node; list each host once (proxmox.node is the first)',
    });
  });

  test('a host on another host\'s, a service\'s or a guest\'s address', () => {
    const input = threeHosts([undefined, 'pve02', 'pve03']);
    const hosts = input.proxmox!.additionalHosts as { address: string; apiUrl?: string }[];
    hosts[0].address = '10.88.140.153';
    expect(siteProblems(input)).toContainEqual({ path: 'proxmox.additionalHosts.1.address', value: '10.88.140.153', message: 'is already the address of proxmox.additionalHosts.0.address; every Proxmox host needs its own address' });
    hosts[0].address = '10.70.0.10';
    expect(siteProblems(input)).toContainEqual({ path: 'proxmox.additionalHosts.0.address', value: '10.70.0.10', message: 'is already the address of prometheus.address; every Proxmox host needs its own address' });
    const guest = threeHosts([undefined, 'pve02', 'pve03'], { guests: [{ vmid: 150, name: 'g', address: '10.88.140.152' }] });
    expect(siteProblems(guest)).toEqual([{ path: 'proxmox.guests.0.address', value: '10.88.140.152', message: 'is already the address of proxmox.additionalHosts.0.address; give the guest its own address' }]);
  });

  test('each host\'s API URL is held to https and to its own address', () => {
    const input = threeHosts([undefined, 'pve02', 'pve03']);
    const hosts = input.proxmox!.additionalHosts as { address: string; apiUrl?: string }[];
    hosts[1].apiUrl = 'http://10.88.140.153:8006';
    expect(siteProblems(input)).toEqual([{ path: 'proxmox.additionalHosts.1.apiUrl', value: 'http://10.88.140.153:8006', message: 'must be https:// (the Proxmox API serves HTTPS only, on 8006 unless a proxy is in front); e.g. https://10.88.140.153:8006' }]);
    hosts[1].apiUrl = 'https://10.88.140.99:8006';
    expect(siteProblems(input)).toEqual([{ path: 'proxmox.additionalHosts.1.address', value: '10.88.140.153', message: 'differs from the host of proxmox.additionalHosts.1.apiUrl (10.88.140.99); both name the same Proxmox host: make them equal' }]);
    hosts[1].apiUrl = 'https://pve03.lab.example:8006';
    expect(siteProblems(input)).toEqual([]);
  });
});

describe('a host that holds etcd\'s quorum', () => {
  const advice = (input: SiteInput) => parseSite(input).warnings.filter((w) => w.startsWith('talos.nodes[].host'));

  test('two of three control planes on one host are advised against, naming the host and the numbers', () => {
    expect(advice(threeHosts(['pve02', 'pve02', 'pve03']))).toEqual([
      'talos.nodes[].host: pve02 carries 2 of the 3 control planes; losing it leaves 1 etcd member, below the quorum of 2, and the cluster stops. Put at most 1 on each host',
    ]);
  });

  test('five control planes: two per host are fine, three are not', () => {
    const five = (hosts: (string | undefined)[]) => threeHosts(hosts);
    expect(advice(five([undefined, undefined, 'pve02', 'pve02', 'pve03']))).toEqual([]);
    expect(advice(five([undefined, 'pve03', 'pve02', 'pve03', 'pve03']))).toEqual([
      'talos.nodes[].host: pve03 carries 3 of the 5 control planes; losing it leaves 2 etcd members, below the quorum of 3, and the cluster stops. Put at most 2 on each host',
    ]);
  });

  test('with too few hosts to spread the control planes the advice says how many it takes', () => {
    const twoHosts: SiteInput = { proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }] }, talos: { nodes: [node(1), node(2), node(3, 'pve02')] } };
    expect(advice(twoHosts)).toEqual([
      'talos.nodes[].host: pve01 carries 2 of the 3 control planes; losing it leaves 1 etcd member, below the quorum of 2, and the cluster stops. Put at most 1 on each host (that takes 3 hosts; the site has 2: add a host to survive losing one)',
    ]);
  });

  test('workers do not count towards a host\'s share of etcd: a control plane and two workers on one host are fine', () => {
    const input = threeHosts([undefined, 'pve02', 'pve03']);
    input.talos!.nodes!.push({ ...node(4, 'pve02'), role: 'worker' }, { ...node(5, 'pve02'), role: 'worker' });
    expect(advice(input)).toEqual([]);
  });

  test('a single host is not advised about (it has no other choice)', () => {
    expect(parseSite({}).warnings.filter((w) => w.startsWith('talos.nodes[].host'))).toEqual([]);
  });
});

describe('what the hosts derive', () => {
  test('proxmoxHosts lists proxmox.node first, then the others with their defaults filled in', () => {
    const site = parseSite(threeHosts([undefined, 'pve02', 'pve03'])).site;
    expect(proxmoxHosts(site)).toEqual([
      // proxmox.capacity (the report gives none: every figure unset); a further host's only when given.
      { node: 'pve01', address: '10.88.140.151', apiUrl: 'https://10.88.140.151:8006', storage: 'local-lvm', bridge: 'vmbr0', path: 'proxmox', capacity: {} },
      { node: 'pve02', address: '10.88.140.152', apiUrl: 'https://10.88.140.152:8006', storage: 'local-lvm', bridge: 'vmbr0', path: 'proxmox.additionalHosts.0', capacity: undefined },
      { node: 'pve03', address: '10.88.140.153', apiUrl: 'https://10.88.140.153:8443', storage: 'ceph-vm', bridge: 'vmbr1', path: 'proxmox.additionalHosts.1', capacity: undefined },
    ]);
    const input = threeHosts([undefined, 'pve02', 'pve03']);
    const withCapacity = parseSite({ ...input, proxmox: { ...input.proxmox, additionalHosts: input.proxmox!.additionalHosts!.map((h, i) => (i === 0 ? { ...h, capacity: { vcpu: 16, memoryGB: 64 } } : h)) } }).site;
    expect(proxmoxHosts(withCapacity).map((h) => h.capacity)).toEqual([{}, { vcpu: 16, memoryGB: 64 }, undefined]);
    expect(talosNodesOn(site, 'pve01').map((n) => n.hostname)).toEqual(['n1']);
    expect(talosNodesOn(site, 'pve03').map((n) => n.hostname)).toEqual(['n3']);
  });

  test('topology labels: none on a single host, region and zone with several hosts or a cluster name', () => {
    const single = parseSite({}).site;
    expect(topologyLabels(single, single.talos.nodes[0])).toEqual({});
    const named = parseSite({ proxmox: { cluster: 'homelab' } }).site;
    expect(topologyLabels(named, named.talos.nodes[1])).toEqual({ 'topology.kubernetes.io/region': 'homelab', 'topology.kubernetes.io/zone': 'pve01' });
    const multi = parseSite({ name: 'east', ...threeHosts([undefined, 'pve02', 'pve03']) }).site;
    expect(multi.talos.nodes.map((n) => topologyLabels(multi, n)['topology.kubernetes.io/zone'])).toEqual(['pve01', 'pve02', 'pve03']);
    expect(topologyLabels(multi, multi.talos.nodes[0])['topology.kubernetes.io/region']).toBe('east');
  });

  test('replica domains: per node on one host; per host that carries a node, in host order, with several', () => {
    expect(replicaDomains(parseSite({}).site)).toEqual([['talos-cp-1'], ['talos-cp-2'], ['talos-cp-3']]);
    // proxmox.node (pve01) carries no node, every node naming another host: no domain for it.
    const site = parseSite(threeHosts(['pve03', 'pve02', 'pve03', 'pve02', 'pve02'])).site;
    expect(replicaDomains(site)).toEqual([['n2', 'n4', 'n5'], ['n1', 'n3']]);
  });

  test('the claims\' Proxmox storage: none with local-path, the one behind the StorageClass with the CSI plugin', () => {
    expect(claimStorage(parseSite({}).site)).toBeUndefined();
    const csi = parseSite({
      kubernetes: {
        storage: 'proxmox-csi', storageClass: 'fast',
        proxmoxCsi: { apiUrl: 'https://pve.lan:8006', storages: [{ id: 'slow-lvm', storageClass: 'slow' }, { id: 'fast-zfs', storageClass: 'fast' }] },
      },
    }).site;
    expect(claimStorage(csi)?.id).toBe('fast-zfs');
  });

  test('guests of a role with an address, the ones an integration can reach', () => {
    const site = parseSite({
      proxmox: {
        guests: [
          { vmid: 101, name: 'w1', role: 'wazuh', address: '10.88.140.101' },
          { vmid: 102, name: 'w2', role: 'wazuh' },
          { vmid: 103, name: 'k', role: 'checkmk', address: '10.88.140.103' },
          { vmid: 104, name: 'w3', role: 'wazuh', address: '10.88.140.104' },
        ],
      },
    }).site;
    expect(guestsWithRole(site, 'wazuh').map((g) => g.name)).toEqual(['w1', 'w3']);
    expect(guestsWithRole(site, 'checkmk').map((g) => g.name)).toEqual(['k']);
    expect(guestsWithRole(site, 'tunnel')).toEqual([]);
  });
});
