/**
 * A bash script per Proxmox host that creates its Talos VMs with `qm`/`pvesh` (the
 * report's workaround for the API time-outs) and Sidero's recommended settings
 * (research/proxmox-talos.md §1.2, §1.4): q35 + OVMF without pre-enrolled keys, cpu host,
 * virtio-scsi-pci, ballooning off, NIC on the VLAN, OS disk from the nocloud image + data disk
 * (on SCSI or VirtIO block, whichever names the site's talos.installDisk/dataDisk).
 * Each VM gets its machine config as a nocloud user-data snippet (cicustom). The script holds no
 * key material: the snippets are copied from a directory the user passes, and `--cleanup` removes
 * them and the cloud-init drive again once the cluster is bootstrapped.
 */
import type { ProxmoxHost, Site } from '../site';
import type { OutputFile } from '../render/output-file';
import { controlPlanes, guestDisk, isMultiHost, parseCidr, proxmoxHosts, talosNodeHost, talosNodesOn } from '../site';
import { spelled, wordList } from '../site/words';
import { nodeMacAddress } from './node-configs';
import { nocloudImageUrl, schematicId, schematicYaml, IMAGE_FACTORY } from './schematic';
import { talosVmSizing } from './vm-sizing';

export const PROXMOX_SCRIPT_PATH = 'proxmox/create-talos-vms.sh';

/** Where the script of Proxmox node `node` goes: one script for a single host, one folder per host otherwise. */
export function proxmoxScriptPath(site: Site, node: string): string {
  return isMultiHost(site) ? `proxmox/${node}/create-talos-vms.sh` : PROXMOX_SCRIPT_PATH;
}

/** Hosts that carry Talos VMs, each of which gets a script (proxmox.node may carry none when further hosts do). */
export function hostsWithVms(site: Site): ProxmoxHost[] {
  return proxmoxHosts(site).filter((h) => talosNodesOn(site, h.node).length > 0);
}

/** One script per Proxmox host that carries Talos VMs, each creating the VMs talos.nodes[].host puts there. */
export function renderProxmoxScripts(site: Site): OutputFile[] {
  return hostsWithVms(site).map((host) => renderProxmoxScript(site, host));
}

const q = (s: string | number) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Drive the cloud-init (nocloud) ISO is attached as; `--cleanup` deletes it. */
export const CLOUDINIT_DRIVE = 'ide2';

export interface ProxmoxDiskLayout {
  /** Proxmox bus both disks sit on: scsi (virtio-scsi-pci, guest names /dev/sdX) or virtio (virtio-blk, /dev/vdX). */
  readonly bus: 'scsi' | 'virtio';
  /** Drive key of the OS disk, e.g. scsi0. */
  readonly osDrive: string;
  /** Drive key of the data disk, e.g. scsi1. */
  readonly dataDrive: string;
  /** Drive options for the bus (virtio-blk has no ssd flag). */
  readonly options: string;
}

/**
 * The Proxmox drives that the guest names talos.installDisk and talos.dataDisk (site/guest-disks.ts):
 * the site rules have made them a and b on one bus.
 */
export function proxmoxDiskLayout(site: Site): ProxmoxDiskLayout {
  const os = guestDisk(site.talos.installDisk)!;
  const data = guestDisk(site.talos.dataDisk)!;
  const bus = os.prefix === 'sd' ? 'scsi' : 'virtio';
  return {
    bus,
    osDrive: `${bus}${os.index}`,
    dataDrive: `${bus}${data.index}`,
    options: bus === 'scsi' ? 'discard=on,ssd=1,cache=writethrough' : 'discard=on,cache=writethrough',
  };
}

/** What a first run on a host without the VMs executes, as its --dry-run prints the commands (`+ <command> ...`). */
export interface ProxmoxFirstRunSteps {
  /** Commands run once (schematic, image download and unpacking), by their leading words. */
  readonly oneTime: readonly string[];
  /** Commands run once per VM, by their leading words. */
  readonly perVm: readonly string[];
}

/**
 * The script's first-run commands, for counting deploy steps without running it. Kept next to the
 * script text it describes; test/talos/proxmox-script.test.ts checks it against a real --dry-run.
 */
