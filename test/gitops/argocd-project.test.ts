/**
 * The Argo CD AppProjects grant what dist/ needs and nothing more: the layer project the stack's
 * namespaces, the cluster-scoped kinds dist/ and the MetalLB chart really contain, the stack's
 * repository and the chart's; the root's project Applications and AppProjects in argocd only.
 * Also the optional argocd-cm health check that makes sync waves wait.
 */
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../../gitops/argocd/application-health';
import { METALLB_CLUSTER_KINDS } from '../../gitops/metallb-release';
import { readObjects, type DistObject } from '../support/dist-tree';
import { apiGroup, siteFrom, writeDeliveryTree } from './delivery-tree';

type Json = Record<string, any>;

/**
 * Argo CD's destination check (app_project_types.go isDestinationMatched): the server and the
 * namespace must each match an entry, as globs; an empty namespace matches no listed one.
 */
function destinationAllowed(project: Json, dest: { server?: string; namespace?: string }): boolean {
  const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
  return (project.spec.destinations as Json[]).some((d) =>
    glob(d.server, dest.server ?? '') && dest.namespace !== undefined && dest.namespace !== '' && glob(d.namespace, dest.namespace));
}

describe.each([
  ['the default site', {}],
  ['a site with Velero, another namespace and repository', {
    backups: { velero: true }, kubernetes: { namespace: 'observability' }, gitops: { repoUrl: 'https://git.lab.example/ops/stack.git' },
  }],
])('the AppProjects of %s', (_name, input) => {
  const site = siteFrom(input);
  const objects = readObjects(writeDeliveryTree(site));
  const projects = objects.filter((o) => o.kind === 'AppProject') as (DistObject & Json)[];
  const stack = projects.find((p) => p.metadata.name === site.name)!;
  const root = projects.find((p) => p.metadata.name === `${site.name}-gitops`)!;
  const apps = objects.filter((o) => o.kind === 'Application') as (DistObject & Json)[];
  const rootApp = apps.find((a) => a.file === 'gitops/argocd/argocd-root.yaml')!;
  const layerApps = apps.filter((a) => a !== rootApp);
  // What the layer Applications deliver: every directory a layer Application points at.
  const layerDirs = new Set(layerApps.flatMap((a) => (a.spec.source.path ? [a.spec.source.path.replace(`${site.gitops.path}/`, '')] : [])));
  const delivered = objects.filter((o) => layerDirs.has(o.file.slice(0, o.file.lastIndexOf('/'))));

  test('the layer project\'s destinations are exactly the namespaces its Applications deliver into, never argocd', () => {
    const used = new Set<string>([...delivered.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])), ...layerApps.map((a) => a.spec.destination.namespace)]);
    expect(stack.spec.destinations.map((d: Json) => d.namespace).sort()).toEqual([...used].sort());
    expect(stack.spec.destinations.map((d: Json) => d.namespace)).not.toContain('argocd');
    expect(stack.spec.destinations.every((d: Json) => d.server === 'https://kubernetes.default.svc' && !d.namespace.includes('*'))).toBe(true);
  });

  test('every Application\'s destination passes its project\'s check (an empty namespace would not)', () => {
    for (const app of apps) {
      const project = projects.find((p) => p.metadata.name === app.spec.project)!;
      expect({ app: app.metadata.name, allowed: destinationAllowed(project, app.spec.destination) }).toEqual({ app: app.metadata.name, allowed: true });
    }
    expect(destinationAllowed(stack, { server: 'https://kubernetes.default.svc' })).toBe(false);
    expect(destinationAllowed(stack, { server: 'https://kubernetes.default.svc', namespace: 'kube-system' })).toBe(false);
  });

  test('the layer project\'s cluster-scoped allow list is exactly the kinds dist/ and the MetalLB chart create', () => {
    const key = (group: string, kind: string) => `${group}/${kind}`;
    const inDist = delivered.filter((o) => !o.metadata.namespace).map((o) => key(apiGroup(o.apiVersion), o.kind));
    const expected = new Set([...inDist, ...METALLB_CLUSTER_KINDS.map((k) => key(k.group, k.kind))]);
    expect(stack.spec.clusterResourceWhitelist.map((k: Json) => key(k.group, k.kind)).sort()).toEqual([...expected].sort());
  });

  test('the root\'s project allows Applications and AppProjects in argocd only, nothing cluster-scoped', () => {
    expect(rootApp.spec.project).toBe(root.metadata.name);
    expect(root.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    expect(root.spec.clusterResourceWhitelist).toEqual([]);
    const rootDelivers = objects.filter((o) => ['gitops/argocd/apps', 'gitops/argocd/project'].some((d) => o.file.startsWith(`${d}/`)));
    const kinds = [...new Set(rootDelivers.map((o) => `${apiGroup(o.apiVersion)}/${o.kind}`))].sort();
    expect(root.spec.namespaceResourceWhitelist.map((k: Json) => `${k.group}/${k.kind}`).sort()).toEqual(kinds);
  });

  test('sources are the site repository (and for the layers the MetalLB chart repository), nothing else', () => {
    expect(stack.spec.sourceRepos).toEqual([site.gitops.repoUrl, 'https://metallb.github.io/metallb']);
    expect(root.spec.sourceRepos).toEqual([site.gitops.repoUrl]);
  });

  test('every layer Application belongs to the layer project; no Application uses "default"', () => {
    expect(layerApps.length).toBeGreaterThan(1);
    for (const app of layerApps) expect({ app: app.metadata.name, project: app.spec.project }).toEqual({ app: app.metadata.name, project: stack.metadata.name });
    expect(apps.filter((a) => a.spec.project === 'default')).toEqual([]);
  });

  test('they are written once and built by both the hand-applied bootstrap and the root Application', () => {
    expect(projects.map((o) => o.file)).toEqual(['gitops/argocd/project/argocd-project.yaml', 'gitops/argocd/project/argocd-project.yaml']);
  });

  test('objects never in Git by design (operator Secrets, StatefulSet claims) raise no orphan warning', () => {
    expect(stack.spec.orphanedResources.warn).toBe(true);
    expect(stack.spec.orphanedResources.ignore).toEqual(expect.arrayContaining([{ group: '', kind: 'Secret' }, { group: '', kind: 'PersistentVolumeClaim' }]));
  });
});

describe('the optional Argo CD Application health check', () => {
  const objects = readObjects(writeDeliveryTree(siteFrom()));
  const cm = objects.find((o) => o.file.startsWith('gitops/argocd/health-check/')) as DistObject & Json;

  test('is argocd-cm with the one key Argo CD documents, holding its Lua check, and the labels Argo CD reads it by', () => {
    expect(cm).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' } });
    expect(cm.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' });
    expect(Object.keys(cm.data)).toEqual(['resource.customizations.health.argoproj.io_Application']);
    expect(APPLICATION_HEALTH_KEY).toBe('resource.customizations.health.argoproj.io_Application');
    expect(cm.data[APPLICATION_HEALTH_KEY]).toBe(APPLICATION_HEALTH_LUA);
    expect(APPLICATION_HEALTH_LUA).toContain('hs.status = obj.status.health.status');
  });

  test('is in no layer: neither the root nor Flux applies it (the Argo CD installation owns argocd-cm)', () => {
    const paths = objects.flatMap((o) => [(o as Json).spec?.source?.path, (o as Json).spec?.path]).filter(Boolean);
    expect(paths.filter((p: string) => p.includes('health-check'))).toEqual([]);
  });
});
