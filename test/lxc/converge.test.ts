import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSite } from '../../site';
import { nodeMacAddress } from '../../talos/node-configs';
import { lxcContainers, lxcDeployPlan, renderLxcPath } from '../../lxc';
import type { OutputFile } from '../../render/output-file';

const site = parseSite({}).site;

/**
 * A stand-in for Proxmox's `pct`, with state: one <vmid>.conf per container in $FAKE_PCT_STATE,
 * every call appended to calls.log. Like pve-container's parse_lxc_network it invents a random
 * MAC (BC:24:11:xx:xx:xx) when net0 comes without hwaddr, and prints net0 as `pct config` does
 * (name first, then the keys sorted). Written with `\${` for `${` (String.raw would interpolate it).
 */
const FAKE_PCT = String.raw`#!/usr/bin/env bash
set -euo pipefail
state="$FAKE_PCT_STATE"
echo "$*" >>"$state/calls.log"
cmd="$1"; vmid="$2"; shift 2
conf="$state/$vmid.conf"
canon_net0() {
  local v="$1" name rest
  if ! grep -q '^hwaddr=' <<<"$(tr ',' '\n' <<<"$v")"; then
    v="$v,hwaddr=$(printf 'BC:24:11:%02X:%02X:%02X' $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)))"
  fi
  name="$(tr ',' '\n' <<<"$v" | grep '^name=')"
  rest="$(tr ',' '\n' <<<"$v" | grep -v '^name=' | LC_ALL=C sort | paste -sd, -)"
  echo "$name,$rest"
}
set_key() {
  local key="$1" value="$2"
  grep -v "^$key: " "$conf" >"$conf.new" || true
  echo "$key: $value" >>"$conf.new"
  LC_ALL=C sort "$conf.new" >"$conf"; rm -f "$conf.new"
}
case "$cmd" in
  status)
    [ -f "$conf" ] || { echo "Configuration file 'nodes/pve01/lxc/$vmid.conf' does not exist" >&2; exit 2; }
    echo "status: running" ;;
  config) cat "$conf" ;;
  create|set)
    if [ "$cmd" = create ]; then shift; : >"$conf"; set_key rootfs "local-lvm:vm-$vmid-disk-0,size=1G"; fi
    while [ $# -gt 0 ]; do
      key="\${1#--}"; value="$2"; shift 2
      case "$key" in
        net0) set_key net0 "$(canon_net0 "$value")" ;;
        rootfs) set_key rootfs "local-lvm:vm-$vmid-disk-0,size=\${value#*:}G" ;;
        *) set_key "$key" "$value" ;;
      esac
    done ;;
  exec)
    # A file the operator has not created yet: FAKE_PCT_MISSING names it.
    if [ -n "\${FAKE_PCT_MISSING:-}" ] && [ "$*" = "-- test -e $FAKE_PCT_MISSING" ]; then exit 1; fi ;;
  push|start|resize) ;;
  *) echo "fake pct: unexpected $cmd" >&2; exit 1 ;;
esac
`.replace(/\\\$\{/g, '${'); // String.raw keeps the backslash of \${

function writeTree(files: readonly OutputFile[], dir: string): void {
  for (const f of files) {
    const full = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.content, { mode: f.mode ?? 0o644 });
  }
}

interface Host { dir: string; state: string; run(extraEnv?: Record<string, string>): { status: number | null; stderr: string; calls: string[] }; net0(vmid: number): string }

