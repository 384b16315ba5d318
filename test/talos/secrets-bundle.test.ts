import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture } from './helpers';

describeWithShared('parsing a talosctl secrets.yaml', () => {
  const fixture = () => readFixture('secrets.yaml');

  test('accepts the talosctl fixture bundle (ECDSA service-account key from 2023)', () => {
    const bundle = parseSecretsBundle(fixture());
    expect(bundle.secrets.bootstrapToken).toBe('inn7ol.u4ehnti8qyls9ymo');
    expect(bundle.certs.os.key).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----\n/);
  });

  test.each([
    ['an unknown key is present', (t: string) => t.replace('trustdinfo:', 'extra: 1\ntrustdinfo:'), /extra is not a known bundle field/],
    ['a token has the wrong format', (t: string) => t.replace('inn7ol.u4ehnti8qyls9ymo', 'INN7OL.u4ehnti8qyls9ymo'), /bootstraptoken must look like/],
    ['the cluster secret is not 32 bytes', (t: string) => t.replace('pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic=', 'c2hvcnQ='), /cluster.secret must be 32 bytes/],
    ['a key is redacted', (t: string) => t.replace(/(os:\n {8}crt: \S+\n {8}key: )\S+/, "$1'******'"), /certs.os.key is redacted/],
    ['a key belongs to another certificate', (t: string) => {
      const etcdKey = /etcd:\n {8}crt: \S+\n {8}key: (\S+)/.exec(t)![1];
      return t.replace(/(k8s:\n {8}crt: \S+\n {8}key: )\S+/, `$1${etcdKey}`);
    }, /certs.k8s.key does not belong to certs.k8s.crt/],
    ['a section is missing', (t: string) => t.replace(/trustdinfo:\n.*\n/, ''), /trustdinfo is missing/],
  ])('fails when %s', (_name, mutate, expected) => {
    expect(() => parseSecretsBundle(mutate(fixture()), 'test.yaml')).toThrow(expected);
  });
});
