#!/usr/bin/env bash
# Generated from the site "pve01-monitoring" by talos-monitoring-synth (lxc/create-script.ts). Do not edit: re-run synth.
# The report's Option 1: four LXC containers on pve01, VLAN 70, sized as the site says.
# Safe to re-run: existing containers are converged, unchanged files are not pushed.

set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: create-containers.sh [--dry-run]
  Creates (or converges) the monitoring containers on this Proxmox node and pushes their configs.
  --dry-run   print the pct commands that would change something; change nothing
Environment:
  TEMPLATE          container template volume, e.g. local:vztmpl/debian-12-standard_<version>_amd64.tar.zst
                    (default: the newest debian-12-standard template in TEMPLATE_STORAGE)
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

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATE_STORAGE="${TEMPLATE_STORAGE:-local}"
PVE_FIREWALL_DIR="${PVE_FIREWALL_DIR:-/etc/pve/firewall}"

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
  if [ -n "${TEMPLATE:-}" ]; then echo "$TEMPLATE"; return; fi
  if ! have_pct; then echo "<newest debian-12-standard template in $TEMPLATE_STORAGE>"; return; fi
  local found
  found="$(pveam list "$TEMPLATE_STORAGE" | awk '{print $1}' | grep '/debian-12-standard_' | sort -V | tail -n 1 || true)"
  [ -n "$found" ] || die "no debian-12-standard template in storage $TEMPLATE_STORAGE: run 'pveam update', 'pveam available --section system', then 'pveam download $TEMPLATE_STORAGE <debian-12-standard file>', or set TEMPLATE"
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
  if [ -z "$have" ]; then note "CT $vmid: cannot read the rootfs size; check it is ${want}G"
  elif [ "$have" -lt "$want" ]; then run pct resize "$vmid" rootfs "${want}G"
  elif [ "$have" -gt "$want" ]; then note "CT $vmid: rootfs is ${have}G, more than the site's ${want}G; Proxmox cannot shrink it, left as is"
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
  if [ "${#missing[@]}" -gt 0 ]; then
    SECRETS_MISSING=1
    note "CT $vmid: create ${missing[*]} (README.md, 'What you do by hand'), then run this script again to (re)start its services"
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


# --- prometheus: VMID 7010, 4 cores, 8192 MiB, 100 GiB, 10.70.0.10/24 (MAC 02:00:00:00:1b:62) on VLAN 70 ---
CONVERGE=(--cores 4 --memory 8192 --nameserver 10.70.0.1 --onboot 1)
NET0='name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:62,ip=10.70.0.10/24,tag=70,type=veth'
if ct_exists 7010; then
  check_hostname 7010 prometheus
  run pct set 7010 "${CONVERGE[@]}"
  converge_net0 7010 "$NET0"
  grow_rootfs 7010 100
else
  run pct create 7010 "$(template_ref)" --hostname prometheus --ostype debian --unprivileged 1 --features nesting=1 --rootfs local-lvm:100 "${CONVERGE[@]}" --net0 "$NET0"
fi
install_firewall 7010
ensure_running 7010
ensure_users 7010 prometheus node-exporter blackbox-exporter pve-exporter
run pct exec 7010 -- mkdir -p /etc/blackbox /etc/prometheus /etc/prometheus/rules /etc/prometheus/uptime-kuma /etc/prometheus/web /etc/pve-exporter /etc/systemd/system
CHANGED=0
push 7010 prometheus/etc/prometheus/prometheus.yml /etc/prometheus/prometheus.yml 0644
push 7010 prometheus/etc/prometheus/rules/alerts.yml /etc/prometheus/rules/alerts.yml 0644
push 7010 prometheus/etc/systemd/system/prometheus.service /etc/systemd/system/prometheus.service 0644
push 7010 prometheus/etc/systemd/system/node-exporter.service /etc/systemd/system/node-exporter.service 0644
push 7010 prometheus/etc/blackbox/blackbox.yml /etc/blackbox/blackbox.yml 0644
push 7010 prometheus/etc/systemd/system/blackbox-exporter.service /etc/systemd/system/blackbox-exporter.service 0644
push 7010 prometheus/etc/systemd/system/pve-exporter.service /etc/systemd/system/pve-exporter.service 0644
if [ "$CHANGED" = 1 ]; then run pct exec 7010 -- systemctl daemon-reload; fi
require_secrets 7010 /etc/prometheus/web/web.yml /etc/prometheus/web/password /etc/prometheus/alertmanager-password /etc/pve-exporter/token.env /etc/prometheus/uptime-kuma/api-key
activate 7010 prometheus.service /usr/local/bin/prometheus
activate 7010 node-exporter.service /usr/local/bin/node_exporter
activate 7010 blackbox-exporter.service /usr/local/bin/blackbox_exporter
activate 7010 pve-exporter.service /usr/local/bin/pve_exporter

