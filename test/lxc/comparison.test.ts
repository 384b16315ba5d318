import { DOMParser } from '@xmldom/xmldom';
import { parseSite } from '../../site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { comparisonHeadline, computeComparison, lxcContainers, renderComparison, renderLxcPath } from '../../lxc';
import { chartData } from '../../lxc/comparison/chart-data';
import { comparisonChartLayout } from '../../lxc/comparison/chart-layout';
import { readObjects } from '../support/dist-tree';
import { synthToTemp } from '../support/synth-once';
import { kubernetesObjectCount, operationsRows } from '../../lxc/comparison/operations';
import { loadSite } from '../../site';

const site = parseSite({}).site;
const c = computeComparison(site);
const claim = (id: string) => c.claims.find((k) => k.id === id)!;
const pathOf = (id: string) => c.paths.find((p) => p.id === id)!;
const after = (id: string) => c.onHost.find((o) => o.id === id)!.allocatedAfter;

describe('The comparison checks the report\'s own figures', () => {
  test('the stack totals 12 vCPU, 24 GB, 300 GB', () => {
    expect(pathOf('lxc')).toMatchObject({ vcpu: 12, memoryGiB: 24, diskGiB: 300 });
    expect(claim('stack-totals')).toMatchObject({ arithmeticHolds: true, arithmetic: 'vCPU 4 + 2 + 4 + 2 = 12; memory 8 + 4 + 8 + 4 = 24; disk 100 + 50 + 100 + 50 = 300' });
  });

  test('"41.5 GB allocated" is 17.5 + 24 as the report adds; in one unit it is 16.298 GiB + 24 GiB', () => {
    expect(claim('memory-after')).toMatchObject({ arithmeticHolds: true, arithmetic: '17.5 allocated + 8 + 4 + 8 + 4 = 41.5 GB' });
    expect(claim('memory-after').finding).toContain('LXC: 17.5 GB = 16.298 GiB + 24 GiB = 40.298 GiB (as limits)');
    expect(after('lxc').memoryGiB).toBe(40.298);
  });

  test('"371 GB" is 71 + 300 as the report adds; in one unit it is 66.124 GiB + 300 GiB', () => {
    expect(claim('disk-after')).toMatchObject({ arithmeticHolds: true, arithmetic: '71 allocated + 100 + 50 + 100 + 50 = 371 GB' });
    expect(claim('disk-after').finding).toContain('LXC: 71 GB = 66.124 GiB + 300 GiB = 366.124 GiB');
    expect(after('lxc').diskGiB).toBe(366.124);
  });

  test('"36+ vCPU, 72+ GB RAM for HA" is three full copies of the stack, and above the Talos sizing', () => {
    const ha = claim('ha-claim');
    expect(ha).toMatchObject({ arithmeticHolds: true, arithmetic: '3 x 12 vCPU = 36; 3 x 24 GB = 72' });
    const t = talosVmSizing(site);
    expect(pathOf('talos')).toMatchObject({ vcpu: t.totals.cores, memoryGiB: t.totals.memoryGiB, diskGiB: t.totals.osDiskGiB + t.totals.dataDiskGiB });
    expect(pathOf('talos').vcpu).toBeLessThan(36);
    expect(pathOf('talos').memoryGiB).toBeLessThan(72);
    expect(ha.finding).toContain(`${36 / t.totals.cores}x`);
  });

  test('utilization 23 % and 38 % are shares of the allocation', () => {
    expect(claim('utilization')).toMatchObject({ arithmeticHolds: true, arithmetic: '4.1 / 17.5 = 23 %; 26.8 / 71 = 38 %' });
  });

  test('the timeline phases do not add up to the stated total', () => {
    expect(claim('deploy-time')).toMatchObject({ arithmeticHolds: false, arithmetic: '2-3 + 2-3 + 1-2 = 5-8 hours' });
  });
});

