/**
 * Losing a Proxmox host, in the comparison: one availability row per host, computed from where
 * the Talos VMs run (talos.nodes[].host), whether etcd keeps its majority without them, and which
 * stack services the placement plan puts on them. The LXC path stays on proxmox.node.
 */
import { comparisonHeadline, computeComparison, renderComparison } from '../../lxc';
import { hostFailures } from '../../lxc/comparison/host-failures';
import { operationsRows } from '../../lxc/comparison/operations';
import { parseSite, type Site, type SiteInput } from '../../site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { SECOND_SITE, SECOND_SITE_SINGLE_PODS } from '../support/second-site';
import { WORKERS_SITE, WORKERS_SITE_INPUT } from '../support/workers-site';

const hostRow = (site: Site, node: string) => computeComparison(site).availability.find((a) => a.failure.startsWith(`${node} lost`));
const failureDomains = (site: Site) => operationsRows(site).find((o) => o.aspect === 'Failure domains')!;
const planned = (site: Site, hostname: string) => talosVmSizing(site).nodes.find((n) => n.hostname === hostname)!.plannedServices;

const SINGLE_PODS = SECOND_SITE_SINGLE_PODS;

/** SINGLE_PODS with kube-b moved onto hv-east and hv-west, left without a VM, removed (validation wants a VM on every added host). */
const TWO_ON_EAST: SiteInput = {
  ...SINGLE_PODS,
  proxmox: { ...SECOND_SITE.proxmox, additionalHosts: SECOND_SITE.proxmox!.additionalHosts!.filter((h) => h.node !== 'hv-west') },
  talos: { ...SECOND_SITE.talos, nodes: SECOND_SITE.talos!.nodes!.map((n) => (n.hostname === 'kube-b' ? { ...n, host: 'hv-east' } : n)) },
};

describe('The second site with single pods: one Talos VM on each of three hosts', () => {
  const site = parseSite(SINGLE_PODS).site;
  const c = computeComparison(site);

  test('every host has its own failure row, proxmox.node first, and no other row names a host', () => {
    expect(c.availability.map((a) => a.failure)).toEqual([
      'one guest lost (container or VM)',
      'guest OS / platform upgrade',
      'hv-east lost or rebooted (power, disk, kernel, Proxmox upgrade)',
      'hv-west lost or rebooted (power, disk, kernel, Proxmox upgrade)',
      'hv-north lost or rebooted (power, disk, kernel, Proxmox upgrade)',
    ]);
  });

  test('the LXC path falls with hv-east only, and the other rows say it is not affected', () => {
    expect(hostRow(site, 'hv-east')!.lxc).toBe('everything down');
    for (const node of ['hv-west', 'hv-north']) expect(hostRow(site, node)!.lxc).toBe('not affected: the containers run on hv-east');
  });

  test.each([['hv-east', 'kube-a'], ['hv-west', 'kube-b'], ['hv-north', 'kube-c']])('losing %s keeps etcd quorum, and the services planned on %s wait for the host', (node, vm) => {
    const services = planned(site, vm);
    expect(services.length).toBeGreaterThan(0);
    const talos = hostRow(site, node)!.talos;
    expect(talos).toMatch(new RegExp(`^${vm} down \\(1 of 3 VMs\\); etcd keeps quorum \\(2 of 3 members left, 2 needed\\): the cluster stays up`));
    expect(talos).toContain(`; ${services.join(', ')} wait${services.length === 1 ? 's' : ''} for ${node}: the placement holds`);
    expect(talos).toContain(`on ${vm} (required node affinity), and ${services.length === 1 ? 'its volume' : 'their volumes'} (StorageClass node-disk, local-path-provisioner) stay`);
    // Only kube-a's host stops the etcd snapshots: the backup job reads etcd through the first control plane.
    expect(talos).toContain(vm === 'kube-a'
      ? '(the etcd snapshots stop until hv-east is back: the backup job reads etcd through the first control plane, kube-a)'
      : `(the etcd snapshots only if their volume is not on ${vm})`);
    // Services planned elsewhere are not named as stopped.
    const elsewhere = site.talos.nodes.filter((n) => n.hostname !== vm).flatMap((n) => planned(site, n.hostname));
    for (const other of elsewhere) expect(talos.split('Surviving')[0]).not.toContain(other);
    expect(talos).not.toMatch(/everything down|3 physical hosts/);
  });

  test('hostFailures carries the same verdict as data, and comparison.json has it per host', () => {
    expect(hostFailures(site).map((f) => [f.node, f.talosVms, f.etcd.keepsQuorum, f.lxcSurvives, f.talosSurvives])).toEqual([
      ['hv-east', ['kube-a'], true, false, false],
      ['hv-west', ['kube-b'], true, true, false],
      ['hv-north', ['kube-c'], true, true, false],
    ]);
    const json = JSON.parse(renderComparison(site).find((f) => f.path === 'comparison/comparison.json')!.content);
    expect(json.hosts.map((h: { node: string; servicesDown: string[] }) => [h.node, h.servicesDown])).toEqual([
      ['hv-east', planned(site, 'kube-a')], ['hv-west', planned(site, 'kube-b')], ['hv-north', planned(site, 'kube-c')],
    ]);
  });

  test('the headline says which path survives the loss of which host, and that etcd keeps quorum', () => {
    const md = comparisonHeadline(site);
    expect(md).toContain('Neither path survives the loss of hv-east. Only the LXC path survives the loss of hv-west or hv-north. '
      + 'The Talos cluster keeps etcd quorum with any one host down, but the stack services planned on a lost host\'s VMs wait for it '
      + `(hv-east: ${planned(site, 'kube-a').join(', ')}; hv-west: ${planned(site, 'kube-b').join(', ')}; hv-north: ${planned(site, 'kube-c').join(', ')}).`);
    expect(md).not.toMatch(/Neither path survives the loss of hv-(west|north)/);
  });

  test('the failure-domains row counts hosts and quorum from the site', () => {
    const row = failureDomains(site);
    expect(row.lxc.value).toBe('4 containers (one service each) on 1 host (hv-east); losing hv-west or hv-north does not touch them');
    expect(row.talos.value).toBe('3 VMs + 1 cluster control plane (etcd quorum 2 of 3, API, CNI) on 3 hosts (hv-east: 1, hv-west: 1, hv-north: 1): etcd keeps quorum with any one host down');
  });
});

