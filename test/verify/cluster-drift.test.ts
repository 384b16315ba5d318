/**
 * verify's drift check against a real kube-apiserver with dist/ applied as Argo CD applies it
 * (server-side, field manager argocd-controller), with the real client library. The test then
 * makes drift as people do (kubectl patch / scale / delete / create) and plays the controllers
 * (their status, Flux's owner labels), since none runs on this server. One server for this file.
 */
import * as YAML from 'yaml';
import * as k8s from '@kubernetes/client-node';
import type { CheckResult } from '../../verify/check';
import type { Cluster } from '../../verify/cluster/connect';
import { type DistObject, readDeliveryObjects, readDistObjects } from '../../verify/cluster/dist-objects';
import { checkDrift } from '../../verify/cluster/drift';
import { jsonApi } from '../../verify/cluster/json-api';
import { diffObjects } from '../../verify/cluster/object-diff';
import { type ApiServer, stopAll } from '../support/kube-apiserver';
import { synthToTemp } from '../support/synth-once';
import { applyAs, serverWithDist, ARGOCD_MANAGER, buildLayer, describeWithApiServer, setStatus } from './cluster-support';

const byId = (results: readonly CheckResult[], id: string) => {
  const r = results.find((x) => x.id === id);
  if (!r) throw new Error(`no result ${id}; ids: ${results.map((x) => x.id).join(', ')}`);
  return r;
};
const objectIds = (results: readonly CheckResult[]) => results.filter((r) => r.id.startsWith('drift/object/'));
/** The talos.dev ServiceAccount: its CRD comes from Talos, which does not run here. */
const TALOS_SA = 'drift/object/ServiceAccount/etcd-backup/etcd-backup';

