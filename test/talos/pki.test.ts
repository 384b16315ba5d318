/** The bundle's PKI, checked with openssl (research/talos.md §1.3). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { issueClientCertificate } from '../../talos/pki';
import { generateSecretsBundle, parseSecretsBundle, serializeSecretsBundle, TalosSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture, tempProject } from './helpers';
import { describeWithBinary, requireTool } from '../support/binaries';

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

/** openssl does not know Talos' "ED25519 PRIVATE KEY" label; the body is plain PKCS#8. */
function writePem(dir: string, name: string, pem: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, pem.replace(/ED25519 PRIVATE KEY/g, 'PRIVATE KEY'));
  return file;
}

function publicKeyOf(file: string, kind: 'x509' | 'pkey'): string {
  return kind === 'x509' ? openssl('x509', '-in', file, '-noout', '-pubkey') : openssl('pkey', '-in', file, '-pubout');
}

describeWithBinary('openssl', 'Talos PKI (fresh bundle, checked with openssl)', () => {
  let bundle: TalosSecretsBundle;
  let admin: { crt: string; key: string };
  let dir: string;
  const now = new Date('2026-08-18T10:00:00Z');

  beforeAll(async () => {
    bundle = await generateSecretsBundle(now);
    admin = await issueClientCertificate(bundle.certs.os, { now });
    dir = tempProject('talos-pki-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const CAS = [
    { name: 'os', subject: 'O = talos', keyBlock: 'ED25519 PRIVATE KEY', algorithm: 'ED25519', signature: 'ED25519' },
    { name: 'etcd', subject: 'O = etcd', keyBlock: 'EC PRIVATE KEY', algorithm: 'id-ecPublicKey', signature: 'ecdsa-with-SHA256' },
    { name: 'k8s', subject: 'O = kubernetes', keyBlock: 'EC PRIVATE KEY', algorithm: 'id-ecPublicKey', signature: 'ecdsa-with-SHA256' },
    { name: 'k8sAggregator', subject: '', keyBlock: 'EC PRIVATE KEY', algorithm: 'id-ecPublicKey', signature: 'ecdsa-with-SHA256' },
  ] as const;

  test.each(CAS)('the $name CA is CA:TRUE with keyCertSign, its key matches, algorithms and subject are as Talos makes them', (ca) => {
    const pair = bundle.certs[ca.name];
    const crt = writePem(dir, `${ca.name}.crt`, pair.crt);
    const key = writePem(dir, `${ca.name}.key`, pair.key);
    const text = openssl('x509', '-in', crt, '-noout', '-text');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign\n/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain(`Public Key Algorithm: ${ca.algorithm}`);
    expect(text).toContain(`Signature Algorithm: ${ca.signature}`);
    if (ca.algorithm === 'id-ecPublicKey') expect(text).toContain('NIST CURVE: P-256');
    expect(openssl('x509', '-in', crt, '-noout', '-subject', '-nameopt', 'RFC2253').trim()).toBe(`subject=${ca.subject.replace(' = ', '=')}`);
    expect(pair.key.split('\n')[0]).toBe(`-----BEGIN ${ca.keyBlock}-----`);
    expect(publicKeyOf(key, 'pkey')).toBe(publicKeyOf(crt, 'x509'));
    // 87600 hours
    const dates = openssl('x509', '-in', crt, '-noout', '-startdate', '-enddate');
    expect(dates).toContain('notBefore=Aug 18 10:00:00 2026 GMT');
    expect(dates).toContain('notAfter=Aug 15 10:00:00 2036 GMT');
    // self-signed
    expect(openssl('verify', '-CAfile', crt, crt)).toContain(': OK');
  });

  test('the service-account key is RSA 4096 in a PKCS#1 block', () => {
    expect(bundle.certs.k8sServiceAccount.key.split('\n')[0]).toBe('-----BEGIN RSA PRIVATE KEY-----');
    const key = writePem(dir, 'sa.key', bundle.certs.k8sServiceAccount.key);
    expect(openssl('pkey', '-in', key, '-noout', '-text')).toMatch(/Private-Key: \(4096 bit/);
  });

  test('the admin certificate chains to the OS CA, is O=os:admin, clientAuth only, valid one year', () => {
    const ca = writePem(dir, 'os-ca.crt', bundle.certs.os.crt);
    const crt = writePem(dir, 'admin.crt', admin.crt);
    const key = writePem(dir, 'admin.key', admin.key);
    expect(openssl('verify', '-CAfile', ca, '-purpose', 'sslclient', crt)).toContain(': OK');
    const text = openssl('x509', '-in', crt, '-noout', '-text');
    expect(openssl('x509', '-in', crt, '-noout', '-subject', '-nameopt', 'RFC2253').trim()).toBe('subject=O=os:admin');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication\n/);
    expect(text).not.toContain('Basic Constraints');
    expect(text).toContain('Authority Key Identifier');
    expect(text).toContain('Signature Algorithm: ED25519');
    expect(openssl('x509', '-in', crt, '-noout', '-enddate')).toContain('notAfter=Aug 18 10:00:00 2027 GMT');
    expect(publicKeyOf(key, 'pkey')).toBe(publicKeyOf(crt, 'x509'));
  });

  test('a generated bundle has talosctl formats for ids, tokens and secrets and re-parses', () => {
    expect(bundle.cluster.id).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(bundle.cluster.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(bundle.secrets.bootstrapToken).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(bundle.trustdInfo.token).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(Buffer.from(bundle.secrets.secretboxEncryptionSecret!, 'base64')).toHaveLength(32);
    expect(parseSecretsBundle(serializeSecretsBundle(bundle))).toEqual(bundle);
  });
});

(requireTool('openssl', 'admin certificate from an imported talosctl bundle') ? describeWithShared : describe.skip)('admin certificate from an imported talosctl bundle', () => {
  test('chains to the fixture OS CA (issuer bytes copied from the CA subject)', async () => {
    const bundle = parseSecretsBundle(readFixture('secrets.yaml'));
    const admin = await issueClientCertificate(bundle.certs.os, { now: new Date() });
    const dir = tempProject('talos-pki-fixture-');
    try {
      const ca = writePem(dir, 'ca.crt', bundle.certs.os.crt);
      const crt = writePem(dir, 'admin.crt', admin.crt);
      expect(openssl('verify', '-CAfile', ca, crt)).toContain(': OK');
      const issuer = openssl('x509', '-in', crt, '-noout', '-issuer', '-nameopt', 'RFC2253');
      const subject = openssl('x509', '-in', ca, '-noout', '-subject', '-nameopt', 'RFC2253');
      expect(issuer.replace('issuer=', '')).toBe(subject.replace('subject=', ''));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