describe('Two of three control planes on one host', () => {
  const loaded = parseSite(TWO_ON_EAST);
  const site = loaded.site;

  test('the site is valid, and warned about', () => {
    expect(loaded.warnings.join('\n')).toContain('hv-east carries 2 of the 3 control planes');
  });

  test('losing that host loses etcd quorum: the API stops, its services are down, the rest run unmanaged', () => {
    const talos = hostRow(site, 'hv-east')!.talos;
    const services = [...planned(site, 'kube-a'), ...planned(site, 'kube-b')];
    expect(talos).toMatch(/^kube-a, kube-b down \(2 of 3 VMs\); etcd loses quorum \(1 of 3 members left, 2 needed\): the Kubernetes API stops/);
    expect(talos).toContain(`${services.join(', ')} (planned on kube-a, kube-b) are down, the services on the other VMs keep running, unmanaged`);
    expect(talos).toContain('Keeping etcd up needs at most 1 of the 3 control planes on one host');
  });

  test('losing the other host keeps quorum', () => {
    expect(hostRow(site, 'hv-north')!.talos).toMatch(/^kube-c down \(1 of 3 VMs\); etcd keeps quorum \(2 of 3 members left, 2 needed\)/);
    expect(hostRow(site, 'hv-west')).toBeUndefined();
  });

  test('the headline and the failure-domains row say which host takes etcd down', () => {
    expect(comparisonHeadline(site)).toContain('Neither path survives the loss of hv-east. Only the LXC path survives the loss of hv-north. '
      + 'The Talos cluster loses etcd quorum with hv-east down and keeps it with hv-north down');
    expect(failureDomains(site).talos.value).toMatch(/on 2 hosts \(hv-east: 2, hv-north: 1\): etcd loses quorum with hv-east \(2 of the 3 control planes\) down$/);
  });
});

describe('Five control planes over three hosts, none on one host', () => {
  // proxmox.node (pve01) carries no Talos VM: losing it stops only the LXC path.
  const site = parseSite({
    proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }, { node: 'pve04', address: '10.88.140.154' }] },
    talos: {
      nodes: [
        { hostname: 'cp1', address: '10.70.0.21', vmid: 211, host: 'pve02' },
        { hostname: 'cp2', address: '10.70.0.22', vmid: 212, host: 'pve02' },
        { hostname: 'cp3', address: '10.70.0.23', vmid: 213, host: 'pve03' },
        { hostname: 'cp4', address: '10.70.0.24', vmid: 214, host: 'pve03' },
        { hostname: 'cp5', address: '10.70.0.25', vmid: 215, host: 'pve04' },
      ],
    },
  }).site;

  test('a host without Talos VMs does not touch the Talos path; two of five VMs lost keep quorum 3', () => {
    expect(hostRow(site, 'pve01')).toEqual({ failure: expect.any(String), lxc: 'everything down', talos: 'not affected: no Talos VM runs on pve01' });
    expect(hostRow(site, 'pve02')!.talos).toMatch(/^cp1, cp2 down \(2 of 5 VMs\); etcd keeps quorum \(3 of 5 members left, 3 needed\)/);
    expect(hostRow(site, 'pve02')!.talos).toContain('room on the other VMs for the requests of 2 lost ones');
  });

  test('the verdict follows the plan: a host whose VMs carry no stack service loses nothing', () => {
    const free = hostFailures(site).filter((f) => f.talosVms.length > 0 && f.servicesDown.length === 0);
    for (const f of free) expect(hostRow(site, f.node)!.talos).toContain('every service keeps running');
    const md = comparisonHeadline(site);
    expect(md).toContain('Only the Talos path survives the loss of pve01.');
    expect(md).toContain('The Talos cluster keeps etcd quorum with any one host down');
  });
});