/** dist/lxc plus a fake Proxmox node (the fake pct on PATH, no containers yet). */
function fakeHost(): Host {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxc-converge-'));
  writeTree(renderLxcPath(site), dir);
  const bin = path.join(dir, 'bin');
  const state = path.join(dir, 'state');
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.mkdirSync(path.join(dir, 'pve-firewall'));
  // The datacenter firewall is on, as the README asks (otherwise the script notes it).
  fs.writeFileSync(path.join(dir, 'pve-firewall', 'cluster.fw'), '[OPTIONS]\nenable: 1\n');
  fs.writeFileSync(path.join(bin, 'pct'), FAKE_PCT, { mode: 0o755 });
  return {
    dir,
    state,
    run(extraEnv: Record<string, string> = {}) {
      fs.writeFileSync(path.join(state, 'calls.log'), '');
      const r = spawnSync('bash', [path.join(dir, 'lxc/create-containers.sh')], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:/usr/bin:/bin`, HOME: dir, FAKE_PCT_STATE: state, TEMPLATE: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
          PVE_FIREWALL_DIR: path.join(dir, 'pve-firewall'),
          ...extraEnv,
        },
      });
      const calls = fs.readFileSync(path.join(state, 'calls.log'), 'utf8').split('\n').filter(Boolean);
      return { status: r.status, stderr: r.stderr, calls };
    },
    net0(vmid: number) {
      return fs.readFileSync(path.join(state, `${vmid}.conf`), 'utf8').match(/^net0: (.*)$/m)![1];
    },
  };
}

const hwaddr = (net0: string) => net0.match(/hwaddr=([^,]+)/)![1];
const vmids = lxcContainers(site).map((c) => c.vmid);

describe('Each container\'s MAC is pinned', () => {
  test('derived from the VMID with the Talos VMs\' scheme (02:00 + 4 bytes), a locally administered unicast address', () => {
    expect(lxcContainers(site).map((c) => c.hwaddr)).toEqual(['02:00:00:00:1b:62', '02:00:00:00:1b:63', '02:00:00:00:1b:64', '02:00:00:00:1b:65']);
    for (const c of lxcContainers(site)) {
      expect(c.hwaddr).toBe(nodeMacAddress(c.vmid));
      const first = parseInt(c.hwaddr.slice(0, 2), 16);
      expect(first & 0x01).toBe(0); // unicast
      expect(first & 0x02).toBe(2); // locally administered
    }
  });

  test('no two guests of the site share a MAC (container MACs differ from the Talos VMs\')', () => {
    const macs = [...lxcContainers(site).map((c) => c.hwaddr), ...site.talos.nodes.map((n) => nodeMacAddress(n.vmid))];
    expect(new Set(macs).size).toBe(macs.length);
  });

  test('net0 carries hwaddr, keys in the order pct config prints them', () => {
    expect(lxcDeployPlan(site).containers[0].net0).toBe('name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:62,ip=10.70.0.10/24,tag=70,type=veth');
  });
});

describe('create-containers.sh against a fake pct', () => {
  let host: Host;
  beforeEach(() => { host = fakeHost(); });
  afterEach(() => fs.rmSync(host.dir, { recursive: true, force: true }));

  test('creates the containers with the pinned MAC', () => {
    const r = host.run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('create '))).toHaveLength(4);
    expect(vmids.map((id) => hwaddr(host.net0(id)))).toEqual(lxcContainers(site).map((c) => c.hwaddr));
  });

  test('re-running over running containers keeps every MAC and sends no net0', () => {
    // GIVEN the containers a first run created WHEN the script runs again THEN no MAC changes
    expect(host.run().status).toBe(0);
    const before = vmids.map((id) => host.net0(id));
    const again = host.run();
    expect(again.status).toBe(0);
    expect(vmids.map((id) => host.net0(id))).toEqual(before);
    expect(again.calls.filter((c) => c.startsWith('create '))).toEqual([]);
    expect(again.calls.filter((c) => / --net0 /.test(c))).toEqual([]);
    // the rest is still converged
    expect(again.calls.filter((c) => c.startsWith('set '))).toHaveLength(4);
  });

  test('an existing container whose pct config prints the pinned MAC in upper case gets no net0', () => {
    // GIVEN pct config as Proxmox prints it (name first, keys sorted, MAC upper case)
    for (const c of lxcContainers(site)) {
      fs.writeFileSync(path.join(host.state, `${c.vmid}.conf`), [
        'arch: amd64', `cores: ${c.cores}`, `hostname: ${c.hostname}`, `memory: ${c.memoryMiB}`,
        `net0: name=eth0,bridge=${c.bridge},firewall=1,gw=${c.gateway},hwaddr=${c.hwaddr.toUpperCase()},ip=${c.address}/${c.prefixLength},tag=${c.vlanId},type=veth`,
        'onboot: 1', 'ostype: debian', `rootfs: ${c.storage}:vm-${c.vmid}-disk-0,size=${c.rootfsGiB}G`, '',
      ].join('\n'));
    }
    const before = vmids.map((id) => host.net0(id));
    const r = host.run();
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => / --net0 /.test(c))).toEqual([]);
    expect(vmids.map((id) => host.net0(id))).toEqual(before);
  });

  test('the firewall files are installed once, and again only when they change', () => {
    expect(host.run().status).toBe(0);
    const fwDir = path.join(host.dir, 'pve-firewall');
    expect(vmids.map((id) => fs.readFileSync(path.join(fwDir, `${id}.fw`), 'utf8')))
      .toEqual(vmids.map((id) => fs.readFileSync(path.join(host.dir, 'lxc/firewall', `${id}.fw`), 'utf8')));
    const stat = fs.statSync(path.join(fwDir, `${vmids[0]}.fw`));
    const again = host.run();
    expect(again.status).toBe(0);
    expect(fs.statSync(path.join(fwDir, `${vmids[0]}.fw`)).mtimeMs).toBe(stat.mtimeMs);
  });

  test('does not (re)start a container\'s services while a file the operator creates is missing, and says which', () => {
    const r = host.run({ FAKE_PCT_MISSING: '/etc/prometheus/web/web.yml' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/note: CT 7010: create \/etc\/prometheus\/web\/web\.yml \(README\.md, 'What you do by hand'\), then run this script again/);
    const restarts = r.calls.filter((c) => c.includes('systemctl enable'));
    expect(restarts.filter((c) => c.startsWith('exec 7010 '))).toEqual([]);
    expect(restarts.filter((c) => c.startsWith('exec 7011 ')).length).toBeGreaterThan(0);
  });

  test('says when the datacenter firewall is off (the rules would not be enforced)', () => {
    fs.writeFileSync(path.join(host.dir, 'pve-firewall', 'cluster.fw'), '[OPTIONS]\nenable: 0\n');
    const r = host.run();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/note: the datacenter firewall is off, so the containers' rules \(report rules 1-4\) are not enforced/);
  });

  test('an existing container whose net0 differs gets net0 once, with the pinned MAC', () => {
    // GIVEN loki created by hand on VLAN 60 with a Proxmox-generated MAC
    expect(host.run().status).toBe(0);
    const loki = lxcContainers(site).find((c) => c.service === 'loki')!;
    const conf = path.join(host.state, `${loki.vmid}.conf`);
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/^net0: .*$/m, 'net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=dhcp,tag=60,type=veth'));
    const r = host.run();
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => / --net0 /.test(c))).toEqual([`set ${loki.vmid} --net0 ${lxcDeployPlan(site).containers[2].net0}`]);
    expect(hwaddr(host.net0(loki.vmid))).toBe(loki.hwaddr);
  });
});
