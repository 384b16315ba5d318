/**
 * talos/pki.ts field by field (mutation testing, issue 18): every certificate is minted inside its
 * test and read back with Node's X509Certificate (OpenSSL) and @peculiar/x509's parser, so each
 * extension, its criticality, the names, the validity window and the serial encoding are pinned.
 * test/talos/pki.test.ts checks a whole bundle with the openssl CLI.
 */
import * as crypto from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  ADMIN_CERT_VALIDITY_HOURS, CA_VALIDITY_HOURS, certificateMatchesKey, createCertificateAuthority, issueClientCertificate,
  isIssuedBy, pemDecode, pemEncode, privateKeyFromPem, privateKeyToTalosPem, type PemCertificateAndKey,
} from '../../talos/pki';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto: typeof crypto = require('node:crypto');
const HOUR_MS = 3600 * 1000;
const NOW = new Date('2026-08-18T10:00:00.750Z');
const NOW_WHOLE = new Date('2026-08-18T10:00:00Z');

const parsed = (pem: string) => new x509.X509Certificate(pemDecode(pem).der);
const node = (pem: string) => new crypto.X509Certificate(pem);
/** The serial INTEGER's content bytes, as hex, read from the DER (parsers print it normalized). */
function serialContent(der: Buffer): string {
  /** Offset of the content and its length for the element at `at`. */
  const element = (at: number): [number, number] => {
    const first = der[at + 1];
    if (first < 0x80) return [at + 2, first];
    const size = first & 0x7f;
    return [at + 2 + size, der.subarray(at + 2, at + 2 + size).reduce((n, b) => n * 256 + b, 0)];
  };
  const [tbsAt] = element(0); // inside Certificate: TBSCertificate
  const [versionAt] = element(tbsAt); // inside TBSCertificate: [0] EXPLICIT version
  const [version, versionLength] = element(versionAt);
  const serialAt = version + versionLength;
  expect(der[serialAt]).toBe(0x02); // INTEGER
  const [content, length] = element(serialAt);
  return der.subarray(content, content + length).toString('hex');
}
const extensionsOf = (pem: string) => parsed(pem).extensions.map((e) => [e.type, e.critical]);

/** A CA (O=bare unless named) without a subject key identifier (as some imported bundles have). */
async function bareCa(keys = crypto.generateKeyPairSync('ed25519'), name = 'O=bare'): Promise<PemCertificateAndKey> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name, notBefore: NOW_WHOLE, notAfter: new Date(NOW_WHOLE.getTime() + HOUR_MS),
    keys: {
      privateKey: await crypto.webcrypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'Ed25519' }, false, ['sign']),
      publicKey: await crypto.webcrypto.subtle.importKey('spki', keys.publicKey.export({ type: 'spki', format: 'der' }), { name: 'Ed25519' }, true, ['verify']),
    } as unknown as crypto.webcrypto.CryptoKeyPair,
    signingAlgorithm: { name: 'Ed25519' },
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { crt: pemEncode('CERTIFICATE', new Uint8Array(cert.rawData)), key: privateKeyToTalosPem(keys.privateKey) };
}

describe('PEM text', () => {
  test('pemEncode writes 64-column lines and one trailing newline, like OpenSSL', () => {
    const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(pemEncode('PUBLIC KEY', der)).toBe(publicKey.export({ type: 'spki', format: 'pem' }));
  });

  test('a body of exactly one line has no empty line before END', () => {
    const der = Buffer.alloc(48, 0xab);
    const line = der.toString('base64');
    expect(line).toHaveLength(64);
    expect(pemEncode('X', der)).toBe(`-----BEGIN X-----\n${line}\n-----END X-----\n`);
    expect(pemEncode('X', Buffer.alloc(96, 0xab))).toBe(`-----BEGIN X-----\n${line}\n${line}\n-----END X-----\n`);
    expect(pemEncode('X', Buffer.alloc(3, 0xab))).toBe('-----BEGIN X-----\nq6ur\n-----END X-----\n');
  });

  test('pemDecode reads the first block, CRLF or LF, and names a non-PEM', () => {
    const der = Buffer.alloc(100, 7);
    const pem = pemEncode('CERTIFICATE', der);
    expect(pemDecode(pem)).toEqual({ label: 'CERTIFICATE', der });
    expect(pemDecode(pem.replace(/\n/g, '\r\n'))).toEqual({ label: 'CERTIFICATE', der });
    expect(pemDecode(`${pemEncode('A', Buffer.from([1]))}${pemEncode('B', Buffer.from([2]))}`)).toEqual({ label: 'A', der: Buffer.from([1]) });
    expect(() => pemDecode('nothing here')).toThrow(new Error('not a PEM block'));
    expect(() => pemDecode('-----BEGIN A-----\nAAAA\n-----END B-----\n')).toThrow(new Error('not a PEM block'));
  });
});

