import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSite, type Site } from '../../site';
import { renderProxmoxScript, renderProxmoxScripts } from '../../talos/proxmox-script';
import type { OutputFile } from '../../render/output-file';
import { SECOND_SITE } from '../support/second-site';
import { computeComparison } from '../../lxc';
import { countTalosctlSteps, talosDeploySteps } from '../../lxc/comparison/talos-deploy-steps';
import { proxmoxFirstRunSteps } from '../../talos/proxmox-script';

/**
 * Stubs for the Proxmox tools the script may call: every call is logged; pvesh says every VMID
 * is free (so all VMs are new, as on a first run), qm knows no VM, curl fails (no network).
 */
const STUBS: Record<string, string> = {
  pvesh: 'exit 0',
  qm: 'echo "qm: VM $2 does not exist" >&2; exit 2',
  pvesm: 'case "$1" in path) echo "$STUB_ROOT/storage/${2#*:}" ;; status) printf "Name Type Status\\nlocal dir active\\n" ;; esac',
  curl: 'echo "stub curl: no network in tests" >&2; exit 7',
  gunzip: 'exit 0',
};

/** Runs a generated create-talos-vms.sh (default: proxmox.node's) --dry-run in a temp dir with the stubs first on PATH. */
function talosDryRun(site: Site, script: OutputFile = renderProxmoxScript(site)): { status: number | null; stdout: string; stderr: string; calls: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'talos-steps-'));
  try {
    const scriptPath = path.join(dir, path.basename(script.path));
    fs.writeFileSync(scriptPath, script.content, { mode: 0o755 });
    const bin = path.join(dir, 'bin');
    const configs = path.join(dir, 'configs');
    fs.mkdirSync(bin);
    fs.mkdirSync(configs);
    // Placeholders: a dry run copies nothing, and no test writes key material.
    for (const n of site.talos.nodes) fs.writeFileSync(path.join(configs, `${n.hostname}.yaml`), '# placeholder\n');
    for (const [tool, body] of Object.entries(STUBS)) {
      fs.writeFileSync(path.join(bin, tool), `#!/usr/bin/env bash\necho "${tool} $*" >>"$STUB_ROOT/calls.log"\n${body}\n`, { mode: 0o755 });
    }
    fs.writeFileSync(path.join(dir, 'calls.log'), '');
    const r = spawnSync('bash', [scriptPath, '--dry-run', '--configs', configs], {
      encoding: 'utf8', cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, STUB_ROOT: dir },
    });
    const calls = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const plusLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('+ '));
const talosctlLines = (stdout: string) => stdout.split('\n').filter((l) => /^\s*talosctl\s/.test(l));

describe('The Talos deploy steps in the comparison', () => {
  const site = parseSite({}).site;

  test('equal the "+ " lines of create-talos-vms.sh --dry-run and the talosctl steps it prints', () => {
    const r = talosDryRun(site);
    expect(r.status).toBe(0);
    const steps = talosDeploySteps(site);
    // On a mismatch the script's first run changed: update proxmoxFirstRunSteps (talos/proxmox-script.ts).
    expect({ dryRunPlusLines: plusLines(r.stdout).length }).toEqual({ dryRunPlusLines: steps.scriptCommands });
    expect(steps).toMatchObject({ oneTime: proxmoxFirstRunSteps(site).oneTime.length, perVm: proxmoxFirstRunSteps(site).perVm.length, vms: 3 });
    expect(steps.talosctl).toBe(talosctlLines(r.stdout).length);
    expect(steps.scriptCommands).toBeGreaterThan(0);
    expect(steps.talosctl).toBeGreaterThan(0);
    // a dry run changes nothing: no VM touched, nothing downloaded
    expect(r.calls.filter((c) => /^(qm (create|set|start|destroy|disk)|curl )/.test(c))).toEqual([]);
  });

  test('are what the operations row says, and the row no longer says the count is not derived', () => {
    const steps = talosDeploySteps(site);
    const ops = computeComparison(site).operations;
    const deploy = ops.find((o) => o.aspect === 'Deploy: automated steps')!;
    expect(deploy.talos.value).toMatch(new RegExp(`^${steps.scriptCommands} script commands \\(${steps.oneTime} once \\+ ${steps.perVm} per VM x 3 VMs\\) \\+ ${steps.talosctl} talosctl steps, then \\d+ Kubernetes objects`));
    expect(deploy.talos.source).toMatch(/^generated: the first run of proxmox\/create-talos-vms\.sh/);
    expect(JSON.stringify(ops)).not.toContain('count not derived here');
  });
});