export function proxmoxFirstRunSteps(site: Site): ProxmoxFirstRunSteps {
  const { osDrive } = proxmoxDiskLayout(site);
  return {
    oneTime: ['curl -fsS -X POST', 'curl -fL', 'gzip -t', 'gunzip -c', 'mv'],
    perVm: ['install -m 0600', 'qm create', `qm disk resize {vmid} ${osDrive}`, 'qm start'],
  };
}

/** The script for one host (default: proxmox.node, the only one on a single-host site). */
export function renderProxmoxScript(site: Site, host: ProxmoxHost = hostsWithVms(site)[0]): OutputFile {
  const sizing = talosVmSizing(site);
  const { perNode } = sizing;
  const disks = proxmoxDiskLayout(site);
  // With the Proxmox CSI plugin every volume is its own disk, attached by the plugin: no data disk.
  const dataDisk = perNode.dataDiskGiB > 0;
  const id = schematicId(site.talos.extensions);
  const prefix = parseCidr(site.network.cidr).prefixLength;
  const guestAgent = site.talos.extensions.includes('siderolabs/qemu-guest-agent');
  const imageFile = `talos-${site.talos.version}-${id.slice(0, 12)}-nocloud-amd64.img`;
  const here = talosNodesOn(site, host.node);
  const nodes = here.map((n) => [site.talos.nodes.indexOf(n), n.vmid, n.hostname, n.address, nodeMacAddress(n.vmid)].join(' '));
  const multiHost = isMultiHost(site);
  // talosctl bootstrap runs once, against the first control plane (an etcd member): the script of its host says how.
  const first = controlPlanes(site)[0];
  const firstHost = talosNodeHost(site, first);
  const others = hostsWithVms(site).filter((h) => h.node !== host.node).map((h) => h.node);
  const rest = spelled(site.talos.nodes.length - 1);

  const content = `#!/usr/bin/env bash
# Creates the Talos VMs of cluster "${site.name}" on Proxmox node ${host.node}, and afterwards
# removes the machine configs (they hold the cluster's CA keys) from the Proxmox host again.
# Generated by talos-monitoring-synth from the site file; edit the site and re-run \`npm run synth\`.
#
#   usage: create-talos-vms.sh --configs DIR [--dry-run]
#          create-talos-vms.sh --cleanup [--dry-run]
#     --configs DIR  directory holding <hostname>.yaml machine configs
#                    (copy <secretsDir>/talos/nodes/ from the synth machine; it holds secrets)
#     --cleanup      run once \`talosctl bootstrap\` and \`talosctl health\` succeeded: deletes cicustom and the
#                    cloud-init drive (${CLOUDINIT_DRIVE}) of each Talos VM and shreds the user-data snippets, so no
#                    key stays on the host (each node keeps its config on its own STATE partition)
#     --dry-run      print the commands instead of running them
#
# Idempotent: a VMID that holds a VM of the node's name is completed if an earlier run stopped
# half-way (disks grown to size${dataDisk ? ', data disk added' : ''}, VM started); a VMID used by any other VM or by a
# container stops the script. Run as root on the Proxmox host.
#
# Per-node size (computed from the stack's requests + Talos/Kubernetes overhead, see talos/vm-sizing.ts):
#   ${perNode.cores} cores, ${perNode.memoryGiB} GiB RAM, ${perNode.osDiskGiB} GiB OS disk, ${dataDisk ? `${perNode.dataDiskGiB} GiB data disk (local-path)` : 'no data disk (the Proxmox CSI plugin attaches a disk per volume)'}
#   cluster total ${sizing.totals.cores} cores, ${sizing.totals.memoryGiB} GiB RAM, ${sizing.totals.osDiskGiB + sizing.totals.dataDiskGiB} GiB disk
#   one node down: ${sizing.fitsWithOneNodeDown ? `the stack still fits on ${rest} nodes` : `the stack does NOT fit on ${rest} nodes (needs ${sizing.sizeForOneNodeDown.cores} cores / ${sizing.sizeForOneNodeDown.memoryGiB} GiB each)`}${multiHost ? `
#   on ${host.node}: ${nodes.length} of the ${site.talos.nodes.length} VMs, ${nodes.length * perNode.cores} cores, ${nodes.length * perNode.memoryGiB} GiB RAM, ${nodes.length * (perNode.osDiskGiB + perNode.dataDiskGiB)} GiB disk; the others by proxmox/<node>/create-talos-vms.sh on ${wordList(others, 'and')}` : ''}
set -euo pipefail

STORAGE=${q(host.storage)}
BRIDGE=${q(host.bridge)}
VLAN_ID=${site.network.vlanId}
GATEWAY=${q(site.network.gateway)}
PREFIX_LENGTH=${prefix}
NAMESERVERS=${q(site.network.dnsServers.join(' '))}
CORES=${perNode.cores}
MEMORY_MIB=${perNode.memoryGiB * 1024}
OS_DISK_GIB=${perNode.osDiskGiB}
${dataDisk ? `DATA_DISK_GIB=${perNode.dataDiskGiB}
` : ''}${dataDisk ? `# talos.installDisk ${site.talos.installDisk} and talos.dataDisk ${site.talos.dataDisk} as the guest names them.` : `# talos.installDisk ${site.talos.installDisk} as the guest names it.`}
OS_DRIVE=${disks.osDrive}
${dataDisk ? `DATA_DRIVE=${disks.dataDrive}
` : ''}DISK_OPTIONS=${q(disks.options)}
CLOUDINIT_DRIVE=${CLOUDINIT_DRIVE}
# Directory storage for the image and the snippets; it must have the "iso" and "snippets" content types.
FILE_STORAGE="\${FILE_STORAGE:-local}"
TALOS_VERSION=${q(site.talos.version)}
SCHEMATIC_ID=${q(id)}
IMAGE_URL=${q(nocloudImageUrl(site.talos.extensions, site.talos.version))}
IMAGE_FILE=${q(imageFile)}

# index (in talos.nodes) vmid hostname address mac (the MAC is what the machine config's LinkAliasConfig matches)
NODES=(
${nodes.map((n) => `  ${q(n)}`).join('\n')}
)

DRY_RUN=0
CLEANUP=0
CONFIG_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --cleanup) CLEANUP=1 ;;
    --configs) CONFIG_DIR="\${2:?--configs needs a directory}"; shift ;;
    --configs=*) CONFIG_DIR="\${1#--configs=}" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

