/** The report's four firewall requirements, found in the synthesized objects. */
import { readObjects, DistObject } from './support/dist-tree';
import { synthToTemp } from './support/synth-once';

type Obj = DistObject & { spec: any };

describe('the report firewall rules hold in dist/', () => {
  const objects = readObjects(synthToTemp().outDir).filter((o) => o.metadata.namespace === 'monitoring') as Obj[];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const MGMT = '10.88.140.0/24';

  test('1. the monitoring VLAN may reach all VLANs: no policy restricts egress', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(5);
    for (const p of policies) expect(p.spec.policyTypes).toEqual(['Ingress']);
  });

  test('2. all VLANs may send syslog to UDP 514', () => {
    const svc = find('Service', 'syslog');
    expect(svc.spec.ports).toEqual(expect.arrayContaining([expect.objectContaining({ port: 514, protocol: 'UDP' })]));
    expect(svc.spec.loadBalancerSourceRanges).toBeUndefined();
    // The gateway runs in Loki's pod: Loki's policy carries the syslog rule.
    const rule = find('NetworkPolicy', 'loki').spec.ingress.find((r: any) => r.ports.some((p: any) => p.protocol === 'UDP'));
    expect(rule.ports).toEqual(expect.arrayContaining([{ port: 1514, protocol: 'UDP' }]));
    expect(rule.from).toBeUndefined();
  });

  test.each([
    ['3. Grafana TCP 3000', 'grafana-lb', 'grafana', 3000, []],
    // Plus the CheckMK guest, whose special agents read Prometheus (integrations.checkmk; docs/integrations/checkmk.md).
    ['4. Prometheus TCP 9090', 'prometheus-lb', 'prometheus', 9090, ['10.88.140.103/32']],
  ])('%s only from the management VLAN (and named integration guests), with client addresses preserved', (_rule, lbName, policyName, port, guests) => {
    const lb = find('Service', lbName);
    expect(lb.spec.loadBalancerSourceRanges).toEqual([MGMT, ...guests]);
    expect(lb.spec.externalTrafficPolicy).toBe('Local');
    expect(lb.spec.ports.map((p: any) => p.port)).toEqual([port]);
    const rule = find('NetworkPolicy', policyName).spec.ingress.find((r: any) => r.ports.some((p: any) => p.port === port));
    expect(rule.from.filter((f: any) => f.ipBlock).map((f: any) => f.ipBlock.cidr)).toEqual([MGMT, ...guests]);
  });

  test('Alertmanager (basic auth) is not reachable from outside the management VLAN either', () => {
    expect(find('Service', 'alertmanager-lb').spec.loadBalancerSourceRanges).toEqual([MGMT]);
  });
});
