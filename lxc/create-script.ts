/**
 * create-containers.sh: creates or converges the four containers with `pct`, pushes the service
 * configs and enables the daemons. Idempotent: an existing container (matched by VMID and
 * hostname) is re-set to the site's cores and memory, its network only when it differs (MAC
 * pinned), its disk only ever grown, and a file is pushed only when its checksum differs. `--dry-run` prints every `pct` command instead.
 */
import type { Site } from '../site';
import { LXC_TEMPLATE_FAMILY, type LxcDeployPlan, lxcDeployPlan, type PlannedContainer } from './deploy-plan';
import { shellQuote, shellWords } from './shell';

/** Where a container's files sit in dist/lxc, relative to the script. */
export function payloadSourcePath(service: string, pathInContainer: string): string {
  return `${service}${pathInContainer}`;
}

/** Bash helpers; written with `$\{` for `${` (String.raw would interpolate it). */
const PRELUDE = String.raw`set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: create-containers.sh [--dry-run]
  Creates (or converges) the monitoring containers on this Proxmox node and pushes their configs.
  --dry-run   print the pct commands that would change something; change nothing
Environment:
  TEMPLATE          container template volume, e.g. local:vztmpl/debian-12-standard_<version>_amd64.tar.zst
                    (default: the newest __FAMILY__ template in TEMPLATE_STORAGE)
  TEMPLATE_STORAGE  storage searched for the template (default: local)
  PVE_FIREWALL_DIR  where pve-firewall reads guest rules (default: /etc/pve/firewall)
USAGE
}

DRY_RUN=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "$\{BASH_SOURCE[0]}")" && pwd)"
TEMPLATE_STORAGE="$\{TEMPLATE_STORAGE:-local}"
PVE_FIREWALL_DIR="$\{PVE_FIREWALL_DIR:-/etc/pve/firewall}"

die() { echo "error: $*" >&2; exit 1; }
note() { echo "note: $*" >&2; }
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}
have_pct() { command -v pct >/dev/null 2>&1; }
ct_exists() { have_pct && pct status "$1" >/dev/null 2>&1; }
ct_running() { have_pct && pct status "$1" 2>/dev/null | grep -q 'status: running'; }

if [ "$DRY_RUN" = 0 ] && ! have_pct; then
  die "pct not found: run this on the Proxmox node, or use --dry-run"
fi

template_ref() {
  if [ -n "$\{TEMPLATE:-}" ]; then echo "$TEMPLATE"; return; fi
  if ! have_pct; then echo "<newest __FAMILY__ template in $TEMPLATE_STORAGE>"; return; fi
  local found
  found="$(pveam list "$TEMPLATE_STORAGE" | awk '{print $1}' | grep '/__FAMILY___' | sort -V | tail -n 1 || true)"
  [ -n "$found" ] || die "no __FAMILY__ template in storage $TEMPLATE_STORAGE: run 'pveam update', 'pveam available --section system', then 'pveam download $TEMPLATE_STORAGE <__FAMILY__ file>', or set TEMPLATE"
  echo "$found"
}

# Refuses to touch a VMID that belongs to another guest.
check_hostname() {
  local vmid="$1" want="$2" have
  have="$(pct config "$vmid" | sed -n 's/^hostname: //p')"
  [ "$have" = "$want" ] || die "VMID $vmid exists with hostname '$have', not '$want': it is another guest; free the VMID or change the site's address for $want"
}

# Proxmox can grow a root filesystem, never shrink it.
grow_rootfs() {
  local vmid="$1" want="$2" have
  have="$(pct config "$vmid" | sed -n 's/^rootfs: .*size=\([0-9]*\)G.*/\1/p')"
  if [ -z "$have" ]; then note "CT $vmid: cannot read the rootfs size; check it is $\{want}G"
  elif [ "$have" -lt "$want" ]; then run pct resize "$vmid" rootfs "$\{want}G"
  elif [ "$have" -gt "$want" ]; then note "CT $vmid: rootfs is $\{have}G, more than the site's $\{want}G; Proxmox cannot shrink it, left as is"
  fi
}

# net0 as a sorted key=value list, the MAC in upper case (Proxmox writes generated MACs so).
net0_normalized() {
  tr ',' '\n' <<<"$1" | sed '/^hwaddr=/y/abcdef/ABCDEF/' | LC_ALL=C sort
}

# Sets net0 only when it differs: Proxmox replaces the veth (a network blip, stale ARP) on any
# net0 change of MAC or name, and invents a random MAC when hwaddr is missing, so it is pinned.
converge_net0() {
  local vmid="$1" want="$2" have
  have="$(pct config "$vmid" | sed -n 's/^net0: //p')"
  if [ "$(net0_normalized "$have")" != "$(net0_normalized "$want")" ]; then
    run pct set "$vmid" --net0 "$want"
  fi
}

ensure_running() {
  if ! ct_running "$1"; then run pct start "$1"; fi
}

ensure_users() {
  local vmid="$1"; shift
  # shellcheck disable=SC2016 # expanded by the container's sh, not here
  run pct exec "$vmid" -- sh -c 'for u in "$@"; do id -u "$u" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$u"; done' sh "$@"
}

# install_firewall VMID: the container's firewall rules, written only when they changed.
install_firewall() {
  local vmid="$1" src="$HERE/firewall/$1.fw" dest="$PVE_FIREWALL_DIR/$1.fw"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then return; fi
  run install -m 0640 "$src" "$dest"
}

# The guest rules do nothing while the datacenter firewall is off.
check_datacenter_firewall() {
  if ! grep -Eq '^enable:[[:space:]]*1' "$PVE_FIREWALL_DIR/cluster.fw" 2>/dev/null; then
    note "the datacenter firewall is off, so the containers' rules (report rules 1-4) are not enforced; enable it under Datacenter -> Firewall -> Options after checking the host's own rules"
  fi
}

CHANGED=0
# push VMID SOURCE DEST MODE: copies only when the container's file differs.
push() {
  local vmid="$1" src="$HERE/$2" dest="$3" mode="$4" want have=""
  want="$(sha256sum "$src" | cut -d' ' -f1)"
  if ct_running "$vmid"; then
    # shellcheck disable=SC2016 # expanded by the container's sh, not here
    have="$(pct exec "$vmid" -- sh -c 'sha256sum "$1" 2>/dev/null || true' sh "$dest" | cut -d' ' -f1)"
  fi
  if [ "$want" = "$have" ]; then return; fi
  run pct push "$vmid" "$src" "$dest" --perms "$mode"
  CHANGED=1
}

# require_secrets VMID FILE...: the files the operator creates (README.md); until all exist the
# container's daemons are not (re)started, so a config that reads one does not crash-loop.
SECRETS_MISSING=0
require_secrets() {
  local vmid="$1" f missing=()
  shift
  SECRETS_MISSING=0
  ct_running "$vmid" || return 0
  for f in "$@"; do
    pct exec "$vmid" -- test -e "$f" || missing+=("$f")
  done
  if [ "$\{#missing[@]}" -gt 0 ]; then
    SECRETS_MISSING=1
    note "CT $vmid: create $\{missing[*]} (README.md, 'What you do by hand'), then run this script again to (re)start its services"
  fi
}

# activate VMID UNIT BINARY: enable and (re)start once the binary and the secret files are there.
activate() {
  local vmid="$1" unit="$2" binary="$3"
  if ct_running "$vmid" && ! pct exec "$vmid" -- test -x "$binary"; then
    note "CT $vmid: $binary is not installed yet; install it (README.md) and run this script again to start $unit"
    return
  fi
  if [ "$SECRETS_MISSING" = 1 ]; then return; fi
  if [ "$CHANGED" = 1 ] || ! ct_running "$vmid" || ! pct exec "$vmid" -- systemctl is-active --quiet "$unit"; then
    # shellcheck disable=SC2016 # expanded by the container's sh, not here
    run pct exec "$vmid" -- sh -c 'systemctl enable "$1" && systemctl restart "$1"' sh "$unit"
  fi
}
`;

