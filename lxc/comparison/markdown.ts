/** COMPARISON.md and the README headline, rendered from the computed comparison. */
import { chartAltText } from './chart-data';
import { wordList } from './host-failures';
import { type Comparison, fmt, type HostSummary, type Known, type PathResources, type Resources, talosShareOnHostNode } from './model';

const cell = (s: string) => s.replace(/\|/g, '\\|');
const knownText = (v: Known, unit = '') => (v === 'unknown' ? 'unknown' : `${fmt(v)}${unit}`);
/** A host figure in GiB with the report's GB it was converted from. */
const fromGB = (gib: Known, gb: Known) => (gib === 'unknown' || gb === 'unknown' ? 'unknown' : `${fmt(gib)} GiB (${fmt(gb)} GB)`);

/** "no: why. Would with: ..." for the table; the flag's value first so it reads at a glance. */
export function survivalText(p: PathResources): string {
  const s = p.survivesOneGuestDown;
  return s.value ? `yes: ${s.why}` : `**no**: ${s.why}. Would with: ${s.wouldSurviveWith}`;
}

/** "pve01 allocated after", saying on several hosts that the Talos paths count only their VMs on it. */
function allocatedAfterHeader(c: Comparison, units: string): string {
  const share = talosShareOnHostNode(c);
  return `${c.host.node} allocated after${units || share ? ` (${[units, share && `Talos: ${share} only`].filter(Boolean).join('; ')})` : ''}`;
}

const triple = (r: Resources) => `${fmt(r.vcpu)} / ${fmt(r.memoryGiB)} / ${fmt(r.diskGiB)}`;

/** Several hosts: what each path puts on each host, and the capacity the site gives for it. */
function hostsTable(c: Comparison, hosts: readonly HostSummary[]): string[] {
  const cap = (h: HostSummary) => {
    if (h.capacity === 'not given') return 'capacity not given';
    const { vcpu, memoryGiB, diskGiB } = h.capacity;
    if (vcpu === 'unknown' && memoryGiB === 'unknown' && diskGiB === 'unknown') return `unknown (${h.capacityPath} not set)`;
    const text = `${knownText(vcpu)} vCPU / ${knownText(memoryGiB, ' GiB')} / ${knownText(diskGiB, ' GiB')} (${h.capacityPath})`;
    if (h.node === c.host.node) return text;
    // A further host carries Talos VMs only: their share of it (proxmox.node's shares are in the table above).
    const talos = h.demand.find((d) => d.id === 'talos')!;
    const pct = (value: number, of: Known) => (of === 'unknown' ? '?' : `${Math.round((value / of) * 1000) / 10} %`);
    return `${text}; Talos VMs take ${pct(talos.vcpu, vcpu)} / ${pct(talos.memoryGiB, memoryGiB)} / ${pct(talos.diskGiB, diskGiB)}`;
  };
  return [
    `The Talos VMs run on ${hosts.filter((h) => h.talosVms.length > 0).length} Proxmox hosts (talos.nodes[].host), the LXC containers on ${c.host.node} alone; `
      + `the ${c.host.node} columns above count only what is on ${c.host.node}. The site gives the capacity of ${c.host.node} only (proxmox.capacity).`,
    '',
    `| Host | Talos VMs | ${c.paths.map((p) => `${cell(p.label)} (vCPU / GiB memory / GiB disk)`).join(' | ')} | Capacity |`,
    `|---|---|${c.paths.map(() => '---|').join('')}---|`,
    ...hosts.map((h) => `| ${h.node} | ${h.talosVms.join(', ') || '-'} | ${c.paths.map((p) => {
      const d = h.demand.find((x) => x.id === p.id)!;
      return d.vcpu === 0 && d.memoryGiB === 0 && d.diskGiB === 0 ? '-' : triple(d);
    }).join(' | ')} | ${cap(h)} |`),
  ];
}

