import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseSite } from '../../site';
import { prometheusConfigYaml } from '../../charts/prometheus/prometheus-config';
import { stackTopology } from '../../charts/topology';
import { firstRunCommandCount, lxcContainers, lxcDeployPlan, lxcManualSteps, renderLxcPath } from '../../lxc';
import type { OutputFile } from '../../render/output-file';
import { describeWithBinary } from '../support/binaries';

const site = parseSite({}).site;

function writeTree(files: readonly OutputFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxc-path-'));
  for (const f of files) {
    const full = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.content, { mode: f.mode ?? 0o644 });
  }
  return dir;
}

/** Runs the generated script with no pct on PATH: the dry run must work on any machine. */
function dryRun(dir: string, args: string[] = ['--dry-run']) {
  const r = spawnSync('bash', [path.join(dir, 'lxc/create-containers.sh'), ...args], {
    encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('LXC containers', () => {
  test('are the four containers of the report, sized as the report sizes them', () => {
    // GIVEN the report's defaults WHEN the containers are planned THEN VLAN 70, .10-.13, 12 cores / 24 GiB / 300 GiB
    const rows = lxcContainers(site).map((c) => [c.hostname, c.vmid, c.address, c.prefixLength, c.vlanId, c.cores, c.memoryMiB, c.rootfsGiB]);
    expect(rows).toEqual([
      ['prometheus', 7010, '10.70.0.10', 24, 70, 4, 8192, 100],
      ['grafana', 7011, '10.70.0.11', 24, 70, 2, 4096, 50],
      ['loki', 7012, '10.70.0.12', 24, 70, 4, 8192, 100],
      ['alertmanager', 7013, '10.70.0.13', 24, 70, 2, 4096, 50],
    ]);
  });

  test('a fractional CPU becomes whole cores plus a CPU limit', () => {
    const c = lxcContainers(parseSite({ grafana: { cpu: 1.5 } }).site).find((x) => x.service === 'grafana')!;
    expect([c.cores, c.cpuLimit]).toEqual([2, 1.5]);
  });

  test('fails when a derived VMID collides with a known guest: the site validator names both owners', () => {
    expect(() => parseSite({ proxmox: { guests: [{ vmid: 7012, name: 'old-loki' }] } }))
      .toThrow(/loki\.address: 7012 VMID 7012 of the LXC path's loki container .* is already taken by guest old-loki \(proxmox\.guests\.0\.vmid\)/);
  });
});

describe('dist/lxc', () => {
  const files = renderLxcPath(site);
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const dir = writeTree(files);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lays out each container\'s files under lxc/<container>/<path inside the container>', () => {
    expect([...byPath.keys()].filter((p) => p.startsWith('lxc/prometheus/')).sort()).toEqual([
      'lxc/prometheus/etc/blackbox/blackbox.yml',
      'lxc/prometheus/etc/prometheus/prometheus.yml',
      'lxc/prometheus/etc/prometheus/rules/alerts.yml',
      'lxc/prometheus/etc/systemd/system/blackbox-exporter.service',
      'lxc/prometheus/etc/systemd/system/node-exporter.service',
      'lxc/prometheus/etc/systemd/system/prometheus.service',
      'lxc/prometheus/etc/systemd/system/pve-exporter.service',
    ]);
    expect(byPath.has('lxc/loki/etc/loki/loki.yaml')).toBe(true);
    expect(byPath.has('lxc/loki/etc/alloy/config.alloy')).toBe(true);
    expect(byPath.has('lxc/alertmanager/etc/alertmanager/alertmanager.yml')).toBe(true);
    expect(byPath.has('lxc/grafana/etc/grafana/provisioning/datasources/datasources.yaml')).toBe(true);
  });

  test('carries the shared builder\'s prometheus.yml for the LXC topology, byte for byte', () => {
    expect(byPath.get('lxc/prometheus/etc/prometheus/prometheus.yml')).toBe(prometheusConfigYaml(site, stackTopology(site, 'lxc')));
  });

  test('writes no secret material', () => {
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|\$2[aby]\$\d\d\$/);
    expect(files.map((f) => f.path).filter((p) => /secrets\.env|password|token\.env|web\.yml/.test(p))).toEqual([]);
  });

  test('the script is valid bash and executable', () => {
    expect(files.find((f) => f.path === 'lxc/create-containers.sh')!.mode).toBe(0o755);
    const r = spawnSync('bash', ['-n', path.join(dir, 'lxc/create-containers.sh')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('--dry-run without pct prints exactly the commands the plan counts, and changes nothing', () => {
    const r = dryRun(dir);
    expect(r.status).toBe(0);
    const commands = r.stdout.split('\n').filter((l) => l.startsWith('+ '));
    const planned = lxcDeployPlan(site).containers.reduce((n, c) => n + firstRunCommandCount(c), 0);
    expect(commands).toHaveLength(planned);
    // pct, and one install of the firewall rules per container.
    expect(commands.filter((l) => !l.startsWith('+ pct ')).map((l) => l.replace(/\/[^ ]*\/(\d+\.fw)/g, '.../$1')))
      .toEqual(lxcDeployPlan(site).containers.map((c) => `+ install -m 0640 .../${c.container.vmid}.fw .../${c.container.vmid}.fw`));
  });

  test('--dry-run shows pct create with the report\'s VLAN, address, cores, memory and disk', () => {
    const creates = dryRun(dir).stdout.split('\n').filter((l) => l.startsWith('+ pct create '));
    expect(creates).toHaveLength(4);
    expect(creates[0]).toContain('pct create 7010 ');
    expect(creates[0]).toContain('--hostname prometheus');
    expect(creates[0]).toContain('--rootfs local-lvm:100 --cores 4 --memory 8192');
    // printf %q escapes the commas of net0
    expect(creates[0].replace(/\\/g, '')).toContain('--net0 name=eth0,bridge=vmbr0,firewall=1,gw=10.70.0.1,hwaddr=02:00:00:00:1b:62,ip=10.70.0.10/24,tag=70,type=veth');
    expect(creates[3]).toContain('pct create 7013 ');
  });

  test('fails when given an unknown argument, naming it', () => {
    const r = dryRun(dir, ['--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown argument '--force'");
  });

  test('fails without --dry-run when pct is missing, saying where to run it', () => {
    const r = dryRun(dir, []);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pct not found: run this on the Proxmox node, or use --dry-run');
  });

  test('every YAML file parses', () => {
    for (const [p, content] of byPath) {
      if (/\.ya?ml$/.test(p)) expect(() => YAML.parse(content)).not.toThrow();
    }
  });
});

describeWithBinary('shellcheck', 'create-containers.sh under shellcheck', () => {
  test('has no findings', () => {
    const dir = writeTree(renderLxcPath(site));
    const r = spawnSync('shellcheck', [path.join(dir, 'lxc/create-containers.sh')], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('LXC secrets the operator creates', () => {
  const steps = (input = {}) => lxcManualSteps(parseSite(input).site).map((s) => `${s.container}: ${s.step}`);

  test('Prometheus gets its web config and its own password, as the pod mounts them from prometheus-web-auth', () => {
    expect(steps()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^prometheus: create \/etc\/prometheus\/web\/web\.yml \(owner prometheus\): .*bcrypt.*prometheus-web-auth/),
      expect.stringMatching(/^prometheus: create \/etc\/prometheus\/web\/password \(owner prometheus\): .*prometheus-web-auth/),
    ]));
  });

  test('Grafana\'s secrets.env carries the Prometheus datasource password too', () => {
    expect(steps().find((s) => s.startsWith('grafana: create /etc/grafana/secrets.env'))).toMatch(/PROMETHEUS_PASSWORD \(key password of Secret prometheus-web-auth\)/);
  });

  test('a heartbeat adds the dead man\'s switch URL file to the Alertmanager container', () => {
    expect(steps()).not.toEqual(expect.arrayContaining([expect.stringContaining('/etc/alertmanager/heartbeat/url')]));
    expect(steps({ alertmanager: { heartbeat: { urlSecret: 'deadman-url' } } })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^alertmanager: create \/etc\/alertmanager\/heartbeat\/url \(owner alertmanager\): .*deadman-url/),
    ]));
  });
});
