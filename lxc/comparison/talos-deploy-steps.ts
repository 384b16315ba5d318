/**
 * The Talos path's deploy steps, the counterpart of the LXC side's pct command count: the
 * commands a first run of dist/proxmox/create-talos-vms.sh executes on a host without the VMs
 * (the `+ ` lines of its --dry-run), plus the talosctl steps the script prints.
 *
 * Why the script's declared first-run plan and not its --dry-run: synth stays pure and fast (no
 * child processes), and reading commands out of the script's text does not survive its structure
 * (helper functions, a --cleanup mode, a branch that completes half-made VMs). The plan lives next
 * to the script (proxmoxFirstRunSteps), and test/lxc/talos-deploy-steps.test.ts runs the real
 * --dry-run against stub Proxmox tools and fails, naming both counts, when they drift apart.
 * The talosctl steps are counted from the rendered script's text: they are plain lines.
 */
import type { Site } from '../../site';
import { proxmoxFirstRunSteps, renderProxmoxScript } from '../../talos/proxmox-script';

export interface TalosDeploySteps {
  /** First-run commands done once. */
  readonly oneTime: number;
  /** First-run commands per VM. */
  readonly perVm: number;
  readonly vms: number;
  /** oneTime + perVm x vms: the `+ ` lines of a --dry-run on a host without these VMs. */
  readonly scriptCommands: number;
  /** `talosctl` commands the script tells the operator to run next (bootstrap, health...). */
  readonly talosctl: number;
}

/** The talosctl commands the script prints as next steps: the lines that start with `talosctl`. */
export function countTalosctlSteps(script: string): number {
  return script.split('\n').filter((line) => /^\s*talosctl\s/.test(line)).length;
}

export function talosDeploySteps(site: Site): TalosDeploySteps {
  const vms = site.talos.nodes.length;
  const plan = proxmoxFirstRunSteps(site);
  const oneTime = plan.oneTime.length;
  const perVm = plan.perVm.length;
  return {
    oneTime,
    perVm,
    vms,
    scriptCommands: oneTime + perVm * vms,
    talosctl: countTalosctlSteps(renderProxmoxScript(site).content),
  };
}
