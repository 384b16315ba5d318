/**
 * The rules of simple-scalable Loki and availability.tolerate, in-process with their exact
 * problems (field, value, message): what a site must have to keep the claim it makes, and the
 * sites that keep it accepted. Written for site/rules.ts under mutation (docs/mutation-testing.md).
 */
import type { SiteInput, SiteProblem } from '../../site';
import { CSI_SITE_INPUT } from '../support/csi-site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';
import { siteProblems } from './site-problems';

const BUCKET = { endpoint: 's3.lan:9000', bucket: 'logs' };
const SCALABLE = { mode: 'simple-scalable' as const, objectStorage: BUCKET };
/** Every service replicated: what either claim needs of the services. */
const REPLICATED: SiteInput = { prometheus: { replicas: 2 }, alertmanager: { replicas: 2 }, grafana: { replicas: 2, storage: 'ephemeral' }, loki: SCALABLE };
const single = (field: string, value: unknown, what: string, tolerate: string, fix: string): SiteProblem => ({
  path: field, value, message: `is one pod, which stops with its ${what}, but availability.tolerate is ${tolerate}; ${fix} or lower availability.tolerate`,
});
const TWO_HOSTS: SiteInput = {
  proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }] },
  talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211, host: 'pve02' }, { hostname: 'b', address: '10.70.0.22', vmid: 212 }, { hostname: 'c', address: '10.70.0.23', vmid: 213 }] },
};

describe('simple-scalable Loki', () => {
  test.each<[string, SiteInput, SiteProblem[]]>([
    ['without a bucket', { loki: { mode: 'simple-scalable' } }, [{
      path: 'loki.objectStorage', value: undefined,
      message: 'is required by loki.mode simple-scalable; give endpoint and bucket of an S3-compatible store, and create the credentials Secret (credentialsSecret, keys access-key-id and secret-access-key)',
    }]],
    ['a bucket for the single binary', { loki: { objectStorage: BUCKET } }, [{
      path: 'loki.mode', value: 'single-binary',
      message: 'but loki.objectStorage is set; the single binary keeps logs on its volume: set loki.mode: simple-scalable to use the bucket, or remove loki.objectStorage',
    }]],
    ['on two hosts', { ...TWO_HOSTS, loki: SCALABLE }, [{
      path: 'loki.mode', value: 'simple-scalable',
      message: 'needs 3 Proxmox hosts with a Talos node for its 3 write pods (every log line is kept three times, one copy per host); the site has 2 (pve01, pve02): place Talos nodes on more hosts, or use loki.mode: single-binary',
    }]],
  ])('%s', (_name, input, expected) => {
    expect(siteProblems(input)).toEqual(expected);
  });

  test('three nodes on one host are three failure domains: accepted; two nodes are not (and the count rule says so too)', () => {
    expect(siteProblems({ loki: SCALABLE })).toEqual([]);
    const two = siteProblems({ loki: SCALABLE, talos: { nodes: [{ hostname: 'a', address: '10.70.0.21', vmid: 211 }, { hostname: 'b', address: '10.70.0.22', vmid: 212 }] } });
    expect(two).toContainEqual({
      path: 'loki.mode', value: 'simple-scalable',
      message: 'needs 3 Talos nodes for its 3 write pods (every log line is kept three times, one copy per node); the site has 2 (a, b): add nodes, or use loki.mode: single-binary',
    });
  });

  test('its credentials Secret may not be another role\'s', () => {
    expect(siteProblems({ loki: { ...SCALABLE, objectStorage: { ...BUCKET, credentialsSecret: 'grafana-admin' } } })).toEqual([{
      path: 'loki.objectStorage.credentialsSecret', value: 'grafana-admin',
      message: 'is already the Secret of grafana.adminSecret in namespace monitoring, which holds other keys; give each its own Secret name',
    }]);
  });
});