# --- grafana: VMID 7011, 2 cores, 4096 MiB, 50 GiB, 10.70.0.11/24 (MAC 02:00:00:00:1b:63) on VLAN 70 ---
CONVERGE=(--cores 2 --memory 4096 --nameserver 10.70.0.1 --onboot 1)
NET0='name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:63,ip=10.70.0.11/24,tag=70,type=veth'
if ct_exists 7011; then
  check_hostname 7011 grafana
  run pct set 7011 "${CONVERGE[@]}"
  converge_net0 7011 "$NET0"
  grow_rootfs 7011 50
else
  run pct create 7011 "$(template_ref)" --hostname grafana --ostype debian --unprivileged 1 --features nesting=1 --rootfs local-lvm:50 "${CONVERGE[@]}" --net0 "$NET0"
fi
install_firewall 7011
ensure_running 7011
ensure_users 7011 node-exporter
run pct exec 7011 -- mkdir -p /etc/grafana /etc/grafana/dashboards/availability /etc/grafana/dashboards/infrastructure /etc/grafana/dashboards/logs /etc/grafana/dashboards/monitoring-stack /etc/grafana/dashboards/security /etc/grafana/provisioning/dashboards /etc/grafana/provisioning/datasources /etc/systemd/system /etc/systemd/system/grafana-server.service.d
CHANGED=0
push 7011 grafana/etc/grafana/provisioning/datasources/datasources.yaml /etc/grafana/provisioning/datasources/datasources.yaml 0644
push 7011 grafana/etc/grafana/provisioning/dashboards/dashboards.yaml /etc/grafana/provisioning/dashboards/dashboards.yaml 0644
push 7011 grafana/etc/grafana/dashboards/monitoring-stack/stack-health.json /etc/grafana/dashboards/monitoring-stack/stack-health.json 0644
push 7011 grafana/etc/grafana/dashboards/infrastructure/proxmox.json /etc/grafana/dashboards/infrastructure/proxmox.json 0644
push 7011 grafana/etc/grafana/dashboards/infrastructure/hosts.json /etc/grafana/dashboards/infrastructure/hosts.json 0644
push 7011 grafana/etc/grafana/dashboards/availability/probes.json /etc/grafana/dashboards/availability/probes.json 0644
push 7011 grafana/etc/grafana/dashboards/logs/logs.json /etc/grafana/dashboards/logs/logs.json 0644
push 7011 grafana/etc/grafana/dashboards/security/security.json /etc/grafana/dashboards/security/security.json 0644
push 7011 grafana/etc/grafana/monitoring.env /etc/grafana/monitoring.env 0644
push 7011 grafana/etc/systemd/system/grafana-server.service.d/monitoring.conf /etc/systemd/system/grafana-server.service.d/monitoring.conf 0644
push 7011 grafana/etc/systemd/system/node-exporter.service /etc/systemd/system/node-exporter.service 0644
if [ "$CHANGED" = 1 ]; then run pct exec 7011 -- systemctl daemon-reload; fi
require_secrets 7011 /etc/grafana/secrets.env
activate 7011 grafana-server.service /usr/sbin/grafana-server
activate 7011 node-exporter.service /usr/local/bin/node_exporter

