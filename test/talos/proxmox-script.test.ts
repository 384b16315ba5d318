/** The Proxmox VM script: valid bash, dry run prints qm commands, idempotent and resumable on existing VMIDs, --cleanup. */
import { requireTool, toolPath } from '../support/binaries';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseSite } from '../../site';
import type { Site } from '../../site';
import { proxmoxDiskLayout, proxmoxFirstRunSteps, renderProxmoxScript, renderProxmoxScripts } from '../../talos/proxmox-script';
import { SECOND_SITE } from '../support/second-site';
import { talosVmSizing } from '../../talos/vm-sizing';
import { dryRunScript, expectScriptsShellClean, tempProject } from './helpers';

const { site } = parseSite({});
const sizing = talosVmSizing(site);
const IMAGE_BYTES = Buffer.from('talos nocloud disk image\n'.repeat(100));

interface FakeGuests {
  /** VMs on this node: vmid -> `qm config` text (and `running: true` for `qm status`). */
  readonly vms?: Record<number, { readonly config: string; readonly running?: boolean }>;
  /** Containers on this node: vmid -> hostname. */
  readonly containers?: Record<number, string>;
  /** VMIDs used by guests on other cluster nodes (only pvesh knows them). */
  readonly elsewhere?: readonly number[];
  /** What the image download writes. @default gzip of IMAGE_BYTES */
  readonly download?: Buffer;
}

/**
 * Fake qm/pct/pvesh/pvesm/curl that log their arguments to calls.log. VM configs live in qm/<vmid>.conf,
 * container configs in pct/<vmid>.conf; storage paths map to <dir>/storage/<content>/<file>.
 */
