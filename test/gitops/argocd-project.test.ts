/**
 * The Argo CD AppProject grants what dist/ needs and nothing more: the stack's namespaces (and
 * Argo CD's own, where the Applications live), the cluster-scoped kinds dist/ and the MetalLB
 * chart really contain, the stack's repository and the chart's. The root Application is in it.
 * Also the optional argocd-cm health check that makes sync waves wait.
 */
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../../gitops/argocd/application-health';
import { METALLB_CLUSTER_KINDS } from '../../gitops/metallb-release';
import { readObjects, type DistObject } from '../support/dist-tree';
import { apiGroup, siteFrom, writeDeliveryTree } from './delivery-tree';

type Json = Record<string, any>;

describe.each([
  ['the default site', {}],
  ['a site with Velero, another namespace and repository', {
    backups: { velero: true }, kubernetes: { namespace: 'observability' }, gitops: { repoUrl: 'https://git.lab.example/ops/stack.git' },
  }],
])('the AppProject of %s', (_name, input) => {
  const site = siteFrom(input);
  const objects = readObjects(writeDeliveryTree(site));
  const project = objects.find((o) => o.kind === 'AppProject') as DistObject & Json;
  const fromGit = objects.filter((o) => !o.file.startsWith('gitops/argocd/health-check/'));

  test('destinations are exactly the namespaces dist/ deploys into, plus argocd for the Applications', () => {
    const used = new Set<string>();
    for (const o of fromGit) {
      if (o.metadata.namespace && !o.file.startsWith('gitops/flux/')) used.add(o.metadata.namespace);
      const dest = (o as Json).spec?.destination?.namespace;
      if (o.kind === 'Application' && dest) used.add(dest);
    }
    expect(project.spec.destinations.map((d: Json) => d.namespace).sort()).toEqual([...used].sort());
    expect(project.spec.destinations.every((d: Json) => d.server === 'https://kubernetes.default.svc' && !d.namespace.includes('*'))).toBe(true);
  });

  test('the cluster-scoped allow list is exactly the kinds dist/ and the MetalLB chart create', () => {
    const key = (group: string, kind: string) => `${group}/${kind}`;
    const inDist = fromGit.filter((o) => !o.metadata.namespace).map((o) => key(apiGroup(o.apiVersion), o.kind));
    const expected = new Set([...inDist, ...METALLB_CLUSTER_KINDS.map((k) => key(k.group, k.kind))]);
    expect(project.spec.clusterResourceWhitelist.map((k: Json) => key(k.group, k.kind)).sort()).toEqual([...expected].sort());
  });

  test('sources are the site repository and the MetalLB chart repository, nothing else', () => {
    expect(project.spec.sourceRepos).toEqual([site.gitops.repoUrl, 'https://metallb.github.io/metallb']);
  });

  test('the root Application and every layer Application belong to it', () => {
    const apps = objects.filter((o) => o.kind === 'Application');
    expect(apps.length).toBeGreaterThan(1);
    for (const app of apps) expect({ app: app.metadata.name, project: (app as Json).spec.project }).toEqual({ app: app.metadata.name, project: project.metadata.name });
  });

  test('it is written once and built by both the hand-applied bootstrap and the root Application', () => {
    expect(objects.filter((o) => o.kind === 'AppProject').map((o) => o.file)).toEqual(['gitops/argocd/project/argocd-project.yaml']);
  });
});

describe('the optional Argo CD Application health check', () => {
  const objects = readObjects(writeDeliveryTree(siteFrom()));
  const cm = objects.find((o) => o.file.startsWith('gitops/argocd/health-check/')) as DistObject & Json;

  test('is argocd-cm with the one key Argo CD documents, holding its Lua check, and no labels to merge', () => {
    expect(cm).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' } });
    expect(cm.metadata.labels).toBeUndefined();
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
