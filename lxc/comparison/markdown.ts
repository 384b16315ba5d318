/** COMPARISON.md and the README headline, rendered from the computed comparison. */
import { chartAltText } from './chart';
import { type Comparison, fmt, type Known } from './model';

const cell = (s: string) => s.replace(/\|/g, '\\|');
const knownText = (v: Known, unit = '') => (v === 'unknown' ? 'unknown' : `${fmt(v)}${unit}`);

function resourcesTable(c: Comparison): string[] {
  const rows = c.paths.map((p) => {
    const after = c.onHost.find((o) => o.id === p.id)!;
    const a = after.allocatedAfter;
    const s = after.shareOfCapacityPercent;
    return `| ${p.label} | ${fmt(p.vcpu)} | ${fmt(p.memoryGB)} | ${fmt(p.diskGB)} | ${fmt(a.vcpu)} / ${fmt(a.memoryGB)} / ${fmt(a.diskGB)} | ${knownText(s.vcpu, ' %')} / ${knownText(s.memoryGB, ' %')} / ${knownText(s.diskGB, ' %')} | ${cell(p.basis)} |`;
  });
  const h = c.host;
  return [
    `| Path | vCPU | Memory | Disk | ${h.node} allocated after (vCPU / memory / disk) | Share of ${h.node} capacity | What the numbers are |`,
    '|---|---|---|---|---|---|---|',
    `| ${h.node} today (${h.guestCount} existing guests) | ${fmt(h.allocated.vcpu)} | ${fmt(h.allocated.memoryGB)} | ${fmt(h.allocated.diskGB)} | - | - | allocated to guests (used: ${fmt(h.used.memoryGB)} GB memory, ${fmt(h.used.diskGB)} GB disk) |`,
    ...rows,
  ];
}

export function comparisonMarkdown(c: Comparison): string {
  const cap = c.host.capacity;
  return [
    '# LXC vs Talos on one Proxmox host: computed comparison',
    '',
    `Generated from the site "${c.site}" (lxc/comparison); every figure below is computed from the site`,
    'and from what this tool generates. Do not edit: re-run `npm run compare` or synth.',
    '',
    `Units: ${c.units}.`,
    '',
    '## Resources',
    '',
    `${c.host.node} capacity: ${knownText(cap.vcpu)} vCPU, ${knownText(cap.memoryGB)} GB memory, ${knownText(cap.diskGB)} GB disk`
      + (cap.vcpu === 'unknown' || cap.memoryGB === 'unknown' || cap.diskGB === 'unknown'
        ? ' ("unknown": the report gives allocations, not the host\'s capacity; set proxmox.capacity in the site from `GET /nodes/<node>/status`).'
        : ' (from the site).'),
    '',
    ...resourcesTable(c),
    '',
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
  return [
    `| Path | vCPU | Memory (GB) | Disk (GB) | ${host.node} allocated after |`,
    '|---|---|---|---|---|',
    ...[lxc, ...talos].map((p) => {
      const a = c.onHost.find((o) => o.id === p.id)!.allocatedAfter;
      return `| ${p.label} | ${fmt(p.vcpu)} | ${fmt(p.memoryGB)} | ${fmt(p.diskGB)} | ${fmt(a.vcpu)} vCPU / ${fmt(a.memoryGB)} GB / ${fmt(a.diskGB)} GB |`;
    }),
    '',
    `${host.node} today: ${fmt(host.allocated.vcpu)} vCPU / ${fmt(host.allocated.memoryGB)} GB / ${fmt(host.allocated.diskGB)} GB allocated; capacity ${host.capacity.memoryGB === 'unknown' ? 'unknown (not in the report)' : `${knownText(host.capacity.vcpu)} vCPU / ${knownText(host.capacity.memoryGB)} GB / ${knownText(host.capacity.diskGB)} GB`}.`,
    `The report's "${ha.quote}": ${ha.arithmetic} (${ha.finding}).`,
    `Neither path survives the loss of ${host.node}. Full comparison: [COMPARISON.md](${comparisonDir}/COMPARISON.md).`,
    '',
  ].join('\n');
}
