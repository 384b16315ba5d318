/**
 * The LXC deployment as data: per container the `pct` options, the files to push and the daemons
 * to enable. The script is rendered from it and the comparison counts its steps from it, so the
 * count is the script's own (test/lxc checks it against a --dry-run).
 */
import type { Site } from '../site';
import { type ContainerPayload, containerPayloads } from './container-payloads';
import { type LxcContainer, lxcContainers } from './containers';

export interface PlannedContainer {
  readonly container: LxcContainer;
  readonly payload: ContainerPayload;
  /** Options only `pct create` takes (fixed at creation). */
  readonly createOnlyArgs: readonly string[];
  /** Options `pct create` and `pct set` share: re-applied to an existing container. */
  readonly convergeArgs: readonly string[];
  /**
   * The net0 property string, hwaddr pinned, keys in the order `pct config` prints them (name,
   * then alphabetical). Given to `pct create`; on an existing container set only when its net0
   * differs, because Proxmox replaces the veth (a network blip) on every net0 change of MAC or name.
   */
  readonly net0: string;
  /** Directories created inside the container before pushing. */
  readonly directories: readonly string[];
}

export interface LxcDeployPlan {
  readonly containers: readonly PlannedContainer[];
}

/** Template family the script looks for (`pveam`); the report says only "install base OS". */
export const LXC_TEMPLATE_FAMILY = 'debian-12-standard';

export function lxcDeployPlan(site: Site): LxcDeployPlan {
  const payloads = containerPayloads(site);
  return {
    containers: lxcContainers(site).map((container) => {
      const payload = payloads[container.service];
      // firewall=1: the container's rules (lxc/firewall.ts) apply to this interface.
      const net0 = [
        'name=eth0', `bridge=${container.bridge}`, 'firewall=1', `gw=${container.gateway}`, `hwaddr=${container.hwaddr}`,
        `ip=${container.address}/${container.prefixLength}`, `tag=${container.vlanId}`, 'type=veth',
      ].join(',');
      return {
        container,
        payload,
        createOnlyArgs: [
          '--hostname', container.hostname,
          '--ostype', 'debian',
          // Unprivileged with nesting: the Proxmox default for new containers (systemd needs nesting).
          '--unprivileged', '1',
          '--features', 'nesting=1',
          '--rootfs', `${container.storage}:${container.rootfsGiB}`,
        ],
        convergeArgs: [
          '--cores', String(container.cores),
          ...(container.cpuLimit !== undefined ? ['--cpulimit', String(container.cpuLimit)] : []),
          '--memory', String(container.memoryMiB),
          '--nameserver', container.nameservers.join(' '),
          '--onboot', '1',
        ],
        net0,
        // Secret files' directories too, so the operator only has to write the file.
        directories: [...new Set([...payload.files, ...payload.secrets].map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))].sort(),
      };
    }),
  };
}

/** `pct` commands a first run executes (and a --dry-run prints) for one container. */
export function firstRunCommandCount(planned: PlannedContainer): number {
  // create + firewall rules + start + users + mkdir + one push per file + daemon-reload + one enable per daemon
  return 5 + planned.payload.files.length + 1 + planned.payload.daemons.length;
}

/** The operator's steps the script cannot do, derived from the payloads. */
export interface ManualStep {
  readonly container?: string;
  readonly step: string;
}

export function lxcManualSteps(site: Site, plan: LxcDeployPlan = lxcDeployPlan(site)): ManualStep[] {
  return [
    { step: `make a ${LXC_TEMPLATE_FAMILY} template available: pveam update && pveam download local <${LXC_TEMPLATE_FAMILY} file> (or set TEMPLATE=)` },
    ...plan.containers.flatMap(({ container, payload }) => [
      ...payload.daemons.map((d) => ({ container: container.hostname, step: `install ${d.release} so that ${d.binary} exists` })),
      ...payload.secrets.map((s) => ({ container: container.hostname, step: `create ${s.path} (owner ${s.owner}): ${s.what}` })),
    ]),
    { step: 'run create-containers.sh again: it enables and starts every daemon whose binary is now installed' },
  ];
}
