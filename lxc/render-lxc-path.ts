/** dist/lxc: the report's Option 1 from the same site, as a pct script plus each container's files. */
import type { Site } from '../site';
import type { OutputFile } from '../render/output-file';
import { integrationInstalls } from '../charts/integrations';
import { createContainersScript } from './create-script';
import { containerFirewallFile } from './firewall';
import { type LxcDeployPlan, lxcDeployPlan, lxcManualSteps } from './deploy-plan';

export const LXC_DIR = 'lxc';
export const LXC_SCRIPT = 'create-containers.sh';

export function renderLxcPath(site: Site): OutputFile[] {
  const plan = lxcDeployPlan(site);
  return [
    { path: `${LXC_DIR}/${LXC_SCRIPT}`, content: createContainersScript(site, plan), mode: 0o755 },
    { path: `${LXC_DIR}/README.md`, content: lxcReadme(site, plan) },
    ...plan.containers.map(({ container }) => ({ path: `${LXC_DIR}/firewall/${container.vmid}.fw`, content: containerFirewallFile(site, container.service) })),
    ...plan.containers.flatMap(({ payload }) => payload.files.map((f) => ({
      path: `${LXC_DIR}/${payload.service}${f.path}`,
      content: f.content,
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
    }))),
  ];
}

function lxcReadme(site: Site, plan: LxcDeployPlan): string {
  const rows = plan.containers.map(({ container: c }) =>
    `| ${c.hostname} | ${c.vmid} | ${c.address}/${c.prefixLength} | ${c.hwaddr} | ${c.cores}${c.cpuLimit !== undefined ? ` (limit ${c.cpuLimit})` : ''} | ${c.memoryMiB} MiB (${c.sizing.memoryGiB} GiB) | ${c.rootfsGiB} GiB |`);
  const files = plan.containers.flatMap(({ payload }) => payload.files.map((f) => `- \`${payload.service}${f.path}\` -> CT ${payload.service}: \`${f.path}\``));
  const manual = lxcManualSteps(site, plan).map((s, i) => `${i + 1}. ${s.container ? `**${s.container}**: ` : ''}${s.step}`);
  return [
    '# LXC path (report Option 1)',
    '',
    `Generated from the site "${site.name}"; do not edit, re-run synth. Four unprivileged Debian containers on`,
    `${site.proxmox.node}, bridge ${site.proxmox.bridge} VLAN ${site.network.vlanId}, gateway ${site.network.gateway}, disks on ${site.proxmox.storage}.`,
    'VMIDs are VLAN * 100 + the last octet of the address (the report assigns none). MACs are pinned:',
    '02:00 + the VMID\'s four bytes, the scheme of the Talos VMs (VMIDs are unique, so the MACs are).',
    '',
    '| Container | VMID | Address | MAC | Cores | Memory | Root disk |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Run',
    '',
    'Copy this directory to the Proxmox node, then:',
    '',
    '```sh',
    './create-containers.sh --dry-run   # shows every pct command, changes nothing',
    './create-containers.sh',
    '```',
    '',
    '## Firewall (report rules 1-4)',
    '',
    '`firewall/<vmid>.fw` holds each container\'s Proxmox firewall rules: inbound dropped unless a rule',
    'admits it (the UIs and APIs from the management VLAN, syslog from anywhere, the stack\'s own flows),',
    'outbound open. The script installs them into `/etc/pve/firewall/` and sets `firewall=1` on net0.',
    'They take effect only while the datacenter firewall is on (Datacenter -> Firewall -> Options);',
    'the script says when it is off. Turning it on enforces the host\'s own rules too: check them first.',
    '',
    'Re-running is safe: existing containers (same VMID and hostname) get the site\'s cores and memory',
    'again; net0 is set only when it differs from the site\'s (Proxmox replaces the veth on a net0',
    'change, a short network drop), disks are only grown, files are pushed only when they changed, and',
    'a daemon is restarted only when its files changed, and not at all while a file you create by hand',
    '(below) is missing: after an upgrade that needs a new one (e.g. Prometheus\' web.yml) the old',
    'services keep running until you create it and re-run. A container created before MACs were pinned',
    'gets its pinned MAC on the first re-run: one network drop, once.',
    '',
    '## What you do by hand',
    '',
    'The script installs no software (the report names no package source). Versions are those of the',
    'Kubernetes path\'s images, so both paths run the same releases.',
    '',
    ...manual,
    '',
    '## Integrations',
    '',
    'The containers keep the Kubernetes path\'s addresses, so the snippets for the systems around the',
    'stack are the same files on both paths; install them as they say:',
    '',
    ...integrationInstalls(site).map((i) => `- ${i.what}: on ${i.systems} system${i.systems === 1 ? '' : 's'}`),
    '',
    'Talos node logs, pod logs and Kubernetes events exist only on the Kubernetes path.',
    '',
    '## Files',
    '',
    'Built by the same functions as the Kubernetes ConfigMaps, with the LXC topology (addresses instead',
    'of Service names, /var/lib data directories).',
    '',
    ...files,
    '',
  ].join('\n');
}