describe('Five control planes, two on each of two hosts', () => {
  // Groups go to one node of each host in turn (charts/common/placement.ts): talos-cp-1, -3, -5, -2.
  const site = parseSite({
    proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }] },
    talos: { nodes: ['pve01', 'pve01', 'pve02', 'pve02', 'pve03'].map((host, i) => ({ hostname: `talos-cp-${i + 1}`, address: `10.70.0.${21 + i}`, vmid: 211 + i, host })) },
  }).site;

  test('the stack groups spread over the three hosts before any host gets a second one', () => {
    const withServices = talosVmSizing(site).nodes.filter((n) => n.plannedServices.length > 0).map((n) => n.hostname);
    expect(withServices.sort()).toEqual(['talos-cp-1', 'talos-cp-2', 'talos-cp-3', 'talos-cp-5']);
  });

  test('a host whose second VM carries no service: the row names only the VM that holds one, and needs no room for two', () => {
    const talos = hostRow(site, 'pve02')!.talos;
    expect(talos).toMatch(/^talos-cp-3, talos-cp-4 down \(2 of 5 VMs\); etcd keeps quorum \(3 of 5 members left, 3 needed\)/);
    expect(talos).toContain(`the placement holds it on talos-cp-3 (required node affinity), and its volume (StorageClass local-path, local-path-provisioner) stays on that VM's data disk`);
    expect(talos).not.toContain('room on the other VMs for the requests of 2 lost ones');
    expect(talos).toContain('(the etcd snapshots only if their volume is not on talos-cp-3, talos-cp-4)');
  });

  test('the host of the first control plane stops the etcd snapshots, and its two service VMs need room for both', () => {
    const talos = hostRow(site, 'pve01')!.talos;
    expect(talos).toContain('(the etcd snapshots stop until pve01 is back: the backup job reads etcd through the first control plane, talos-cp-1)');
    expect(talos).toContain('on talos-cp-1, talos-cp-2 (required node affinity)');
    expect(talos).toContain('room on the other VMs for the requests of 2 lost ones');
  });
});

describe('The default site: one host', () => {
  const site = parseSite({}).site;

  test('keeps its single host row, the single-host headline, and no per-host data', () => {
    const c = computeComparison(site);
    expect(c.hosts).toBeUndefined();
    expect(c.availability.filter((a) => / lost or rebooted /.test(a.failure))).toEqual([{
      failure: 'pve01 lost or rebooted (power, disk, kernel, Proxmox upgrade)',
      lxc: 'everything down',
      talos: 'everything down: all 3 VMs share the host. Surviving a host needs 3 physical hosts and storage that outlives one',
    }]);
    expect(comparisonHeadline(site)).toContain('Neither path survives the loss of pve01. Full comparison:');
    expect(failureDomains(site).talos.value).toBe('3 VMs + 1 cluster control plane (etcd quorum 2 of 3, API, CNI) on 1 host');
    expect(renderComparison(site).find((f) => f.path === 'comparison/comparison.json')!.content).not.toContain('"hosts"');
  });

  test('hostFailures agrees: all VMs on pve01, no etcd member left', () => {
    expect(hostFailures(site)).toEqual([{
      node: 'pve01', talosVms: ['talos-cp-1', 'talos-cp-2', 'talos-cp-3'], allVms: 3, etcd: { members: 3, left: 0, quorum: 2, keepsQuorum: false },
      servicesDown: talosVmSizing(site).nodes.flatMap((n) => n.plannedServices),
      servicesDegraded: [],
      serviceVms: talosVmSizing(site).nodes.filter((n) => n.plannedServices.length > 0).map((n) => n.hostname),
      snapshotNode: 'talos-cp-1', lxcSurvives: false, talosSurvives: false,
    }]);
  });
});

