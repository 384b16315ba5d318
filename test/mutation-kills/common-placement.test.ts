/**
 * charts/common/placement.ts in-process: the plan (groups, replica nodes, what each node carries)
 * and the affinity each pod template gets, for sites that exercise every branch: ties broken by
 * CPU, replicas on one host (hostname spread) and on several (zone spread), Proxmox CSI pinning
 * on one host. test/placement.test.ts checks the same plan through synthesized dist/ and a
 * scheduler simulation, which the mutation run cannot see (it runs the built CLI).
 */
import { placementFor, plannedServices, replicaNodes, stackPlacement, PLACEMENT_LABEL } from '../../charts/common/placement';
import { parseSite, type SiteInput } from '../../site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';

const site = (input: SiteInput) => parseSite(input).site;
const hostname = (values: string[]) => ({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values }] }] } });
const selector = (name: string) => ({ matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'monitoring-stack' } });

const TIES: SiteInput = { grafana: { cpu: 1, memoryGiB: 8 }, loki: { cpu: 3, memoryGiB: 8 }, prometheus: { cpu: 2, memoryGiB: 8 }, alertmanager: { cpu: 1, memoryGiB: 2 } };
const ONE_HOST_REPLICAS: SiteInput = { prometheus: { replicas: 2 }, alertmanager: { replicas: 3 } };
const THREE_HOSTS_REPLICAS: SiteInput = { ...WORKERS_SITE_INPUT, prometheus: { replicas: 2 }, alertmanager: { replicas: 3 }, grafana: { replicas: 2, storage: 'ephemeral' } };

