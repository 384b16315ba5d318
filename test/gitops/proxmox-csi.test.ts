/**
 * kubernetes.storage: proxmox-csi. The Proxmox CSI plugin's chart as a third Helm layer (Argo CD's
 * OCI source, Flux OCIRepository + chartRef) with its values (the token read from the operator's
 * Secret as files), StorageClasses in platform-base instead of local-path-provisioner, the
 * privileged csi-proxmox namespace, the Talos side without a data disk and with topology labels
 * (also on one host), the operator's token Secret, and the comparison's disk and wording.
 * Strict schemas: test/upstream/kubeconform.test.ts and test/gitops/crd-validation.test.ts run
 * the same site.
 */
import * as YAML from 'yaml';
import { PROXMOX_CSI_CHART, proxmoxCsiValues } from '../../gitops/proxmox-csi-release';
import { deliveryLayers } from '../../gitops';
import { operatorSecretSpecs } from '../../charts/secrets/operator-secrets';
import { etcdSnapshotVolumeGiB } from '../../charts/platform/etcd-backup';
import { computeComparison } from '../../lxc';
import { parseSite, type SiteInput } from '../../site';
import { checkTalosConfig } from '../../talos/config-rules';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { renderProxmoxScripts } from '../../talos/proxmox-script';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { talosVmSizing } from '../../talos/vm-sizing';
import { readObjects } from '../support/dist-tree';
import { CSI_SITE, CSI_SITE_INPUT } from '../support/csi-site';
import { describeWithShared, expectScriptsShellClean, readFixture, schemaErrors } from '../talos/helpers';
import { writeDeliveryTree } from './delivery-tree';

type Obj = Record<string, any>;

