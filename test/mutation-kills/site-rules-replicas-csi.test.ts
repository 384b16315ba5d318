/**
 * Rules of the several-hosts work that only test/site/bad-input.test.ts reached (a synth per case,
 * out of the site target's in-process tests): remote-write names and headers, replicas against
 * failure domains, Grafana replicas on a volume, the Proxmox CSI settings, VMID 9999, and the
 * Secrets of remote write, the CSI token and Loki's bucket. Exact problems, in-process; written
 * for the mutants StrykerJS left in site/rules.ts (docs/mutation-testing.md).
 */
import type { SiteInput, SiteProblem } from '../../site';
import { siteProblems } from './site-problems';

const CSI = (extra: Record<string, unknown> = {}, storages: unknown[] = [{ id: 'local-lvm', storageClass: 'pve-local' }]): SiteInput =>
  ({ kubernetes: { storage: 'proxmox-csi', storageClass: 'pve-local', proxmoxCsi: { apiUrl: 'https://pve.lan:8006', storages, ...extra } } }) as SiteInput;
const WRITE = (r: Record<string, unknown>): Record<string, unknown> => ({ name: 'mimir', url: 'https://mimir.lan/api/v1/push', ...r });

describe('remote write', () => {
  test.each<[string, SiteInput, SiteProblem[]]>([
    ['two queues with one name', { prometheus: { remoteWrite: [WRITE({}), WRITE({ url: 'https://b.lan/push' })] } } as SiteInput, [
      { path: 'prometheus.remoteWrite.1.name', value: 'mimir', message: 'is already the name of prometheus.remoteWrite.0 (https://mimir.lan/api/v1/push); give each remote write its own name' },
    ]],
    ['an Authorization header, any case', { prometheus: { remoteWrite: [WRITE({ headers: { AUTHORIZATION: 'Bearer x' } })] } } as SiteInput, [
      { path: 'prometheus.remoteWrite.0.headers', value: 'AUTHORIZATION', message: 'is set from credentials, not a header: put username and password into the Secret named by authSecret' },
    ]],
    ['a header Prometheus sets itself', { prometheus: { remoteWrite: [WRITE({ headers: { 'Content-Encoding': 'gzip' } })] } } as SiteInput, [
      { path: 'prometheus.remoteWrite.0.headers', value: 'Content-Encoding', message: 'is a header Prometheus sets itself on every push; remove it (tenant headers such as X-Scope-OrgID are fine)' },
    ]],
    ['one header in two spellings', { prometheus: { remoteWrite: [WRITE({ headers: { 'X-Scope-OrgID': 'a', 'x-scope-orgid': 'b' } })] } } as SiteInput, [
      { path: 'prometheus.remoteWrite.0.headers', value: 'x-scope-orgid', message: 'is the header X-Scope-OrgID again (header names ignore case); keep one of them' },
    ]],
    ['a tenant header and a Secret of its own: fine', { prometheus: { remoteWrite: [WRITE({ headers: { 'X-Scope-OrgID': 'lab' }, authSecret: 'mimir-push' })] } } as SiteInput, []],
    ['the remote-write Secret is the Grafana admin Secret', { prometheus: { remoteWrite: [WRITE({ authSecret: 'grafana-admin' })] } } as SiteInput, [
      { path: 'prometheus.remoteWrite.0.authSecret', value: 'grafana-admin', message: 'is already the Secret of grafana.adminSecret in namespace monitoring, which holds other keys; give each its own Secret name' },
    ]],
    ['two remote writes may share one Secret', { prometheus: { remoteWrite: [WRITE({ authSecret: 'push' }), WRITE({ name: 'b', authSecret: 'push' })] } } as SiteInput, []],
  ])('%s', (_name, input, expected) => {
    expect(siteProblems(input)).toEqual(expected);
  });
});

describe('replicas', () => {
  test.each<[string, SiteInput, SiteProblem[]]>([
    ['four Alertmanagers on three nodes of one host', { alertmanager: { replicas: 4 } }, [{
      path: 'alertmanager.replicas', value: 4,
      message: 'needs 4 Talos nodes, one pod on each so that losing one leaves the others; the site has 3 (talos-cp-1, talos-cp-2, talos-cp-3): set alertmanager.replicas to at most 3 or add nodes',
    }]],
    ['three Prometheus over two hosts', {
      prometheus: { replicas: 3 },
      proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }] },
      talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211, host: 'pve02' }, { hostname: 'b', address: '10.70.0.22', vmid: 212 }, { hostname: 'c', address: '10.70.0.23', vmid: 213 }] },
    }, [{
      path: 'prometheus.replicas', value: 3,
      message: 'needs 3 Proxmox hosts with a Talos node, one pod on each so that losing one leaves the others; the site has 2 (pve01, pve02): set prometheus.replicas to at most 2 or place Talos nodes on more hosts',
    }]],
    ['as many replicas as nodes: fine', { prometheus: { replicas: 3 }, alertmanager: { replicas: 3 } }, []],
    ['two Grafanas on one volume', { grafana: { replicas: 2 } }, [{
      path: 'grafana.replicas', value: 2,
      message: 'needs grafana.storage: ephemeral: the pods cannot share one SQLite database on a ReadWriteOnce volume, so each keeps its own in an emptyDir and everything it shows comes from the provisioning in Git',
    }]],
    ['one Grafana on a volume, two ephemeral: fine', { grafana: { replicas: 2, storage: 'ephemeral' } }, []],
  ])('%s', (_name, input, expected) => {
    expect(siteProblems(input)).toEqual(expected);
  });
});

