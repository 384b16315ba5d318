import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { synthesize } from '../../render/synthesize';
import { SiteError } from '../../site';

/** Each case: a site file, and what the error must name (field path, bad value, expected form). */
const CASES: { name: string; yaml: string; expect: RegExp[] }[] = [
  { name: 'an unknown top-level key', yaml: 'prometheos: {}', expect: [/prometheos/, /not a known setting/] },
  { name: 'an unknown nested key', yaml: 'prometheus: { retension: 15d }', expect: [/prometheus\.retension/, /check its spelling/] },
  { name: 'a wrong type', yaml: 'prometheus: { cpu: four }', expect: [/prometheus\.cpu/, /"four"/, /expected number/] },
  { name: 'a malformed IP', yaml: 'grafana: { address: 10.70.0.300 }', expect: [/grafana\.address/, /10\.70\.0\.300/, /IPv4 address/] },
  { name: 'a malformed CIDR', yaml: 'network: { cidr: 10.70.0.0/33 }', expect: [/network\.cidr/, /IPv4 CIDR/] },
  { name: 'an IP outside the VLAN', yaml: 'loki: { address: 10.71.0.12 }', expect: [/loki\.address/, /10\.71\.0\.12/, /outside the monitoring VLAN 10\.70\.0\.0\/24/] },
  { name: 'an IP inside the DHCP range', yaml: 'alertmanager: { address: 10.70.0.150 }', expect: [/alertmanager\.address/, /inside the DHCP range 10\.70\.0\.100-10\.70\.0\.200/] },
  { name: 'duplicate IPs', yaml: 'grafana: { address: 10.70.0.10 }', expect: [/grafana\.address/, /already used by prometheus\.address/] },
  { name: 'a zero size', yaml: 'loki: { storageGiB: 0 }', expect: [/loki\.storageGiB/, /0/, />0/] },
  { name: 'a negative size', yaml: 'grafana: { memoryGiB: -4 }', expect: [/grafana\.memoryGiB/, /-4/] },
  { name: 'a retention that is not a duration', yaml: 'prometheus: { retention: 15 days }', expect: [/prometheus\.retention/, /"15 days"/, /duration such as 15d/] },
  { name: 'a Loki retention that is not whole days', yaml: 'loki: { retention: 36h }', expect: [/loki\.retention/, /whole number of days/] },
  { name: 'a CIDR with host bits', yaml: 'network: { cidr: 10.70.0.5/24 }', expect: [/network\.cidr/, /use the network address 10\.70\.0\.0\/24/] },
  { name: 'a Kubernetes version Talos does not support', yaml: 'kubernetes: { version: 1.29.4 }', expect: [/kubernetes\.version/, /1\.31-1\.36/] },
  { name: 'two Talos nodes', yaml: 'talos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: b, address: 10.70.0.22, vmid: 212 }] }', expect: [/talos\.nodes/, /exactly 3/] },
  { name: 'invalid YAML', yaml: 'prometheus: { cpu: 4\n', expect: [/\(yaml\)/, /not valid YAML/] },
  { name: 'a duplicate key', yaml: 'prometheus: { cpu: 4 }\nprometheus: { cpu: 2 }', expect: [/not valid YAML/, /unique/i] },
  { name: 'a list where a mapping belongs', yaml: '- 1\n- 2', expect: [/top level/, /mapping/] },
  { name: 'a webhook with both url and urlSecret', yaml: 'alertmanager: { receivers: { webhooks: [{ name: a, url: "https://x.example/h", urlSecret: s }] } }', expect: [/alertmanager\.receivers\.webhooks\.0/, /exactly one of url/] },
  { name: 'Talos disks on two different buses', yaml: 'talos: { installDisk: /dev/sda, dataDisk: /dev/vdb }', expect: [/talos\.dataDisk/, /\/dev\/sda \+ \/dev\/vdb/, /one bus/] },
  { name: 'a backup schedule that is not cron', yaml: 'backups: { schedule: every day }', expect: [/backups\.schedule/, /"every day"/, /five-field cron schedule/] },
  { name: 'a cron field out of range', yaml: 'backups: { schedule: "0 25 * * *" }', expect: [/backups\.schedule/, /0 25/] },
  { name: 'a repository URL that is not a Git URL', yaml: 'gitops: { repoUrl: not a url }', expect: [/gitops\.repoUrl/, /expected a Git URL/] },
  { name: 'a repository path that leaves the repository', yaml: 'gitops: { path: ../x }', expect: [/gitops\.path/, /no "\.\."/] },
  { name: 'a Prometheus volume too small for size-based retention', yaml: 'prometheus: { storageGiB: 1 }', expect: [/prometheus\.storageGiB/, /at least 2/] },
  { name: 'a syslog port that clashes with Loki on the shared address', yaml: 'syslog: { port: 3100 }', expect: [/syslog\.port/, /3100/, /clashes with Loki/] },
];

describe('bad site input', () => {
  const root = tempDir('bad-input-');
  const outDir = path.join(root, 'dist');
  synthesize({ projectRoot: root, outDir });
  const before = snapshotTree(outDir);

  test.each(CASES.map((c) => [c.name, c] as const))('fails clearly for %s and leaves dist/ untouched', (_name, c) => {
    const file = path.join(root, 'site.yaml');
    fs.writeFileSync(file, c.yaml);
    let error: unknown;
    try { synthesize({ siteFile: file, projectRoot: root, outDir }); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(SiteError);
    for (const re of c.expect) expect((error as Error).message).toMatch(re);
    expect(snapshotTree(outDir)).toEqual(before);
    expect(fs.readdirSync(root).filter((n) => n.includes('staging'))).toEqual([]);
  });

  test('fails when the site file does not exist, naming the flag to use', () => {
    expect(() => synthesize({ siteFile: path.join(root, 'missing.yaml'), projectRoot: root, outDir })).toThrow(/cannot be read \(ENOENT\).*--site FILE/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  test('the CLI exits 1, prints the field and says nothing was written', () => {
    const file = path.join(root, 'cli-site.yaml');
    fs.writeFileSync(file, 'grafana: { address: 10.70.0.150 }');
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'main.ts', '--site', file, '--out', outDir], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/grafana\.address: "10\.70\.0\.150" is inside the DHCP range/);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
});