describe('The Talos deploy steps on several hosts (the second site: one VM on each of three)', () => {
  const site = parseSite(SECOND_SITE).site;
  const steps = talosDeploySteps(site);
  const scripts = renderProxmoxScripts(site);

  test('name one script per host, at the paths synth writes', () => {
    expect(steps.scripts).toEqual([
      { node: 'hv-east', path: 'proxmox/hv-east/create-talos-vms.sh', vms: 1 },
      { node: 'hv-west', path: 'proxmox/hv-west/create-talos-vms.sh', vms: 1 },
      { node: 'hv-north', path: 'proxmox/hv-north/create-talos-vms.sh', vms: 1 },
    ]);
    expect(steps.scripts.map((x) => x.path)).toEqual(scripts.map((f) => f.path));
  });

  test('equal the "+ " lines of every host script\'s --dry-run together, and the talosctl steps they print', () => {
    const runs = scripts.map((f) => talosDryRun(site, f));
    for (const r of runs) expect(r.status).toBe(0);
    const total = (count: (stdout: string) => number) => runs.reduce((n, r) => n + count(r.stdout), 0);
    expect({ dryRunPlusLines: total((o) => plusLines(o).length) }).toEqual({ dryRunPlusLines: steps.scriptCommands });
    expect(steps.scriptCommands).toBe(steps.oneTime * 3 + steps.perVm * 3);
    expect(steps.talosctl).toBe(total((o) => talosctlLines(o).length));
  });

  test('are what the operations rows say, per host', () => {
    const ops = computeComparison(site).operations;
    const deploy = ops.find((o) => o.aspect === 'Deploy: automated steps')!;
    expect(deploy.talos.value).toMatch(new RegExp(`^${steps.scriptCommands} script commands \\(${steps.oneTime} once per host x 3 hosts \\+ ${steps.perVm} per VM x 3 VMs\\)`));
    expect(deploy.talos.source).toContain('proxmox/hv-east/create-talos-vms.sh, proxmox/hv-west/create-talos-vms.sh, proxmox/hv-north/create-talos-vms.sh');
    expect(deploy.talos.source).not.toContain(' proxmox/create-talos-vms.sh');
    expect(ops.find((o) => o.aspect === 'Deploy: manual steps')!.talos.value).toMatch(/^copy each host's machine configs to it \(--configs: 1 to hv-east, 1 to hv-west, 1 to hv-north\)/);
  });
});

describe('countTalosctlSteps', () => {
  test('counts the lines that start with talosctl, and only those', () => {
    expect(countTalosctlSteps(['cat <<EOF', 'Next, with talosctl v1.13:', '  talosctl -n a bootstrap', '  talosctl -n a health  # wait', 'EOF'].join('\n'))).toBe(2);
  });
});

describe('The Talos deploy steps when proxmox.node carries no Talos VM', () => {
  const site = parseSite({
    name: 'lab',
    proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }, { node: 'pve04', address: '10.88.140.154' }] },
    talos: { nodes: ['pve02', 'pve03', 'pve04'].map((host, i) => ({ hostname: `talos-cp-${i + 1}`, address: `10.70.0.${21 + i}`, vmid: 211 + i, host })) },
  }).site;
  const steps = talosDeploySteps(site);
  const scripts = renderProxmoxScripts(site);

  test('count only the scripts synth writes, and equal their --dry-runs together', () => {
    expect(steps.scripts.map((x) => x.node)).toEqual(['pve02', 'pve03', 'pve04']);
    expect(steps.scripts.map((x) => x.path)).toEqual(scripts.map((f) => f.path));
    const runs = scripts.map((f) => talosDryRun(site, f));
    expect(runs.reduce((n, r) => n + plusLines(r.stdout).length, 0)).toBe(steps.scriptCommands);
    expect(steps.scriptCommands).toBe(steps.oneTime * 3 + steps.perVm * 3);
  });
});