run() {
  if [ "$DRY_RUN" = 1 ]; then
    local arg line='+'
    for arg in "$@"; do
      if [[ "$arg" =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then line+=" $arg"; else line+=" $(printf '%q' "$arg")"; fi
    done
    echo "$line"
  else
    "$@"
  fi
}

snippet_name() { echo "${site.name}-$1.yaml"; }

snippet_path() {
  if [ "$DRY_RUN" = 0 ]; then pvesm path "$FILE_STORAGE:snippets/$1"; else echo "/var/lib/vz/snippets/$1"; fi
}

# Value of one key of a \`qm config\` / \`pct config\` listing, e.g. "name" -> the VM's name; empty when absent.
config_value() { awk -v key="$2:" '$1 == key { print $2; exit }' <<<"$1"; }

# Size in MiB of a drive of a \`qm config\` listing (its size=40G option); empty when the drive is absent.
drive_mib() {
  awk -v key="$2:" '$1 == key {
    if (!match($0, /[,:]size=[0-9.]+[KMGT]?/)) { print 0; exit }
    size = substr($0, RSTART + 6, RLENGTH - 6); unit = substr(size, length(size)); mib = size + 0
    if (unit == "T") mib *= 1048576; else if (unit == "G") mib *= 1024; else if (unit == "K") mib /= 1024; else if (unit != "M") mib /= 1048576
    printf "%d\\n", mib; exit
  }' <<<"$1"
}

# Who holds a VMID that is not a VM of the expected name: a VM or container on this node, or a guest elsewhere.
guest_owner() {
  local config
  if config="$(qm config "$1" 2>/dev/null)"; then
    echo "VM $(config_value "$config" name)"
  elif config="$(pct config "$1" 2>/dev/null)"; then
    echo "LXC container $(config_value "$config" hostname)"
  else
    echo "a guest on another node of the Proxmox cluster (pvesh get /cluster/resources --type vm shows it)"
  fi
}

if [ "$CLEANUP" = 1 ]; then
  # Deleting the drive frees its cloud-init volume; on a running VM Proxmox may keep the deletion
  # pending until the next power cycle, so that case is reported.
  incomplete=0
  for entry in "\${NODES[@]}"; do
    read -r index vmid name _ _ <<<"$entry"
    delete=(cicustom "$CLOUDINIT_DRIVE")
    if command -v qm >/dev/null; then
      config="$(qm config "$vmid" 2>/dev/null)" || config=""
      delete=()
      if [ "$(config_value "$config" name)" != "$name" ]; then
        echo "VMID $vmid does not hold VM $name on this node (talos.nodes[$index].vmid); its VM is left alone, run --cleanup on the node that has it" >&2
        incomplete=1
      else
        [ -z "$(config_value "$config" cicustom)" ] || delete+=(cicustom)
        [ -z "$(config_value "$config" "$CLOUDINIT_DRIVE")" ] || delete+=("$CLOUDINIT_DRIVE")
        [ \${#delete[@]} -gt 0 ] || echo "VM $vmid ($name) has no cicustom or cloud-init drive left"
      fi
    fi
    if [ \${#delete[@]} -gt 0 ]; then
      run qm set "$vmid" --delete "$(IFS=,; echo "\${delete[*]}")"
      if [ "$DRY_RUN" = 0 ] && [ -n "$(config_value "$(qm config "$vmid" --current 1 2>/dev/null || true)" "$CLOUDINIT_DRIVE")" ]; then
        echo "VM $vmid ($name) still has its cloud-init drive until its next power cycle (pending change): run qm reboot $vmid, one node at a time"
      fi
    fi
    snippet="$(snippet_path "$(snippet_name "$name")")"
    if [ "$DRY_RUN" = 1 ] || [ -e "$snippet" ]; then
      # shred cannot promise erasure on copy-on-write or journaling storage, but never hurts.
      if command -v shred >/dev/null; then run shred -u "$snippet"; else run rm -f "$snippet"; fi
    fi
  done
  [ "$incomplete" = 0 ] || exit 1
  [ "$DRY_RUN" = 1 ] || echo "No Talos machine config is left on this host; keep <secretsDir>/talos/ on the synth machine."
  exit 0
fi

if [ "$DRY_RUN" = 0 ]; then
  for tool in qm pvesh pvesm curl gzip gunzip sha256sum; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run this on the Proxmox host" >&2; exit 1; }
  done
  [ -n "$CONFIG_DIR" ] || { echo "--configs DIR is required (the machine configs from <secretsDir>/talos/nodes/)" >&2; exit 2; }
  pvesm status --content snippets 2>/dev/null | awk 'NR>1 {print $1}' | grep -qx "$FILE_STORAGE" \\
    || { echo "storage $FILE_STORAGE does not hold snippets: add the content type, e.g. pvesm set $FILE_STORAGE --content iso,vztmpl,backup,snippets" >&2; exit 1; }
  IMAGE_PATH="$(pvesm path "$FILE_STORAGE:iso/$IMAGE_FILE")"
else
  CONFIG_DIR="\${CONFIG_DIR:-<configs>}"
  IMAGE_PATH="/var/lib/vz/template/iso/$IMAGE_FILE"
fi

# 1. The schematic must be known to the Image Factory before its images can be pulled. POSTing it
#    is idempotent and returns the ID we computed offline (sha256 of this YAML).
if [ "$DRY_RUN" = 1 ]; then
  echo "+ curl -fsS -X POST --data-binary @- https://${IMAGE_FACTORY}/schematics  # expect $SCHEMATIC_ID"
else
  returned="$(curl -fsS -X POST --data-binary @- https://${IMAGE_FACTORY}/schematics <<'SCHEMATIC'
${schematicYaml(site.talos.extensions).trimEnd()}
SCHEMATIC
)"
  case "$returned" in
    *"$SCHEMATIC_ID"*) ;;
    *) echo "Image Factory returned $returned, expected schematic $SCHEMATIC_ID" >&2; exit 1 ;;
  esac
fi

# 2. nocloud disk image (Talos ${site.talos.version}, schematic ${id.slice(0, 12)}…), downloaded once. It is
#    fetched and unpacked under .part names, checked, then renamed; the image only counts as present
#    with the checksum written after the rename, so an interrupted run is never mistaken for a done one.
image_verified() {
  [ -f "$IMAGE_PATH" ] && [ -f "$IMAGE_PATH.sha256" ] \\
    && (cd "$(dirname "$IMAGE_PATH")" && sha256sum --quiet --status -c "$(basename "$IMAGE_PATH").sha256")
}
if image_verified; then
  echo "image $IMAGE_PATH present (checksum verified)"
else
  if [ -e "$IMAGE_PATH" ]; then echo "image $IMAGE_PATH is not a verified download (interrupted run?): fetching it again"; fi
  [ "$DRY_RUN" = 1 ] || trap 'rm -f "$IMAGE_PATH.gz.part" "$IMAGE_PATH.part"' EXIT
  run curl -fL --retry 3 -o "$IMAGE_PATH.gz.part" "$IMAGE_URL"
  run gzip -t "$IMAGE_PATH.gz.part"
  if [ "$DRY_RUN" = 1 ]; then
    echo "+ gunzip -c $IMAGE_PATH.gz.part > $IMAGE_PATH.part"
    echo "+ mv $IMAGE_PATH.part $IMAGE_PATH && sha256sum $IMAGE_FILE > $IMAGE_PATH.sha256"
  else
    gunzip -c "$IMAGE_PATH.gz.part" > "$IMAGE_PATH.part"
    image_sum="$(sha256sum < "$IMAGE_PATH.part" | awk '{print $1}')"
    mv "$IMAGE_PATH.part" "$IMAGE_PATH"
    echo "$image_sum  $IMAGE_FILE" > "$IMAGE_PATH.sha256"
    rm -f "$IMAGE_PATH.gz.part"
    trap - EXIT
  fi
fi

vmid_taken() { pvesh get /cluster/nextid --vmid "$1" >/dev/null 2>&1 && return 1 || return 0; }

# A VM of the node's name may be left half-made by an earlier run (qm disk resize or qm start failed):
# grow its disks to size${dataDisk ? ', add a missing data disk,' : ''} and start it.
finish_vm() {
  local vmid="$1" name="$2" config="$3" os_mib${dataDisk ? ' data_mib' : ''} done_something=0
  os_mib="$(drive_mib "$config" "$OS_DRIVE")"
  if [ -z "$os_mib" ]; then
    echo "VM $vmid ($name) has no OS disk $OS_DRIVE: remove it (qm destroy $vmid) and run this script again" >&2
    exit 1
  fi
  if [ "$os_mib" -lt $((OS_DISK_GIB * 1024)) ]; then
    run qm disk resize "$vmid" "$OS_DRIVE" "\${OS_DISK_GIB}G"; done_something=1
  fi
${dataDisk ? `  data_mib="$(drive_mib "$config" "$DATA_DRIVE")"
  if [ -z "$data_mib" ]; then
    run qm set "$vmid" "--$DATA_DRIVE" "$STORAGE:$DATA_DISK_GIB,$DISK_OPTIONS"; done_something=1
  elif [ "$data_mib" -lt $((DATA_DISK_GIB * 1024)) ]; then
    run qm disk resize "$vmid" "$DATA_DRIVE" "\${DATA_DISK_GIB}G"; done_something=1
  fi
` : ''}  if ! qm status "$vmid" 2>/dev/null | grep -qx 'status: running'; then
    if [ -n "$(config_value "$config" cicustom)" ]; then install_snippet "$name"; fi
    run qm start "$vmid"; done_something=1
  fi
  if [ "$done_something" = 0 ]; then echo "VM $vmid ($name) exists and is complete, leaving it unchanged"; else echo "VM $vmid ($name) existed and was completed"; fi
}

# The snippet is the machine config: it holds keys, so root-only.
install_snippet() {
  if [ "$DRY_RUN" = 0 ]; then
    [ -f "$CONFIG_DIR/$1.yaml" ] || { echo "missing $CONFIG_DIR/$1.yaml" >&2; exit 1; }
  fi
  run install -m 0600 "$CONFIG_DIR/$1.yaml" "$(snippet_path "$(snippet_name "$1")")"
}

# 3. One VM per node.
for entry in "\${NODES[@]}"; do
  read -r index vmid name address mac <<<"$entry"
  # A dry run on the Proxmox host still checks VMIDs, so it shows what a real run would do.
  if command -v pvesh >/dev/null && vmid_taken "$vmid"; then
    # qm config fails for a container or a VM on another node; set -e must not end the script silently.
    config="$(qm config "$vmid" 2>/dev/null)" || config=""
    if [ -n "$config" ] && [ "$(config_value "$config" name)" = "$name" ]; then
      finish_vm "$vmid" "$name" "$config"
      continue
    fi
    echo "VMID $vmid (for Talos node $name) is taken by $(guest_owner "$vmid"); set talos.nodes[$index].vmid in the site file to a free VMID and re-run npm run synth" >&2
    exit 1
  fi
  install_snippet "$name"
  run qm create "$vmid" --name "$name" --ostype l26 --machine q35 --bios ovmf \\
    --efidisk0 "$STORAGE:1,efitype=4m,pre-enrolled-keys=0" \\
    --cpu host --sockets 1 --cores "$CORES" --memory "$MEMORY_MIB" --balloon 0 \\
    --scsihw virtio-scsi-pci \\
    "--$OS_DRIVE" "$STORAGE:0,import-from=$IMAGE_PATH,$DISK_OPTIONS" \\
${dataDisk ? `    "--$DATA_DRIVE" "$STORAGE:$DATA_DISK_GIB,$DISK_OPTIONS" \\
` : ''}    --net0 "virtio=$mac,bridge=$BRIDGE,tag=$VLAN_ID" \\
    "--$CLOUDINIT_DRIVE" "$STORAGE:cloudinit" --ipconfig0 "ip=$address/$PREFIX_LENGTH,gw=$GATEWAY" --nameserver "$NAMESERVERS" \\
    --cicustom "user=$FILE_STORAGE:snippets/$(snippet_name "$name")" \\
    --agent ${guestAgent ? 'enabled=1,fstrim_cloned_disks=1' : 'enabled=0'} --serial0 socket \\
    --boot "order=$OS_DRIVE" --onboot 1 --tags "talos;${site.name}"
  run qm disk resize "$vmid" "$OS_DRIVE" "\${OS_DISK_GIB}G"
  run qm start "$vmid"
done

${firstHost === host.node ? `first_node="$(echo "\${NODES[${here.indexOf(first)}]}" | awk '{print $4}')"
cat <<EOF

Next (from the machine that ran npm run synth, with talosctl $TALOS_VERSION):${multiHost ? `
  first run proxmox/<node>/create-talos-vms.sh on ${wordList(others, 'and')} as well (health waits for every node)` : ''}
  export TALOSCONFIG=<secretsDir>/talos/talosconfig
  talosctl -n $first_node -e $first_node bootstrap     # once, on one node only
  talosctl -n $first_node -e $first_node health
  talosctl -n $first_node -e $first_node kubeconfig
Then, on this host: $0 --cleanup
  The snippets and the cloud-init drives hold the cluster's CA keys; --cleanup deletes them.
EOF` : `cat <<EOF

Next: the cluster is bootstrapped once, against ${first.hostname} (${first.address}), by the steps the
script on ${firstHost} prints (talosctl $TALOS_VERSION: bootstrap, health, kubeconfig). Once health succeeds:
  on this host: $0 --cleanup
  The snippets and the cloud-init drives hold the cluster's CA keys; --cleanup deletes them.
EOF`}
`;
  return { path: proxmoxScriptPath(site, host.node), content, mode: 0o755 };
}