describe('the plan', () => {
  test('the report\'s site: three groups in node order, Alertmanager and Grafana together', () => {
    expect(PLACEMENT_LABEL).toBe('monitoring-stack/placement-group');
    expect(stackPlacement(site({}))).toEqual([
      { id: '1', services: ['loki'], cpu: 4, memoryGiB: 8, node: 'talos-cp-1' },
      { id: '2', services: ['prometheus'], cpu: 4, memoryGiB: 8, node: 'talos-cp-2' },
      { id: '3', services: ['alertmanager', 'grafana'], cpu: 4, memoryGiB: 8, node: 'talos-cp-3' },
    ]);
  });

  test('equal memory: more CPU is placed first and a node with less CPU load wins the tie', () => {
    expect(stackPlacement(site(TIES))).toEqual([
      { id: '1', services: ['loki'], cpu: 3, memoryGiB: 8, node: 'talos-cp-1' },
      { id: '2', services: ['prometheus'], cpu: 2, memoryGiB: 8, node: 'talos-cp-2' },
      { id: '3', services: ['grafana', 'alertmanager'], cpu: 2, memoryGiB: 10, node: 'talos-cp-3' },
    ]);
  });

  test('replicas on one host: one per node, on the least-loaded nodes; only single-pod services form groups', () => {
    const s = site(ONE_HOST_REPLICAS);
    expect(stackPlacement(s)).toEqual([{ id: '1', services: ['loki', 'grafana'], cpu: 6, memoryGiB: 12, node: 'talos-cp-1' }]);
    expect(replicaNodes(s, 'prometheus')).toEqual(['talos-cp-2', 'talos-cp-3']);
    expect(replicaNodes(s, 'alertmanager')).toEqual(['talos-cp-1', 'talos-cp-2', 'talos-cp-3']);
    expect(replicaNodes(s, 'loki')).toEqual([]);
    expect([...plannedServices(s)]).toEqual([
      ['talos-cp-1', ['loki', 'grafana', 'alertmanager']], ['talos-cp-2', ['prometheus', 'alertmanager']], ['talos-cp-3', ['prometheus', 'alertmanager']],
    ]);
  });

  test('replicas on three hosts: one per host, on the least-loaded node of the least-loaded hosts', () => {
    const s = site(THREE_HOSTS_REPLICAS);
    expect(stackPlacement(s)).toEqual([{ id: '1', services: ['loki'], cpu: 4, memoryGiB: 8, node: 'talos-cp-1' }]);
    expect(replicaNodes(s, 'prometheus')).toEqual(['talos-cp-2', 'talos-w-1']);
    expect(replicaNodes(s, 'alertmanager')).toEqual(['talos-cp-1', 'talos-cp-3', 'talos-w-2']);
    expect(replicaNodes(s, 'grafana')).toEqual(['talos-cp-3', 'talos-w-2']);
    expect([...plannedServices(s)]).toEqual([
      ['talos-cp-1', ['loki', 'alertmanager']], ['talos-cp-2', ['prometheus']], ['talos-cp-3', ['alertmanager', 'grafana']],
      ['talos-w-1', ['prometheus']], ['talos-w-2', ['alertmanager', 'grafana']],
    ]);
  });

  test('ties on memory between nodes and between hosts are broken by CPU load, then by site order', () => {
    // One node per host. Grafana (8 GiB, 3 CPU) takes talos-cp-1; Loki ties talos-cp-2 and -3 at
    // 0 and takes the earlier; Prometheus' two pods then tie talos-cp-1 and -2 at 8 GiB and take
    // the one with less CPU (Loki's 1 against Grafana's 3), after the empty talos-cp-3.
    const s = site({
      ...WORKERS_SITE_INPUT,
      talos: { nodes: WORKERS_SITE_INPUT.talos!.nodes!.filter((n) => n.role !== 'worker') },
      grafana: { cpu: 3, memoryGiB: 8 }, loki: { cpu: 1, memoryGiB: 8 }, prometheus: { cpu: 1, memoryGiB: 4, replicas: 2 }, alertmanager: { cpu: 1, memoryGiB: 2 },
    });
    expect([...plannedServices(s)]).toEqual([['talos-cp-1', ['grafana']], ['talos-cp-2', ['loki', 'prometheus']], ['talos-cp-3', ['alertmanager', 'prometheus']]]);
  });

  // Alertmanager's two replicas leave talos-cp-1 and -2 at 4 GiB and 6 CPUs, Grafana talos-cp-3 at
  // 4 GiB and 1 CPU, which then wins Prometheus's tie on CPU (7 GiB, 1.5 CPUs). Loki must go to the
  // node with less memory (talos-cp-1) although talos-cp-3 has far less CPU: CPU only breaks ties.
  test('CPU load breaks a memory tie only: a node with more memory never wins on less CPU', () => {
    const s = site({
      prometheus: { cpu: 0.5, memoryGiB: 3 }, grafana: { cpu: 1, memoryGiB: 4 }, loki: { cpu: 1, memoryGiB: 2 },
      alertmanager: { cpu: 6, memoryGiB: 4, replicas: 2 },
    });
    expect([...plannedServices(s)]).toEqual([
      ['talos-cp-1', ['loki', 'alertmanager']],
      ['talos-cp-2', ['alertmanager']],
      ['talos-cp-3', ['grafana', 'prometheus']],
    ]);
  });

  test('several hosts without replicas: groups go to one node of each host in turn', () => {
    // First nodes of pve01, pve02, pve03, then pve01's second (talos-w-1) for the fourth group.
    expect(stackPlacement(site(WORKERS_SITE_INPUT)).map((g) => [g.services.join('+'), g.node])).toEqual([['loki', 'talos-cp-1'], ['prometheus', 'talos-cp-2'], ['alertmanager', 'talos-cp-3'], ['grafana', 'talos-w-1']]);
  });
});

