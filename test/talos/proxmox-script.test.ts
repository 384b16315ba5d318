/** The Proxmox VM script: valid bash, dry run prints qm commands, idempotent on existing VMIDs. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSite } from '../../site';
import { renderProxmoxScript } from '../../talos/proxmox-script';
import { tempProject } from './helpers';

const { site } = parseSite({});

/** Fake qm/pvesh/pvesm/curl/gunzip that log their arguments; VMIDs listed in EXISTING are taken. */
function fakeProxmox(dir: string, existing: Record<number, string>): Record<string, string> {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  const cases = Object.entries(existing).map(([id, name]) => `${id}) echo "name: ${name}" ;;`).join(' ');
  stub('pvesh', `[ "$2" = /cluster/nextid ] && case " ${Object.keys(existing).join(' ')} " in *" $4 "*) exit 1 ;; esac; echo "$4"`);
  stub('qm', `[ "$1" = config ] && case "$2" in ${cases} *) exit 2 ;; esac; exit 0`);
  stub('pvesm', `case "$1" in status) printf 'Name Type\\nlocal dir\\n' ;; path) echo "${dir}/storage/\${2#*:}" ;; esac`);
  stub('curl', `case " $* " in *schematics*) echo '{"id":"ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"}' ;; esac`);
  stub('gunzip', 'exit 0');
  stub('install', 'exit 0');
  fs.mkdirSync(path.join(dir, 'storage/iso'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'configs'));
  for (const n of site.talos.nodes) fs.writeFileSync(path.join(dir, 'configs', `${n.hostname}.yaml`), 'version: v1alpha1\n');
  return { PATH: `${bin}:${process.env.PATH}`, LOG: log };
}

describe('create-talos-vms.sh', () => {
  const script = renderProxmoxScript(site);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempProject('talos-pve-');
    file = path.join(dir, 'create-talos-vms.sh');
    fs.writeFileSync(file, script.content, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is valid bash, executable, and carries Sidero\'s VM settings and the computed sizes', () => {
    expect(script.path).toBe('proxmox/create-talos-vms.sh');
    expect(script.mode).toBe(0o755);
    execFileSync('bash', ['-n', file]);
    for (const setting of ['--machine q35', '--bios ovmf', 'pre-enrolled-keys=0', '--cpu host', '--balloon 0', '--scsihw virtio-scsi-pci', 'tag=$VLAN_ID', '--cicustom', 'enabled=1,fstrim_cloned_disks=1']) {
      expect(script.content).toContain(setting);
    }
    expect(script.content).toContain('CORES=5\nMEMORY_MIB=11264\nOS_DISK_GIB=40\nDATA_DISK_GIB=110');
    expect(script.content).toContain('VLAN_ID=70');
  });

  test('--dry-run prints one qm create per node and changes nothing', () => {
    const out = execFileSync('bash', [file, '--dry-run'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    const creates = out.split('\n').filter((l) => l.startsWith('+ qm create'));
    expect(creates).toHaveLength(3);
    expect(creates[0]).toContain('211 --name talos-cp-1');
    expect(creates[0]).toContain('virtio=02:00:00:00:00:d3,bridge=vmbr0,tag=70');
    expect(creates[0]).toContain('ip=10.70.0.21/24,gw=10.70.0.1');
    expect(out).toContain('talosctl -n 10.70.0.21 -e 10.70.0.21 bootstrap');
  });

  test('creates only the VMs whose VMIDs are free and leaves existing ones alone', () => {
    const env = fakeProxmox(dir, { 211: 'talos-cp-1' });
    const run = spawnSync('bash', [file, '--configs', path.join(dir, 'configs')], { encoding: 'utf8', env: { PATH: env.PATH } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('VM 211 (talos-cp-1) exists, leaving it unchanged');
    const calls = fs.readFileSync(env.LOG, 'utf8');
    expect(calls).not.toMatch(/qm create 211/);
    expect(calls).toMatch(/qm create 212 --name talos-cp-2/);
    expect(calls).toMatch(/qm create 213 --name talos-cp-3/);
    expect(calls).toMatch(/qm start 213/);
  });

  test('fails when a node VMID belongs to another VM', () => {
    const env = fakeProxmox(dir, { 212: 'wazuh' });
    const run = spawnSync('bash', [file, '--configs', path.join(dir, 'configs')], { encoding: 'utf8', env: { PATH: env.PATH } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('VMID 212 is taken by another VM (wazuh)');
    expect(fs.readFileSync(env.LOG, 'utf8')).not.toMatch(/qm create 212/);
  });
});
