/**
 * The Talos path's deploy steps, the counterpart of the LXC side's pct command count: the
 * commands a first run of the VM script executes on a host without the VMs (the `+ ` lines of
 * its --dry-run), plus the talosctl steps the scripts print. A single host runs
 * dist/proxmox/create-talos-vms.sh; with several hosts each host runs its own
 * dist/proxmox/<node>/create-talos-vms.sh, which does the one-time steps (schematic, image)
 * again and the per-VM steps for its VMs.
 *
 * Why the script's declared first-run plan and not its --dry-run: synth stays pure and fast (no
 * child processes), and reading commands out of the script's text does not survive its structure
 * (helper functions, a --cleanup mode, a branch that completes half-made VMs). The plan lives next
 * to the script (proxmoxFirstRunSteps), and test/lxc/talos-deploy-steps.test.ts runs the real
 * --dry-run against stub Proxmox tools and fails, naming both counts, when they drift apart.
 * The talosctl steps are counted from the rendered script's text: they are plain lines.
 */
import { talosNodesOn, type Site } from '../../site';
import { hostsWithVms, proxmoxFirstRunSteps, proxmoxScriptPath, renderProxmoxScripts } from '../../talos/proxmox-script';

export interface TalosVmScript {
  /** The Proxmox node the script runs on. */
  readonly node: string;
  /** Its path under dist/. */
  readonly path: string;
  /** The Talos VMs it creates. */
  readonly vms: number;
}

export interface TalosDeploySteps {
  /** First-run commands done once per script. */
  readonly oneTime: number;
  /** First-run commands per VM. */
  readonly perVm: number;
  readonly vms: number;
  /** One VM script per Proxmox host that carries VMs. */
  readonly scripts: readonly TalosVmScript[];
  /** oneTime x scripts + perVm x vms: the `+ ` lines of a --dry-run of every script on hosts without these VMs. */
  readonly scriptCommands: number;
  /** `talosctl` commands the script tells the operator to run next (bootstrap, health...). */
  readonly talosctl: number;
}

/** The talosctl commands the script prints as next steps: the lines that start with `talosctl`. */
export function countTalosctlSteps(script: string): number {
  return script.split('\n').filter((line) => /^\s*talosctl\s/.test(line)).length;
}

/** The VM scripts, one per Proxmox host that carries VMs (as renderProxmoxScripts writes them), in host order. */
export function talosVmScripts(site: Site): TalosVmScript[] {
  return hostsWithVms(site).map(({ node }) => ({ node, path: proxmoxScriptPath(site, node), vms: talosNodesOn(site, node).length }));
}

export function talosDeploySteps(site: Site): TalosDeploySteps {
  const vms = site.talos.nodes.length;
  const plan = proxmoxFirstRunSteps(site);
  const oneTime = plan.oneTime.length;
  const perVm = plan.perVm.length;
  const scripts = talosVmScripts(site);
  return {
    oneTime,
    perVm,
    vms,
    scripts,
    scriptCommands: oneTime * scripts.length + perVm * vms,
    // Only the script on the first control plane's host prints the talosctl steps; the others point to it.
    talosctl: renderProxmoxScripts(site).reduce((n, f) => n + countTalosctlSteps(f.content), 0),
  };
}