describe('The host', () => {
  test('capacity is "unknown" when the site does not give it, and no share is computed', () => {
    expect(c.host.capacity).toEqual({ vcpu: 'unknown', memoryGiB: 'unknown', diskGiB: 'unknown' });
    for (const o of c.onHost) expect(o.shareOfCapacityPercent).toEqual({ vcpu: 'unknown', memoryGiB: 'unknown', diskGiB: 'unknown' });
    expect(renderComparison(site)[0].content).toContain('capacity: unknown vCPU, unknown memory, unknown disk');
  });

  test('capacity from the site (GB) gives shares of it, in GiB on both sides', () => {
    const withCap = computeComparison(parseSite({ proxmox: { capacity: { vcpu: 32, memoryGB: 64, diskGB: 1000 } } }).site);
    expect(withCap.host.capacity).toEqual({ vcpu: 32, memoryGiB: 59.605, diskGiB: 931.323 });
    // (17.5 GB + 24 GiB) / 64 GB with the GiB figures shown: 40.298 / 59.605
    expect(withCap.onHost.find((o) => o.id === 'lxc')!.shareOfCapacityPercent).toEqual({ vcpu: 93.75, memoryGiB: 67.608, diskGiB: 39.312 });
    expect(renderComparison(parseSite({ proxmox: { capacity: { vcpu: 32, memoryGB: 64, diskGB: 1000 } } }).site)[0].content)
      .toContain('capacity: 32 vCPU, 59.605 GiB (64 GB) memory, 931.323 GiB (1000 GB) disk');
  });

  test('pve01 allocation is the report\'s 18 vCPU, 17.5 GB, 71 GB, kept as reported and converted to GiB with the conversion shown', () => {
    expect(c.host.asReported.allocated).toEqual({ vcpu: 18, memoryGB: 17.5, diskGB: 71 });
    expect(c.host.allocated).toEqual({ vcpu: 18, memoryGiB: 16.298, diskGiB: 66.124 });
    expect(c.host.conversion).toBe('memory 17.5 GB x 10^9 / 2^30 = 16.298 GiB; disk 71 GB x 10^9 / 2^30 = 66.124 GiB allocated');
  });
});

describe('Availability', () => {
  test('three VMs on one host survive losing a VM, not the host', () => {
    const host = c.availability.find((a) => a.failure.startsWith('pve01 lost'))!;
    expect(host.lxc).toBe('everything down');
    expect(host.talos).toMatch(/^everything down: all 3 VMs share the host/);
    expect(c.availability[0].talos).toContain('etcd 2 of 3');
  });
});

describe('Surviving the loss of one guest (not the host)', () => {
  const md = renderComparison(site).find((f) => f.path === 'comparison/COMPARISON.md')!.content;
  const svg = renderComparison(site).find((f) => f.path === 'comparison/comparison.svg')!.content;
  const json = JSON.parse(renderComparison(site).find((f) => f.path === 'comparison/comparison.json')!.content);

  test('is a flag on every path, false for every Talos sizing while volumes are local-path, saying what would make it true', () => {
    expect(site.kubernetes.storageClass).toBe('local-path');
    expect(c.paths.map((p) => [p.id, p.label, p.survivesOneGuestDown.value])).toEqual([
      ['lxc', 'LXC: 4 containers', false],
      ['talos', 'Talos: 3 VMs as sized', false],
      ['talos-n-plus-1', 'Talos: 3 VMs, N+1 CPU/RAM', false],
    ]);
    expect(pathOf('talos-n-plus-1').survivesOneGuestDown.why).toContain('local-path keeps each volume on one VM');
    expect(pathOf('talos-n-plus-1').survivesOneGuestDown.why).toContain('pod anti-affinity holds each service group to its own VM');
    expect(pathOf('talos-n-plus-1').survivesOneGuestDown.wouldSurviveWith).toMatch(/^volumes that can follow a pod to another VM: Proxmox CSI .* or replicated storage.*, and the placement rules .* made preferred instead of required$/);
    expect(pathOf('talos').survivesOneGuestDown.wouldSurviveWith).toMatch(/^N\+1 CPU\/RAM \(\d+ cores \/ \d+ GiB per VM\), and volumes that can follow/);
  });

  test('no label claims room for a VM down', () => {
    for (const text of [md, svg, JSON.stringify(json), comparisonHeadline(site)]) expect(text).not.toMatch(/room for 1 down/);
  });

  test('the resources table, the chart, the JSON and the headline carry the flag', () => {
    expect(md).toContain('| Survives losing 1 of its guests |');
    expect(md).toMatch(/\| Talos: 3 VMs, N\+1 CPU\/RAM \|[^\n]*\| \*\*no\*\*: the other 2 VMs have room for every CPU\/memory request; StorageClass local-path/);
    expect(svg).toContain('Talos: 3 VMs, N+1 CPU/RAM (survives 1 VM down: no)');
    expect(svg).toContain('LXC: 4 containers (survives 1 container down: no)');
    expect(json.paths.map((p: { survivesOneGuestDown: { value: boolean } }) => p.survivesOneGuestDown.value)).toEqual([false, false, false]);
    expect(comparisonHeadline(site)).toMatch(/\| Talos: 3 VMs, N\+1 CPU\/RAM \|[^\n]*\| no \(would with: volumes that can follow a pod to another VM/);
  });

  test('the StorageClass name does not make volumes movable: whatever it is called, local-path-provisioner serves it and pins each volume', () => {
    const renamed = computeComparison(parseSite({ kubernetes: { storageClass: 'proxmox-csi' } }).site);
    const flag = (id: string) => renamed.paths.find((p) => p.id === id)!.survivesOneGuestDown;
    expect(flag('talos-n-plus-1')).toMatchObject({
      value: false,
      why: expect.stringContaining('StorageClass proxmox-csi (local-path-provisioner) keeps each volume on one VM\'s data disk'),
      wouldSurviveWith: expect.stringMatching(/^volumes that can follow a pod to another VM: .*, and the placement rules .* made preferred instead of required$/),
    });
    expect(flag('talos')).toMatchObject({ value: false, wouldSurviveWith: expect.stringMatching(/^N\+1 CPU\/RAM \(\d+ cores .*\), and volumes that can follow a pod/) });
    expect(flag('lxc').value).toBe(false);
  });
});

describe('Units', () => {
  const json = renderComparison(site).find((f) => f.path === 'comparison/comparison.json')!.content;

  test('memory and disk are GiB wherever they are added or drawn; "GB" remains only as the report\'s figures, labelled', () => {
    // GB-named fields only under host.asReported
    const gbKeys: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (/GB$/.test(k)) gbKeys.push(`${at}.${k}`);
          walk(x, `${at}.${k}`);
        }
      }
    };
    walk(JSON.parse(json), '');
    expect(gbKeys.filter((k) => !k.startsWith('.host.asReported.'))).toEqual([]);
    expect(c.units).toContain('GiB = GB x 10^9 / 2^30');
    const chart = JSON.stringify(comparisonChartLayout(c));
    expect(chart).not.toMatch(/\((GB)\)/);
    expect(chart).toContain('the report\'s GB converted to GiB (x 10^9 / 2^30)');
  });

  test('the chart stacks the host\'s allocation in GiB under each path', () => {
    const { bars } = chartData(c);
    const existing = bars.filter((b) => b.part.startsWith('existing') && b.resource === 'Memory (GiB)').map((b) => b.value);
    expect(new Set(existing)).toEqual(new Set([16.298]));
  });
});