describe('the delivery tree with the Proxmox CSI plugin', () => {
  const objects = readObjects(writeDeliveryTree(CSI_SITE)) as Obj[];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  test('platform-base has one StorageClass per Proxmox storage, and no local-path-provisioner', () => {
    const classes = objects.filter((o) => o.kind === 'StorageClass');
    expect(classes.map((c) => [c.file, c.metadata.name, c.provisioner, c.parameters, c.volumeBindingMode, c.reclaimPolicy, c.allowVolumeExpansion])).toEqual([
      ['platform/base/proxmox-csi-storage-classes.yaml', 'proxmox-local', 'csi.proxmox.sinextra.dev', { storage: 'local-lvm', 'csi.storage.k8s.io/fstype': 'xfs', ssd: 'true' }, 'WaitForFirstConsumer', 'Retain', true],
      ['platform/base/proxmox-csi-storage-classes.yaml', 'proxmox-ceph', 'csi.proxmox.sinextra.dev', { storage: 'ceph-rbd', 'csi.storage.k8s.io/fstype': 'ext4' }, 'WaitForFirstConsumer', 'Retain', true],
    ]);
    expect(objects.filter((o) => JSON.stringify(o).includes('local-path'))).toEqual([]);
    // Every claim of the stack and the etcd snapshot's use the site's class.
    const claims = objects.flatMap((o) => [...(o.spec?.volumeClaimTemplates ?? []), ...(o.kind === 'PersistentVolumeClaim' ? [o] : [])]);
    expect(claims.length).toBeGreaterThan(3);
    expect(new Set(claims.map((c) => c.spec.storageClassName))).toEqual(new Set(['proxmox-local']));
  });

  test('the csi-proxmox namespace is privileged, with the reason on it', () => {
    const ns = find('Namespace', 'csi-proxmox')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['monitoring-stack/pod-security-exception']).toMatch(/node plugin runs privileged as root/);
    expect(find('Namespace', 'local-path-storage')).toBeUndefined();
  });

  test('the layer comes after platform-base, and the layers with claims wait for it', () => {
    const layers = deliveryLayers(CSI_SITE);
    const layer = layers.find((l) => l.name === 'proxmox-csi')!;
    expect(layer).toMatchObject({ dependsOn: ['platform-base'], namespace: 'csi-proxmox', keep: true });
    expect(layers.find((l) => l.name === 'monitoring')!.dependsOn).toContain('proxmox-csi');
    expect(layers.find((l) => l.name === 'backups')!.dependsOn).toContain('proxmox-csi');
    expect(deliveryLayers(parseSite({}).site).map((l) => l.name)).not.toContain('proxmox-csi');
  });

  test('Argo CD reads the chart from its OCI registry (path "."), the project allows that repository and the chart\'s cluster kinds', () => {
    const app = find('Application', 'pve01-monitoring-proxmox-csi')!;
    expect(app.spec.source).toEqual({
      repoURL: 'oci://ghcr.io/sergelogvinov/charts/proxmox-csi-plugin', path: '.', targetRevision: '0.5.9',
      helm: { releaseName: 'proxmox-csi-plugin', valuesObject: proxmoxCsiValues(CSI_SITE) },
    });
    expect(app.spec.destination.namespace).toBe('csi-proxmox');
    expect(app.spec.ignoreDifferences).toBeUndefined();
    const project = find('AppProject', 'pve01-monitoring')!;
    expect(project.spec.sourceRepos).toContain(PROXMOX_CSI_CHART.url);
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: 'storage.k8s.io', kind: 'CSIDriver' });
    expect(project.spec.destinations.map((d: Obj) => d.namespace)).toContain('csi-proxmox');
  });

  test('Flux pulls the chart layer of the OCI artifact and installs it by chartRef, waiting for the controller and the node plugin', () => {
    const repo = objects.find((o) => o.kind === 'OCIRepository')!;
    expect(repo.file).toBe('gitops/flux/proxmox-csi/flux-proxmox-csi.yaml');
    expect(repo.spec).toEqual({
      url: 'oci://ghcr.io/sergelogvinov/charts/proxmox-csi-plugin', ref: { tag: '0.5.9' }, interval: '1h',
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    const release = find('HelmRelease', 'proxmox-csi-plugin')!;
    expect(release.spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'proxmox-csi-plugin' });
    expect(release.spec.chart).toBeUndefined();
    expect(release.spec.targetNamespace).toBe('csi-proxmox');
    // The chart has no CRDs: no CRD policy, as MetalLB's has.
    expect(release.spec.install).toEqual({ createNamespace: false, remediation: { retries: 3 } });
    const kustomization = find('Kustomization', 'pve01-monitoring-proxmox-csi')!;
    expect(kustomization.spec.path).toBe('./dist/gitops/flux/proxmox-csi');
    expect(kustomization.spec.healthChecks).toEqual([
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'proxmox-csi-plugin', namespace: 'flux-system' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'proxmox-csi-plugin-controller', namespace: 'csi-proxmox' },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'proxmox-csi-plugin-node', namespace: 'csi-proxmox' },
    ]);
  });

  test('the chart values: the cluster\'s API and region from the site, the token as files of the operator\'s Secret, no chart StorageClass', () => {
    expect(proxmoxCsiValues(CSI_SITE)).toEqual({
      replicaCount: 2,
      createNamespace: false,
      config: {
        features: { provider: 'default' },
        clusters: [{
          url: 'https://pve.homelab.lan:8006/api2/json', insecure: true, region: 'homelab',
          token_id_file: '/etc/proxmox-token/token_id', token_secret_file: '/etc/proxmox-token/token_secret',
        }],
      },
      storageClass: [],
      extraVolumes: [{ name: 'proxmox-token', secret: { secretName: 'proxmox-csi-token' } }],
      extraVolumeMounts: [{ name: 'proxmox-token', mountPath: '/etc/proxmox-token', readOnly: true }],
    });
    // The region is the one the machine configs label the nodes with (the plugin matches the two).
    const site = parseSite({ ...CSI_SITE_INPUT, name: 'lab', proxmox: { ...CSI_SITE_INPUT.proxmox, cluster: undefined } }).site;
    expect((proxmoxCsiValues(site) as Obj).config.clusters[0].region).toBe('lab');
    expect(YAML.stringify(proxmoxCsiValues(CSI_SITE))).not.toMatch(/token_id:|token_secret:/);
  });

  test('the operator creates the token Secret in csi-proxmox (and a SOPS placeholder carries that namespace)', () => {
    expect(operatorSecretSpecs(CSI_SITE).find((s) => s.name === 'proxmox-csi-token')).toEqual({
      name: 'proxmox-csi-token', namespace: 'csi-proxmox', usedBy: expect.stringContaining('Proxmox CSI plugin'),
      placeholder: { token_id: 'kubernetes-csi@pve!csi', token_secret: 'REPLACE-WITH-SOPS' },
    });
    expect(operatorSecretSpecs(parseSite({}).site).map((s) => s.name)).not.toContain('proxmox-csi-token');
  });
});

