/**
 * verify's health check against a real kube-apiserver with dist/ applied. No controller, kubelet
 * or provisioner runs here, so workloads have no status and no claim binds: the test plays them
 * (creates claims, pods and events, sets status subresources) and checks what verify concludes.
 * A second site (another namespace, addresses and StorageClass) proves the expectations follow
 * the site. One server for this file.
 */
import * as YAML from 'yaml';
import { loadSite, type Site } from '../../site';
import type { CheckResult } from '../../verify/check';
import type { Cluster } from '../../verify/cluster/connect';
import { type DistObject, readDistObjects } from '../../verify/cluster/dist-objects';
import { checkHealth } from '../../verify/cluster/health';
import { jsonApi } from '../../verify/cluster/json-api';
import { claimCheck } from '../../verify/cluster/volumes';
import { LOCAL_PATH_NAMESPACE, METALLB_NAMESPACE } from '../../charts/platform/constants';
import { LOCAL_PATH_PROVISIONER } from '../../charts/platform/local-path-provisioner';
import { type ApiServer, stopAll } from '../support/kube-apiserver';
import { SECOND_SITE } from '../support/second-site';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';
import { applyAs, serverWithDist, describeWithApiServer, setStatus } from './cluster-support';

const byId = (results: readonly CheckResult[], id: string) => {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no result ${id}; ids: ${results.map((x) => x.id).join(', ')}`);
  return r;
};

describeWithApiServer('verify health against a real API server with dist/ applied', () => {
  const site = loadSite().site;
  const { outDir } = synthToTemp();
  const objects = readDistObjects(outDir);
  let server: ApiServer;
  let cluster: Cluster;
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const ns = site.kubernetes.namespace;
  const health = (only: readonly DistObject[], now = new Date('2026-12-02T12:00:00Z'), s: Site = site) => checkHealth(cluster, s, only, { now: () => now });
  const json = (args: string[]) => JSON.parse(server.kubectl([...args, '-o', 'json']).stdout);
  const event = (kind: string, namespace: string, name: string, reason: string, message: string) => applyAs(server, 'test', YAML.stringify({
    apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${reason.toLowerCase()}`, namespace },
    involvedObject: { apiVersion: 'v1', kind, name, namespace }, reason, message, type: 'Warning', lastTimestamp: '2026-12-02T11:00:00Z',
    source: { component: 'test' },
  }));
  /** A claim as the StatefulSet controller creates it from the template, optionally with another class. */
  const claim = (namespace: string, name: string, storage: string, storageClassName: string) => applyAs(server, 'statefulset-controller', YAML.stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName },
  }));
  const bound = (namespace: string, name: string, storage: string) => setStatus(server, 'pvc', namespace, name, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage } });

  beforeAll(async () => {
    ({ server, cluster } = await serverWithDist('health', outDir, objects));
  }, 300000);
  afterAll(() => stopAll());

  describe('workloads', () => {
    test('without status (no controller has seen them) every workload fails, naming what is not ready', async () => {
      const results = await health(objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)));
      const rollouts = results.filter((r) => r.id.startsWith('health/workload/'));
      expect(rollouts).toHaveLength(objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)).length);
      expect(rollouts.every((r) => r.status === 'fail')).toBe(true);
      expect(byId(results, `health/workload/StatefulSet/${ns}/prometheus`).detail).toBe('the controller has not seen the latest spec yet (generation 1, observed 0); 0/1 updated; 0/1 ready; 0/1 available');
    });

    test('rolled out and ready passes; a replica not ready fails', async () => {
      const deployment = find('Deployment', 'blackbox-exporter');
      const generation = json(['get', 'deployment', 'blackbox-exporter', '-n', ns]).metadata.generation;
      setStatus(server, 'deployment', ns, 'blackbox-exporter', { observedGeneration: generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
      expect(byId(await health([deployment]), `health/workload/Deployment/${ns}/blackbox-exporter`)).toMatchObject({ status: 'pass', detail: '1/1 ready' });
      setStatus(server, 'deployment', ns, 'blackbox-exporter', { observedGeneration: generation, replicas: 1, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 });
      expect(byId(await health([deployment]), `health/workload/Deployment/${ns}/blackbox-exporter`)).toMatchObject({ status: 'fail', detail: '0/1 ready; 0/1 available' });
    });

    test('a container restarting past the threshold warns with its last termination reason', async () => {
      // GIVEN a pod of Grafana's template (as the ReplicaSet makes it) whose container was OOM-killed 4 times
      const grafana = find('Deployment', 'grafana') as DistObject & { spec: { template: { metadata: object; spec: { containers: { name: string; image: string }[] } } } };
      // The controller-manager would have created the namespace's default ServiceAccount.
      server.kubectl(['create', 'serviceaccount', 'default', '-n', ns]);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...grafana.spec.template.metadata, name: 'grafana-abc12', namespace: ns }, spec: grafana.spec.template.spec };
      applyAs(server, 'replicaset-controller', YAML.stringify(pod));
      const container = grafana.spec.template.spec.containers[0];
      setStatus(server, 'pod', ns, 'grafana-abc12', {
        phase: 'Running',
        containerStatuses: [{
          name: container.name, image: container.image, imageID: '', ready: false, restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: '2026-12-02T11:50:00Z', finishedAt: '2026-12-02T11:55:00Z' } },
        }],
      });
      // WHEN
      const r = byId(await health([grafana]), `health/restarts/Deployment/${ns}/grafana`);
      // THEN
      expect(r).toMatchObject({ status: 'warn', detail: '1 container restarting or stuck', next: expect.stringMatching(/--previous/) });
      expect(r.lines).toEqual([`pod grafana-abc12 container ${container.name}: 4 restarts; last terminated: OOMKilled (exit 137) at 2026-12-02T11:55:00Z; now CrashLoopBackOff: back-off 40s restarting failed container`]);
    });
  });

  describe('volume claims', () => {
    const prometheus = () => find('StatefulSet', 'prometheus');
    const id = `health/pvc/${ns}/data-prometheus-0`;

    test('a StatefulSet\'s claim not created yet fails, naming the pod that creates it', async () => {
      expect(byId(await health([prometheus()]), id)).toMatchObject({ status: 'fail', detail: 'missing: not in the cluster', next: expect.stringMatching(/with pod prometheus-0/) });
    });

    test('a Pending claim fails with the reason from its events', async () => {
      claim(ns, 'data-prometheus-0', '100Gi', site.kubernetes.storageClass);
      event('PersistentVolumeClaim', ns, 'data-prometheus-0', 'ProvisioningFailed', 'storageclass.storage.k8s.io "local-path" not found');
      expect(byId(await health([prometheus()]), id)).toMatchObject({
        status: 'fail', detail: 'Pending: ProvisioningFailed: storageclass.storage.k8s.io "local-path" not found',
        // The site's class is the one the stack ships (applied with platform/base): its provisioner runs in local-path-storage.
        next: `kubectl -n ${ns} describe pvc data-prometheus-0; check the provisioner of StorageClass local-path (${LOCAL_PATH_PROVISIONER}): kubectl -n ${LOCAL_PATH_NAMESPACE} get pods, and its logs`,
      });
    });

    test('bound at the requested size and the site\'s class passes; smaller fails', async () => {
      bound(ns, 'data-prometheus-0', '100Gi');
      expect(byId(await health([prometheus()]), id)).toMatchObject({ status: 'pass', detail: 'Bound, 100Gi local-path', title: `PVC ${ns}/data-prometheus-0 bound, 100Gi local-path` });
      bound(ns, 'data-prometheus-0', '50Gi');
      expect(byId(await health([prometheus()]), id)).toMatchObject({ status: 'fail', detail: 'Bound, but capacity 50Gi, less than the 100Gi requested' });
    });

    test('a claim of dist/ waiting for its first consumer warns; the etcd-snapshots claim binds at the first backup', async () => {
      const snapshots = find('PersistentVolumeClaim', 'etcd-snapshots');
      event('PersistentVolumeClaim', 'etcd-backup', 'etcd-snapshots', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      expect(byId(await health([snapshots]), 'health/pvc/etcd-backup/etcd-snapshots')).toMatchObject({ status: 'warn', detail: 'Pending until its first pod is scheduled: WaitForFirstConsumer: waiting for first consumer to be created before binding' });
    });
  });

  describe('LoadBalancer addresses', () => {
    const svc = (name: string) => find('Service', name);

    test('no address assigned fails "missing LB address", pointing at MetalLB and the site\'s pool, with the Service\'s events', async () => {
      event('Service', ns, 'alertmanager-lb', 'AllocationFailed', `Failed to allocate IP for "${ns}/alertmanager-lb": no available IPs`);
      const r = byId(await health([svc('alertmanager-lb')]), `health/lb/${ns}/alertmanager-lb`);
      expect(r).toMatchObject({ status: 'fail', detail: 'missing LB address: no address assigned', title: `LoadBalancer ${ns}/alertmanager-lb holds ${site.alertmanager.address}` });
      expect(r.next).toMatch(/IPAddressPool monitoring-vlan70 contains 10\.70\.0\.13/);
      expect(r.next).toContain(`kubectl -n ${METALLB_NAMESPACE} get pods`);
      expect(r.lines).toEqual([`AllocationFailed: Failed to allocate IP for "${ns}/alertmanager-lb": no available IPs`]);
    });

    test('the site\'s address passes; another address fails', async () => {
      setStatus(server, 'service', ns, 'prometheus-lb', { loadBalancer: { ingress: [{ ip: site.prometheus.address, ipMode: 'VIP' }] } });
      expect(byId(await health([svc('prometheus-lb')]), `health/lb/${ns}/prometheus-lb`)).toMatchObject({ status: 'pass', detail: `holds ${site.prometheus.address}` });
      setStatus(server, 'service', ns, 'grafana-lb', { loadBalancer: { ingress: [{ ip: '10.70.0.99', ipMode: 'VIP' }] } });
      expect(byId(await health([svc('grafana-lb')]), `health/lb/${ns}/grafana-lb`)).toMatchObject({ status: 'fail', detail: `holds 10.70.0.99, the site's address is ${site.grafana.address}` });
    });
  });

  describe('etcd backup', () => {
    const cronjob = () => json(['get', 'cronjob', 'etcd-backup', '-n', 'etcd-backup']);
    const id = 'health/backup/etcd-backup/etcd-backup';
    /** 10:00 UTC three days after the CronJob was created: the daily 02:00 run was due. */
    const later = () => {
      const created = new Date(cronjob().metadata.creationTimestamp);
      return new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth(), created.getUTCDate() + 3, 10));
    };

    test('just created, before any scheduled run: a warning, not a failure', async () => {
      const created = new Date(cronjob().metadata.creationTimestamp);
      expect(byId(await health([], new Date(created.getTime() + 60_000)), id)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^no run due yet since it was created/) });
    });

    test('never succeeded though a run was due fails; a success after the last due run passes; an older one fails', async () => {
      const now = later();
      const due = new Date(now.getTime() - 8 * 3600_000); // 02:00 that day
      expect(byId(await health([], now), id)).toMatchObject({ status: 'fail', detail: `never succeeded, yet a run was due at ${due.toISOString()}; never scheduled (is the controller-manager running?)` });
      setStatus(server, 'cronjob', 'etcd-backup', 'etcd-backup', { lastScheduleTime: due.toISOString(), lastSuccessfulTime: new Date(due.getTime() + 120_000).toISOString() });
      expect(byId(await health([], now), id)).toMatchObject({ status: 'pass', detail: `last success ${new Date(due.getTime() + 120_000).toISOString()}` });
      setStatus(server, 'cronjob', 'etcd-backup', 'etcd-backup', { lastScheduleTime: due.toISOString(), lastSuccessfulTime: new Date(due.getTime() - 86400_000 + 120_000).toISOString() });
      expect(byId(await health([], now), id).status).toBe('fail');
    });

    test('suspended fails', async () => {
      expect(server.kubectl(['patch', 'cronjob', 'etcd-backup', '-n', 'etcd-backup', '--type=merge', '-p', '{"spec":{"suspend":true}}']).status).toBe(0);
      expect(byId(await health([], later()), id)).toMatchObject({ status: 'fail', detail: 'suspended: no snapshot is taken' });
    });
  });

  describe('another site: its namespace, addresses and StorageClass', () => {
    const second = loadSite(writeSiteFile(tempDir('second-site-'), YAML.stringify(SECOND_SITE))).site;
    const secondObjects = readDistObjects(synthToTemp(writeSiteFile(tempDir('second-site-'), YAML.stringify(SECOND_SITE))).outDir);
    const pick = (kind: string, name: string) => secondObjects.find((o) => o.kind === kind && o.metadata.name === name)!;
    const ns2 = second.kubernetes.namespace;

    beforeAll(() => {
      // Only what these checks read: the namespace, the Services and the StatefulSet of the second site's monitoring layer.
      server.kubectl(['create', 'namespace', ns2]);
      applyAs(server, 'argocd-controller', [pick('Service', 'prometheus-lb'), pick('StatefulSet', 'loki')].map(({ file: _f, ...o }) => YAML.stringify(o)).join('---\n'));
    });

    test('the expected LB address is the second site\'s, and the first site\'s address on it fails', async () => {
      const service = pick('Service', 'prometheus-lb');
      expect(second.prometheus.address).not.toBe(site.prometheus.address);
      const missing = byId(await health([service], undefined, second), `health/lb/${ns2}/prometheus-lb`);
      expect(missing).toMatchObject({ status: 'fail', title: `LoadBalancer ${ns2}/prometheus-lb holds ${second.prometheus.address}`, detail: 'missing LB address: no address assigned' });
      expect(missing.next).toMatch(new RegExp(`IPAddressPool monitoring-vlan${second.network.vlanId}`));
      setStatus(server, 'service', ns2, 'prometheus-lb', { loadBalancer: { ingress: [{ ip: site.prometheus.address, ipMode: 'VIP' }] } });
      expect(byId(await health([service], undefined, second), `health/lb/${ns2}/prometheus-lb`)).toMatchObject({ status: 'fail', detail: `holds ${site.prometheus.address}, the site's address is ${second.prometheus.address}` });
      setStatus(server, 'service', ns2, 'prometheus-lb', { loadBalancer: { ingress: [{ ip: second.prometheus.address, ipMode: 'VIP' }] } });
      expect(byId(await health([service], undefined, second), `health/lb/${ns2}/prometheus-lb`).status).toBe('pass');
    });

    test('dist/ of one site checked against another site\'s addresses fails as stale', async () => {
      expect(byId(await health([pick('Service', 'prometheus-lb')], undefined, site), `health/lb/${ns2}/prometheus-lb`)).toMatchObject({
        status: 'fail', detail: expect.stringMatching(new RegExp(`^dist/ asks for ${second.prometheus.address.replace(/\./g, '\\.')}, which is none of the site's addresses`)),
      });
    });

    test('a Pending claim names its class\'s provisioner; local-path-storage only for the class the stack ships', async () => {
      const api = jsonApi(cluster);
      const pending = (name: string) => ({ namespace: ns2, name, request: '1Gi', source: 'statefulset' as const, pod: 'other-0' });
      const hint = async (s: Site, name: string) => byId([await claimCheck(api, s, pending(name))], `health/pvc/${ns2}/${name}`).next;
      const storageClass = (name: string, provisioner: string) => applyAs(server, 'test', YAML.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner }));
      // GIVEN a claim of the second site's class, which is not in this cluster (the first site's dist/ is applied)
      claim(ns2, 'data-other-0', '1Gi', second.kubernetes.storageClass);
      expect(await hint(second, 'data-other-0')).toBe(`kubectl -n ${ns2} describe pvc data-other-0; StorageClass node-disk does not exist: see the drift checks (dist/platform/base ships it)`);
      // the site's class name, but made by someone else with another provisioner: not the stack's provisioner
      storageClass(second.kubernetes.storageClass, 'csi.example.com');
      expect(await hint(second, 'data-other-0')).toBe(`kubectl -n ${ns2} describe pvc data-other-0; check the provisioner of StorageClass node-disk (csi.example.com): its pods and logs, where it is installed`);
      // a class the site does not ask for, even with the local-path provisioner: not the stack's either
      storageClass('ceph-rbd', 'rbd.csi.ceph.com');
      claim(ns2, 'data-ceph-0', '1Gi', 'ceph-rbd');
      expect(await hint(second, 'data-ceph-0')).toBe(`kubectl -n ${ns2} describe pvc data-ceph-0; check the provisioner of StorageClass ceph-rbd (rbd.csi.ceph.com): its pods and logs, where it is installed`);
      storageClass('other-local-path', LOCAL_PATH_PROVISIONER);
      claim(ns2, 'data-local-0', '1Gi', 'other-local-path');
      expect(await hint(second, 'data-local-0')).not.toContain(LOCAL_PATH_NAMESPACE);
      claim(ns2, 'data-gone-0', '1Gi', 'gone');
      expect(await hint(second, 'data-gone-0')).toBe(`kubectl -n ${ns2} describe pvc data-gone-0; StorageClass gone does not exist: the site asks for node-disk`);
      expect(server.kubectl(['delete', 'storageclass', second.kubernetes.storageClass, 'ceph-rbd', 'other-local-path']).status).toBe(0);
    });

    test('the expected claim size and class are the second site\'s: its class passes, the first site\'s fails', async () => {
      const loki = pick('StatefulSet', 'loki');
      const template = (loki.spec as { volumeClaimTemplates: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates[0];
      const name = `${template.metadata.name}-loki-0`;
      const size = template.spec.resources.requests.storage;
      expect(size).toBe(`${second.loki.storageGiB}Gi`);
      claim(ns2, name, size, site.kubernetes.storageClass);
      bound(ns2, name, size);
      expect(byId(await health([loki], undefined, second), `health/pvc/${ns2}/${name}`)).toMatchObject({
        status: 'fail', title: `PVC ${ns2}/${name} bound, ${size} ${second.kubernetes.storageClass}`, detail: `Bound, but StorageClass ${site.kubernetes.storageClass}, the site asks for ${second.kubernetes.storageClass}`,
      });
      // No controller removes the pvc-protection finalizer here: drop it, or the delete waits forever.
      server.kubectl(['patch', 'pvc', name, '-n', ns2, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      expect(server.kubectl(['delete', 'pvc', name, '-n', ns2, '--timeout=30s']).status).toBe(0);
      claim(ns2, name, size, second.kubernetes.storageClass);
      bound(ns2, name, size);
      expect(byId(await health([loki], undefined, second), `health/pvc/${ns2}/${name}`)).toMatchObject({ status: 'pass', detail: `Bound, ${size} ${second.kubernetes.storageClass}` });
    });
  });
});