describe('the Proxmox CSI plugin', () => {
  test.each<[string, SiteInput, SiteProblem[]]>([
    ['storage proxmox-csi without its settings', { kubernetes: { storage: 'proxmox-csi' } }, [{
      path: 'kubernetes.proxmoxCsi', value: undefined,
      message: 'is required by kubernetes.storage proxmox-csi; give apiUrl and storages (id, storageClass, shared), and create the token Secret (tokenSecret)',
    }]],
    ['settings while storage stays local-path', { kubernetes: { proxmoxCsi: { apiUrl: 'https://pve.lan:8006', storages: [{ id: 'local-lvm', storageClass: 'pve-local' }] } } }, [{
      path: 'kubernetes.storage', value: 'local-path',
      message: 'but kubernetes.proxmoxCsi is set; set kubernetes.storage: proxmox-csi to use the plugin, or remove kubernetes.proxmoxCsi',
    }]],
    ['plain HTTP with the API path', CSI({ apiUrl: 'http://pve.lan:8006/api2/json' }), [
      { path: 'kubernetes.proxmoxCsi.apiUrl', value: 'http://pve.lan:8006/api2/json', message: 'must be https:// (the Proxmox API serves HTTPS only); e.g. https://pve.lan:8006' },
      { path: 'kubernetes.proxmoxCsi.apiUrl', value: 'http://pve.lan:8006/api2/json', message: 'names the API path, which the tool appends (/api2/json); give the host and port only, e.g. http://pve.lan:8006' },
    ]],
    ['a claim class that is not the plugin\'s', { ...CSI(), kubernetes: { ...CSI({}, [{ id: 'local-lvm', storageClass: 'pve-local' }, { id: 'ceph', storageClass: 'pve-ceph' }]).kubernetes, storageClass: 'local-path' } }, [{
      path: 'kubernetes.storageClass', value: 'local-path',
      message: 'is not a Proxmox CSI StorageClass (pve-local, pve-ceph); name one of kubernetes.proxmoxCsi.storages[].storageClass (local-path is not deployed with proxmox-csi)',
    }]],
    ['one class for two storages, one storage twice', CSI({}, [{ id: 'local-lvm', storageClass: 'pve-local' }, { id: 'ceph', storageClass: 'pve-local' }, { id: 'local-lvm', storageClass: 'other' }]), [
      { path: 'kubernetes.proxmoxCsi.storages.1.storageClass', value: 'pve-local', message: 'already names the StorageClass of storage local-lvm; give each storage its own class' },
      { path: 'kubernetes.proxmoxCsi.storages.2.id', value: 'local-lvm', message: 'is already listed as kubernetes.proxmoxCsi.storages.0.id; list each Proxmox storage once (fstype and ssd are per class, and one storage may back only one here)' },
    ]],
    ['a guest on VMID 9999', { ...CSI(), proxmox: { guests: [{ vmid: 9999, name: 'old' }] } }, [{
      path: 'proxmox.guests.0.vmid', value: 9999, message: 'is the VMID the Proxmox CSI plugin names its disks after (vm-9999-<volume>); give this guest another VMID',
    }]],
    ['a Talos VM on VMID 9999', { ...CSI(), talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211 }, { hostname: 'b', address: '10.70.0.22', vmid: 9999 }, { hostname: 'c', address: '10.70.0.23', vmid: 213 }] } }, [{
      path: 'talos.nodes.1.vmid', value: 9999, message: 'is the VMID the Proxmox CSI plugin names its disks after (vm-9999-<volume>); give this guest another VMID',
    }]],
    ['VMID 9999 without the plugin: fine', { proxmox: { guests: [{ vmid: 9999, name: 'old' }] } }, []],
    ['the token Secret named like the Prometheus web-auth Secret', CSI({ tokenSecret: 'prometheus-web-auth' }), [{
      path: 'kubernetes.proxmoxCsi.tokenSecret', value: 'prometheus-web-auth',
      message: 'is already the Secret of prometheus.webAuthSecret (in namespace monitoring; the operator\'s Secrets are one file per name, whatever their namespace), which holds other keys; give each its own Secret name',
    }]],
  ])('%s', (_name, input, expected) => {
    expect(siteProblems(input)).toEqual(expected);
  });
});
