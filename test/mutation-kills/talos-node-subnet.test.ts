/**
 * kubelet and etcd pick their node address from the site's VLAN (machine.kubelet.nodeIP.validSubnets,
 * cluster.etcd.advertisedSubnets): without it a node with a second interface may advertise the wrong
 * address and etcd peers cannot reach it. Checked on the default site and on one with another VLAN,
 * read back from the YAML that is written. Written for a mutant no other test killed
 * (docs/mutation-testing.md).
 */
import * as YAML from 'yaml';
import { parseSite } from '../../site';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { SECOND_SITE } from '../support/second-site';
import { describeWithShared, readFixture } from '../talos/helpers';

describeWithShared('the Talos node subnet', () => {
  const secrets = () => parseSecretsBundle(readFixture('secrets.yaml'));
  const written = (input: unknown) => renderNodeMachineConfigs(parseSite(input).site, secrets())
    .map((node) => YAML.parseAllDocuments(toGoYamlDocuments(node.documents))[0].toJS() as Record<string, any>);

  test.each([
    ['the default site', '10.70.0.0/24', {}],
    ['a site on another VLAN', '172.20.42.0/24', SECOND_SITE],
  ] as const)('on %s, every node\'s kubelet and etcd use only addresses in the VLAN %s', (_name, cidr, input) => {
    const configs = written(input);
    expect(configs).toHaveLength(3);
    for (const config of configs) {
      expect(config.machine.kubelet.nodeIP).toEqual({ validSubnets: [cidr] });
      expect(config.cluster.etcd.advertisedSubnets).toEqual([cidr]);
    }
  });
});
