/**
 * The layers as Argo CD and Flux will see them: every directory builds with kustomize, no object
 * is owned by two layers, and namespaces and CRDs always arrive before the objects that need
 * them — proven from the emitted Applications (sync waves) and Kustomizations (dependsOn), not
 * from the model that generated them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { kustomizeCommand } from '../support/binaries';
import { readObjects, manifestDirs, type DistObject } from '../support/dist-tree';
import { ARGOCD_NAMESPACE, FLUX_NAMESPACE } from '../../charts/platform';
import { apiGroup, isCustomResource, siteFrom, writeDeliveryTree } from './delivery-tree';


const site = siteFrom({ backups: { velero: true } });
const dist = writeDeliveryTree(site);
const objects = readObjects(dist);
const distPath = (p: string) => p.replace(/^\.\//, '').replace(new RegExp(`^${site.gitops.path}/`), '');
const dirOf = (o: DistObject) => path.posix.dirname(o.file);
const id = (o: DistObject) => `${o.apiVersion.split('/').length > 1 ? apiGroup(o.apiVersion) : 'core'}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Layer directory -> name, and the order relations, read back from the emitted objects. */
const fluxLayers = objects.filter((o) => o.kind === 'Kustomization' && dirOf(o) === 'gitops/flux/layers');
const fluxDirOf = new Map(fluxLayers.map((k) => [distPath((k.spec as any).path), k.metadata.name]));
const fluxDeps = new Map(fluxLayers.map((k) => [k.metadata.name, ((k.spec as any).dependsOn ?? []).map((d: { name: string }) => d.name) as string[]]));
const argoApps = objects.filter((o) => o.kind === 'Application' && dirOf(o) === 'gitops/argocd/apps');
const argoWave = new Map(argoApps.map((a) => [a.metadata.name, Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0)]));
const argoDirOf = new Map(argoApps.filter((a) => (a.spec as any).source.path).map((a) => [distPath((a.spec as any).source.path), a.metadata.name]));

function fluxPrecedes(before: string, after: string): boolean {
  const seen = new Set<string>();
  const walk = (name: string): boolean => (fluxDeps.get(name) ?? []).some((d) => d === before || (!seen.has(d) && (seen.add(d), walk(d))));
  return walk(after);
}

/** The (Flux, Argo) layer that applies a directory of plain manifests. */
function layerOf(dir: string): { flux?: string; argo?: string } {
  return { flux: fluxDirOf.get(dir), argo: argoDirOf.get(dir) };
}

/** `a` is applied strictly before `b` by both controllers. */
function strictlyBefore(a: { flux?: string; argo?: string }, b: { flux?: string; argo?: string }): boolean {
  return !!a.flux && !!b.flux && !!a.argo && !!b.argo
    && fluxPrecedes(a.flux, b.flux) && argoWave.get(a.argo)! < argoWave.get(b.argo)!;
}

describe('the layer directories', () => {
  const dirs = manifestDirs(dist);

  test('every layer Argo CD or Flux points at exists and has a kustomization.yaml', () => {
    const referenced = [...fluxDirOf.keys(), ...argoDirOf.keys()];
    for (const dir of referenced) expect({ dir, exists: dirs.includes(dir) }).toEqual({ dir, exists: true });
    expect(dirs.sort()).toEqual([
      'gitops/argocd', 'gitops/argocd/apps', 'gitops/argocd/health-check', 'gitops/argocd/project',
      'gitops/flux', 'gitops/flux/layers', 'gitops/flux/metallb',
      'monitoring', 'platform/backups', 'platform/base', 'platform/custom-resources',
    ]);
  });

  test('Argo CD and Flux deliver the same directories (MetalLB: Helm source vs. HelmRelease directory)', () => {
    expect([...argoDirOf.keys()].sort()).toEqual([...fluxDirOf.keys()].filter((d) => d !== 'gitops/flux/metallb').sort());
  });

  test('no object appears in two layers (or twice in one)', () => {
    const owners = new Map<string, string[]>();
    for (const o of objects) owners.set(id(o), [...(owners.get(id(o)) ?? []), o.file]);
    expect([...owners.entries()].filter(([, files]) => files.length > 1)).toEqual([]);
  });

  test('no cluster-scoped object carries a namespace', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CustomResourceDefinition', 'PersistentVolume'];
    expect(objects.filter((o) => clusterScoped.includes(o.kind) && o.metadata.namespace).map(id)).toEqual([]);
  });

  const kustomize = kustomizeCommand('kustomize builds every layer');
  (kustomize ? test.each(dirs.map((d) => [d])) : test.skip.each(dirs.map((d) => [d])))('kustomize builds %s with every object of the directory', (dir) => {
    const r = spawnSync(kustomize![0], [...kustomize!.slice(1), path.join(dist, dir)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const built = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as DistObject).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    // Its own files, plus the directories its kustomization.yaml names (the shared AppProject).
    const resources: string[] = YAML.parse(fs.readFileSync(path.join(dist, dir, 'kustomization.yaml'), 'utf8')).resources;
    const included = resources.filter((r) => !/\.ya?ml$/.test(r)).map((r) => path.posix.normalize(path.posix.join(dir, r)));
    const own = objects.filter((o) => dirOf(o) === dir || included.includes(dirOf(o))).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(built).toEqual(own);
  });
});

