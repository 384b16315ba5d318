/**
 * The shared NetworkPolicy builder (charts/common/network-policy.ts): whom each policy isolates,
 * and its rendering edges. Written for the mutants StrykerJS left alive there
 * (docs/mutation-testing.md).
 */
import { Chart, Testing } from 'cdk8s';
import { IngressPolicy } from '../../charts/common/network-policy';
import { readObjects } from '../support/dist-tree';
import { podsOf } from '../support/pods';
import { synthToTemp } from '../support/synth-once';

function render(rules: ConstructorParameters<typeof IngressPolicy>[2]['rules']): any {
  const chart = new Chart(Testing.app(), 'test');
  new IngressPolicy(chart, 'policy', { component: 'demo', version: '1.0.0', rules });
  return Testing.synth(chart)[0];
}

describe('IngressPolicy', () => {
  test('with no rules it denies all ingress without an `ingress` key (the API server drops an empty list)', () => {
    expect(render([]).spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/part-of': 'monitoring-stack' } },
      policyTypes: ['Ingress'],
    });
  });

  test('a rule with CIDRs only admits exactly those blocks on its ports', () => {
    expect(render([{ ports: [{ port: 9100, protocol: 'TCP' }], cidrs: ['10.0.0.0/8'] }]).spec.ingress).toEqual([
      { ports: [{ port: 9100, protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
    ]);
  });
});

describe('every NetworkPolicy of the stack isolates exactly its own component\'s pods', () => {
  const objects = readObjects(synthToTemp().outDir);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as any[];
  const pods = objects.flatMap(podsOf);

  test.each(policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]))('%s', (_name, policy) => {
    const selector: Record<string, string> = policy.spec.podSelector.matchLabels ?? {};
    const selected = pods
      .filter((p) => p.namespace === policy.metadata.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v))
      .map((p) => p.labels['app.kubernetes.io/name']);
    expect(selected.length).toBeGreaterThan(0);
    expect([...new Set(selected)]).toEqual([policy.metadata.name]);
  });
});
