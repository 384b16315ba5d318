/**
 * Every field type with an error of its own says what form it expects (site/primitives.ts,
 * site/schema.ts), checked in-process. Field limits are pinned by the committed site.schema.json
 * (site-model.test.ts); these messages are not in it. Written for mutants StrykerJS left alive
 * in site/ (docs/mutation-testing.md).
 */
import { parseSite, SiteError } from '../../site';

const STORAGE_ID = 'expected a Proxmox storage ID (pvesm status) such as local-lvm: a letter, then letters, digits, ".", "_" or "-", ending in a letter or digit';
const email = (extra: Record<string, unknown>) => ({ name: 'a', to: 'a@b.example', from: 'c@d.example', smarthost: 'h:25', ...extra });

test.each<[string, unknown, string, string]>([
  ['an IPv4 address', { grafana: { address: '10.70.0.300' } }, 'grafana.address', 'expected an IPv4 address such as 10.70.0.10'],
  ['an IPv4 CIDR', { network: { cidr: '10.70.0.0/33' } }, 'network.cidr', 'expected an IPv4 CIDR such as 10.70.0.0/24'],
  ['a DNS label', { name: 'Bad_Name' }, 'name', 'expected a DNS label: lowercase letters, digits and "-", at most 63 characters'],
  ['an http(s) URL', { grafana: { externalUrl: 'ftp://x.example' } }, 'grafana.externalUrl', 'expected an http(s) URL such as https://monitoring.example.com'],
  ['a duration', { prometheus: { retention: '15 days' } }, 'prometheus.retention', 'expected a positive duration such as 15d, 720h or 1h30m (units y w d h m s ms)'],
  ['a cron schedule', { backups: { schedule: 'every day' } }, 'backups.schedule', 'expected a five-field cron schedule such as "0 2 * * *" (minute hour day-of-month month day-of-week, UTC)'],
  ['a Git URL', { gitops: { repoUrl: 'not a url' } }, 'gitops.repoUrl', 'expected a Git URL such as https://git.example.com/homelab/monitoring.git or git@git.example.com:homelab/monitoring.git'],
  ['a path inside the repository', { gitops: { path: '../x' } }, 'gitops.path', 'expected a relative path inside the repository such as dist or clusters/pve01/dist (no leading "/", no "..")'],
  ['a Proxmox bridge', { proxmox: { bridge: 'br0' } }, 'proxmox.bridge', 'expected a Proxmox bridge name such as vmbr0'],
  // Proxmox's own storage ID pattern: a letter first, a letter or digit last, two characters at least.
  ['a Proxmox storage ID', { proxmox: { storage: 'local-lvm:' } }, 'proxmox.storage', STORAGE_ID],
  ['a Proxmox storage ID, not a single letter', { proxmox: { storage: 'x' } }, 'proxmox.storage', STORAGE_ID],
  ['a Proxmox storage ID, starting with a letter', { proxmox: { storage: '1tb' } }, 'proxmox.storage', STORAGE_ID],
  ['a host\'s Proxmox storage ID', { proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152', storage: 'fast_' }] } }, 'proxmox.additionalHosts.0.storage', STORAGE_ID],
  ['a CSI storage ID', { kubernetes: { storage: 'proxmox-csi', storageClass: 'csi', proxmoxCsi: { apiUrl: 'https://pve.example:8006', storages: [{ id: 'ceph rbd', storageClass: 'csi' }] } } }, 'kubernetes.proxmoxCsi.storages.0.id', STORAGE_ID],
  ['a Kubernetes release', { kubernetes: { version: '1.31' } }, 'kubernetes.version', 'expected a Kubernetes release such as 1.31.14'],
  ['a Talos release', { talos: { version: '1.13.9' } }, 'talos.version', 'expected a Talos release such as v1.13.9'],
  ['an SMTP host:port', { alertmanager: { receivers: { emails: [email({ smarthost: 'smtp.example.com' })] } } }, 'alertmanager.receivers.emails.0.smarthost', 'expected host:port, e.g. smtp.example.com:587'],
  ['a branch name', { gitops: { branch: 'a b' } }, 'gitops.branch', 'expected a branch name such as main'],
  ['a CPU of at least 1m', { loki: { cpu: 0.0004 } }, 'loki.cpu', 'expected at least 0.001 (1m, the finest CPU request Kubernetes takes)'],
  ['a memory of at least 1Mi', { alertmanager: { memoryGiB: 0 } }, 'alertmanager.memoryGiB', 'expected at least 0.001 GiB (1Mi)'],
])('a field that must be %s says so', (_what, input, path, message) => {
  let error: unknown;
  try { parseSite(input); } catch (err) { error = err; }
  expect(error).toBeInstanceOf(SiteError);
  expect((error as SiteError).problems.map((p) => [p.path, p.message])).toEqual([[path, `is invalid: ${message}`]]);
});

test('Proxmox storage IDs as Proxmox spells them are taken: dots, underscores, dashes, capitals, two characters', () => {
  for (const storage of ['local-lvm', 'local_zfs', 'ceph.rbd', 'NFS-Backup', 'z1']) {
    expect(parseSite({ proxmox: { storage } }).site.proxmox.storage).toBe(storage);
  }
});
