/**
 * Operations per path, counted from what this tool generates where it can, otherwise estimates
 * labelled with their source.
 */
import { ApiObject, Chart } from 'cdk8s';
import { isMultiHost, type Site } from '../../site';
import { IMAGES } from '../../charts/common/images';
import { PLATFORM_VERSIONS } from '../../charts/platform';
import { clusterCharts } from '../../charts/cluster-charts';
import { integrationInstalls } from '../../charts/integrations';
import { firstRunCommandCount, lxcDeployPlan, lxcManualSteps } from '../deploy-plan';
import { REPORT_FIGURES } from './report-figures';
import { hostFailures, wordList } from './host-failures';
import { talosDeploySteps } from './talos-deploy-steps';

export interface CountedFigure {
  readonly value: string;
  /** "generated: ..." when counted from this tool's output, "estimate: ..." or "report: ..." otherwise. */
  readonly source: string;
}

export interface OperationsRow {
  readonly aspect: string;
  readonly lxc: CountedFigure;
  readonly talos: CountedFigure;
}

const RESEARCH = 'research/proxmox-talos.md';

/** Kubernetes objects the Talos path applies (monitoring + platform layers), and their layers. */
export function kubernetesObjectCount(site: Site): { objects: number; layers: number } {
  const { monitoring, platform } = clusterCharts(site);
  const charts = [...monitoring, ...platform.flatMap((l) => l.charts)];
  // Every ApiObject in each chart's tree (Chart.apiObjects lists only its direct children).
  const objects = charts.reduce((n, c) => n + c.node.findAll().filter((x) => x instanceof ApiObject && Chart.of(x) === c).length, 0);
  return { objects, layers: platform.length + 1 };
}