describe('A site that changes a sizing', () => {
  const bigger = parseSite({ prometheus: { cpu: 6, memoryGiB: 16, storageGiB: 200 } }).site;
  const b = computeComparison(bigger);

  test('changes the LXC container, the Talos sizing and the comparison consistently', () => {
    const ct = lxcContainers(bigger).find((x) => x.service === 'prometheus')!;
    expect([ct.cores, ct.memoryMiB, ct.rootfsGiB]).toEqual([6, 16384, 200]);
    const script = renderLxcPath(bigger).find((f) => f.path === 'lxc/create-containers.sh')!.content;
    expect(script).toContain('CONVERGE=(--cores 6 --memory 16384');
    expect(script).toContain('--rootfs local-lvm:200');
    expect(b.paths.find((p) => p.id === 'lxc')).toMatchObject({ vcpu: 14, memoryGiB: 32, diskGiB: 400 });
    const t = talosVmSizing(bigger);
    expect(b.paths.find((p) => p.id === 'talos')).toMatchObject({ vcpu: t.totals.cores, memoryGiB: t.totals.memoryGiB });
    expect(t.totals.memoryGiB).toBeGreaterThan(talosVmSizing(site).totals.memoryGiB);
    expect(b.onHost.find((o) => o.id === 'lxc')!.allocatedAfter).toEqual({ vcpu: 32, memoryGiB: 48.298, diskGiB: 466.124 });
  });

  test('then no longer matches the report\'s figures, and says so', () => {
    const k = (id: string) => b.claims.find((x) => x.id === id)!;
    expect(k('memory-after')).toMatchObject({ arithmeticHolds: false, arithmetic: '17.5 allocated + 16 + 4 + 8 + 4 = 49.5 GB' });
    expect(k('disk-after').arithmeticHolds).toBe(false);
    expect(k('ha-claim').arithmetic).toBe('3 x 14 vCPU = 42; 3 x 32 GB = 96');
    expect(renderComparison(bigger)[0].content).toContain('| **no** |');
  });

  test('changes the chart and the JSON', () => {
    const [, json, svg] = renderComparison(bigger);
    const [, json0, svg0] = renderComparison(site);
    expect(json.content).not.toBe(json0.content);
    expect(svg.content).not.toBe(svg0.content);
    expect(JSON.parse(json.content).paths[0].memoryGiB).toBe(32);
  });
});