function containerBlock(planned: PlannedContainer): string {
  const { container: c, payload } = planned;
  const vmid = String(c.vmid);
  const lines = [
    `# --- ${c.hostname}: VMID ${vmid}, ${c.cores} cores, ${c.memoryMiB} MiB, ${c.rootfsGiB} GiB, ${c.address}/${c.prefixLength} (MAC ${c.hwaddr}) on VLAN ${c.vlanId} ---`,
    `CONVERGE=(${shellWords(planned.convergeArgs)})`,
    `NET0=${shellQuote(planned.net0)}`,
    `if ct_exists ${vmid}; then`,
    `  check_hostname ${vmid} ${shellQuote(c.hostname)}`,
    `  run pct set ${vmid} "\${CONVERGE[@]}"`,
    `  converge_net0 ${vmid} "$NET0"`,
    `  grow_rootfs ${vmid} ${c.rootfsGiB}`,
    'else',
    `  run pct create ${vmid} "$(template_ref)" ${shellWords(planned.createOnlyArgs)} "\${CONVERGE[@]}" --net0 "$NET0"`,
    'fi',
    `install_firewall ${vmid}`,
    `ensure_running ${vmid}`,
    `ensure_users ${vmid} ${shellWords(payload.users)}`,
    `run pct exec ${vmid} -- mkdir -p ${shellWords(planned.directories)}`,
    'CHANGED=0',
    ...payload.files.map((f) => `push ${vmid} ${shellQuote(payload.service + f.path)} ${shellQuote(f.path)} ${(f.mode ?? 0o644).toString(8).padStart(4, '0')}`),
    `if [ "$CHANGED" = 1 ]; then run pct exec ${vmid} -- systemctl daemon-reload; fi`,
    `require_secrets ${vmid}${payload.secrets.map((x) => ` ${shellQuote(x.path)}`).join('')}`,
    ...payload.daemons.map((d) => `activate ${vmid} ${shellQuote(d.unit)} ${shellQuote(d.binary)}`),
  ];
  return lines.join('\n');
}

export function createContainersScript(site: Site, plan: LxcDeployPlan = lxcDeployPlan(site)): string {
  const header = [
    '#!/usr/bin/env bash',
    `# Generated from the site "${site.name}" by talos-monitoring-synth (lxc/create-script.ts). Do not edit: re-run synth.`,
    `# The report's Option 1: four LXC containers on ${site.proxmox.node}, VLAN ${site.network.vlanId}, sized as the site says.`,
    '# Safe to re-run: existing containers are converged, unchanged files are not pushed.',
  ];
  return [
    header.join('\n'),
    PRELUDE.replace(/\$\\\{/g, '${').replace(/__FAMILY__/g, LXC_TEMPLATE_FAMILY),
    ...plan.containers.map(containerBlock),
    'check_datacenter_firewall',
    `echo "done: ${plan.containers.map((p) => `${p.container.hostname} (${p.container.vmid})`).join(', ')}"`,
    '',
  ].join('\n\n').replace(/\n\n$/, '\n');
}
