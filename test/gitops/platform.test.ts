import * as YAML from 'yaml';
import { LOCAL_PATH_HOST_DIR } from '../../charts/platform';
import { rotationScript } from '../../charts/platform/etcd-backup';
import { deliveryLayers, syncWaves } from '../../gitops';
import { kustomizationFiles, kustomizationYaml } from '../../render/kustomization';
import { readObjects, type DistObject } from '../support/dist-tree';
import { kubernetesValidator, schemaVersionFor } from '../support/k8s-schemas';
import { describeWithShared } from '../support/shared-dir';
import { deliveryFiles, isCustomResource, siteFrom, writeDeliveryTree } from './delivery-tree';

const objectsFor = (input = {}) => readObjects(writeDeliveryTree(siteFrom(input)));
const one = (objects: DistObject[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name))!;

describe('platform layer', () => {
  const objects = objectsFor();

  test('the MetalLB pool holds exactly the four service addresses and never auto-assigns', () => {
    const pool = one(objects, 'IPAddressPool');
    expect(pool.spec).toEqual({ addresses: ['10.70.0.10/32', '10.70.0.11/32', '10.70.0.12/32', '10.70.0.13/32'], autoAssign: false });
    expect(pool.metadata.name).toBe('monitoring-vlan70');
    expect(one(objects, 'L2Advertisement').spec).toEqual({ ipAddressPools: ['monitoring-vlan70'] });
  });

  test('the pool follows the service addresses of the site', () => {
    const pool = one(objectsFor({ grafana: { address: '10.70.0.50' } }), 'IPAddressPool');
    expect((pool.spec as { addresses: string[] }).addresses).toContain('10.70.0.50/32');
    expect((pool.spec as { addresses: string[] }).addresses).not.toContain('10.70.0.11/32');
  });

  test('the pool is named after the site\'s VLAN, and every LoadBalancer asks for that pool', () => {
    const objects = objectsFor({ network: { vlanId: 30, cidr: '10.30.0.0/24', gateway: '10.30.0.1', dhcpRange: { start: '10.30.0.100', end: '10.30.0.200' } },
      prometheus: { address: '10.30.0.10' }, grafana: { address: '10.30.0.11' }, loki: { address: '10.30.0.12' }, alertmanager: { address: '10.30.0.13' },
      talos: { vip: '10.30.0.20', nodes: [{ hostname: 'a', address: '10.30.0.21', vmid: 211 }, { hostname: 'b', address: '10.30.0.22', vmid: 212 }, { hostname: 'c', address: '10.30.0.23', vmid: 213 }] } });
    expect(one(objects, 'IPAddressPool').metadata.name).toBe('monitoring-vlan30');
    expect(one(objects, 'L2Advertisement').spec).toEqual({ ipAddressPools: ['monitoring-vlan30'] });
    const lbs = objects.filter((o) => o.kind === 'Service' && (o.spec as any).type === 'LoadBalancer');
    expect(lbs.map((o) => o.metadata.annotations?.['metallb.io/address-pool'])).toEqual(lbs.map(() => 'monitoring-vlan30'));
  });

  test('the stack namespace enforces Pod Security "restricted"; exceptions are privileged with their reason', () => {
    const level = (name: string) => one(objects, 'Namespace', name).metadata.labels?.['pod-security.kubernetes.io/enforce'];
    expect(level('monitoring')).toBe('restricted');
    expect(level('etcd-backup')).toBe('restricted');
    for (const ns of ['metallb-system', 'local-path-storage']) {
      expect(level(ns)).toBe('privileged');
      expect(one(objects, 'Namespace', ns).metadata.annotations?.['monitoring-stack/pod-security-exception']).toMatch(/\w+/);
    }
  });

  test('every namespace the platform creates has something deployed into it (no empty privileged namespace waiting for workloads)', () => {
    for (const input of [{}, { backups: { velero: true } }]) {
      const all = objectsFor(input);
      // The MetalLB Helm release installs into its namespace; its objects are not in the tree.
      const helmTargets = all.filter((o) => o.kind === 'HelmRelease').map((o) => (o.spec as { targetNamespace: string }).targetNamespace);
      const used = new Set([...all.map((o) => o.metadata.namespace).filter((n): n is string => !!n), ...helmTargets]);
      const empty = all.filter((o) => o.kind === 'Namespace' && !used.has(o.metadata.name))
        .map((o) => `${o.metadata.name} (${o.metadata.labels?.['pod-security.kubernetes.io/enforce']})`);
      expect({ input, empty }).toEqual({ input, empty: [] });
    }
  });

  test('local-path-provisioner may read helper pod logs, to report why a volume could not be created', () => {
    const sa = one(objects, 'ServiceAccount', 'local-path-provisioner');
    const bound = objects.filter((o) => ['ClusterRoleBinding', 'RoleBinding'].includes(o.kind)
      && ((o as any).subjects ?? []).some((x: any) => x.kind === 'ServiceAccount' && x.name === sa.metadata.name && x.namespace === sa.metadata.namespace));
    const rules = bound.flatMap((b) => {
      const ref = (b as any).roleRef;
      const role = objects.find((r) => r.kind === ref.kind && r.metadata.name === ref.name && (ref.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
      return ((role as any)?.rules ?? []) as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    });
    const grants = (verb: string) => rules.some((r) => r.apiGroups.includes('') && r.resources.includes('pods/log') && r.verbs.includes(verb));
    expect({ get: grants('get'), list: grants('list'), watch: grants('watch') }).toEqual({ get: true, list: true, watch: true });
  });

  test('namespaces and the claims that are not StatefulSet templates are never pruned, nor deleted with their Application', () => {
    const keep = objects.filter((o) => o.kind === 'Namespace' || o.kind === 'PersistentVolumeClaim');
    expect(keep.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name).sort()).toEqual(['etcd-snapshots', 'grafana-data']);
    for (const o of keep) {
      // Argo CD prunes unless Prune=false (Delete=false only covers Application deletion); Flux
      // garbage-collects unless prune is disabled.
      const argo = (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').map((x) => x.trim());
      expect({ o: `${o.kind}/${o.metadata.name}`, argo }).toEqual({ o: `${o.kind}/${o.metadata.name}`, argo: expect.arrayContaining(['Prune=false', 'Delete=false']) });
      expect(o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
    }
  });

  test('StatefulSet claims are retained when the StatefulSet is deleted or scaled down', () => {
    const sets = objects.filter((o) => o.kind === 'StatefulSet');
    expect(sets.map((o) => o.metadata.name).sort()).toEqual(['alertmanager', 'loki', 'prometheus']);
    for (const o of sets) expect((o.spec as any).persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('local-path helper pods run under their own account, without an API token or any role', () => {
    const deployment = one(objects, 'Deployment', 'local-path-provisioner') as any;
    const command: string[] = deployment.spec.template.spec.containers[0].command;
    const account = command[command.indexOf('--service-account-name') + 1];
    expect(account).toBe('local-path-helper');
    expect(one(objects, 'ServiceAccount', account)).toMatchObject({ metadata: { namespace: 'local-path-storage' }, automountServiceAccountToken: false });
    const helper = YAML.parse((one(objects, 'ConfigMap', 'local-path-config').data as Record<string, string>)['helperPod.yaml']);
    expect(helper.spec.automountServiceAccountToken).toBe(false);
    const bindings = objects.filter((o) => ['RoleBinding', 'ClusterRoleBinding'].includes(o.kind)
      && ((o as any).subjects ?? []).some((x: any) => x.kind === 'ServiceAccount' && x.name === account));
    expect(bindings).toEqual([]);
  });

  test('the kubelet CSR approver approves only the site\'s node names and addresses, with no more rights than that', () => {
    const custom = objectsFor({ talos: { nodes: [
      { hostname: 'k8s-a', address: '10.70.0.31', vmid: 301 },
      { hostname: 'k8s-b', address: '10.70.0.32', vmid: 302 },
      { hostname: 'k8s-c', address: '10.70.0.33', vmid: 303 },
    ] } });
    const env = Object.fromEntries((one(custom, 'Deployment', 'kubelet-csr-approver') as any).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toEqual({
      PROVIDER_REGEX: '^(k8s-a|k8s-b|k8s-c)$',
      PROVIDER_IP_PREFIXES: '10.70.0.31/32,10.70.0.32/32,10.70.0.33/32',
      BYPASS_DNS_RESOLUTION: 'true',
    });
    const regex = new RegExp(env.PROVIDER_REGEX);
    expect(['k8s-a', 'k8s-b', 'k8s-c'].every((n) => regex.test(n))).toBe(true);
    // Anchored: the approver matches unanchored, so a prefix or suffix must not pass.
    expect(['k8s-ab', 'k8s-b.evil', 'xk8s-c', 'k8s-d'].some((n) => regex.test(n))).toBe(false);
    const role = one(objects, 'ClusterRole', 'kubelet-csr-approver') as any;
    expect(role.rules).toEqual([
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kubelet-serving'], verbs: ['approve'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect((one(objects, 'NetworkPolicy', 'kubelet-csr-approver') as any).spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kubelet-csr-approver', 'app.kubernetes.io/part-of': 'monitoring-stack' } },
      // Deny all ingress without an `ingress` key: the API server drops an empty list (see test/kubernetes/api-server.test.ts).
      policyTypes: ['Ingress'],
    });
  });

  test('local-path-provisioner keeps volumes on the Talos data disk, in the site\'s StorageClass, retained on delete', () => {
    const config = one(objects, 'ConfigMap', 'local-path-config').data as Record<string, string>;
    expect(JSON.parse(config['config.json']).nodePathMap[0].paths).toEqual([LOCAL_PATH_HOST_DIR]);
    expect(LOCAL_PATH_HOST_DIR).toBe('/var/mnt/local-path-provisioner');
    expect(YAML.parse(config['helperPod.yaml']).spec.containers[0].image).toMatch(/^docker\.io\/library\/busybox:\d+\.\d+\.\d+$/);
    const sc = one(objectsFor({ kubernetes: { storageClass: 'fast-local' } }), 'StorageClass');
    expect(sc).toMatchObject({
      metadata: { name: 'fast-local', annotations: { defaultVolumeType: 'local' } },
      provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain',
    });
  });

  test('every image is pinned by version', () => {
    const images = JSON.stringify(objects).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/:v?\d+\.\d+\.\d+"$/);
  });
});

describe('backups', () => {
  test('the etcd snapshot runs at the site\'s backup time in UTC and keeps the site\'s retention', () => {
    const cron = one(objectsFor({ backups: { schedule: '30 1 * * *', retentionDays: 3 } }), 'CronJob', 'etcd-backup');
    expect(cron.spec).toMatchObject({ schedule: '30 1 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    expect(JSON.stringify(cron)).toContain(`-mmin +${3 * 1440 - 60}`);
    expect(rotationScript(7)).toContain('-mmin +10020');
  });

  test('the snapshot volume holds every copy the rotation keeps, each as large as etcd may grow (its 2 GiB quota)', () => {
    const size = (input: object) => (one(objectsFor(input), 'PersistentVolumeClaim', 'etcd-snapshots').spec as any).resources.requests.storage;
    expect(size({})).toBe('16Gi'); // 7 days x 1 a day + the new one = 8 copies
    expect(size({ backups: { retentionDays: 3 } })).toBe('8Gi');
    expect(size({ backups: { schedule: '0 */6 * * *', retentionDays: 2 } })).toBe('18Gi'); // 2 x 4 + 1 = 9 copies
    expect(size({ backups: { schedule: '15,45 1 * * 1-5' } })).toBe('30Gi'); // 7 x 2 + 1 = 15 copies
  });

  test('the etcd snapshot asks the first control plane with the Talos release\'s talosctl', () => {
    const cron = one(objectsFor(), 'CronJob', 'etcd-backup') as any;
    const snapshot = cron.spec.jobTemplate.spec.template.spec.initContainers[0];
    expect(snapshot.image).toBe('ghcr.io/siderolabs/talosctl:v1.13.9');
    expect(snapshot.args).toEqual(['--nodes', '10.70.0.21', 'etcd', 'snapshot', '/backup/etcd.snapshot']);
  });

  test('the etcd snapshot asks the first control plane, not a worker listed before it', () => {
    const nodes = [
      { hostname: 'talos-w-1', address: '10.70.0.31', vmid: 231, role: 'worker' },
      ...[1, 2, 3].map((i) => ({ hostname: `talos-cp-${i}`, address: `10.70.0.2${i}`, vmid: 210 + i })),
    ];
    const cron = one(objectsFor({ talos: { nodes } }), 'CronJob', 'etcd-backup') as any;
    expect(cron.spec.jobTemplate.spec.template.spec.initContainers[0].args).toEqual(['--nodes', '10.70.0.21', 'etcd', 'snapshot', '/backup/etcd.snapshot']);
  });

  test('no Velero Schedule or namespace unless backups.velero is set', () => {
    const objects = objectsFor();
    expect(objects.filter((o) => o.kind === 'Schedule' || o.metadata.name === 'velero')).toEqual([]);
  });

  test('with backups.velero the Schedule backs up the stack namespace daily with file-system backup for the retention', () => {
    const schedule = one(objectsFor({ backups: { velero: true, retentionDays: 7 } }), 'Schedule');
    expect([schedule.metadata.name, schedule.metadata.namespace]).toEqual(['monitoring-backup', 'velero']);
    expect(schedule.spec).toEqual({
      schedule: '0 2 * * *',
      useOwnerReferencesInBackup: false,
      template: { includedNamespaces: ['monitoring'], defaultVolumesToFsBackup: true, snapshotVolumes: false, ttl: '168h0m0s' },
    });
  });
});

describe('GitOps sources come from the site', () => {
  const objects = objectsFor({ gitops: { repoUrl: 'ssh://git@git.lan/ops/mon.git', branch: 'prod', path: './deploy/' } });

  test('Argo CD Applications read the site repository, branch and path', () => {
    const sources = objects.filter((o) => o.kind === 'Application').map((a) => (a.spec as any).source).filter((s) => !s.chart);
    expect(sources.length).toBe(5);
    for (const s of sources) expect(s).toMatchObject({ repoURL: 'ssh://git@git.lan/ops/mon.git', targetRevision: 'prod', path: expect.stringMatching(/^deploy\/(platform|monitoring|gitops)/) });
  });

  test('Flux reads the site repository and branch, with paths under the site path', () => {
    expect(one(objects, 'GitRepository').spec).toMatchObject({ url: 'ssh://git@git.lan/ops/mon.git', ref: { branch: 'prod' } });
    for (const k of objects.filter((o) => o.kind === 'Kustomization')) expect((k.spec as any).path).toMatch(/^\.\/deploy\/(platform|monitoring|gitops)/);
  });
});

describe('backups.velero', () => {
  test('changes only the Velero parts of the tree: its namespace, the Argo CD project\'s destinations, the Schedule and its kustomization entry', () => {
    // Every other file must come out as without Velero (test/determinism.test.ts covers that
    // tree against the committed dist/); a file that did not would show up here too.
    const without = new Map(deliveryFiles(siteFrom()).map((f) => [f.path, f.content]));
    const changed = deliveryFiles(siteFrom({ backups: { velero: true } })).filter((f) => without.get(f.path) !== f.content).map((f) => f.path).sort();
    expect(changed).toEqual([
      'gitops/argocd/project/argocd-project.yaml',
      'platform/backups/kustomization.yaml',
      'platform/backups/velero-schedule.yaml',
      'platform/base/namespaces.yaml',
    ]);
  });
});

describeWithShared('schemas/kubernetes', 'built-in platform objects validate strictly against ../shared/schemas/kubernetes', () => {
  const objects = objectsFor({ backups: { velero: true } }).filter((o) => !isCustomResource(o) && !o.file.startsWith('monitoring/'));
  const validator = kubernetesValidator(schemaVersionFor(siteFrom().kubernetes.version).version);
  test.each(objects.map((o) => [`${o.file}: ${o.kind}/${o.metadata.name}`, o] as const))('%s', (_label, obj) => {
    const { file: _file, ...resource } = obj;
    expect(validator.validate(resource)).toEqual([]);
  });
});

describe('kustomization.yaml and layer order helpers', () => {
  test('a kustomization lists the directory\'s own manifests, sorted, not its sub-directories', () => {
    const files = kustomizationFiles([
      { path: 'a/z.yaml', content: '' }, { path: 'a/b.yaml', content: '' }, { path: 'a/sub/c.yaml', content: '' },
    ], ['a']);
    expect(files).toEqual([{ path: 'a/kustomization.yaml', content: kustomizationYaml(['b.yaml', 'z.yaml']) }]);
    expect(YAML.parse(files[0].content)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['b.yaml', 'z.yaml'] });
  });

  test('fails when a layer directory has no manifests', () => {
    expect(() => kustomizationFiles([{ path: 'b/x.yaml', content: '' }], ['a'])).toThrow(/a\/ has no manifests/);
  });

  test('fails when a directory already has a kustomization.yaml', () => {
    expect(() => kustomizationFiles([{ path: 'a/kustomization.yaml', content: '' }, { path: 'a/x.yaml', content: '' }], ['a'])).toThrow(/already exists/);
  });

  test('sync waves put every layer after all its dependencies', () => {
    const layers = deliveryLayers(siteFrom());
    const waves = syncWaves(layers);
    for (const l of layers) for (const d of l.dependsOn) expect(waves.get(d)!).toBeLessThan(waves.get(l.name)!);
  });

  test('syncLast layers share one wave after every other layer, whatever their dependencies', () => {
    const waves = syncWaves([
      { name: 'base', dependsOn: [] },
      { name: 'late', dependsOn: ['base'], syncLast: true },
      { name: 'mid', dependsOn: ['base'] },
      { name: 'top', dependsOn: ['mid'] },
    ]);
    expect(Object.fromEntries(waves)).toEqual({ base: 0, mid: 1, top: 2, late: 3 });
  });

  test('fails when a layer depends on a syncLast layer', () => {
    expect(() => syncWaves([{ name: 'late', dependsOn: [], syncLast: true }, { name: 'b', dependsOn: ['late'] }]))
      .toThrow(/"b" depends on "late", which is syncLast/);
  });

  test('fails when layers depend on each other in a cycle', () => {
    expect(() => syncWaves([{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }])).toThrow(/depends on itself/);
  });

  test('fails when a layer depends on an unknown layer', () => {
    expect(() => syncWaves([{ name: 'a', dependsOn: ['nope'] }])).toThrow(/"nope" is not a layer/);
  });
});
