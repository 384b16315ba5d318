/** Fed Talos' own fixture bundle and inputs, the generator reproduces Talos' v1.13 output byte for byte. */
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { KubeletExtraMount, MachineConfigInput, MachineType, renderMachineConfigDocuments } from '../../talos/machine-config';
import { parseSecretsBundle, serializeSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, keyOrderProblems, readFixture } from './helpers';
import * as YAML from 'yaml';

describeWithShared('parity with Talos v1.13 gen config', () => {
  const fixtureSecrets = () => parseSecretsBundle(readFixture('secrets.yaml'), 'fixtures/secrets.yaml');
  // NewInput("base", "https://base:6443", "1.28.0", WithSecretsBundle, WithVersionContract(1.13))
  const baseInput = (machineType: MachineType): MachineConfigInput => ({
    machineType,
    clusterName: 'base',
    endpoint: 'https://base:6443',
    kubernetesVersion: '1.28.0',
    secrets: fixtureSecrets(),
    emitPersist: true,
  });
  /**
   * The "overrides" flavour (fixtures README): additional SANs foo,bar, allowSchedulingOnControlPlanes,
   * dnsDomain example.com, install disk /dev/vda, extra kernel args, local API server port 5443, a sysctl,
   * a custom CNI URL, a registry mirror, and fixtures/patch.yaml (kubelet extraMounts). The values are
   * Talos' stability-test inputs.
   */
  const overridesInput = (machineType: MachineType): MachineConfigInput => {
    const patch = YAML.parse(readFixture('patch.yaml')) as { machine: { kubelet: { extraMounts: KubeletExtraMount[] } } };
    return {
      ...baseInput(machineType),
      additionalSANs: ['foo', 'bar'],
      allowSchedulingOnControlPlanes: true,
      dnsDomain: 'example.com',
      installDisk: '/dev/vda',
      installExtraKernelArgs: ['foo=bar', 'bar=baz'],
      localAPIServerPort: 5443,
      sysctls: { foo: 'bar' },
      customCniUrls: ['https://example.com/cni.yaml'],
      registryMirrors: [{ registry: 'ghcr.io', endpoints: ['https://ghcr.io.my-mirror.com'] }],
      kubeletExtraMounts: patch.machine.kubelet.extraMounts,
    };
  };
  const parsed = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS());

  test.each(['controlplane', 'worker'] as const)('base-%s.yaml is reproduced byte for byte', (machineType) => {
    // GIVEN the fixture bundle and NewInput("base", "https://base:6443", "1.28.0")
    const expected = readFixture(`v1.13/base-${machineType}.yaml`);
    // WHEN / THEN
    const actual = toGoYamlDocuments(renderMachineConfigDocuments(baseInput(machineType)));
    expect(parsed(actual)).toEqual(parsed(expected));
    expect(actual).toBe(expected);
  });

  test.each(['controlplane', 'worker'] as const)('overrides-%s.yaml is reproduced byte for byte from the fixture inputs and patch.yaml', (machineType) => {
    // GIVEN the fixture bundle, the overrides options and patch.yaml
    const expected = readFixture(`v1.13/overrides-${machineType}.yaml`);
    // WHEN
    const actual = toGoYamlDocuments(renderMachineConfigDocuments(overridesInput(machineType)));
    // THEN
    expect(parsed(actual)).toEqual(parsed(expected));
    expect(actual).toBe(expected);
  });

  test('Talos\' own fixtures list their keys in the schema order the key-order check enforces', () => {
    for (const file of ['base-controlplane', 'base-worker', 'overrides-controlplane', 'overrides-worker']) {
      for (const doc of parsed(readFixture(`v1.13/${file}.yaml`))) expect(keyOrderProblems(doc)).toEqual([]);
    }
  });

  test('machine.features puts kubernetesTalosAPIAccess first, as the Go struct declares it', () => {
    const [config] = renderMachineConfigDocuments({
      ...baseInput('controlplane'),
      talosApiAccess: { allowedRoles: ['os:etcd:backup'], allowedKubernetesNamespaces: ['etcd-backup'] },
    }) as [{ machine: { features: Record<string, unknown> } }];
    expect(Object.keys(config.machine.features).filter((k) => config.machine.features[k] !== undefined))
      .toEqual(['kubernetesTalosAPIAccess', 'diskQuotaSupport', 'kubePrism', 'hostDNS']);
    expect(keyOrderProblems(parsed(toGoYamlDocuments([config as never]))[0])).toEqual([]);
  });

  test('fails when a custom CNI and flannel NetworkPolicy enforcement are both asked for', () => {
    expect(() => renderMachineConfigDocuments({ ...baseInput('worker'), customCniUrls: ['https://example.com/cni.yaml'], flannelNetworkPolicies: true }))
      .toThrow(/customCniUrls and flannelNetworkPolicies exclude each other/);
  });

  test('the fixture secrets.yaml round-trips byte for byte (minus its leading comment)', () => {
    const text = readFixture('secrets.yaml');
    expect(serializeSecretsBundle(parseSecretsBundle(text))).toBe(text.replace(/^#.*\n/, ''));
  });
});