function resourcesTable(c: Comparison): string[] {
  const rows = c.paths.map((p) => {
    const after = c.onHost.find((o) => o.id === p.id)!;
    const a = after.allocatedAfter;
    const s = after.shareOfCapacityPercent;
    return `| ${p.label} | ${fmt(p.vcpu)} | ${fmt(p.memoryGiB)} | ${fmt(p.diskGiB)} | ${fmt(a.vcpu)} / ${fmt(a.memoryGiB)} / ${fmt(a.diskGiB)} | ${knownText(s.vcpu, ' %')} / ${knownText(s.memoryGiB, ' %')} / ${knownText(s.diskGiB, ' %')} | ${cell(survivalText(p))} | ${cell(p.basis)} |`;
  });
  const h = c.host;
  const r = h.asReported;
  return [
    `| Path | vCPU | Memory (GiB) | Disk (GiB) | ${allocatedAfterHeader(c, 'vCPU / GiB memory / GiB disk')} | Share of ${h.node} capacity | Survives losing 1 of its guests | What the numbers are |`,
    '|---|---|---|---|---|---|---|---|',
    `| ${h.node} today (${h.guestCount} existing guests) | ${fmt(h.allocated.vcpu)} | ${fromGB(h.allocated.memoryGiB, r.allocated.memoryGB)} | ${fromGB(h.allocated.diskGiB, r.allocated.diskGB)} | - | - | - | allocated to guests (used, as reported: ${fmt(r.used.memoryGB)} GB memory, ${fmt(r.used.diskGB)} GB disk) |`,
    ...rows,
  ];
}

