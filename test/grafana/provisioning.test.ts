import * as YAML from 'yaml';
import { DASHBOARD_FOLDERS } from '../../charts/grafana/dashboards/catalog';
import { GrafanaServer } from '../../charts/grafana/grafana-chart';
import { dashboardFolders, GRAFANA_PATHS, grafanaDashboards } from '../../charts/grafana/provisioning';
import { stackTopology } from '../../charts/topology';
import { grafanaContainerFiles } from '../../lxc/grafana-files';
import { findObject, synthChart } from '../components/component-support';
import type { Json } from './support';

const { site, objects } = synthChart(GrafanaServer);
const deployment = findObject(objects, 'Deployment', 'grafana');
const pod = deployment.spec.template.spec;
const dashboardsMap = findObject(objects, 'ConfigMap', 'grafana-dashboards').data as Record<string, string>;
const k8sProviders: Json[] = YAML.parse(findObject(objects, 'ConfigMap', 'grafana-provisioning').data['dashboards.yaml']).providers;
const lxcFiles = grafanaContainerFiles(site, stackTopology(site, 'lxc')).files;
const lxcFile = (path: string) => lxcFiles.find((f) => f.path === path)?.content;
const lxcProviders: Json[] = YAML.parse(lxcFile(`${GRAFANA_PATHS.provisioning}/dashboards/dashboards.yaml`)!).providers;

/** Where each provider's dashboards sit: path -> dashboard uids, as the pod's mount lays them out. */
function podLayout(): Map<string, string[]> {
  const volume = pod.volumes.find((v: Json) => v.name === 'dashboards');
  const mount = pod.containers[0].volumeMounts.find((m: Json) => m.name === 'dashboards');
  const layout = new Map<string, string[]>();
  for (const item of volume.configMap.items as Json[]) {
    const file = `${mount.mountPath}/${item.path}`;
    const dir = file.slice(0, file.lastIndexOf('/'));
    layout.set(dir, [...(layout.get(dir) ?? []), JSON.parse(dashboardsMap[item.key]).uid]);
  }
  return layout;
}

/** The same for the LXC container's files. */
function lxcLayout(): Map<string, string[]> {
  const layout = new Map<string, string[]>();
  for (const f of lxcFiles.filter((x) => x.path.startsWith(`${GRAFANA_PATHS.dashboards}/`))) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    layout.set(dir, [...(layout.get(dir) ?? []), JSON.parse(f.content).uid]);
  }
  return layout;
}

describe('Dashboard folders', () => {
  test('Kubernetes: one read-only provider per folder, each with its own directory and a stable folder uid', () => {
    expect(k8sProviders.map((p) => [p.folder, p.folderUid, p.options.path])).toEqual(
      Object.values(DASHBOARD_FOLDERS).map((f) => [f.title, f.uid, `${GRAFANA_PATHS.dashboards}/${f.directory}`]),
    );
    for (const p of k8sProviders) {
      expect(p).toMatchObject({ type: 'file', orgId: 1, disableDeletion: true, allowUiUpdates: false, options: { foldersFromFilesStructure: false } });
    }
    expect(new Set(k8sProviders.map((p) => p.name)).size).toBe(k8sProviders.length);
  });

  test('Kubernetes: ConfigMap items place every dashboard key (keys cannot hold "/") in its folder\'s directory', () => {
    const items: Json[] = pod.volumes.find((v: Json) => v.name === 'dashboards').configMap.items;
    expect(items.map((i) => i.key).sort()).toEqual(Object.keys(dashboardsMap).sort());
    for (const key of Object.keys(dashboardsMap)) expect(key).not.toContain('/');
    expect(items).toEqual(grafanaDashboards(site, 'kubernetes').map((d) => ({ key: d.fileName, path: `${d.folder.directory}/${d.fileName}` })));
  });

  test('Kubernetes: every provider\'s directory holds dashboards, and every dashboard sits under a provider', () => {
    const layout = podLayout();
    expect([...layout.keys()].sort()).toEqual(k8sProviders.map((p) => p.options.path).sort());
    expect([...layout.values()].flat().length).toBe(Object.keys(dashboardsMap).length);
  });

  test('LXC: the same folders and files, less the Kubernetes folder, byte for byte', () => {
    const expected = k8sProviders.filter((p) => p.folderUid !== DASHBOARD_FOLDERS.kubernetes.uid);
    expect(lxcProviders).toEqual(expected);
    expect(dashboardFolders('lxc').map((f) => f.uid)).toEqual(expected.map((p) => p.folderUid));
    const layout = lxcLayout();
    expect([...layout.keys()].sort()).toEqual(lxcProviders.map((p) => p.options.path).sort());
    for (const d of grafanaDashboards(site, 'lxc')) {
      expect(lxcFile(`${GRAFANA_PATHS.dashboards}/${d.path}`)).toBe(dashboardsMap[d.fileName]);
    }
  });

  test('the folder directories are distinct, and what the pod lays out equals what the LXC container gets but the Kubernetes folder', () => {
    const dirs = Object.values(DASHBOARD_FOLDERS).map((f) => f.directory);
    expect(new Set(dirs).size).toBe(dirs.length);
    const pod = podLayout();
    pod.delete(`${GRAFANA_PATHS.dashboards}/${DASHBOARD_FOLDERS.kubernetes.directory}`);
    expect(lxcLayout()).toEqual(pod);
  });
});