describe('the pod templates\' affinity', () => {
  test('the report\'s site: groups held together and apart, on no particular node', () => {
    expect(placementFor(site({}), 'grafana')).toEqual({
      labels: { [PLACEMENT_LABEL]: '3' },
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [PLACEMENT_LABEL]: '3' } }, topologyKey: 'kubernetes.io/hostname' }] },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: PLACEMENT_LABEL, operator: 'In', values: ['1', '2'] }] }, topologyKey: 'kubernetes.io/hostname' }] },
      },
    });
    // A group of one has no pod affinity to itself.
    expect(placementFor(site({}), 'loki').affinity).toEqual({
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: PLACEMENT_LABEL, operator: 'In', values: ['2', '3'] }] }, topologyKey: 'kubernetes.io/hostname' }] },
    });
  });

  test('a replicated service on one host: pinned to its planned nodes, one pod per node; no group label', () => {
    expect(placementFor(site(ONE_HOST_REPLICAS), 'prometheus')).toEqual({
      labels: {},
      affinity: {
        nodeAffinity: hostname(['talos-cp-2', 'talos-cp-3']),
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector('prometheus'), topologyKey: 'kubernetes.io/hostname' }] },
      },
    });
  });

  test('with replicas the single-pod groups are pinned too, and the only group needs no anti-affinity', () => {
    expect(placementFor(site(ONE_HOST_REPLICAS), 'loki')).toEqual({
      labels: { [PLACEMENT_LABEL]: '1' },
      affinity: {
        nodeAffinity: hostname(['talos-cp-1']),
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [PLACEMENT_LABEL]: '1' } }, topologyKey: 'kubernetes.io/hostname' }] },
      },
    });
  });

  test('a replicated service on several hosts spreads by zone', () => {
    expect(placementFor(site(THREE_HOSTS_REPLICAS), 'grafana').affinity).toEqual({
      nodeAffinity: hostname(['talos-cp-3', 'talos-w-2']),
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector('grafana'), topologyKey: 'topology.kubernetes.io/zone' }] },
    });
  });

  test('pinned on several hosts, or with Proxmox CSI volumes on one host; not on the report\'s site', () => {
    expect(placementFor(site(WORKERS_SITE_INPUT), 'prometheus').affinity.nodeAffinity).toEqual(hostname(['talos-cp-2']));
    const csi: SiteInput = { kubernetes: { storage: 'proxmox-csi', storageClass: 'pve', proxmoxCsi: { apiUrl: 'https://pve.lan:8006', storages: [{ id: 'local-lvm', storageClass: 'pve' }] } } };
    expect(placementFor(site(csi), 'prometheus').affinity.nodeAffinity).toEqual(hostname(['talos-cp-2']));
    expect(placementFor(site({}), 'prometheus').affinity.nodeAffinity).toBeUndefined();
  });

  test('simple-scalable Loki: each target\'s pods one per node by its own size, beside the single-pod groups, pinned', () => {
    const scalable = site({ loki: { mode: 'simple-scalable', objectStorage: { endpoint: 's3.lan:9000', bucket: 'logs' } } });
    // Biggest memory first: prometheus (8), the write pods (6 each), alertmanager and grafana (4, by name), backend and read (2).
    expect(stackPlacement(scalable)).toEqual([
      { id: '1', services: ['prometheus'], cpu: 4, memoryGiB: 8, node: 'talos-cp-1' },
      { id: '2', services: ['alertmanager'], cpu: 2, memoryGiB: 4, node: 'talos-cp-2' },
      { id: '3', services: ['grafana'], cpu: 2, memoryGiB: 4, node: 'talos-cp-3' },
    ]);
    expect([...plannedServices(scalable)]).toEqual([
      ['talos-cp-1', ['prometheus', 'loki-write', 'loki-backend']],
      ['talos-cp-2', ['alertmanager', 'loki-write', 'loki-backend', 'loki-read']],
      ['talos-cp-3', ['grafana', 'loki-write', 'loki-backend', 'loki-read']],
    ]);
    expect(replicaNodes(scalable, 'loki-read')).toEqual(['talos-cp-2', 'talos-cp-3']);
    expect(placementFor(scalable, 'loki-read')).toEqual({
      labels: {},
      affinity: {
        nodeAffinity: hostname(['talos-cp-2', 'talos-cp-3']),
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector('loki-read'), topologyKey: 'kubernetes.io/hostname' }] },
      },
    });
    // A single-pod group is pinned as soon as any workload has replicas.
    expect(placementFor(scalable, 'prometheus').affinity.nodeAffinity).toEqual(hostname(['talos-cp-1']));
  });
});