function fakeProxmox(dir: string, guests: FakeGuests = {}): { PATH: string; log: string; storage: string } {
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.log');
  const storage = path.join(dir, 'storage');
  for (const d of [bin, path.join(dir, 'qm'), path.join(dir, 'pct'), path.join(storage, 'iso'), path.join(storage, 'snippets'), path.join(dir, 'configs')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(log, '');
  const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  const taken = [...Object.keys(guests.vms ?? {}), ...Object.keys(guests.containers ?? {}), ...(guests.elsewhere ?? [])];
  for (const [id, vm] of Object.entries(guests.vms ?? {})) {
    fs.writeFileSync(path.join(dir, 'qm', `${id}.conf`), vm.config);
    if (vm.running) fs.writeFileSync(path.join(dir, 'qm', `${id}.running`), '');
  }
  for (const [id, hostname] of Object.entries(guests.containers ?? {})) fs.writeFileSync(path.join(dir, 'pct', `${id}.conf`), `arch: amd64\nhostname: ${hostname}\nostype: debian\n`);
  stub('pvesh', `[ "$2" = /cluster/nextid ] && case " ${taken.join(' ')} " in *" $4 "*) echo "VM $4 already exists" >&2; exit 1 ;; esac; echo "$4"`);
  stub('qm', `conf="${dir}/qm/$2.conf"
case "$1" in
  config) [ -f "$conf" ] || { echo "Configuration file 'nodes/pve01/qemu-server/$2.conf' does not exist" >&2; exit 2; }; cat "$conf" ;;
  status) [ -f "$conf" ] || exit 2; if [ -f "${dir}/qm/$2.running" ]; then echo "status: running"; else echo "status: stopped"; fi ;;
  set) [ "$3" = --delete ] && sed -i -E "/^(\${4//,/|}):/d" "$conf" ;;
esac
exit 0`);
  stub('pct', `[ "$1" = config ] && [ -f "${dir}/pct/$2.conf" ] && { cat "${dir}/pct/$2.conf"; exit 0; }; echo "Configuration file 'nodes/pve01/lxc/$2.conf' does not exist" >&2; exit 2`);
  stub('pvesm', `case "$1" in status) printf 'Name Type\\nlocal dir\\n' ;; path) echo "${storage}/\${2#*:}" ;; esac`);
  const download = path.join(dir, 'download.bin');
  fs.writeFileSync(download, guests.download ?? zlib.gzipSync(IMAGE_BYTES));
  stub('curl', `case " $* " in *schematics*) echo '{"id":"ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"}' ;; esac
while [ $# -gt 0 ]; do [ "$1" = -o ] && cp "${download}" "$2"; shift; done`);
  for (const n of site.talos.nodes) fs.writeFileSync(path.join(dir, 'configs', `${n.hostname}.yaml`), 'version: v1alpha1\n');
  return { PATH: `${bin}:${process.env.PATH}`, log, storage };
}

const imageFile = (storage: string) => path.join(storage, 'iso', fs.readdirSync(path.join(storage, 'iso')).find((f) => f.endsWith('.img')) ?? 'none.img');
const vmConfig = (name: string, extra = '') =>
  `boot: order=scsi0\ncicustom: user=local:snippets/${site.name}-${name}.yaml\nide2: local-lvm:vm-211-cloudinit,media=cdrom\nname: ${name}\n` +
  `scsi0: local-lvm:vm-211-disk-1,cache=writethrough,discard=on,size=${sizing.perNode.osDiskGiB}G,ssd=1\n` +
  `scsi1: local-lvm:vm-211-disk-2,cache=writethrough,discard=on,size=${sizing.perNode.dataDiskGiB}G,ssd=1\n${extra}`;

describe('create-talos-vms.sh', () => {
  let dir: string;
  let file: string;
  const writeScript = (s: Site = site) => {
    file = path.join(dir, 'create-talos-vms.sh');
    fs.writeFileSync(file, renderProxmoxScript(s).content, { mode: 0o755 });
  };
  const runScript = (env: { PATH: string }, ...args: string[]) => spawnSync('bash', [file, ...args], { encoding: 'utf8', env: { PATH: env.PATH } });
  const create = (env: { PATH: string }) => runScript(env, '--configs', path.join(dir, 'configs'));
  beforeEach(() => {
    dir = tempProject('talos-pve-');
    writeScript();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is valid bash, shellcheck-clean, executable, and carries Sidero\'s VM settings and the computed sizes', () => {
    const script = renderProxmoxScript(site);
    expect(script.path).toBe('proxmox/create-talos-vms.sh');
    expect(script.mode).toBe(0o755);
    execFileSync('bash', ['-n', file]);
    if (requireTool('shellcheck', 'shellcheck of create-talos-vms.sh')) {
      const check = spawnSync(toolPath('shellcheck')!, [file], { encoding: 'utf8' });
      expect(check.stdout).toBe('');
      expect(check.status).toBe(0);
    }
    for (const setting of ['--machine q35', '--bios ovmf', 'pre-enrolled-keys=0', '--cpu host', '--balloon 0', '--scsihw virtio-scsi-pci', 'tag=$VLAN_ID', '--cicustom', 'enabled=1,fstrim_cloned_disks=1']) {
      expect(script.content).toContain(setting);
    }
    const { perNode } = sizing;
    expect(script.content).toContain(`CORES=${perNode.cores}\nMEMORY_MIB=${perNode.memoryGiB * 1024}\nOS_DISK_GIB=${perNode.osDiskGiB}\nDATA_DISK_GIB=${perNode.dataDiskGiB}`);
    expect(script.content).toContain('VLAN_ID=70');
  });

  test('--dry-run prints one qm create per node, the bootstrap steps and the --cleanup reminder, and changes nothing', () => {
    const out = execFileSync('bash', [file, '--dry-run'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    const creates = out.split('\n').filter((l) => l.startsWith('+ qm create'));
    expect(creates).toHaveLength(3);
    expect(creates[0]).toContain('211 --name talos-cp-1');
    expect(creates[0]).toContain('--scsi0 local-lvm:0,import-from=');
    expect(creates[0]).toContain('--scsi1 local-lvm:');
    expect(creates[0]).toContain('--boot order=scsi0');
    expect(creates[0]).toContain('virtio=02:00:00:00:00:d3,bridge=vmbr0,tag=70');
    expect(creates[0]).toContain('ip=10.70.0.21/24,gw=10.70.0.1');
    expect(out).toContain('talosctl -n 10.70.0.21 -e 10.70.0.21 bootstrap');
    expect(out).toMatch(/Then, on this host: .*create-talos-vms.sh --cleanup/);
  });

  test('proxmoxFirstRunSteps lists exactly the commands a first run prints with --dry-run, in order', () => {
    const out = execFileSync('bash', [file, '--dry-run'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    const printed = out.split('\n').filter((l) => l.startsWith('+ ')).map((l) => l.slice(2));
    const steps = proxmoxFirstRunSteps(site);
    const expected = [
      ...steps.oneTime,
      ...site.talos.nodes.flatMap((n) => steps.perVm.map((c) => c.replace('{vmid}', String(n.vmid)))),
    ];
    expect(printed).toHaveLength(expected.length);
    printed.forEach((line, i) => expect(line.startsWith(`${expected[i]} `)).toBe(true));
  });

  test('--help shows the usage, including --cleanup', () => {
    const out = execFileSync('bash', [file, '--help'], { encoding: 'utf8' });
    expect(out).toContain('usage: create-talos-vms.sh --configs DIR [--dry-run]');
    expect(out).toContain('create-talos-vms.sh --cleanup [--dry-run]');
    expect(out).not.toContain('set -euo pipefail');
  });

  test('creates only the VMs whose VMIDs are free and leaves a complete, running VM of the right name alone', () => {
    const env = fakeProxmox(dir, { vms: { 211: { config: vmConfig('talos-cp-1'), running: true } } });
    const run = create(env);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('VM 211 (talos-cp-1) exists and is complete, leaving it unchanged');
    const calls = fs.readFileSync(env.log, 'utf8');
    expect(calls).not.toMatch(/qm (create|start|set|disk resize) 211/);
    expect(calls).toMatch(/qm create 212 --name talos-cp-2/);
    expect(calls).toMatch(/qm create 213 --name talos-cp-3/);
    expect(calls).toMatch(/qm start 213/);
    expect(fs.statSync(path.join(env.storage, 'snippets', `${site.name}-talos-cp-2.yaml`)).mode & 0o777).toBe(0o600);
  });

  test('finishes a half-created VM of the right name: grows the OS disk, adds the data disk and starts it', () => {
    // GIVEN qm create succeeded for 211 but qm disk resize failed: image-sized OS disk, no data disk, stopped
    const halfMade = vmConfig('talos-cp-1').replace(/size=\d+G/, 'size=1246M').replace(/^scsi1:.*\n/m, '');
    const env = fakeProxmox(dir, { vms: { 211: { config: halfMade } } });
    // WHEN
    const run = create(env);
    // THEN
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const calls = fs.readFileSync(env.log, 'utf8');
    expect(calls).not.toMatch(/qm create 211/);
    expect(calls).toContain(`qm disk resize 211 scsi0 ${sizing.perNode.osDiskGiB}G`);
    expect(calls).toContain(`qm set 211 --scsi1 local-lvm:${sizing.perNode.dataDiskGiB},discard=on,ssd=1,cache=writethrough`);
    expect(calls).toMatch(/qm start 211/);
    expect(run.stdout).toContain('VM 211 (talos-cp-1) existed and was completed');
  });

  test('starts a stopped VM of the right name whose disks are already complete, without touching the disks', () => {
    const env = fakeProxmox(dir, { vms: { 211: { config: vmConfig('talos-cp-1') } } });
    const run = create(env);
    expect(run.status).toBe(0);
    const calls = fs.readFileSync(env.log, 'utf8');
    expect(calls).toMatch(/qm start 211/);
    expect(calls).not.toMatch(/qm (disk resize|set) 211/);
  });

  test('fails when a node VMID belongs to another VM, naming the VM and the site setting', () => {
    const env = fakeProxmox(dir, { vms: { 212: { config: 'name: wazuh\n' } } });
    const run = create(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VMID 212 (for Talos node talos-cp-2) is taken by VM wazuh; set talos.nodes[1].vmid in the site file to a free VMID');
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/qm create 212/);
  });

  test('fails with a clear message when a node VMID belongs to an LXC container (qm config fails for it)', () => {
    const env = fakeProxmox(dir, { containers: { 212: 'grafana' } });
    const run = create(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VMID 212 (for Talos node talos-cp-2) is taken by LXC container grafana; set talos.nodes[1].vmid in the site file to a free VMID');
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/qm create 212/);
  });

  test('fails with a clear message when a node VMID is used by a guest on another cluster node', () => {
    const env = fakeProxmox(dir, { elsewhere: [213] });
    const run = create(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VMID 213 (for Talos node talos-cp-3) is taken by a guest on another node of the Proxmox cluster');
    expect(run.stderr).toContain('talos.nodes[2].vmid');
  });

  test('downloads the image to a temp file, tests and unpacks it, then moves it into place with a checksum', () => {
    const env = fakeProxmox(dir);
    const run = create(env);
    expect(run.status).toBe(0);
    const image = imageFile(env.storage);
    expect(fs.readFileSync(image)).toEqual(IMAGE_BYTES);
    const sum = crypto.createHash('sha256').update(IMAGE_BYTES).digest('hex');
    expect(fs.readFileSync(`${image}.sha256`, 'utf8')).toBe(`${sum}  ${path.basename(image)}\n`);
    expect(fs.readdirSync(path.join(env.storage, 'iso')).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(fs.readFileSync(env.log, 'utf8')).toMatch(/curl -fL --retry 3 -o \S+\.img\.gz\.part /);
    // A second run trusts the verified image and downloads nothing.
    fs.writeFileSync(env.log, '');
    expect(create(env).stdout).toContain('present (checksum verified)');
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/-o /);
  });

  test('an image left by an interrupted run (no valid checksum) is downloaded again, not used', () => {
    const env = fakeProxmox(dir);
    const script = fs.readFileSync(file, 'utf8');
    const name = /IMAGE_FILE='([^']+)'/.exec(script)![1];
    const partial = path.join(env.storage, 'iso', name);
    fs.writeFileSync(partial, IMAGE_BYTES.subarray(0, 100));
    const run = create(env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('is not a verified download');
    expect(fs.readFileSync(partial)).toEqual(IMAGE_BYTES);
  });

  test('fails when the download is not a valid gzip, leaving no image and creating no VM', () => {
    const truncated = zlib.gzipSync(IMAGE_BYTES).subarray(0, 40);
    const env = fakeProxmox(dir, { download: truncated });
    const run = create(env);
    expect(run.status).not.toBe(0);
    expect(fs.readdirSync(path.join(env.storage, 'iso'))).toEqual([]);
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/qm create/);
  });

  test('--cleanup deletes cicustom and the cloud-init drive (ide2) of each Talos VM and shreds the snippets', () => {
    const vms = Object.fromEntries(site.talos.nodes.map((n) => [n.vmid, { config: vmConfig(n.hostname), running: true }]));
    const env = fakeProxmox(dir, { vms });
    const snippets = site.talos.nodes.map((n) => path.join(env.storage, 'snippets', `${site.name}-${n.hostname}.yaml`));
    for (const s of snippets) fs.writeFileSync(s, 'machine: {ca: {key: secret}}\n');
    const run = runScript(env, '--cleanup');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const calls = fs.readFileSync(env.log, 'utf8');
    for (const n of site.talos.nodes) expect(calls).toContain(`qm set ${n.vmid} --delete cicustom,ide2`);
    for (const s of snippets) expect(fs.existsSync(s)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'qm', '211.conf'), 'utf8')).not.toMatch(/^(cicustom|ide2):/m);
    // Running again is a no-op.
    fs.writeFileSync(env.log, '');
    expect(runScript(env, '--cleanup').stdout).toContain('VM 211 (talos-cp-1) has no cicustom or cloud-init drive left');
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/qm set/);
  });

  test('fails in --cleanup when a VMID does not hold its Talos VM, still removing every snippet', () => {
    const env = fakeProxmox(dir, { vms: { 211: { config: vmConfig('talos-cp-1') }, 212: { config: 'name: wazuh\n' } } });
    const snippet = path.join(env.storage, 'snippets', `${site.name}-talos-cp-2.yaml`);
    fs.writeFileSync(snippet, 'key\n');
    const run = runScript(env, '--cleanup');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VMID 212 does not hold VM talos-cp-2 on this node (talos.nodes[1].vmid)');
    expect(fs.readFileSync(env.log, 'utf8')).not.toMatch(/qm set 212/);
    expect(fs.existsSync(snippet)).toBe(false);
  });

  test('puts the disks on VirtIO block when the site names /dev/vda and /dev/vdb', () => {
    const { site: virtio } = parseSite({ talos: { installDisk: '/dev/vda', dataDisk: '/dev/vdb' } });
    writeScript(virtio);
    const out = execFileSync('bash', [file, '--dry-run'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    const create0 = out.split('\n').find((l) => l.startsWith('+ qm create 211'))!;
    expect(create0).toContain('--virtio0 local-lvm:0,import-from=');
    expect(create0).toMatch(/--virtio1 local-lvm:\d+,discard=on,cache=writethrough /);
    expect(create0).not.toMatch(/--scsi\d/);
    expect(create0).toContain('--boot order=virtio0');
    expect(out).toContain('qm disk resize 211 virtio0');
  });

  test('maps each site disk to the drive the guest names that way, including swapped letters', () => {
    const layout = (installDisk: string, dataDisk: string) => proxmoxDiskLayout(parseSite({ talos: { installDisk, dataDisk } }).site);
    expect(layout('/dev/sda', '/dev/sdb')).toMatchObject({ bus: 'scsi', osDrive: 'scsi0', dataDrive: 'scsi1' });
    expect(layout('/dev/sdb', '/dev/sda')).toMatchObject({ bus: 'scsi', osDrive: 'scsi1', dataDrive: 'scsi0' });
    expect(layout('/dev/vda', '/dev/vdb')).toMatchObject({ bus: 'virtio', osDrive: 'virtio0', dataDrive: 'virtio1', options: 'discard=on,cache=writethrough' });
  });

  test.each([
    ['/dev/sda', '/dev/sdc'],
    ['/dev/vda', '/dev/sdb'],
    ['/dev/nvme0n1', '/dev/sdb'],
  ])('the site rules refuse talos.installDisk %s with talos.dataDisk %s: not the two disks the script attaches', (installDisk, dataDisk) => {
    // The site rules reject the pair; the script trusts a validated site (it re-checks no input).
    expect(() => parseSite({ talos: { installDisk, dataDisk } })).toThrow(/talos\.dataDisk: .*one bus/);
  });
});

describe('one create-talos-vms.sh per Proxmox host', () => {
  const multi = parseSite(SECOND_SITE).site;
  const scripts = renderProxmoxScripts(multi);
  const dryRun = dryRunScript;

  test('a single-host site keeps its one script at proxmox/create-talos-vms.sh', () => {
    expect(renderProxmoxScripts(site).map((s) => s.path)).toEqual(['proxmox/create-talos-vms.sh']);
    expect(renderProxmoxScripts(site)[0].content).toBe(renderProxmoxScript(site).content);
  });

  test('several hosts get one script each, in proxmox/<node>/, shellcheck-clean', () => {
    expect(scripts.map((s) => s.path)).toEqual(['proxmox/hv-east/create-talos-vms.sh', 'proxmox/hv-west/create-talos-vms.sh', 'proxmox/hv-north/create-talos-vms.sh']);
    expectScriptsShellClean(scripts);
  });

  test('each script creates only the VMs talos.nodes[].host puts on its host, on that host\'s storage and bridge', () => {
    const creates = scripts.map((s) => dryRun(s.content).split('\n').filter((l) => l.startsWith('+ qm create')));
    expect(creates.map((c) => c.length)).toEqual([1, 1, 1]);
    expect(creates[0][0]).toMatch(/^\+ qm create 441 --name kube-a .*--virtio0 zfs-fast:0,.*bridge=vmbr2,tag=42/);
    expect(creates[1][0]).toMatch(/^\+ qm create 442 --name kube-b .*--virtio0 ceph-vm:0,.*bridge=vmbr3,tag=42/);
    // hv-north sets neither storage nor bridge: proxmox.storage and proxmox.bridge apply.
    expect(creates[2][0]).toMatch(/^\+ qm create 443 --name kube-c .*--virtio0 zfs-fast:0,.*bridge=vmbr2,tag=42/);
    expect(scripts[1].content).toContain('on Proxmox node hv-west, and afterwards');
    expect(scripts[1].content).toContain('#   on hv-west: 1 of the 3 VMs,');
  });

  test('only the first node\'s host bootstraps the cluster; the others point to it and still clean up', () => {
    const [east, west] = scripts.map((s) => dryRun(s.content));
    expect(east).toContain('talosctl -n 172.20.42.41 -e 172.20.42.41 bootstrap');
    expect(east).toContain('first run proxmox/<node>/create-talos-vms.sh on hv-west and hv-north as well');
    expect(west).not.toContain('bootstrap     # once');
    expect(west).toContain('the cluster is bootstrapped once, against kube-a (172.20.42.41), by the steps the\nscript on hv-east prints');
    expect(west).toMatch(/on this host: .*create-talos-vms.sh --cleanup/);
  });

  test('a proxmox.node without Talos VMs gets no script, and the other scripts do not send the operator there', () => {
    const noneOnFirst = parseSite({
      name: 'lab',
      proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }, { node: 'pve04', address: '10.88.140.154' }] },
      talos: { nodes: ['pve02', 'pve03', 'pve04'].map((host, i) => ({ hostname: `talos-cp-${i + 1}`, address: `10.70.0.${21 + i}`, vmid: 211 + i, host })) },
    }).site;
    const written = renderProxmoxScripts(noneOnFirst);
    expect(written.map((s) => s.path)).toEqual(['proxmox/pve02/create-talos-vms.sh', 'proxmox/pve03/create-talos-vms.sh', 'proxmox/pve04/create-talos-vms.sh']);
    expect(dryRun(written[0].content)).toContain('first run proxmox/<node>/create-talos-vms.sh on pve03 and pve04 as well (health waits for every node)');
    for (const s of written) expect(s.content).not.toContain('pve01');
  });

  test('five nodes: the size notes speak of the four left, not two', () => {
    const five = parseSite({ talos: { nodes: Array.from({ length: 5 }, (_, i) => ({ hostname: `talos-cp-${i + 1}`, address: `10.70.0.${21 + i}`, vmid: 211 + i })) } }).site;
    const content = renderProxmoxScript(five).content;
    expect(content).toMatch(/#   one node down: the stack (still fits|does NOT fit) on four nodes/);
    expect(talosVmSizing(five).notes[1]).toMatch(/four nodes|the other four/);
    expect(content).not.toMatch(/two nodes/);
  });
});
