/**
 * machine.nodeLabels: topology labels (region = Proxmox cluster, zone = the node's host) written
 * sorted, as Go marshals a map, beside gen config's exclude-from-LB label when that is kept; and
 * the single-host default without any.
 */
import { parseSite } from '../../site';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderMachineConfigDocuments } from '../../talos/machine-config';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { SECOND_SITE } from '../support/second-site';
import { readFixture } from '../talos/helpers';

const secrets = () => parseSecretsBundle(readFixture('secrets.yaml'));
const labelsText = (yaml: string) => /\n {4}nodeLabels:\n((?: {8}.*\n)+)/.exec(yaml)?.[1] ?? '';

describe('Talos node labels', () => {
  test('each node of a multi-host site carries its Proxmox cluster as region and its host as zone', () => {
    const site = parseSite(SECOND_SITE).site;
    const texts = renderNodeMachineConfigs(site, secrets()).map((n) => labelsText(toGoYamlDocuments(n.documents)));
    expect(texts).toEqual(['hv-east', 'hv-west', 'hv-north'].map((zone) =>
      `        topology.kubernetes.io/region: lab-cluster\n        topology.kubernetes.io/zone: ${zone}\n`));
  });

  test('the single-host default has none', () => {
    const site = parseSite({}).site;
    for (const n of renderNodeMachineConfigs(site, secrets())) expect(toGoYamlDocuments(n.documents)).not.toContain('nodeLabels');
  });

  test('given labels join gen config\'s exclude-from-LB label, keys sorted', () => {
    const base = { machineType: 'controlplane' as const, clusterName: 'c', endpoint: 'https://10.0.0.1:6443', kubernetesVersion: '1.36.3', secrets: secrets() };
    const withLb = toGoYamlDocuments(renderMachineConfigDocuments({ ...base, nodeLabels: { 'topology.kubernetes.io/zone': 'pve02', 'a.example/x': 'y' } }));
    expect(labelsText(withLb)).toBe([
      '        a.example/x: "y"',
      '        node.kubernetes.io/exclude-from-external-load-balancers: ""',
      '        topology.kubernetes.io/zone: pve02', ''].join('\n'));
    const without = toGoYamlDocuments(renderMachineConfigDocuments({ ...base, excludeFromExternalLoadBalancers: false, nodeLabels: {} }));
    expect(without).not.toContain('nodeLabels');
    const worker = toGoYamlDocuments(renderMachineConfigDocuments({ ...base, machineType: 'worker', nodeLabels: { 'topology.kubernetes.io/zone': 'pve03' } }));
    expect(labelsText(worker)).toBe('        topology.kubernetes.io/zone: pve03\n');
  });
});