export function comparisonMarkdown(c: Comparison): string {
  const cap = c.host.capacity;
  return [
    c.hosts
      ? `# LXC on ${c.host.node} vs Talos on ${c.hosts.filter((h) => h.talosVms.length > 0).length} Proxmox hosts: computed comparison`
      : '# LXC vs Talos on one Proxmox host: computed comparison',
    '',
    `Generated from the site "${c.site}" (lxc/comparison); every figure below is computed from the site`,
    'and from what this tool generates. Do not edit: re-run `npm run compare` or synth.',
    '',
    `Units: ${c.units}. Here: ${c.host.conversion}.`,
    '',
    '## Resources',
    '',
    `${c.host.node} capacity: ${knownText(cap.vcpu)} vCPU, ${fromGB(cap.memoryGiB, c.host.asReported.capacity.memoryGB)} memory, ${fromGB(cap.diskGiB, c.host.asReported.capacity.diskGB)} disk`
      + (cap.vcpu === 'unknown' || cap.memoryGiB === 'unknown' || cap.diskGiB === 'unknown'
        ? ' ("unknown": the report gives allocations, not the host\'s capacity; set proxmox.capacity in the site from `GET /nodes/<node>/status`).'
        : ' (from the site).'),
    '',
    ...resourcesTable(c),
    '',
    ...(c.hosts ? [...hostsTable(c, c.hosts), ''] : []),
    `![${chartAltText(c)}](comparison.svg)`,
    '',
    '## The report\'s claims, re-computed',
    '',
    '| Claim (quoted) | Arithmetic | Report figure matches | Finding |',
    '|---|---|---|---|',
    ...c.claims.map((k) => `| ${cell(k.quote)} | ${cell(k.arithmetic)} | ${k.arithmeticHolds ? 'yes' : '**no**'} | ${cell(k.finding)} |`),
    '',
    '## Availability',
    '',
    '| Failure | LXC | Talos |',
    '|---|---|---|',
    ...c.availability.map((a) => `| ${cell(a.failure)} | ${cell(a.lxc)} | ${cell(a.talos)} |`),
    '',
    '## Operations',
    '',
    'Source "generated" = counted from this tool\'s output; "estimate" = not measured, source given.',
    '',
    '| Aspect | LXC | Talos |',
    '|---|---|---|',
    ...c.operations.map((o) => `| ${cell(o.aspect)} | ${cell(o.lxc.value)} (${cell(o.lxc.source)}) | ${cell(o.talos.value)} (${cell(o.talos.source)}) |`),
    '',
    '## Where the service configs differ',
    '',
    'Both paths build prometheus.yml, alert rules, alertmanager.yml, loki.yaml, Grafana datasources and',
    'config.alloy with the same functions; these are all the differences (addresses, paths, Kubernetes',
    'service discovery). Everything else, rules and receivers included, is identical.',
    '',
    '| File | Where | Kubernetes | LXC |',
    '|---|---|---|---|',
    ...c.configDifferences.map((d) => `| ${d.file} | \`${cell(d.path)}\` | ${d.kubernetes === undefined ? '(absent)' : `\`${cell(truncate(d.kubernetes))}\``} | ${d.lxc === undefined ? '(absent)' : `\`${cell(truncate(d.lxc))}\``} |`),
    '',
  ].join('\n');
}

function truncate(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Headline numbers for the README (markdown), generated; links to the full comparison. */
export function comparisonHeadlineMarkdown(c: Comparison, comparisonDir = 'dist/comparison'): string {
  const lxc = c.paths.find((p) => p.id === 'lxc')!;
  const talos = c.paths.filter((p) => p.id !== 'lxc');
  const ha = c.claims.find((k) => k.id === 'ha-claim')!;
  const host = c.host;
  const r = host.asReported;
  return [
    `| Path | vCPU | Memory (GiB) | Disk (GiB) | ${allocatedAfterHeader(c, '')} | Survives losing 1 of its guests |`,
    '|---|---|---|---|---|---|',
    ...[lxc, ...talos].map((p) => {
      const a = c.onHost.find((o) => o.id === p.id)!.allocatedAfter;
      const s = p.survivesOneGuestDown;
      return `| ${p.label} | ${fmt(p.vcpu)} | ${fmt(p.memoryGiB)} | ${fmt(p.diskGiB)} | ${fmt(a.vcpu)} vCPU / ${fmt(a.memoryGiB)} GiB / ${fmt(a.diskGiB)} GiB | ${s.value ? 'yes' : `no (would with: ${cell(s.wouldSurviveWith!)})`} |`;
    }),
    '',
    `${host.node} today: ${fmt(host.allocated.vcpu)} vCPU / ${fromGB(host.allocated.memoryGiB, r.allocated.memoryGB)} / ${fromGB(host.allocated.diskGiB, r.allocated.diskGB)} allocated `
      + `(the report's GB read as 10^9 bytes: GiB = GB x 10^9 / 2^30); capacity ${host.capacity.memoryGiB === 'unknown' ? 'unknown (not in the report)' : `${knownText(host.capacity.vcpu)} vCPU / ${fromGB(host.capacity.memoryGiB, r.capacity.memoryGB)} / ${fromGB(host.capacity.diskGiB, r.capacity.diskGB)}`}.`,
    ...(c.hosts ? [`Talos VMs per host: ${c.hosts.map((h) => `${h.node} ${h.talosVms.length}${h.talosVms.length ? ` (${h.talosVms.join(', ')})` : ''}`).join(', ')}`
      + (c.hosts.some((h) => h.capacity === 'not given') ? `; capacity not given for ${wordList(c.hosts.filter((h) => h.capacity === 'not given').map((h) => h.node), 'and')}.` : '.')] : []),
    `The report's "${ha.quote}": ${ha.arithmetic} (${ha.finding}).`,
    `${hostLossSentences(c)} Full comparison: [COMPARISON.md](${comparisonDir}/COMPARISON.md).`,
    '',
  ].join('\n');
}

/**
 * Which path survives the loss of which host. On a single host neither does: the containers and
 * every VM share it. With several hosts, from each host's failure: the LXC path falls with
 * proxmox.node only; the Talos path survives when etcd keeps quorum and no stack service is
 * planned on the lost VMs.
 */
export function hostLossSentences(c: Comparison): string {
  if (!c.hosts) return `Neither path survives the loss of ${c.host.node}.`;
  const hosts = c.hosts;
  const outcomes: [string, (h: HostSummary) => boolean][] = [
    ['Neither path survives', (h) => !h.lxcSurvives && !h.talosSurvives],
    ['Only the LXC path survives', (h) => h.lxcSurvives && !h.talosSurvives],
    ['Only the Talos path survives', (h) => !h.lxcSurvives && h.talosSurvives],
    ['Both paths survive', (h) => h.lxcSurvives && h.talosSurvives],
  ];
  const verdicts = outcomes.flatMap(([says, applies]) => {
    const nodes = hosts.filter(applies).map((h) => h.node);
    return nodes.length ? [`${says} the loss of ${wordList(nodes)}.`] : [];
  });
  const losing = hosts.filter((h) => !h.etcd.keepsQuorum).map((h) => h.node);
  const keeping = hosts.filter((h) => h.etcd.keepsQuorum && h.talosVms.length > 0).map((h) => h.node);
  const quorum = losing.length === 0
    ? 'The Talos cluster keeps etcd quorum with any one host down'
    : `The Talos cluster loses etcd quorum with ${wordList(losing)} down${keeping.length ? ` and keeps it with ${wordList(keeping)} down` : ''}`;
  const waiting = hosts.filter((h) => h.etcd.keepsQuorum && h.servicesDown.length > 0);
  const wait = waiting.length
    ? `, but the stack services planned on a lost host's VMs wait for it (${waiting.map((h) => `${h.node}: ${h.servicesDown.join(', ')}`).join('; ')})`
    : '';
  return `${verdicts.join(' ')} ${quorum}${wait}.`;
}
