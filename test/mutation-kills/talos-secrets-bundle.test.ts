/**
 * parseSecretsBundle's checks, each with its exact message (mutation testing, issue 18): the
 * talosctl fixture bundle broken one field at a time, parsed inside each test.
 */
import * as crypto from 'node:crypto';
import * as YAML from 'yaml';
import { issueClientCertificate } from '../../talos/pki';
import { generateSecretsBundle, generateToken, parseSecretsBundle, TalosSecretsError } from '../../talos/secrets-bundle';
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

  test('each field\'s own name in its message: empty or not a string', () => {
    const missing = (field: string) => `${field} must be a non-empty string`;
    expect(broken((b) => { b.cluster.secret = ''; })).toEqual([missing('cluster.secret')]);
    expect(broken((b) => { delete b.secrets.bootstraptoken; })).toEqual([missing('secrets.bootstraptoken')]);
    expect(broken((b) => { b.secrets.secretboxencryptionsecret = 5; })).toEqual([
      missing('secrets.secretboxencryptionsecret'),
      'secrets.secretboxencryptionsecret is missing (a bundle needs it, or aescbcencryptionsecret for contracts <= 1.2)',
    ]);
    expect(broken((b) => { b.secrets.aescbcencryptionsecret = 5; })).toEqual([missing('secrets.aescbcencryptionsecret')]);
    expect(broken((b) => { b.trustdinfo.token = ''; })).toEqual([missing('trustdinfo.token')]);
  });

  test('a section or CA that is a scalar is missing, not read field by field', () => {
    expect(broken((b) => { b.trustdinfo = 5; })).toEqual(['trustdinfo is missing; a talosctl bundle has cluster, secrets, trustdinfo and certs']);
    expect(broken((b) => { b.certs.etcd = 5; })).toEqual(['certs.etcd is missing']);
  });

  test('the 32-byte values are matched whole: nothing before or after the 44 characters', () => {
    const valid = fixture().cluster.secret as string;
    const bad32 = (field: string, v: string) => `${field} must be 32 bytes in base64 with padding (44 characters), got "${v.slice(0, 12)}…"`;
    expect(broken((b) => { b.cluster.secret = `x${valid}`; })).toEqual([bad32('cluster.secret', `x${valid}`)]);
    expect(broken((b) => { b.cluster.secret = `${valid}x`; })).toEqual([bad32('cluster.secret', `${valid}x`)]);
    const badId = 'cluster.id must be 32 bytes in base64 with padding (44 characters)';
    expect(broken((b) => { b.cluster.id = `x${valid}`; })).toEqual([badId]);
    expect(broken((b) => { b.cluster.id = `${valid}x`; })).toEqual([badId]);
  });

  test('duplicate keys are refused, with the parser\'s first line only; the default source name', () => {
    expect(problemsOf('cluster:\n  id: a\n  id: b\n')).toEqual([expect.stringMatching(/^is not valid YAML: Map keys must be unique at line 3, column 3:$/)]);
    let error: unknown;
    try { parseSecretsBundle('42'); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(TalosSecretsError);
    expect((error as TalosSecretsError).name).toBe('TalosSecretsError');
    expect((error as TalosSecretsError).message).toBe('secrets.yaml is not a usable Talos secrets bundle:\n  - must be a mapping with cluster, secrets, trustdinfo and certs');
    // Several problems, one line each.
    let several: unknown;
    try { parseSecretsBundle(YAML.stringify({ ...fixture(), extra: 1, more: 2 }), 'lab/secrets.yaml'); } catch (err) { several = err; }
    expect((several as Error).message).toBe([
      'lab/secrets.yaml is not a usable Talos secrets bundle:',
      '  - extra is not a known bundle field (expected one of cluster, secrets, trustdinfo, certs)',
      '  - more is not a known bundle field (expected one of cluster, secrets, trustdinfo, certs)',
    ].join('\n'));
  });

  test('keys and certificates that do not decode, a CA that is no CA, an RSA service-account key', async () => {
    const pemOf = (label: string, body: string) => Buffer.from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`).toString('base64');
    expect(broken((b) => { b.certs.k8sserviceaccount.key = pemOf('PRIVATE KEY', 'AAAA'); })).toEqual([expect.stringMatching(/^certs\.k8sserviceaccount\.key: ./)]);
    expect(broken((b) => { b.certs.etcd.crt = pemOf('CERTIFICATE', 'AAAA'); })).toEqual([expect.stringMatching(/^certs\.etcd: ./)]);
    // A client certificate and its key where the OS CA belongs.
    const os = parseSecretsBundle(readFixture('secrets.yaml')).certs.os;
    const leaf = await issueClientCertificate(os, { now: new Date() });
    expect(broken((b) => { b.certs.os = { crt: Buffer.from(leaf.crt).toString('base64'), key: Buffer.from(leaf.key).toString('base64') }; }))
      .toEqual(['certs.os.crt is not a CA certificate (BasicConstraints CA:TRUE missing)']);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    expect(broken((b) => { b.certs.k8sserviceaccount.key = Buffer.from(rsa).toString('base64'); })).toEqual([]);
  });
});

/** crypto.randomBytes served from a fixed byte stream, so the tokens and ids can be predicted. */
async function withRandomBytes<T>(stream: (n: number) => Buffer, work: () => T | Promise<T>): Promise<T> {
  // The module object itself (its properties are writable), not an import's read-only wrapper.
  const nodeCrypto = require('node:crypto') as typeof crypto; // eslint-disable-line @typescript-eslint/no-require-imports
  const spy = jest.spyOn(nodeCrypto, 'randomBytes').mockImplementation(((n: number) => stream(n)) as typeof nodeCrypto.randomBytes);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}

describe('new tokens and bundles', () => {
  test('a token takes bytes below 252 only, each as one of 36 characters, twice as many bytes as characters per draw', async () => {
    // Bytes 252-255 would make 0-3 likelier; a draw without enough usable bytes draws again.
    const bytes = [
      ...Array(12).fill(255), // first draw for the 6 characters: nothing usable
      252, 0, 1, 35, 36, 71, 251, 9, 10, 11, 12, 13, // second: 0 1 z 0 z z (9 onwards left unused)
      ...Array.from({ length: 32 }, (_, i) => 100 + i), // the 16 characters: 100..115 mod 36
    ];
    let at = 0;
    const token = await withRandomBytes((n) => { const out = Buffer.from(bytes.slice(at, at + n)); at += n; return out; }, () => generateToken());
    const expected16 = Array.from({ length: 16 }, (_, i) => '0123456789abcdefghijklmnopqrstuvwxyz'[(100 + i) % 36]).join('');
    expect(token).toBe(`01z0zz.${expected16}`);
    expect(at).toBe(12 + 12 + 32);
    expect(generateToken()).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
  });

  test('a new bundle: CAs named as talosctl names them, the cluster id in the URL-safe alphabet', async () => {
    const bundle = await generateSecretsBundle(new Date());
    const subject = (crt: string) => new crypto.X509Certificate(crt).subject ?? '';
    expect([bundle.certs.etcd, bundle.certs.k8s, bundle.certs.k8sAggregator, bundle.certs.os].map((c) => subject(c.crt))).toEqual(['O=etcd', 'O=kubernetes', '', 'O=talos']);
    // 32 bytes of 0xfb 0xff 0xbf... are "+/+/" in standard base64: the id has them as "-_".
    const id = await withRandomBytes((n) => (n === 32 ? Buffer.from(Array.from({ length: 32 }, (_, i) => [0xfb, 0xff, 0xbf][i % 3])) : Buffer.from(Array.from({ length: n }, (_, i) => i % 36))),
      async () => (await generateSecretsBundle(new Date())).cluster.id);
    expect(id).toBe(Buffer.from(Array.from({ length: 32 }, (_, i) => [0xfb, 0xff, 0xbf][i % 3])).toString('base64url') + '=');
    expect(id).toMatch(/^[-_]+[A-Za-z0-9_-]*=$/);
  });
});