describe('comparison.svg', () => {
  const svg = renderComparison(site).find((f) => f.path === 'comparison/comparison.svg')!.content;

  test('is well-formed SVG', () => {
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(svg, 'image/svg+xml');
    expect(errors).toEqual([]);
    expect(doc.documentElement!.nodeName).toBe('svg');
    expect(doc.documentElement!.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(Number(doc.documentElement!.getAttribute('width'))).toBeGreaterThan(300);
  });

  test('draws the three resources and every path', () => {
    for (const text of ['vCPU', 'Memory (GiB)', 'Disk (GiB)', ...c.paths.map((p) => p.label), 'capacity: unknown']) {
      expect(svg).toContain(text);
    }
  });
});

describe('comparison.json and the README headline', () => {
  test('comparison.json is the computed comparison', () => {
    const json = renderComparison(site).find((f) => f.path === 'comparison/comparison.json')!.content;
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(c)));
  });

  test('the headline gives the per-path numbers and links the full comparison', () => {
    const md = comparisonHeadline(site);
    expect(md).toContain('| LXC: 4 containers | 12 | 24 | 300 | 30 vCPU / 40.298 GiB / 366.124 GiB | no (would with: a second container per service');
    expect(md).toContain('pve01 today: 18 vCPU / 16.298 GiB (17.5 GB) / 66.124 GiB (71 GB) allocated (the report\'s GB read as 10^9 bytes: GiB = GB x 10^9 / 2^30)');
    expect(md).toContain('capacity unknown (not in the report)');
    expect(md).toContain('[COMPARISON.md](dist/comparison/COMPARISON.md)');
  });

  test('operations counted from the artifacts match the LXC dry run count', () => {
    const deploy = c.operations.find((o) => o.aspect === 'Deploy: automated steps')!;
    expect(deploy.lxc.source).toMatch(/^generated:/);
    expect(deploy.lxc.value).toMatch(/^\d+ commands: pct and the firewall rules \(4 containers, \d+ files\)$/);
    for (const o of c.operations) {
      expect(`${o.lxc.source} ${o.talos.source}`).toMatch(/generated|estimate|report/);
    }
  });
});

describe('operations counted from the generated artifacts', () => {
  test('the Kubernetes object count is the number of objects in the monitoring and platform layers of dist/', () => {
    const objects = readObjects(synthToTemp().outDir).filter((o) => /^(monitoring|platform)\//.test(o.file));
    expect(kubernetesObjectCount(loadSite().site).objects).toBe(objects.length);
  });
});

describe('the integrations row counts what is installed outside the stack, from the site', () => {
  const row = (input: Parameters<typeof parseSite>[0]) => operationsRows(parseSite(input).site).find((o) => o.aspect === 'Integrations')!;

  test('the report\'s site: rsyslog on pve01 and its 5 addressed guests, one Wazuh, one CheckMK, one UptimeKuma', () => {
    expect(row({}).lxc.value).toBe('9 installs on other systems: rsyslog forwarding (dist/syslog) on 6, Wazuh syslog_output (dist/integrations/wazuh) on 1, '
      + 'CheckMK Prometheus special agent (dist/integrations/checkmk) on 1, UptimeKuma API key for /metrics on 1');
    expect(row({}).talos.value).toMatch(/^the same 9 installs .*; Talos node logs \(machine configs\), pod logs, Kubernetes events collected with no install step$/);
  });

  test('a second Wazuh manager is one more install of each kind it needs; switched-off integrations are not counted', () => {
    const guests = [...parseSite({}).site.proxmox.guests, { vmid: 120, name: 'wazuh-2', role: 'wazuh' as const, address: '10.88.140.120' }];
    expect(row({ proxmox: { guests } }).lxc.value).toMatch(/^11 installs .*rsyslog forwarding \(dist\/syslog\) on 7, Wazuh syslog_output \(dist\/integrations\/wazuh\) on 2,/);
    const off = row({ integrations: { wazuh: { enabled: false }, checkmk: { enabled: false }, uptimeKuma: { enabled: false }, logs: { pods: false, events: false, talos: false } } });
    expect(off.lxc.value).toBe('6 installs on other systems: rsyslog forwarding (dist/syslog) on 6');
    expect(off.talos.value).toBe('the same 6 installs on other systems: rsyslog forwarding (dist/syslog) on 6');
  });
});
