import { readObjects } from '../support/dist-tree';
import { kubernetesValidator, schemaVersionFor } from '../support/k8s-schemas';
import { describeWithShared } from '../support/shared-dir';
import { synthToTemp } from '../support/synth-once';
import { loadSite } from '../../site';

describeWithShared('schemas/kubernetes', 'every emitted Kubernetes object validates strictly', () => {
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  const target = schemaVersionFor(loadSite().site.kubernetes.version);
  const validator = kubernetesValidator(target.version);
  const CRD_GROUPS = /(argoproj\.io|fluxcd\.io|metallb\.io|velero\.io|monitoring\.coreos\.com|cert-manager\.io|gateway\.networking\.k8s\.io|talos\.dev)\//;
  const builtIn = objects.filter((o) => !CRD_GROUPS.test(o.apiVersion));

  test('the schema version is the cluster version or the newest one below it', () => {
    if (!target.exact) console.warn(`Kubernetes ${loadSite().site.kubernetes.version}: validating against ${target.version}, the newest schema in ../shared`);
    expect(target.version).toMatch(/^v1\.\d+\.0$/);
  });

  test('the tree holds the four core components', () => {
    const names = builtIn.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['prometheus', 'grafana', 'loki', 'alertmanager']));
  });

  test.each(builtIn.map((o) => [`${o.file}: ${o.kind}/${o.metadata.name}`, o] as const))('%s', (_label, obj) => {
    const { file: _file, ...resource } = obj;
    expect(validator.validate(resource)).toEqual([]);
  });
});

describeWithShared('schemas/kubernetes', 'the strict validator bites', () => {
  const validator = kubernetesValidator(schemaVersionFor('1.31.0').version);
  const { outDir } = synthToTemp();
  const sts = readObjects(outDir).find((o) => o.kind === 'StatefulSet')!;
  const { file: _file, ...clean } = sts;
  const mutate = (f: (o: any) => void) => { const copy = JSON.parse(JSON.stringify(clean)); f(copy); return validator.validate(copy); };

  test('fails when a container has an unknown field', () => {
    expect(mutate((o) => { o.spec.template.spec.containers[0].imagePullPolicyy = 'Always'; }).join('\n')).toMatch(/additional properties 'imagePullPolicyy'/);
  });
  test('fails when volumeClaimTemplates is misspelt', () => {
    expect(mutate((o) => { o.spec.volumeClaimTemplate = o.spec.volumeClaimTemplates; delete o.spec.volumeClaimTemplates; })).not.toEqual([]);
  });
  test('fails when a quantity does not parse', () => {
    expect(mutate((o) => { o.spec.template.spec.containers[0].resources.requests.cpu = 'four'; })).not.toEqual([]);
  });
  test('fails when replicas is a string', () => {
    expect(mutate((o) => { o.spec.replicas = '1'; })).not.toEqual([]);
  });
  test('fails for an apiVersion the target release does not serve', () => {
    expect(validator.validate({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' } })[0]).toMatch(/no schema/);
  });
  test('a clean copy passes (the mutations, not the fixture, fail)', () => {
    expect(validator.validate(clean)).toEqual([]);
  });
});