# --- loki: VMID 7012, 4 cores, 8192 MiB, 100 GiB, 10.70.0.12/24 (MAC 02:00:00:00:1b:64) on VLAN 70 ---
CONVERGE=(--cores 4 --memory 8192 --nameserver 10.70.0.1 --onboot 1)
NET0='name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:64,ip=10.70.0.12/24,tag=70,type=veth'
if ct_exists 7012; then
  check_hostname 7012 loki
  run pct set 7012 "${CONVERGE[@]}"
  converge_net0 7012 "$NET0"
  grow_rootfs 7012 100
else
  run pct create 7012 "$(template_ref)" --hostname loki --ostype debian --unprivileged 1 --features nesting=1 --rootfs local-lvm:100 "${CONVERGE[@]}" --net0 "$NET0"
fi
install_firewall 7012
ensure_running 7012
ensure_users 7012 loki alloy node-exporter
run pct exec 7012 -- mkdir -p /etc /etc/alloy /etc/loki /etc/systemd/system /var/lib/loki/rules/fake
CHANGED=0
push 7012 loki/etc/loki/loki.yaml /etc/loki/loki.yaml 0644
push 7012 loki/etc/systemd/system/loki.service /etc/systemd/system/loki.service 0644
push 7012 loki/var/lib/loki/rules/fake/wazuh.yml /var/lib/loki/rules/fake/wazuh.yml 0644
push 7012 loki/etc/alloy/config.alloy /etc/alloy/config.alloy 0644
push 7012 loki/etc/systemd/system/alloy.service /etc/systemd/system/alloy.service 0644
push 7012 loki/etc/syslog-redirect.nft /etc/syslog-redirect.nft 0644
push 7012 loki/etc/systemd/system/syslog-redirect.service /etc/systemd/system/syslog-redirect.service 0644
push 7012 loki/etc/systemd/system/node-exporter.service /etc/systemd/system/node-exporter.service 0644
if [ "$CHANGED" = 1 ]; then run pct exec 7012 -- systemctl daemon-reload; fi
require_secrets 7012 /etc/loki/alertmanager.env
activate 7012 loki.service /usr/local/bin/loki
activate 7012 syslog-redirect.service /usr/sbin/nft
activate 7012 alloy.service /usr/local/bin/alloy
activate 7012 node-exporter.service /usr/local/bin/node_exporter

# --- alertmanager: VMID 7013, 2 cores, 4096 MiB, 50 GiB, 10.70.0.13/24 (MAC 02:00:00:00:1b:65) on VLAN 70 ---
CONVERGE=(--cores 2 --memory 4096 --nameserver 10.70.0.1 --onboot 1)
NET0='name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:65,ip=10.70.0.13/24,tag=70,type=veth'
if ct_exists 7013; then
  check_hostname 7013 alertmanager
  run pct set 7013 "${CONVERGE[@]}"
  converge_net0 7013 "$NET0"
  grow_rootfs 7013 50
else
  run pct create 7013 "$(template_ref)" --hostname alertmanager --ostype debian --unprivileged 1 --features nesting=1 --rootfs local-lvm:50 "${CONVERGE[@]}" --net0 "$NET0"
fi
install_firewall 7013
ensure_running 7013
ensure_users 7013 alertmanager node-exporter
run pct exec 7013 -- mkdir -p /etc/alertmanager /etc/alertmanager/web /etc/systemd/system
CHANGED=0
push 7013 alertmanager/etc/alertmanager/alertmanager.yml /etc/alertmanager/alertmanager.yml 0644
push 7013 alertmanager/etc/systemd/system/alertmanager.service /etc/systemd/system/alertmanager.service 0644
push 7013 alertmanager/etc/systemd/system/node-exporter.service /etc/systemd/system/node-exporter.service 0644
if [ "$CHANGED" = 1 ]; then run pct exec 7013 -- systemctl daemon-reload; fi
require_secrets 7013 /etc/alertmanager/web/web.yml
activate 7013 alertmanager.service /usr/local/bin/alertmanager
activate 7013 node-exporter.service /usr/local/bin/node_exporter

check_datacenter_firewall

echo "done: prometheus (7010), grafana (7011), loki (7012), alertmanager (7013)"
