/**
 * parseSecretsBundle's checks, each with its exact message (mutation testing, issue 18): the
 * talosctl fixture bundle broken one field at a time, parsed inside each test.
 */
import * as YAML from 'yaml';
import { parseSecretsBundle, TalosSecretsError } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture } from '../talos/helpers';

type Bundle = Record<string, any>;

describeWithShared('the secrets bundle parser, field by field', () => {
  const fixture = (): Bundle => YAML.parse(readFixture('secrets.yaml'));
  const problemsOf = (text: string): readonly string[] => {
    try {
      parseSecretsBundle(text, 'lab/secrets.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(TalosSecretsError);
      expect((err as TalosSecretsError).message.startsWith('lab/secrets.yaml is not a usable Talos secrets bundle:\n  - ')).toBe(true);
      return (err as TalosSecretsError).problems;
    }
    return [];
  };
  const broken = (edit: (b: Bundle) => void) => {
    const b = fixture();
    edit(b);
    return problemsOf(YAML.stringify(b));
  };

  test('the fixture parses, every part in its place', () => {
    const b = fixture();
    const parsed = parseSecretsBundle(YAML.stringify(b));
    expect(parsed.cluster).toEqual({ id: b.cluster.id, secret: b.cluster.secret });
    expect(parsed.trustdInfo).toEqual({ token: b.trustdinfo.token });
    expect(parsed.secrets).toEqual({ bootstrapToken: b.secrets.bootstraptoken, secretboxEncryptionSecret: b.secrets.secretboxencryptionsecret });
    for (const pair of [parsed.certs.etcd, parsed.certs.k8s, parsed.certs.k8sAggregator, parsed.certs.os]) {
      expect(pair.crt).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(pair.key).toMatch(/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n/);
    }
    expect(parsed.certs.k8sServiceAccount.key).toMatch(/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n/);
  });

  test('not YAML, not a mapping, a missing section, unknown fields', () => {
    expect(problemsOf('a: [')[0]).toMatch(/^is not valid YAML: ./);
    expect(problemsOf('42')).toEqual(['must be a mapping with cluster, secrets, trustdinfo and certs']);
    expect(broken((b) => { delete b.trustdinfo; })).toEqual(['trustdinfo is missing; a talosctl bundle has cluster, secrets, trustdinfo and certs']);
    expect(broken((b) => { b.extra = 1; b.cluster.x = 2; })).toEqual([
      'extra is not a known bundle field (expected one of cluster, secrets, trustdinfo, certs)',
      'cluster.x is not a known bundle field (expected one of id, secret)',
    ]);
  });

  test('the cluster id and secret: strings of 32 bytes in base64 (the id in either alphabet)', () => {
    expect(broken((b) => { b.cluster.id = 5; })).toEqual(['cluster.id must be a non-empty string']);
    expect(broken((b) => { b.cluster.id = ''; })).toEqual(['cluster.id must be a non-empty string']);
    expect(broken((b) => { b.cluster.id = 'c2hvcnQ='; })).toEqual(['cluster.id must be 32 bytes in base64 with padding (44 characters)']);
    expect(broken((b) => { b.cluster.id = `${'a-_b'.repeat(10)}abc=`; })).toEqual([]);
    expect(broken((b) => { b.cluster.secret = `${'a-_b'.repeat(10)}abc=`; })).toEqual(['cluster.secret must be 32 bytes in base64 with padding (44 characters), got "a-_ba-_ba-_b…"']);
    expect(broken((b) => { b.cluster.secret = `${'ab+/'.repeat(10)}abc`; })).toEqual(['cluster.secret must be 32 bytes in base64 with padding (44 characters), got "ab+/ab+/ab+/…"']);
  });

  test('tokens and the encryption secret', () => {
    const tokenRule = '([0-9a-z]{6}.[0-9a-z]{16})';
    expect(broken((b) => { b.secrets.bootstraptoken = 'abcdef.0123456789ABCDEF'; })).toEqual([`secrets.bootstraptoken must look like abcdef.0123456789abcdef ${tokenRule}`]);
    expect(broken((b) => { b.trustdinfo.token = 'abcdef-0123456789abcdef'; })).toEqual([`trustdinfo.token must look like abcdef.0123456789abcdef ${tokenRule}`]);
    expect(broken((b) => { delete b.secrets.secretboxencryptionsecret; })).toEqual(['secrets.secretboxencryptionsecret is missing (a bundle needs it, or aescbcencryptionsecret for contracts <= 1.2)']);
    expect(broken((b) => { b.secrets.secretboxencryptionsecret = 'c2hvcnQ='; })).toEqual(['secrets.secretboxencryptionsecret must be 32 bytes in base64 with padding (44 characters), got "c2hvcnQ=…"']);
    // An old bundle with only the AES-CBC secret parses, and says which it has.
    const b = fixture();
    b.secrets.aescbcencryptionsecret = b.secrets.secretboxencryptionsecret;
    delete b.secrets.secretboxencryptionsecret;
    expect(parseSecretsBundle(YAML.stringify(b)).secrets).toEqual({ bootstrapToken: b.secrets.bootstraptoken, aescbcEncryptionSecret: b.secrets.aescbcencryptionsecret });
    b.secrets.aescbcencryptionsecret = 'c2hvcnQ=';
    expect(problemsOf(YAML.stringify(b))).toEqual(['secrets.aescbcencryptionsecret must be 32 bytes in base64 with padding (44 characters), got "c2hvcnQ=…"']);
  });

  test('the certificates: present, PEM, not redacted, a CA with its own key; the service-account key RSA or ECDSA', () => {
    expect(broken((b) => { delete b.certs.os; })).toEqual(['certs.os is missing']);
    expect(broken((b) => { b.certs.etcd.crt = Buffer.from('not pem').toString('base64'); })).toEqual(['certs.etcd.crt must be base64 of a PEM block']);
    expect(broken((b) => { b.certs.k8saggregator.key = '******'; })).toEqual(['certs.k8saggregator.key is redacted ("******"); import the unredacted secrets.yaml']);
    expect(broken((b) => { b.certs.k8s.key = b.certs.etcd.key; })).toEqual(['certs.k8s.key does not belong to certs.k8s.crt']);
    expect(broken((b) => { b.certs.k8sserviceaccount.key = b.certs.os.key; })).toEqual(['certs.k8sserviceaccount.key must be RSA or ECDSA, got ed25519']);
    expect(broken((b) => { delete b.certs.k8sserviceaccount; })).toEqual(['certs.k8sserviceaccount.key must be a non-empty string']);
  });

  test('every problem is reported at once, in field order', () => {
    expect(broken((b) => { b.cluster.id = ''; b.trustdinfo.token = 'x'; delete b.certs.etcd; })).toEqual([
      'cluster.id must be a non-empty string',
      'trustdinfo.token must look like abcdef.0123456789abcdef ([0-9a-z]{6}.[0-9a-z]{16})',
      'certs.etcd is missing',
    ]);
  });
});
