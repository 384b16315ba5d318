/**
 * With several Proxmox hosts, only what runs on proxmox.node counts against its allocation and
 * capacity (the site's figures describe that host alone): the LXC containers and the Talos VMs
 * placed there. Every host's VM demand is listed; the others' capacity is not given. The second
 * site with single pods: its VM size and the N+1 path are those of four single services.
 */
import { computeComparison, renderComparison } from '../../lxc';
import { chartAltText, chartData, MONITORING } from '../../lxc/comparison/chart-data';
import { comparisonChartLayout } from '../../lxc/comparison/chart-layout';
import { round } from '../../lxc/comparison/model';
import { parseSite, type SiteInput } from '../../site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { SECOND_SITE_SINGLE_PODS as SECOND_SITE } from '../support/second-site';

const site = parseSite(SECOND_SITE).site;
const c = computeComparison(site);
const t = talosVmSizing(site);
const vm = { vcpu: t.perNode.cores, memoryGiB: t.perNode.memoryGiB, diskGiB: t.perNode.osDiskGiB + t.perNode.dataDiskGiB };
const path = (id: string) => c.paths.find((p) => p.id === id)!;
const after = (id: string) => c.onHost.find((o) => o.id === id)!.allocatedAfter;
const md = renderComparison(site).find((f) => f.path === 'comparison/COMPARISON.md')!.content;

describe('hv-east\'s allocation and capacity on the second site', () => {
  test('count the one Talos VM on hv-east, not the three', () => {
    expect(after('talos')).toEqual({
      vcpu: round(c.host.allocated.vcpu + vm.vcpu), memoryGiB: round(c.host.allocated.memoryGiB + vm.memoryGiB), diskGiB: round(c.host.allocated.diskGiB + vm.diskGiB),
    });
    expect(path('talos').vcpu).toBe(3 * vm.vcpu);
  });

  test('count the whole LXC path: every container runs on hv-east', () => {
    const lxc = path('lxc');
    expect(after('lxc')).toEqual({ vcpu: round(c.host.allocated.vcpu + lxc.vcpu), memoryGiB: round(c.host.allocated.memoryGiB + lxc.memoryGiB), diskGiB: round(c.host.allocated.diskGiB + lxc.diskGiB) });
  });

  test('the table header and the memory claim say so', () => {
    expect(md).toContain('| hv-east allocated after (vCPU / GiB memory / GiB disk; Talos: 1 of 3 VMs on hv-east only) | Share of hv-east capacity |');
    const finding = c.claims.find((k) => k.id === 'memory-after')!.finding;
    expect(finding).toContain(`Talos: 3 VMs as sized (1 of 3 VMs on hv-east): 40 GB = 37.253 GiB + ${vm.memoryGiB} GiB = ${round(37.253 + vm.memoryGiB)} GiB, reserved`);
  });
});

describe('Every host\'s demand', () => {
  test('is each path\'s share per host: the containers on hv-east, one VM on each host', () => {
    expect(c.hosts!.map((h) => [h.node, h.demand.find((d) => d.id === 'talos'), h.demand.find((d) => d.id === 'lxc')!.vcpu])).toEqual([
      ['hv-east', { id: 'talos', ...vm }, path('lxc').vcpu],
      ['hv-west', { id: 'talos', ...vm }, 0],
      ['hv-north', { id: 'talos', ...vm }, 0],
    ]);
  });

  test('is a table in COMPARISON.md with each host\'s capacity where the site gives it (and the Talos VMs\' share), "capacity not given" elsewhere', () => {
    const row = (node: string) => md.split('\n').find((l) => l.startsWith(`| ${node} | kube-`))!;
    const triple = `${vm.vcpu} / ${vm.memoryGiB} / ${vm.diskGiB}`;
    expect(row('hv-east')).toMatch(new RegExp(`^\\| hv-east \\| kube-a \\| 13 / 22 / 305 \\| ${triple} \\| .* \\| 48 vCPU / 178.814 GiB / 3725.29 GiB \\(proxmox.capacity\\) \\|$`));
    // hv-west gives its capacity (proxmox.additionalHosts.0.capacity: 32 vCPU, 128 GB, 2000 GB): the Talos VM's share of it.
    const pct = (v: number, of: number) => `${Math.round((v / of) * 1000) / 10} %`;
    const gib = (gb: number) => round(gb * 1e9 / 2 ** 30);
    expect(row('hv-west')).toMatch(new RegExp(`^\\| hv-west \\| kube-b \\| - \\| ${triple} \\| .* \\| 32 vCPU / ${gib(128)} GiB / ${gib(2000)} GiB \\(proxmox\\.additionalHosts\\.0\\.capacity\\); `
      + `Talos VMs take ${pct(vm.vcpu, 32)} / ${pct(vm.memoryGiB, gib(128))} / ${pct(vm.diskGiB, gib(2000))} \\|$`));
    expect(row('hv-north')).toMatch(/\| capacity not given \|$/);
    expect(md).toMatch(/^# LXC on hv-east vs Talos on 3 Proxmox hosts: computed comparison$/m);
  });

  test('two VMs on one host count twice there', () => {
    const input: SiteInput = {
      ...SECOND_SITE,
      proxmox: { ...SECOND_SITE.proxmox, additionalHosts: SECOND_SITE.proxmox!.additionalHosts!.filter((h) => h.node !== 'hv-west') },
      talos: { ...SECOND_SITE.talos, nodes: SECOND_SITE.talos!.nodes!.map((n) => (n.hostname === 'kube-b' ? { ...n, host: 'hv-east' } : n)) },
    };
    const two = computeComparison(parseSite(input).site);
    expect(two.hosts!.map((h) => [h.node, h.demand.find((d) => d.id === 'talos')!.vcpu])).toEqual([['hv-east', 2 * vm.vcpu], ['hv-north', vm.vcpu]]);
    expect(two.onHost.find((o) => o.id === 'talos')!.allocatedAfter.vcpu).toBe(two.host.allocated.vcpu + 2 * vm.vcpu);
  });
});

describe('comparison.svg on several hosts', () => {
  test('stacks only hv-east\'s VMs on the Talos bars, and labels them so', () => {
    const { bars } = chartData(c);
    const talosCpu = bars.filter((b) => b.part === MONITORING && b.resource === 'vCPU' && b.path.startsWith('Talos: 3 VMs as sized'));
    expect(talosCpu).toEqual([expect.objectContaining({ path: 'Talos: 3 VMs as sized, 1 of 3 VMs on hv-east (survives 1 VM down: no)', value: vm.vcpu })]);
    expect(chartAltText(c)).toContain(`Talos: 3 VMs as sized, 1 of 3 VMs on hv-east (survives 1 VM down: no): ${vm.vcpu} vCPU, ${vm.memoryGiB} GiB, ${vm.diskGiB} GiB disk`);
    expect(comparisonChartLayout(c).subtitle).toContain('Talos bars: only the VMs on hv-east; the others run on hv-west, hv-north (their capacity: COMPARISON.md)');
  });

  test('the default site\'s bars still carry the whole paths', () => {
    const d = computeComparison(parseSite({}).site);
    const monitoring = chartData(d).bars.filter((b) => b.part === MONITORING && b.resource === 'vCPU').map((b) => b.value);
    expect(monitoring).toEqual(d.paths.map((p) => p.vcpu));
    expect(comparisonChartLayout(d).subtitle).toHaveLength(2);
  });
});