describe('private keys in the block types Talos writes', () => {
  const cases: [string, crypto.KeyObject, string][] = [
    ['ed25519', crypto.generateKeyPairSync('ed25519').privateKey, 'ED25519 PRIVATE KEY'],
    ['ec', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'EC PRIVATE KEY'],
    ['rsa', crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'RSA PRIVATE KEY'],
  ];

  test.each(cases)('%s: the label, and the key reads back the same', (_type, key, label) => {
    const pem = privateKeyToTalosPem(key);
    expect(pemDecode(pem).label).toBe(label);
    const back = privateKeyFromPem(pem);
    expect(back.asymmetricKeyType).toBe(key.asymmetricKeyType);
    expect(back.export({ type: 'pkcs8', format: 'der' })).toEqual(key.export({ type: 'pkcs8', format: 'der' }));
  });

  test('a plain PKCS#8 PRIVATE KEY block reads too (OpenSSL writes those)', () => {
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(privateKeyFromPem(pem).export({ type: 'pkcs8', format: 'der' })).toEqual(key.export({ type: 'pkcs8', format: 'der' }));
  });

  test('an unknown block or key type is refused by name', () => {
    expect(() => privateKeyFromPem(pemEncode('DSA PRIVATE KEY', Buffer.alloc(10)))).toThrow(
      new Error('unsupported private key PEM block "DSA PRIVATE KEY" (Talos accepts RSA, EC, ED25519 and PKCS#8 PRIVATE KEY)'),
    );
    expect(() => privateKeyToTalosPem(crypto.generateKeyPairSync('x25519').privateKey)).toThrow(new Error('unsupported key type x25519'));
  });
});

describe('certificate authorities', () => {
  test('an Ed25519 CA with an organization: the fields siderolabs/crypto sets', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now: NOW });
    const cert = node(ca.crt);
    expect(cert.subject).toBe('O=talos');
    expect(cert.issuer).toBe('O=talos');
    expect(cert.ca).toBe(true);
    expect(new Date(cert.validFrom)).toEqual(NOW_WHOLE);
    expect(new Date(cert.validTo)).toEqual(new Date(NOW_WHOLE.getTime() + CA_VALIDITY_HOURS * HOUR_MS));
    expect(cert.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(pemDecode(ca.key).label).toBe('ED25519 PRIVATE KEY');
    expect(certificateMatchesKey(ca.crt, ca.key)).toBe(true);

    const p = parsed(ca.crt);
    expect(extensionsOf(ca.crt)).toEqual([
      ['2.5.29.15', true], // key usage
      ['2.5.29.37', false], // extended key usage
      ['2.5.29.19', true], // basic constraints
      ['2.5.29.14', false], // subject key identifier
    ]);
    expect(p.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign);
    expect(p.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    const bc = p.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength]).toEqual([true, undefined]);
    expect(p.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(isIssuedBy(ca.crt, ca.crt)).toBe(true);
  });

  test('an ECDSA P-256 CA without an organization has an empty subject and issuer', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256', now: NOW });
    const cert = node(ca.crt);
    // Both names are an empty SEQUENCE (30 00), as Go writes an empty pkix.Name.
    expect(Buffer.from(parsed(ca.crt).subjectName.toArrayBuffer())).toEqual(Buffer.from([0x30, 0x00]));
    expect(Buffer.from(parsed(ca.crt).issuerName.toArrayBuffer())).toEqual(Buffer.from([0x30, 0x00]));
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(parsed(ca.crt).signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(pemDecode(ca.key).label).toBe('EC PRIVATE KEY');
    expect(certificateMatchesKey(ca.crt, ca.key)).toBe(true);
  });

  test('serial numbers are minimal positive DER integers', async () => {
    // The CA asks for 16 random bytes for the serial, then 20 for its key identifier.
    const serial = async (first: number[]) => {
      // pki.ts reads randomBytes from the module object at each call; spy on that object.
      const spy = jest.spyOn(nodeCrypto, 'randomBytes').mockImplementation(((size: number) => {
        const bytes = Buffer.alloc(size, 0x11);
        if (size === 16) Buffer.from(first).copy(bytes);
        return bytes;
      }) as typeof crypto.randomBytes);
      try {
        const ca = await createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now: NOW });
        return serialContent(pemDecode(ca.crt).der);
      } finally {
        spy.mockRestore();
      }
    };
    expect(await serial([0x7f])).toBe(`7f${'11'.repeat(15)}`);
    expect(await serial([0x80])).toBe(`0080${'11'.repeat(15)}`);
    expect(await serial([0xff])).toBe(`00ff${'11'.repeat(15)}`);
    expect(await serial([0x00, 0x00, 0x12])).toBe(`12${'11'.repeat(13)}`);
    expect(await serial([0x00, 0x81])).toBe(`0081${'11'.repeat(14)}`);
    expect(await serial([...new Array(15).fill(0), 0x01])).toBe('01');
    expect(await serial([...new Array(15).fill(0), 0x80])).toBe('0080');
  });
});