describe('ordering: namespaces and CRDs precede the objects that need them', () => {
  const preexisting = new Set([ARGOCD_NAMESPACE, FLUX_NAMESPACE]);
  const namespaceDir = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, dirOf(o)]));

  test('Argo CD sync waves agree with Flux dependsOn: a dependency always has a lower wave', () => {
    const argoByFlux = (name: string) => name; // both controllers use the same layer object names
    for (const [name, deps] of fluxDeps) {
      for (const dep of deps) {
        expect({ layer: name, dep, ordered: argoWave.get(argoByFlux(dep))! < argoWave.get(argoByFlux(name))! })
          .toEqual({ layer: name, dep, ordered: true });
      }
    }
    expect([...argoWave.keys()].sort()).toEqual([...fluxDeps.keys()].sort());
  });

  test('every namespaced object finds its namespace created in an earlier layer, or in its own at a lower sync wave', () => {
    const problems: string[] = [];
    for (const o of objects) {
      const ns = o.metadata.namespace;
      if (!ns || preexisting.has(ns)) continue;
      const nsDir = namespaceDir.get(ns);
      if (!nsDir) { problems.push(`${id(o)}: namespace ${ns} is created by no layer`); continue; }
      if (nsDir === dirOf(o)) {
        const nsObj = objects.find((n) => n.kind === 'Namespace' && n.metadata.name === ns)!;
        const wave = (x: DistObject) => Number(x.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
        if (!(wave(nsObj) < wave(o))) problems.push(`${id(o)}: same layer as namespace ${ns} but not a later sync wave`);
      } else if (!strictlyBefore(layerOf(nsDir), layerOf(dirOf(o)))) {
        problems.push(`${id(o)} (${dirOf(o)}): namespace ${ns} comes from ${nsDir}, which is not applied before it`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the MetalLB release installs into a namespace created by an earlier layer', () => {
    const release = objects.find((o) => o.kind === 'HelmRelease')!;
    const app = argoApps.find((a) => (a.spec as any).source.chart === 'metallb')!;
    const fluxLayer = fluxDirOf.get('gitops/flux/metallb')!;
    const target = (release.spec as any).targetNamespace as string;
    expect((app.spec as any).destination.namespace).toBe(target);
    const nsLayer = layerOf(namespaceDir.get(target)!);
    expect(fluxPrecedes(nsLayer.flux!, fluxLayer)).toBe(true);
    expect(argoWave.get(nsLayer.argo!)!).toBeLessThan(argoWave.get(app.metadata.name)!);
  });

  test('MetalLB custom resources come after the layer that installs the MetalLB CRDs, and are marked SkipDryRunOnMissingResource', () => {
    const app = argoApps.find((a) => (a.spec as any).source.chart === 'metallb')!;
    const crdLayer = { flux: fluxDirOf.get('gitops/flux/metallb'), argo: app.metadata.name };
    const crs = objects.filter((o) => apiGroup(o.apiVersion) === 'metallb.io');
    expect(crs.length).toBeGreaterThan(0);
    for (const cr of crs) {
      expect({ cr: id(cr), ordered: strictlyBefore(crdLayer, layerOf(dirOf(cr))) }).toEqual({ cr: id(cr), ordered: true });
      expect(cr.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
    }
  });

  test('custom resources whose CRDs come from outside the repository (Talos, Velero) sit only in the backups layer, which nothing depends on', () => {
    const external = objects.filter((o) => ['talos.dev', 'velero.io'].includes(apiGroup(o.apiVersion)));
    expect([...new Set(external.map(dirOf))]).toEqual(['platform/backups']);
    const backups = fluxDirOf.get('platform/backups')!;
    expect([...fluxDeps.values()].some((deps) => deps.includes(backups))).toBe(false);
    for (const o of external) expect(o.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
  });

  test('no layer that others depend on syncs at or after a layer nothing depends on, and backups syncs after monitoring', () => {
    const dependedOn = new Set([...fluxDeps.values()].flat());
    const leaves = [...argoWave.keys()].filter((n) => !dependedOn.has(n));
    const late = [...dependedOn].flatMap((d) => leaves.filter((l) => argoWave.get(d)! >= argoWave.get(l)!).map((l) => `${d} (wave ${argoWave.get(d)}) is not before ${l} (wave ${argoWave.get(l)})`));
    expect(late).toEqual([]);
    const backups = argoDirOf.get('platform/backups')!;
    expect(argoWave.get(backups)!).toBeGreaterThan(argoWave.get(argoDirOf.get('monitoring')!)!);
  });

  test('backups cannot block the stack: alone in the final Argo CD wave (not waited on), and no Flux layer depends on it or waits for its claim', () => {
    const backups = argoDirOf.get('platform/backups')!;
    const finalWave = Math.max(...argoWave.values());
    expect([...argoWave.entries()].filter(([, w]) => w === finalWave).map(([n]) => n)).toEqual([backups]);
    const flux = fluxLayers.find((k) => k.metadata.name === fluxDirOf.get('platform/backups'))!;
    expect([...fluxDeps.values()].some((deps) => deps.includes(flux.metadata.name))).toBe(false);
    expect((flux.spec as any).wait).toBe(false);
  });

  test('a claim that binds only when a CronJob runs is never waited for: its layer is in the final Argo CD wave and its Flux layer neither waits nor health-checks it', () => {
    const lateBinding = new Set(objects.filter((o) => o.kind === 'StorageClass' && (o as any).volumeBindingMode === 'WaitForFirstConsumer').map((o) => o.metadata.name));
    const claimsOf = (podSpec: any): string[] => (podSpec?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
    const consumers = (ns: string | undefined, claim: string) => objects.filter((o) => o.metadata.namespace === ns).flatMap((o) => {
      const spec = o.spec as any;
      const pod = o.kind === 'CronJob' ? spec.jobTemplate?.spec?.template?.spec : o.kind === 'Pod' ? spec : spec?.template?.spec;
      return claimsOf(pod).includes(claim) ? [o.kind] : [];
    });
    const runOnly = objects.filter((o) => o.kind === 'PersistentVolumeClaim' && lateBinding.has((o.spec as any).storageClassName))
      .filter((pvc) => { const c = consumers(pvc.metadata.namespace, pvc.metadata.name); return c.length > 0 && c.every((k) => k === 'CronJob'); });
    expect(runOnly.map(id)).toEqual(['core/PersistentVolumeClaim/etcd-backup/etcd-snapshots']);
    const finalWave = Math.max(...argoWave.values());
    for (const pvc of runOnly) {
      const layer = layerOf(dirOf(pvc));
      const flux = fluxLayers.find((k) => k.metadata.name === layer.flux)!.spec as { wait?: boolean; healthChecks?: { kind: string; name: string }[] };
      expect({ pvc: id(pvc), argoWave: argoWave.get(layer.argo!), fluxWait: flux.wait === true, checked: (flux.healthChecks ?? []).some((h) => h.kind === 'PersistentVolumeClaim' && h.name === pvc.metadata.name) })
        .toEqual({ pvc: id(pvc), argoWave: finalWave, fluxWait: false, checked: false });
    }
  });

  test('Flux health checks of the backups layer name objects the layer applies and that are healthy without a run', () => {
    const flux = fluxLayers.find((k) => k.metadata.name === fluxDirOf.get('platform/backups'))!;
    const checks = (flux.spec as any).healthChecks as { apiVersion: string; kind: string; name: string; namespace: string }[];
    expect(checks.map((c) => c.kind)).toEqual(['CronJob']);
    for (const c of checks) {
      expect(objects.some((o) => dirOf(o) === 'platform/backups' && o.apiVersion === c.apiVersion && o.kind === c.kind && o.metadata.name === c.name && o.metadata.namespace === c.namespace)).toBe(true);
    }
  });

  test('no layer holds a custom resource whose CRD provider is unknown', () => {
    const known = new Set(['metallb.io', 'talos.dev', 'velero.io', 'argoproj.io', 'kustomize.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io']);
    expect(objects.filter(isCustomResource).filter((o) => !known.has(apiGroup(o.apiVersion))).map(id)).toEqual([]);
  });

  test('the monitoring layer depends on the pool and the StorageClass being in place', () => {
    const monitoring = layerOf('monitoring');
    expect(strictlyBefore(layerOf('platform/custom-resources'), monitoring)).toBe(true);
    expect(strictlyBefore(layerOf('platform/base'), monitoring)).toBe(true);
  });

  test('every Flux layer prunes; every layer waits or lists health checks', () => {
    for (const k of fluxLayers) {
      const spec = k.spec as { prune: boolean; wait?: boolean; healthChecks?: unknown[] };
      expect({ name: k.metadata.name, prune: spec.prune, checked: spec.wait === true || (spec.healthChecks ?? []).length > 0 })
        .toEqual({ name: k.metadata.name, prune: true, checked: true });
    }
  });

  test('every Argo CD Application syncs automatically with prune, selfHeal and server-side apply', () => {
    for (const a of objects.filter((o) => o.kind === 'Application')) {
      const policy = (a.spec as any).syncPolicy;
      expect({ name: a.metadata.name, automated: policy.automated, ssa: policy.syncOptions.includes('ServerSideApply=true') })
        .toEqual({ name: a.metadata.name, automated: { allowEmpty: false, prune: true, selfHeal: true }, ssa: true });
    }
  });
});
