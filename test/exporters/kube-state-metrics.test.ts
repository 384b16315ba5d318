/** kube-state-metrics: least privilege that matches what it is told to watch. */
import * as YAML from 'yaml';
import { KUBE_STATE_METRICS_RESOURCES, kubeStateMetricsArgs } from '../../charts/exporters/kube-state-metrics';
import { synthToTemp } from '../support/synth-once';
import { readObjects } from '../support/dist-tree';

describe('kube-state-metrics', () => {
  const objects = readObjects(synthToTemp().outDir).filter((o) => o.metadata.name.endsWith('kube-state-metrics'));
  const role = objects.find((o) => o.kind === 'ClusterRole') as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };

  test('its ClusterRole grants list and watch on exactly the resources its --resources flag names, and nothing else', () => {
    const flag = deployment.spec.template.spec.containers[0].args.find((a) => a.startsWith('--resources='))!.slice('--resources='.length).split(',');
    expect(role.rules.flatMap((r) => r.resources).sort()).toEqual([...flag].sort());
    for (const rule of role.rules) expect(rule.verbs).toEqual(['list', 'watch']);
    expect(role.rules.map((r) => r.apiGroups.length)).toEqual(role.rules.map(() => 1));
  });

  test('reads no Secrets and no ConfigMaps', () => {
    expect(Object.values(KUBE_STATE_METRICS_RESOURCES).flat()).not.toEqual(expect.arrayContaining(['secrets']));
    expect(Object.values(KUBE_STATE_METRICS_RESOURCES).flat()).not.toContain('configmaps');
    expect(YAML.stringify(role)).not.toMatch(/secrets|configmaps/);
  });

  test('every resource is under its API group (a wrong group would leave it unwatchable: list forbidden)', () => {
    const groups: Record<string, string> = {
      pods: '', nodes: '', namespaces: '', services: '', persistentvolumeclaims: '', persistentvolumes: '', resourcequotas: '',
      deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps', replicasets: 'apps', jobs: 'batch', cronjobs: 'batch',
      horizontalpodautoscalers: 'autoscaling', poddisruptionbudgets: 'policy', endpointslices: 'discovery.k8s.io', storageclasses: 'storage.k8s.io',
    };
    for (const [group, resources] of Object.entries(KUBE_STATE_METRICS_RESOURCES)) {
      for (const resource of resources) expect(`${resource} in "${group}"`).toBe(`${resource} in "${groups[resource]}"`);
    }
    expect(kubeStateMetricsArgs()).toContain('--port=8080');
  });
});
