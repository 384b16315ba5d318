/** Fed Talos' own fixture bundle and inputs, the generator reproduces Talos' v1.13 output byte for byte. */
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderMachineConfigDocuments } from '../../talos/machine-config';
import { parseSecretsBundle, serializeSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture } from './helpers';
import * as YAML from 'yaml';

describeWithShared('parity with Talos v1.13 gen config', () => {
  const fixtureSecrets = () => parseSecretsBundle(readFixture('secrets.yaml'), 'fixtures/secrets.yaml');
  const render = (machineType: 'controlplane' | 'worker') => toGoYamlDocuments(renderMachineConfigDocuments({
    machineType,
    clusterName: 'base',
    endpoint: 'https://base:6443',
    kubernetesVersion: '1.28.0',
    secrets: fixtureSecrets(),
    emitPersist: true,
  }));

  test.each(['controlplane', 'worker'] as const)('base-%s.yaml is reproduced byte for byte', (machineType) => {
    // GIVEN the fixture bundle and NewInput("base", "https://base:6443", "1.28.0")
    const expected = readFixture(`v1.13/base-${machineType}.yaml`);
    // WHEN / THEN
    const actual = render(machineType);
    expect(YAML.parseAllDocuments(actual).map((d) => d.toJS())).toEqual(YAML.parseAllDocuments(expected).map((d) => d.toJS()));
    expect(actual).toBe(expected);
  });

  test('the fixture secrets.yaml round-trips byte for byte (minus its leading comment)', () => {
    const text = readFixture('secrets.yaml');
    expect(serializeSecretsBundle(parseSecretsBundle(text))).toBe(text.replace(/^#.*\n/, ''));
  });
});