describe('Three control planes and two workers on three hosts', () => {
  const site = WORKERS_SITE;

  test('a host with a control plane and a worker loses two VMs but one etcd member', () => {
    const [pve01] = hostFailures(site);
    expect(pve01).toMatchObject({ node: 'pve01', talosVms: ['talos-cp-1', 'talos-w-1'], allVms: 5, etcd: { members: 3, left: 2, quorum: 2, keepsQuorum: true } });
    expect(hostRow(site, 'pve01')!.talos).toMatch(/^talos-cp-1, talos-w-1 down \(2 of 5 VMs\); etcd keeps quorum \(2 of 3 members left, 2 needed\): the cluster stays up/);
  });

  test('etcd counts control planes only: quorum 2 of 3 with five VMs, and no host takes it down', () => {
    expect(failureDomains(site).talos.value).toBe('5 VMs + 1 cluster control plane (etcd quorum 2 of 3, API, CNI) on 3 hosts (pve01: 2, pve02: 2, pve03: 1): etcd keeps quorum with any one host down');
  });

  test('the etcd snapshots follow the first control plane, not the first node of the list', () => {
    const input = { ...WORKERS_SITE_INPUT, talos: { ...WORKERS_SITE_INPUT.talos, nodes: [...WORKERS_SITE_INPUT.talos!.nodes!].reverse() } };
    const reversed = parseSite(input).site;
    expect(reversed.talos.nodes[0].role).toBe('worker');
    expect(hostFailures(reversed).map((f) => f.snapshotNode)).toEqual([undefined, undefined, 'talos-cp-3']);
  });

  test('workers alone on a host do not take etcd down, and the row says how many control planes one host may hold', () => {
    // All three control planes on pve01, the workers on pve02 and pve03.
    const input: SiteInput = {
      ...WORKERS_SITE_INPUT,
      talos: { nodes: WORKERS_SITE_INPUT.talos!.nodes!.map((n) => ({ ...n, host: { 'talos-w-1': 'pve02', 'talos-w-2': 'pve03' }[n.hostname] ?? 'pve01' })) },
    };
    const allOnOne = parseSite(input).site;
    expect(hostRow(allOnOne, 'pve02')!.talos).toMatch(/^talos-w-1 down \(1 of 5 VMs\); etcd keeps quorum \(3 of 3 members left, 2 needed\)/);
    expect(hostRow(allOnOne, 'pve01')!.talos).toMatch(/^talos-cp-1, talos-cp-2, talos-cp-3 down \(3 of 5 VMs\); etcd loses quorum \(0 of 3 members left, 2 needed\): the Kubernetes API stops/);
    expect(hostRow(allOnOne, 'pve01')!.talos).toContain('Keeping etcd up needs at most 1 of the 3 control planes on one host, so at least 3 hosts');
  });
});

describe('The second site as given: Prometheus 2, Grafana 2 and Alertmanager 3 replicas, one VM on each of three hosts', () => {
  const site = parseSite(SECOND_SITE).site;
  const failures = hostFailures(site);

  test('the replicas are planned on VMs of different hosts', () => {
    const prometheusVms = talosVmSizing(site).nodes.filter((n) => n.plannedServices.includes('prometheus')).map((n) => n.hostname);
    const alertmanagerVms = talosVmSizing(site).nodes.filter((n) => n.plannedServices.includes('alertmanager')).map((n) => n.hostname);
    expect(prometheusVms).toHaveLength(2);
    expect(alertmanagerVms).toEqual(['kube-a', 'kube-b', 'kube-c']);
  });

  test('a lost host stops no replicated service: each keeps its pods on the other hosts', () => {
    for (const f of failures) {
      expect(f.servicesDown).not.toContain('prometheus');
      expect(f.servicesDown).not.toContain('alertmanager');
      const am = f.servicesDegraded.find((d) => d.service === 'alertmanager')!;
      expect(am).toEqual({ service: 'alertmanager', left: site.talos.nodes.map((n) => n.hostname).filter((vm) => !f.talosVms.includes(vm)), replicas: 3 });
    }
  });

  test('the host row names the replicas that keep running, and only single-pod services wait', () => {
    for (const f of failures) {
      const talos = hostRow(site, f.node)!.talos;
      const am = f.servicesDegraded.find((d) => d.service === 'alertmanager')!;
      expect(talos).toContain(`alertmanager on ${am.left.join(', ')} (2 of 3 replicas)`);
      if (f.servicesDown.length === 0) expect(talos).toMatch(/keep running: every service keeps running$/);
      else expect(talos).toContain(`; ${f.servicesDown.join(', ')} wait`);
    }
  });

  test('losing one VM leaves the replicated services running, the comparison says', () => {
    const row = computeComparison(site).availability.find((a) => a.failure === 'one guest lost (container or VM)')!;
    expect(row.talos).toContain('; prometheus (2 pods), grafana (2 pods) and alertmanager (3 pods) keep running on the other VMs with a replica');
  });
});