describe('client certificates', () => {
  const talosCa = () => createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now: NOW });

  test('os:admin by default: the fields apid accepts', async () => {
    const ca = await talosCa();
    const admin = await issueClientCertificate(ca, { now: NOW });
    const cert = node(admin.crt);
    expect(cert.subject).toBe('O=os:admin');
    expect(cert.issuer).toBe('O=talos');
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom)).toEqual(NOW_WHOLE);
    expect(new Date(cert.validTo)).toEqual(new Date(NOW_WHOLE.getTime() + ADMIN_CERT_VALIDITY_HOURS * HOUR_MS));
    expect(cert.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(pemDecode(admin.key).label).toBe('ED25519 PRIVATE KEY');
    expect(certificateMatchesKey(admin.crt, admin.key)).toBe(true);
    expect(isIssuedBy(admin.crt, ca.crt)).toBe(true);

    const p = parsed(admin.crt);
    expect(extensionsOf(admin.crt)).toEqual([['2.5.29.15', true], ['2.5.29.37', false], ['2.5.29.35', false]]);
    expect(p.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(p.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(p.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(parsed(ca.crt).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
  });

  test('another role and validity', async () => {
    const admin = await issueClientCertificate(await talosCa(), { now: NOW, role: 'os:reader', validityHours: 2 });
    expect(node(admin.crt).subject).toBe('O=os:reader');
    expect(new Date(node(admin.crt).validTo)).toEqual(new Date(NOW_WHOLE.getTime() + 2 * HOUR_MS));
  });

  test('an ECDSA P-256 CA issues an ECDSA P-256 leaf', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256', organization: 'etcd', now: NOW });
    const leaf = await issueClientCertificate(ca, { now: NOW });
    expect(node(leaf.crt).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(pemDecode(leaf.key).label).toBe('EC PRIVATE KEY');
    expect(isIssuedBy(leaf.crt, ca.crt)).toBe(true);
  });

  test('a CA without a key identifier gives a leaf without an authority key identifier', async () => {
    const ca = await bareCa();
    const leaf = await issueClientCertificate(ca, { now: NOW });
    expect(extensionsOf(leaf.crt)).toEqual([['2.5.29.15', true], ['2.5.29.37', false]]);
    expect(isIssuedBy(leaf.crt, ca.crt)).toBe(true);
  });

  test('a CA key other than Ed25519 or P-256 is refused by type', async () => {
    const withKey = async (key: crypto.KeyObject) => issueClientCertificate({ crt: (await talosCa()).crt, key: privateKeyToTalosPem(key) }, { now: NOW });
    await expect(withKey(crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)).rejects.toThrow(new Error('CA key must be Ed25519 or ECDSA P-256, got ec'));
    await expect(withKey(crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)).rejects.toThrow(new Error('CA key must be Ed25519 or ECDSA P-256, got rsa'));
  });
});

describe('isIssuedBy', () => {
  test('a CA with the same name but another key, or another name, is not the issuer', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now: NOW });
    const sameName = await createCertificateAuthority({ algorithm: 'ed25519', organization: 'talos', now: NOW });
    const otherName = await createCertificateAuthority({ algorithm: 'ed25519', organization: 'other', now: NOW });
    const leaf = await issueClientCertificate(ca, { now: NOW });
    expect(isIssuedBy(leaf.crt, ca.crt)).toBe(true);
    expect(isIssuedBy(leaf.crt, sameName.crt)).toBe(false); // right name, but its key identifier is not the leaf's authority key identifier
    expect(isIssuedBy(leaf.crt, otherName.crt)).toBe(false);
    expect(certificateMatchesKey(leaf.crt, ca.key)).toBe(false);
  });

  test('names alone do not make an issuer: without key identifiers only the signature tells two same-named CAs apart', async () => {
    const [ca, twin] = [await bareCa(), await bareCa()];
    const leaf = await issueClientCertificate(ca, { now: NOW });
    // Same subject, no SKID on the CA and no AKI on the leaf: the name check passes for both CAs.
    expect([node(leaf.crt).checkIssued(node(ca.crt)), node(leaf.crt).checkIssued(node(twin.crt))]).toEqual([true, true]);
    expect(isIssuedBy(leaf.crt, ca.crt)).toBe(true);
    expect(isIssuedBy(leaf.crt, twin.crt)).toBe(false);
  });

  test('a signature alone does not make an issuer: the same key under another name is not the CA', async () => {
    const keys = crypto.generateKeyPairSync('ed25519');
    const [ca, renamed] = [await bareCa(keys), await bareCa(keys, 'O=renamed')];
    const leaf = await issueClientCertificate(ca, { now: NOW });
    expect(node(leaf.crt).verify(node(renamed.crt).publicKey)).toBe(true);
    expect(isIssuedBy(leaf.crt, ca.crt)).toBe(true);
    expect(isIssuedBy(leaf.crt, renamed.crt)).toBe(false);
  });
});