describe('availability.tolerate', () => {
  test('nothing (the default) asks nothing of the site', () => {
    expect(siteProblems({ availability: { tolerate: 'nothing' } })).toEqual([]);
  });

  test('vm: each single-pod service is named with its fix, in the order prometheus, alertmanager, grafana, loki', () => {
    expect(siteProblems({ availability: { tolerate: 'vm' } })).toEqual([
      single('prometheus.replicas', 1, 'Talos VM', 'vm', 'set prometheus.replicas: 2'),
      single('alertmanager.replicas', 1, 'Talos VM', 'vm', 'set alertmanager.replicas: 2'),
      single('grafana.replicas', 1, 'Talos VM', 'vm', 'set grafana.replicas: 2 with grafana.storage: ephemeral'),
      single('loki.mode', 'single-binary', 'Talos VM', 'vm', 'set loki.mode: simple-scalable with loki.objectStorage'),
    ]);
    expect(siteProblems({ ...REPLICATED, availability: { tolerate: 'vm' } })).toEqual([]);
  });

  test('host on one host: every node there, then the single pods', () => {
    expect(siteProblems({ ...REPLICATED, prometheus: { replicas: 1 }, availability: { tolerate: 'host' } })).toEqual([
      {
        path: 'availability.tolerate', value: 'host',
        message: 'but every Talos node is on pve01 (talos.nodes[].host): losing it stops everything, volumes included; spread the nodes over 3 or more Proxmox hosts (proxmox.additionalHosts) or set availability.tolerate: vm',
      },
      single('prometheus.replicas', 1, 'Proxmox host', 'host', 'set prometheus.replicas: 2'),
    ]);
  });

  test('host on two hosts: too few hosts, and the host with two control planes holds the quorum', () => {
    const problems = siteProblems({ ...TWO_HOSTS, prometheus: { replicas: 2 }, alertmanager: { replicas: 2 }, grafana: { replicas: 2, storage: 'ephemeral' }, availability: { tolerate: 'host' } });
    expect(problems).toEqual([
      {
        path: 'availability.tolerate', value: 'host',
        message: 'needs 3 or more Proxmox hosts with a Talos node; the site has 2: Proxmox (corosync) and etcd need a majority that one lost host of two cannot leave; add a third host or set availability.tolerate: vm',
      },
      { path: 'talos.nodes', value: 'pve01', message: 'holds 2 of the 3 control planes: losing pve01 leaves 1 etcd member, below the quorum of 2; put at most 1 control plane on each host (talos.nodes[].host)' },
      single('loki.mode', 'single-binary', 'Proxmox host', 'host', 'set loki.mode: simple-scalable with loki.objectStorage'),
    ]);
  });

  test('host on three hosts: five control planes with three on one host break the quorum (at most 2 per host)', () => {
    const nodes = [
      { hostname: 'a', address: '10.70.0.21', vmid: 211, host: 'pve01' }, { hostname: 'b', address: '10.70.0.22', vmid: 212, host: 'pve01' },
      { hostname: 'c', address: '10.70.0.23', vmid: 213, host: 'pve01' }, { hostname: 'd', address: '10.70.0.24', vmid: 214, host: 'pve02' },
      { hostname: 'e', address: '10.70.0.25', vmid: 215, host: 'pve03' },
    ];
    const input: SiteInput = { ...WORKERS_SITE_INPUT, ...REPLICATED, talos: { nodes }, availability: { tolerate: 'host' } };
    expect(siteProblems(input)).toEqual([
      { path: 'talos.nodes', value: 'pve01', message: 'holds 3 of the 5 control planes: losing pve01 leaves 2 etcd members, below the quorum of 3; put at most 2 control planes on each host (talos.nodes[].host)' },
    ]);
    // Two per host keeps three of five.
    const spread = nodes.map((n, i) => ({ ...n, host: ['pve01', 'pve01', 'pve02', 'pve02', 'pve03'][i] }));
    expect(siteProblems({ ...input, talos: { nodes: spread } })).toEqual([]);
  });

  test('issue 14\'s site keeps the claim: accepted', () => {
    expect(CSI_SITE_INPUT.availability).toEqual({ tolerate: 'host' });
    expect(siteProblems(CSI_SITE_INPUT)).toEqual([]);
  });
});