describeWithShared('the Talos side with the Proxmox CSI plugin', () => {
  const configs = renderNodeMachineConfigs(CSI_SITE, parseSecretsBundle(readFixture('secrets.yaml')));
  const docs = (c: (typeof configs)[number]): Obj[] => YAML.parseAllDocuments(toGoYamlDocuments(c.documents)).map((d) => d.toJS() as Obj);

  test('no node gets the local-path data volume; every config stays valid', () => {
    for (const config of configs) {
      expect(docs(config).map((d) => d.kind ?? 'v1alpha1')).not.toContain('UserVolumeConfig');
      expect(checkTalosConfig(config.documents, '1.13')).toEqual([]);
      for (const doc of docs(config)) expect(schemaErrors(doc)).toEqual([]);
    }
  });

  test('a single-host site gets the topology labels too: the plugin finds a node\'s VM by region and zone', () => {
    const single: SiteInput = { ...CSI_SITE_INPUT, proxmox: {}, talos: { nodes: CSI_SITE_INPUT.talos!.nodes!.slice(0, 3).map(({ host: _h, ...n }) => n) }, prometheus: {}, alertmanager: {}, availability: {} };
    const site = parseSite(single).site;
    const [first] = renderNodeMachineConfigs(site, parseSecretsBundle(readFixture('secrets.yaml')));
    expect(docs(first)[0].machine.nodeLabels).toEqual({ 'topology.kubernetes.io/region': 'pve01-monitoring', 'topology.kubernetes.io/zone': 'pve01' });
  });

  test('the VMs get no data disk, and the scripts stay bash- and shellcheck-clean', () => {
    expect(talosVmSizing(CSI_SITE).perNode.dataDiskGiB).toBe(0);
    const scripts = renderProxmoxScripts(CSI_SITE);
    for (const s of scripts) {
      expect(s.content).not.toMatch(/DATA_DRIVE|DATA_DISK_GIB|data_mib/);
      expect(s.content).toContain('no data disk (the Proxmox CSI plugin attaches a disk per volume)');
    }
    expectScriptsShellClean(scripts);
  });
});

describe('the comparison with the Proxmox CSI plugin', () => {
  const t = talosVmSizing(CSI_SITE);
  const c = computeComparison(CSI_SITE);

  test('the claims are Proxmox disks: counted in the Talos path\'s disk, per host where their services are planned', () => {
    // Grafana is ephemeral here (no claim); Prometheus and Alertmanager have one claim per replica,
    // Loki's write and backend pods one each (the logs are in the bucket, not on a claim).
    const claims = CSI_SITE.prometheus.storageGiB * 2 + CSI_SITE.alertmanager.storageGiB * 3 + (CSI_SITE.loki.walVolumeGiB + CSI_SITE.loki.backendVolumeGiB) * 3;
    expect(claims).toBe(100 * 2 + 50 * 3 + (10 + 10) * 3);
    expect(t.volumesGiB).toBe(claims + etcdSnapshotVolumeGiB(CSI_SITE));
    const talos = c.paths.find((p) => p.id === 'talos')!;
    expect(talos.diskGiB).toBe(t.totals.osDiskGiB + t.volumesGiB);
    expect(talos.basis).toContain(`+ ${t.volumesGiB} GiB of Proxmox CSI volumes`);
    const perHost = c.hosts!.map((h) => h.demand.find((d) => d.id === 'talos')!.diskGiB);
    // The snapshot claim lands where its job first runs: in the total, on no host in particular.
    expect(perHost.reduce((a, b) => a + b, 0)).toBe(t.totals.osDiskGiB + t.volumesGiB - etcdSnapshotVolumeGiB(CSI_SITE));
  });

  test('every workload replicated: the Talos path survives a lost VM in every table (Resources, SVG, Availability), not the single binary\'s site', () => {
    const talos = c.paths.find((p) => p.id === 'talos')!;
    expect(talos.survivesOneGuestDown.value).toBe(true);
    expect(talos.survivesOneGuestDown.why).toMatch(/^every workload runs replicas on different VMs \(prometheus 2, grafana 2, loki-write 3, loki-read 2, loki-backend 3 and alertmanager 3\)/);
    expect(talos.survivesOneGuestDown.wouldSurviveWith).toBeUndefined();
    expect(t.fitsWithOneNodeDown).toBe(true);
    const single = computeComparison(parseSite({ ...CSI_SITE_INPUT, loki: {}, availability: {} }).site).paths.find((p) => p.id === 'talos')!;
    expect(single.survivesOneGuestDown.value).toBe(false);
  });

  test('the texts speak of Proxmox CSI volumes, never of local-path', () => {
    // With the single-binary Loki the one service a lost host stops, whose volume stays there.
    const single = parseSite({ ...CSI_SITE_INPUT, loki: {}, availability: {} }).site;
    const texts = JSON.stringify(computeComparison(single).availability);
    expect(texts).not.toMatch(/local-path/);
    expect(texts).toContain('(StorageClass proxmox-local (Proxmox CSI, storage local-lvm)) cannot leave pve01\'s local-lvm');
    expect(JSON.stringify(c.availability)).not.toMatch(/local-path/);
  });
});
