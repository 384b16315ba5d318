/**
 * site/workloads.ts in-process: the sized workloads (a service each, simple-scalable Loki's three
 * targets instead of one) with their exact requests, volumes and pods, for the report's site, a
 * replicated one and simple-scalable Loki with odd sizes (the shares rounded to milli-CPU and MiB).
 */
import { LOKI_TARGET_SHAPE, LOKI_TARGETS, lokiSimpleScalable, lokiTargetComponent, parseSite, serviceReplicas, stackWorkload, stackWorkloads, type SiteInput } from '../../site';

const site = (input: SiteInput) => parseSite(input).site;
const BUCKET = { endpoint: 's3.lan:9000', bucket: 'logs' };

describe('the sized workloads', () => {
  test('the report\'s site: the four services with their sizing, one pod each, Grafana\'s volume', () => {
    expect(stackWorkloads(site({}))).toEqual([
      { name: 'prometheus', service: 'prometheus', cpu: 4, memoryGiB: 8, storageGiB: 100, replicas: 1 },
      { name: 'grafana', service: 'grafana', cpu: 2, memoryGiB: 4, storageGiB: 50, replicas: 1 },
      { name: 'loki', service: 'loki', cpu: 4, memoryGiB: 8, storageGiB: 100, replicas: 1 },
      { name: 'alertmanager', service: 'alertmanager', cpu: 2, memoryGiB: 4, storageGiB: 50, replicas: 1 },
    ]);
  });

  test('replicas per service; an ephemeral Grafana has no volume, Grafana on a volume keeps its size', () => {
    const replicated = site({ prometheus: { replicas: 3 }, alertmanager: { replicas: 2 }, grafana: { replicas: 2, storage: 'ephemeral' } });
    expect(stackWorkloads(replicated).map((w) => [w.name, w.replicas, w.storageGiB])).toEqual([['prometheus', 3, 100], ['grafana', 2, 0], ['loki', 1, 100], ['alertmanager', 2, 50]]);
    expect(['prometheus', 'grafana', 'loki', 'alertmanager'].map((s) => serviceReplicas(replicated, s as 'loki'))).toEqual([3, 2, 1, 2]);
    expect(stackWorkload(site({ grafana: { storage: 'ephemeral' } }), 'grafana').storageGiB).toBe(0);
  });

  test('simple-scalable Loki: three targets in place of loki, shares rounded to milli-CPU and MiB, the volumes from the site', () => {
    const scalable = site({ loki: { mode: 'simple-scalable', objectStorage: BUCKET, cpu: 3, memoryGiB: 5, walVolumeGiB: 7, backendVolumeGiB: 9 } });
    expect(lokiSimpleScalable(scalable)).toBe(true);
    expect(lokiSimpleScalable(site({}))).toBe(false);
    expect(stackWorkloads(scalable).filter((w) => w.service === 'loki')).toEqual([
      { name: 'loki-write', service: 'loki', cpu: 2.25, memoryGiB: 3.75, storageGiB: 7, replicas: 3 },
      { name: 'loki-read', service: 'loki', cpu: 0.75, memoryGiB: 1.25, storageGiB: 0, replicas: 2 },
      { name: 'loki-backend', service: 'loki', cpu: 0.75, memoryGiB: 1.25, storageGiB: 9, replicas: 3 },
    ]);
    expect(stackWorkloads(scalable).map((w) => w.name)).toEqual(['prometheus', 'grafana', 'loki-write', 'loki-read', 'loki-backend', 'alertmanager']);
    // 0.1 CPU / 0.3 GiB: a quarter is 25m and 77 MiB (76.8 rounded), never a float tail.
    const small = site({ loki: { mode: 'simple-scalable', objectStorage: BUCKET, cpu: 0.1, memoryGiB: 0.3 } });
    expect(stackWorkload(small, 'loki-read')).toMatchObject({ cpu: 0.025, memoryGiB: 77 / 1024 });
    expect(stackWorkload(small, 'loki-write')).toMatchObject({ cpu: 0.075, memoryGiB: 230 / 1024 });
    // The smallest site sizes (1m, 1Mi) still give every target one step, never a request of 0.
    const tiny = site({ loki: { mode: 'simple-scalable', objectStorage: BUCKET, cpu: 0.001, memoryGiB: 0.001 } });
    for (const name of ['loki-write', 'loki-read', 'loki-backend']) expect(stackWorkload(tiny, name)).toMatchObject({ cpu: 0.001, memoryGiB: 1 / 1024 });
  });

  test('the targets, their component names and their shape', () => {
    expect(LOKI_TARGETS).toEqual(['write', 'read', 'backend']);
    expect(LOKI_TARGETS.map(lokiTargetComponent)).toEqual(['loki-write', 'loki-read', 'loki-backend']);
    expect(LOKI_TARGET_SHAPE).toEqual({ write: { replicas: 3, share: 0.75 }, read: { replicas: 2, share: 0.25 }, backend: { replicas: 3, share: 0.25 } });
  });

  test('a workload the site does not run is a programming error, named', () => {
    expect(() => stackWorkload(site({}), 'loki-write')).toThrow('no sized workload loki-write on this site');
    expect(() => stackWorkload(site({ loki: { mode: 'simple-scalable', objectStorage: BUCKET } }), 'loki')).toThrow('no sized workload loki on this site');
  });
});
