/**
 * MetalLB as delivered by both controllers: L2 only (no frr-k8s), and nothing that holds the
 * address pools is removed as a side effect: neither the release nor its CRDs. The Flux
 * post-renderer patch is applied with kustomize itself, the library helm-controller
 * runs post-renderers with, to a CRD shaped like the chart's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { METALLB_CHART, METALLB_CLUSTER_KINDS_CHART_VERSION } from '../../gitops/metallb-release';
import { kustomizeCommand } from '../support/binaries';
import { readObjects, type DistObject } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { siteFrom, writeDeliveryTree } from './delivery-tree';

type Json = Record<string, any>;

const objects = readObjects(writeDeliveryTree(siteFrom()));
const release = objects.find((o) => o.kind === 'HelmRelease') as DistObject & Json;
const argoMetallb = objects.find((o) => o.kind === 'Application' && (o as Json).spec.source.chart === 'metallb') as DistObject & Json;
const argoOptions = (o: DistObject) => (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);

describe('MetalLB is L2 only', () => {
  test('the cluster-scoped kinds the project allows for the chart were read from the pinned chart version', () => {
    // Bumping the chart fails here until METALLB_CLUSTER_KINDS is checked against the new
    // chart's templates (crds subchart, rbac.yaml, webhooks.yaml) and this pin moves with it.
    expect(METALLB_CHART.version).toBe(METALLB_CLUSTER_KINDS_CHART_VERSION);
  });

  test('frr-k8s (on by default in chart 0.16.1) and the deprecated FRR sidecars are off, in Argo CD and in Flux alike', () => {
    const expected = { crds: { enabled: true }, frrk8s: { enabled: false }, speaker: { frr: { enabled: false } } };
    expect(release.spec.values).toEqual(expected);
    expect(argoMetallb.spec.source.helm.valuesObject).toEqual(expected);
  });
});

describe('nothing that holds the address pools is deleted by accident', () => {
  test('Flux never prunes the HelmRelease (a pruned release is a helm uninstall)', () => {
    expect(release.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
  });

  test('Argo CD never prunes or deletes the MetalLB Application by itself, and no Application cascades its deletion', () => {
    expect(argoOptions(argoMetallb)).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
    for (const app of objects.filter((o) => o.kind === 'Application')) {
      // resources-finalizer.argocd.argoproj.io would delete every object of the app with it.
      expect({ app: app.metadata.name, finalizers: (app.metadata as Json).finalizers }).toEqual({ app: app.metadata.name, finalizers: undefined });
    }
  });

  const kustomize = kustomizeCommand('the Flux post-renderer marks every chart CRD helm.sh/resource-policy: keep');
  (kustomize ? test : test.skip)('the Flux post-renderer marks every chart CRD helm.sh/resource-policy: keep, and nothing else', () => {
    const patches: Json[] = release.spec.postRenderers.flatMap((r: Json) => r.kustomize.patches);
    const dir = tempDir('post-render-');
    // What the chart renders: CRDs carry controller-gen's annotation; a Deployment must stay untouched.
    const rendered = [
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ipaddresspools.metallb.io', annotations: { 'controller-gen.kubebuilder.io/version': 'v0.19.0' } }, spec: {} },
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'l2advertisements.metallb.io', annotations: { 'controller-gen.kubebuilder.io/version': 'v0.19.0' } }, spec: {} },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'metallb-controller', annotations: { a: 'b' } }, spec: {} },
    ];
    fs.writeFileSync(path.join(dir, 'chart.yaml'), rendered.map((d) => YAML.stringify(d)).join('---\n'));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['chart.yaml'], patches }));
    const r = spawnSync(kustomize![0], [...kustomize!.slice(1), dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as Json);
    expect(out.map((o) => [o.kind, o.metadata.annotations['helm.sh/resource-policy']])).toEqual([
      ['CustomResourceDefinition', 'keep'], ['CustomResourceDefinition', 'keep'], ['Deployment', undefined],
    ]);
  });
});