export function operationsRows(site: Site): OperationsRow[] {
  const plan = lxcDeployPlan(site);
  const pctCommands = plan.containers.reduce((n, c) => n + firstRunCommandCount(c), 0);
  const manual = lxcManualSteps(site, plan);
  const files = plan.containers.reduce((n, c) => n + c.payload.files.length, 0);
  const daemons = plan.containers.reduce((n, c) => n + c.payload.daemons.length, 0);
  const nodes = site.talos.nodes.length;
  const k8s = kubernetesObjectCount(site);
  const talos = talosDeploySteps(site);
  // The stack's images and the platform's (talosctl follows the Talos release, MetalLB is a chart).
  const imageCount = Object.keys(IMAGES).length
    + Object.values(PLATFORM_VERSIONS).filter((v) => typeof v === 'object' && 'tag' in v).length;
  const phases = REPORT_FIGURES.timelinePhases.phases;
  const timeline = `${phases.reduce((n, p) => n + p[0], 0)}-${phases.reduce((n, p) => n + p[1], 0)} h`;
  const hours = (r: readonly number[]) => `${r[0]}-${r[1]} h`;
  const installs = integrationInstalls(site);
  const installed = `${installs.reduce((n, i) => n + i.systems, 0)} installs on other systems: ${installs.map((i) => `${i.what} on ${i.systems}`).join(', ')}`;
  const multiHost = isMultiHost(site);
  const scripts = talos.scripts;
  const failures = hostFailures(site);
  const { quorum, members } = failures[0].etcd;
  const carrying = failures.filter((f) => f.talosVms.length > 0);
  const spread = carrying.map((f) => `${f.node}: ${f.talosVms.length}`).join(', ');
  const losesQuorum = failures.filter((f) => !f.etcd.keepsQuorum);
  const clusterLogs = [
    site.integrations.logs.talos ? 'Talos node logs (machine configs)' : undefined,
    site.integrations.logs.pods ? 'pod logs' : undefined,
    site.integrations.logs.events ? 'Kubernetes events' : undefined,
  ].filter((x): x is string => x !== undefined);
  return [
    {
      aspect: 'Deploy: automated steps',
      lxc: { value: `${pctCommands} commands: pct and the firewall rules (${plan.containers.length} containers, ${files} files)`, source: 'generated: lxc/create-containers.sh --dry-run' },
      talos: {
        value: `${talos.scriptCommands} script commands (${talos.oneTime} once${multiHost ? ` per host x ${scripts.length} hosts` : ''} + ${talos.perVm} per VM x ${talos.vms} VMs) + ${talos.talosctl} talosctl steps, `
          + `then ${k8s.objects} Kubernetes objects in ${k8s.layers} GitOps layers`,
        source: multiHost
          ? `generated: the first run of each host's script (${scripts.map((x) => x.path).join(', ')}: the "+ " lines of its --dry-run) and the talosctl steps it prints; objects counted from the synthesized charts`
          : 'generated: the first run of proxmox/create-talos-vms.sh (the "+ " lines of its --dry-run, checked in test/lxc) and the talosctl steps it prints; objects counted from the synthesized charts',
      },
    },
    {
      aspect: 'Deploy: manual steps',
      lxc: { value: `${manual.length} (template, ${daemons} binary installs, ${manual.length - daemons - 2} secret files, re-run)`, source: 'generated: lxc/README.md' },
      talos: {
        value: `${multiHost
          ? `copy each host's machine configs to it (--configs: ${scripts.map((x) => `${x.vms} to ${x.node}`).join(', ')})`
          : `copy ${nodes} machine configs to the host (--configs)`}, keep the secrets bundle safe, a Git repository for GitOps, out-of-band Secrets (e.g. ${site.grafana.adminSecret})`,
        source: 'estimate: listed by hand from the talos/ and gitops/ outputs, not counted',
      },
    },
    {
      aspect: 'Deploy: time',
      lxc: { value: 'minutes per container from a template, plus service setup', source: `estimate: ${RESEARCH} §7; the report says ${hours(REPORT_FIGURES.lxcDeployHours.range)} (Option 1) but its own LXC timeline adds up to ${timeline}` },
      talos: { value: '~10-20 min VMs and bootstrap + ~5-10 min cluster add-ons', source: `estimate: ${RESEARCH} §7; the report says ${hours(REPORT_FIGURES.talosDeployHours.range)}` },
    },
    {
      aspect: 'Integrations',
      lxc: { value: installed, source: 'generated: the snippets in dist/syslog and dist/integrations, one per sender or guest of the role' },
      talos: {
        value: `the same ${installed}${clusterLogs.length ? `; ${clusterLogs.join(', ')} collected with no install step` : ''}`,
        source: 'generated: the same snippets; site.integrations.logs',
      },
    },
    {
      aspect: 'Upgrades',
      lxc: { value: `${daemons} daemons in ${plan.containers.length} containers upgraded in place (binaries + apt), per container`, source: 'generated: daemon count from the LXC payloads' },
      talos: {
        value: `${nodes} talosctl upgrade (A/B image, rollback) + 1 talosctl upgrade-k8s per minor; ${imageCount} pinned images bumped in two files (charts/common/images.ts, charts/platform/versions.ts) and 1 Helm chart; ~3 Talos minors a year`,
        source: `generated: node and image counts; cadence estimate: ${RESEARCH} §7`,
      },
    },
    {
      aspect: 'Backups',
      lxc: { value: `vzdump of ${plan.containers.length} containers (${site.backups.schedule} UTC, ${site.backups.retentionDays} days)`, source: 'generated: site.backups; report backup strategy' },
      talos: {
        value: `vzdump of ${nodes} VMs (crash-consistent) + etcd snapshots${site.backups.velero ? ' + Velero' : ''}; restores are multi-step`,
        source: `generated: site.backups and the etcd-backup chart; restore procedure: ${RESEARCH} §6`,
      },
    },
    {
      aspect: 'Failure domains',
      lxc: multiHost
        ? {
          value: `${plan.containers.length} containers (one service each) on 1 host (${site.proxmox.node}); losing ${wordList(failures.filter((f) => f.lxcSurvives).map((f) => f.node))} does not touch them`,
          source: 'generated: container count; the containers run on proxmox.node',
        }
        : { value: `${plan.containers.length} containers (one service each) on 1 host`, source: 'generated: container count' },
      talos: multiHost
        ? {
          value: `${nodes} VMs + 1 cluster control plane (etcd quorum ${quorum} of ${members}, API, CNI) on ${carrying.length} hosts (${spread}): `
            + (losesQuorum.length === 0
              ? 'etcd keeps quorum with any one host down'
              : `etcd loses quorum with ${wordList(losesQuorum.map((f) => `${f.node} (${f.etcd.members - f.etcd.left} of the ${members} control planes)`))} down`),
          source: 'generated: node count, roles and talos.nodes[].host; quorum = floor(control planes/2)+1',
        }
        : { value: `${nodes} VMs + 1 cluster control plane (etcd quorum ${quorum} of ${members}, API, CNI) on 1 host`, source: `generated: node count; quorum = floor(n/2)+1` }, // n: control planes (the default site's three nodes)
    },
  ];
}