describeWithApiServer('verify drift against a real API server with dist/ applied', () => {
  const { outDir } = synthToTemp();
  const objects = readDistObjects(outDir);
  const delivery = readDeliveryObjects(outDir);
  let server: ApiServer;
  let cluster: Cluster;
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const plain = (o: DistObject) => { const { file: _f, ...rest } = structuredClone(o); return rest; };

  beforeAll(async () => {
    ({ server, cluster } = await serverWithDist('drift', outDir, objects));
  }, 300000);
  afterAll(() => stopAll());

  describe('right after dist/ is applied', () => {
    let results: CheckResult[];
    beforeAll(async () => { results = await checkDrift(cluster, objects, { delivery }); }, 120000);

    test('every object of dist/ matches: the dry-run apply as argocd-controller changes nothing', () => {
      const notPassing = objectIds(results).filter((r) => r.status !== 'pass' && r.id !== TALOS_SA).map((r) => ({ id: r.id, detail: r.detail, lines: r.lines }));
      expect(notPassing).toEqual([]);
      expect(objectIds(results)).toHaveLength(objects.length);
    });

    test('Argo CD is detected from the stack\'s Applications, and its server-side apply manager is used', () => {
      expect(byId(results, 'drift/controller')).toMatchObject({ status: 'pass', detail: `Argo CD; field manager ${ARGOCD_MANAGER}` });
    });

    test('a custom resource whose CRD is not installed fails with who installs it, without stopping the run', () => {
      expect(byId(results, TALOS_SA)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not serve talos\.dev\/v1alpha1 ServiceAccount: its CRD is not installed/), next: expect.stringMatching(/kubernetesTalosAPIAccess/) });
    });

    test('no prune candidate', () => {
      expect(results.filter((r) => r.id.startsWith('drift/prune/'))).toEqual([]);
    });

    test('Applications not reconciled yet (no status) fail with the controller to check', () => {
      const apps = results.filter((r) => r.id.startsWith('drift/argocd/'));
      expect(apps.map((r) => r.id).sort()).toEqual(delivery.filter((o) => o.kind === 'Application').map((o) => `drift/argocd/${o.metadata.name}`).sort());
      expect(apps.every((r) => r.status === 'fail' && /no status: Argo CD has not reconciled it/.test(r.detail!))).toBe(true);
    });
  });

  test('the typed models of the client library would lose a NetworkPolicy rule\'s `from`, so the check sends and reads plain JSON', async () => {
    // GIVEN a NetworkPolicy of dist/ with peers
    const np = plain(find('NetworkPolicy', 'prometheus')) as unknown as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { ingress: { from?: unknown[] }[] } };
    expect(np.spec.ingress[0].from?.length).toBeGreaterThan(0);
    // WHEN the same dry run goes through KubernetesObjectApi.patch with a plain object
    const typed = await cluster.objects.patch(np, undefined, 'All', ARGOCD_MANAGER, true, k8s.PatchStrategy.ServerSideApply) as unknown as { spec: { ingress: { _from?: unknown[] }[] } };
    // THEN the server was told to drop the peers (the model's field is `_from`, the plain object's `from` is not sent)
    expect(typed.spec.ingress[0]._from).toBeUndefined();
    // while the plain-JSON dry run keeps them, equal to the live object
    const api = jsonApi(cluster);
    const live = (await api.get(np))!;
    expect(diffObjects(live, await api.applyDryRun(np as never, ARGOCD_MANAGER)).count).toBe(0);
  });

  test('the real server removes labels the manager owns but no longer applies: Flux\'s and Argo CD\'s own metadata must be carried over', async () => {
    // GIVEN an object applied by kustomize-controller with the owner labels Flux adds
    const api = jsonApi(cluster);
    const cm = plain(find('ConfigMap', 'prometheus-rules'));
    const labelled = { ...cm, metadata: { ...cm.metadata, labels: { ...cm.metadata.labels, 'kustomize.toolkit.fluxcd.io/name': 'x', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } };
    applyAs(server, 'kustomize-controller', YAML.stringify(labelled));
    // WHEN the same manager dry-runs dist/'s version, without them
    const diff = diffObjects((await api.get(cm))!, await api.applyDryRun(cm as never, 'kustomize-controller'));
    // THEN the server would delete them
    expect(diff.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^metadata\.labels\["kustomize\.toolkit\.fluxcd\.io\/name"\]: "x" → \(absent\)/)]));
    // and checkDrift, which carries them over from the live object, reports no drift for Flux's manager
    const results = await checkDrift(cluster, [find('ConfigMap', 'prometheus-rules')], { fieldManager: 'kustomize-controller' });
    expect(byId(results, 'drift/object/ConfigMap/monitoring/prometheus-rules')).toMatchObject({ status: 'pass' });
    expect(byId(results, 'drift/controller').detail).toMatch(/field manager kustomize-controller \(given\)/);
  });

  describe('drift made with kubectl', () => {
    let results: CheckResult[];
    beforeAll(async () => {
      // A ConfigMap value, a Deployment's replicas and one container argument, each by another manager.
      const cm = find('ConfigMap', 'prometheus-config') as DistObject & { data: Record<string, string> };
      const lines = cm.data['prometheus.yml'].split('\n');
      lines[1] = `${lines[1]} # edited by hand`;
      expect(server.kubectl(['patch', 'configmap', 'prometheus-config', '-n', 'monitoring', '--type=merge', '-p', JSON.stringify({ data: { 'prometheus.yml': lines.join('\n') } })]).status).toBe(0);
      expect(server.kubectl(['scale', 'deployment', 'blackbox-exporter', '-n', 'monitoring', '--replicas=3']).status).toBe(0);
      expect(server.kubectl(['patch', 'deployment', 'blackbox-exporter', '-n', 'monitoring', '--type=json',
        '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/args/1', value: '--web.listen-address=:9999' }])]).status).toBe(0);
      // An object deleted, and one labelled as the stack's that dist/ does not have (with two that are exempt).
      expect(server.kubectl(['delete', 'networkpolicy', 'pve-exporter', '-n', 'monitoring']).status).toBe(0);
      const stray = (name: string, extra: object = {}) => YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'monitoring', labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' }, ...extra }, data: { a: 'b' } });
      applyAs(server, 'kubectl', stray('old-dashboards'));
      // Another DaemonSet than dist/'s node-exporter; the test below also reads it with a dist/ that has no DaemonSet at all.
      const app = { 'app.kubernetes.io/name': 'old-agent', 'app.kubernetes.io/part-of': 'monitoring-stack' };
      applyAs(server, 'kubectl', YAML.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'old-agent', namespace: 'monitoring', labels: app },
        spec: { selector: { matchLabels: app }, template: { metadata: { labels: app }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36' }] } } } }));
      const owner = JSON.parse(server.kubectl(['get', 'configmap', 'prometheus-config', '-n', 'monitoring', '-o', 'json']).stdout);
      applyAs(server, 'kubectl', stray('owned-by-a-controller', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'prometheus-config', uid: owner.metadata.uid }] }));
      const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-prometheus-0', namespace: 'monitoring', labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
      applyAs(server, 'statefulset-controller', YAML.stringify(claim));
      results = await checkDrift(cluster, objects, { delivery });
    }, 120000);

    test('a ConfigMap value changed: fail with the key, the first changed line and both values', () => {
      const r = byId(results, 'drift/object/ConfigMap/monitoring/prometheus-config');
      expect(r.status).toBe('fail');
      expect(r.lines).toEqual([expect.stringMatching(/^data\["prometheus\.yml"\] line 2: ".* # edited by hand" → ".*"$/)]);
      expect(r.detail).toMatch(/1 field would change on apply \(cluster → git\); also written by kubectl-patch/);
    });

    test('replicas and a container argument changed: both paths with live → git values', () => {
      const r = byId(results, 'drift/object/Deployment/monitoring/blackbox-exporter');
      expect(r.status).toBe('fail');
      expect(r.lines).toEqual(expect.arrayContaining([
        'spec.replicas: 3 → 1',
        'spec.template.spec.containers[name=blackbox-exporter].args[1]: "--web.listen-address=:9999" → "--web.listen-address=:9115"',
      ]));
    });

    test('a deleted object is missing', () => {
      expect(byId(results, 'drift/object/NetworkPolicy/monitoring/pve-exporter')).toMatchObject({ status: 'fail', detail: 'missing: not in the cluster', next: expect.stringMatching(/argocd app sync/) });
    });

    test('a labelled object dist/ does not have is a prune candidate (warn), of a kind dist/ has or not; owned objects and StatefulSet claims are not', () => {
      const prune = results.filter((r) => r.id.startsWith('drift/prune/'));
      expect(prune.map((r) => [r.id, r.status]).sort()).toEqual([['drift/prune/ConfigMap/monitoring/old-dashboards', 'warn'], ['drift/prune/DaemonSet/monitoring/old-agent', 'warn']]);
      // dist/'s own DaemonSet (node-exporter in host-metrics) is not one.
      expect(objects.some((o) => o.kind === 'DaemonSet' && o.metadata.name === 'node-exporter')).toBe(true);
      expect(byId(results, 'drift/prune/ConfigMap/monitoring/old-dashboards').next).toMatch(/kubectl delete configmap -n monitoring old-dashboards$/);
      expect(byId(results, 'drift/prune/DaemonSet/monitoring/old-agent').next).toMatch(/kubectl delete daemonset\.apps -n monitoring old-agent$/);
    });

    test('leftovers of a kind dist/ no longer has at all are found through the fixed list of the stack\'s kinds', async () => {
      // GIVEN a dist/ without any DaemonSet WHEN drift runs THEN both DaemonSets in the cluster are candidates.
      const withoutDaemonSets = await checkDrift(cluster, objects.filter((o) => o.kind !== 'DaemonSet'), { delivery });
      expect(withoutDaemonSets.filter((r) => r.id.startsWith('drift/prune/DaemonSet/')).map((r) => r.id).sort())
        .toEqual(['drift/prune/DaemonSet/host-metrics/node-exporter', 'drift/prune/DaemonSet/monitoring/old-agent']);
    }, 60000);

    test('the rest still matches', () => {
      const changed = ['ConfigMap/monitoring/prometheus-config', 'Deployment/monitoring/blackbox-exporter', 'NetworkPolicy/monitoring/pve-exporter'].map((k) => `drift/object/${k}`);
      expect(objectIds(results).filter((r) => r.status !== 'pass' && ![...changed, TALOS_SA].includes(r.id))).toEqual([]);
    });
  });

  test('dist/ that dropped every object of a kind: the live ones of that kind are still prune candidates', async () => {
    // GIVEN dist/ without its NetworkPolicies, which the cluster still has
    const live = JSON.parse(server.kubectl(['get', 'networkpolicies', '-A', '-l', 'app.kubernetes.io/part-of=monitoring-stack', '-o', 'json']).stdout)
      .items.map((p: { metadata: { name: string; namespace: string } }) => `drift/prune/NetworkPolicy/${p.metadata.namespace}/${p.metadata.name}`);
    expect(live.length).toBeGreaterThan(1);
    // WHEN
    const results = await checkDrift(cluster, objects.filter((o) => o.kind !== 'NetworkPolicy'));
    // THEN each is reported
    expect(results.filter((r) => r.id.startsWith('drift/prune/NetworkPolicy/')).map((r) => r.id).sort()).toEqual(live.sort());
  });

  test('dist/\'s version that the server refuses (a changed StatefulSet selector) fails with the server\'s reason', async () => {
    const sts = structuredClone(find('StatefulSet', 'prometheus')) as DistObject & { spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } };
    sts.spec.selector.matchLabels.extra = 'label';
    sts.spec.template.metadata.labels.extra = 'label';
    const [r] = objectIds(await checkDrift(cluster, [sts]));
    expect(r).toMatchObject({ status: 'fail', detail: expect.stringMatching(/the server refuses dist\/'s version \(dry run\): HTTP 422 Invalid: StatefulSet.apps "prometheus" is invalid: spec: Forbidden/) });
  });

  test('Argo CD sync state: Synced and Healthy passes, OutOfSync fails with the conditions', async () => {
    const [first, second] = delivery.filter((o) => o.kind === 'Application' && o.file.startsWith('gitops/argocd/apps/'));
    // The Application CRD has no status subresource: Argo CD writes status with the object.
    const status = (sync: string, health: string, extra: object = {}) => JSON.stringify({ status: { sync: { status: sync, revision: '0123456789abcdef0123' }, health: { status: health }, ...extra } });
    expect(server.kubectl(['patch', 'application', first.metadata.name, '-n', 'argocd', '--type=merge', '-p', status('Synced', 'Healthy')]).status).toBe(0);
    expect(server.kubectl(['patch', 'application', second.metadata.name, '-n', 'argocd', '--type=merge', '-p',
      status('OutOfSync', 'Degraded', { conditions: [{ type: 'SyncError', message: 'one or more objects failed to apply' }] })]).status).toBe(0);
    const results = await checkDrift(cluster, [], { delivery });
    expect(byId(results, `drift/argocd/${first.metadata.name}`)).toMatchObject({ status: 'pass', detail: 'Synced, Healthy at 0123456789ab' });
    expect(byId(results, `drift/argocd/${second.metadata.name}`)).toMatchObject({ status: 'fail', detail: 'OutOfSync, Degraded', lines: ['SyncError: one or more objects failed to apply'] });
  });

  test('with Flux delivering instead: kustomize-controller is detected, and each Flux object\'s Ready condition is reported', async () => {
    // GIVEN Argo CD gone and Flux's objects applied (by the bootstrap and the root Kustomization)
    expect(server.kubectl(['delete', 'applications.argoproj.io', '--all', '-n', 'argocd']).status).toBe(0);
    applyAs(server, 'kubectl', buildLayer(outDir, 'gitops/flux'));
    applyAs(server, 'kustomize-controller', buildLayer(outDir, 'gitops/flux/layers'));
    const flux = delivery.filter((o) => o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && o.kind === 'Kustomization');
    const ready = flux[0];
    setStatus(server, 'kustomizations.kustomize.toolkit.fluxcd.io', 'flux-system', ready.metadata.name,
      { conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:abc', lastTransitionTime: '2026-12-02T10:00:00Z' }], lastAppliedRevision: 'main@sha1:abc' });
    // WHEN
    const results = await checkDrift(cluster, [], { delivery });
    // THEN
    expect(byId(results, 'drift/controller')).toMatchObject({ status: 'pass', detail: 'Flux; field manager kustomize-controller' });
    expect(byId(results, `drift/flux/Kustomization/${ready.metadata.name}`)).toMatchObject({ status: 'pass', detail: 'Ready at main@sha1:abc' });
    expect(byId(results, `drift/flux/Kustomization/${flux[1].metadata.name}`)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no Ready condition/) });
    // The HelmRelease's CRD (helm-controller) is installed too: reported, not skipped.
    expect(byId(results, 'drift/flux/HelmRelease/metallb').status).toBe('fail');
    expect(results.some((r) => r.id.startsWith('drift/argocd/'))).toBe(false);
  });
});
