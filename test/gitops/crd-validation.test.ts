import { readObjects, type DistObject } from '../support/dist-tree';
import { crdValidator } from '../support/crd-schemas';
import { describeWithShared } from '../support/shared-dir';
import { isCustomResource, siteFrom, writeDeliveryTree } from './delivery-tree';
import { CSI_SITE } from '../support/csi-site';

function strip(o: DistObject): Record<string, unknown> {
  const { file: _file, ...resource } = o;
  return resource;
}

describeWithShared('schemas/crds', 'every Argo CD, Flux, MetalLB and Velero object validates strictly against ../shared/schemas/crds', () => {
  // velero: true so the Velero Schedule is emitted and checked too.
  const objects = readObjects(writeDeliveryTree(siteFrom({ backups: { velero: true } })));
  const custom = objects.filter(isCustomResource);
  // Talos installs its own CRD when kubernetesTalosAPIAccess is on; ../shared has no schema for it.
  const talos = custom.filter((o) => o.apiVersion === 'talos.dev/v1alpha1');
  const checked = custom.filter((o) => o.apiVersion !== 'talos.dev/v1alpha1');

  test('the tree holds every kind the delivery needs', () => {
    const kinds = new Set(checked.map((o) => `${o.apiVersion}|${o.kind}`));
    expect([...kinds].sort()).toEqual([
      'argoproj.io/v1alpha1|AppProject',
      'argoproj.io/v1alpha1|Application',
      'helm.toolkit.fluxcd.io/v2|HelmRelease',
      'kustomize.toolkit.fluxcd.io/v1|Kustomization',
      'metallb.io/v1beta1|IPAddressPool',
      'metallb.io/v1beta1|L2Advertisement',
      'source.toolkit.fluxcd.io/v1|GitRepository',
      'source.toolkit.fluxcd.io/v1|HelmRepository',
      'velero.io/v1|Schedule',
    ]);
  });

  test.each(checked.map((o) => [`${o.file}: ${o.kind}/${o.metadata.name}`, o] as const))('%s', (_label, obj) => {
    expect(crdValidator().validate(strip(obj)).errors).toEqual([]);
  });

  test('the only custom resource without a schema in ../shared is the Talos ServiceAccount, and it asks for the etcd backup role only', () => {
    expect(talos.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/etcd-backup']);
    expect(talos[0].spec).toEqual({ roles: ['os:etcd:backup'] });
  });
});

describeWithShared('schemas/crds', 'the Proxmox CSI plugin\'s Flux and Argo CD objects validate strictly too', () => {
  const objects = readObjects(writeDeliveryTree(CSI_SITE)).filter(isCustomResource).filter((o) => o.apiVersion !== 'talos.dev/v1alpha1');
  const csi = objects.filter((o) => /proxmox-csi/.test(o.file) || o.metadata.name.includes('proxmox-csi'));

  test('the OCIRepository, its HelmRelease, the Kustomization and the Application are there', () => {
    expect(csi.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Application/pve01-monitoring-proxmox-csi', 'HelmRelease/proxmox-csi-plugin', 'Kustomization/pve01-monitoring-proxmox-csi', 'OCIRepository/proxmox-csi-plugin',
    ]);
  });

  test.each(objects.map((o) => [`${o.file}: ${o.kind}/${o.metadata.name}`, o] as const))('%s', (_label, obj) => {
    expect(crdValidator().validate(strip(obj)).errors).toEqual([]);
  });
});

describeWithShared('schemas/crds', 'the CRD validator bites', () => {
  const objects = readObjects(writeDeliveryTree(siteFrom()));
  const find = (kind: string) => strip(objects.find((o) => o.kind === kind && o.apiVersion.includes('.'))!);
  const mutate = (kind: string, f: (o: any) => void) => {
    const copy = JSON.parse(JSON.stringify(find(kind)));
    f(copy);
    return crdValidator().validate(copy).errors.join('\n');
  };

  test('fails when an Argo CD sync policy field is misspelt', () => {
    expect(mutate('Application', (o) => { o.spec.syncPolicy.automated.selfheal = true; })).toMatch(/additional properties 'selfheal'/);
  });

  test('fails when a Flux interval is not a Go duration', () => {
    expect(mutate('Kustomization', (o) => { o.spec.interval = '10 minutes'; })).toMatch(/\/spec\/interval must match pattern/);
  });

  test('fails when a Flux Kustomization has no sourceRef', () => {
    expect(mutate('Kustomization', (o) => { delete o.spec.sourceRef; })).toMatch(/must have required property 'sourceRef'/);
  });

  test('fails when the MetalLB pool addresses are not a list', () => {
    expect(mutate('IPAddressPool', (o) => { o.spec.addresses = '10.70.0.10-10.70.0.13'; })).toMatch(/\/spec\/addresses must be array/);
  });

  test('fails when metadata carries an unknown field (checked against ObjectMeta)', () => {
    expect(mutate('HelmRelease', (o) => { o.metadata.label = {}; })).toMatch(/additional properties 'label'/);
  });

  test('fails when an apiVersion has no CRD in ../shared', () => {
    expect(mutate('GitRepository', (o) => { o.apiVersion = 'source.toolkit.fluxcd.io/v1beta1'; })).toMatch(/no CRD schema for source.toolkit.fluxcd.io\/v1beta1/);
  });
});
