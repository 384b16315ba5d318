/**
 * Key and certificate minting for the Talos secrets bundle, shaped like siderolabs/crypto's
 * x509 package (research/talos.md §1.3): Ed25519 OS CA, ECDSA P-256 etcd/Kubernetes/aggregator
 * CAs, RSA-4096 service-account key, and the os:admin client certificate. Certificates are built
 * with @peculiar/x509 on Node's WebCrypto; no ASN.1 is written by hand.
 */
import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** A certificate and its private key, both as PEM text (Go's layout: 64-column lines, trailing newline). */
export interface PemCertificateAndKey {
  readonly crt: string;
  readonly key: string;
}

export type CaKeyAlgorithm = 'ed25519' | 'ecdsa-p256';

/** siderolabs/talos secrets.CAValidityTime = 87600h. */
export const CA_VALIDITY_HOURS = 87600;
/** constants.TalosAPIDefaultCertificateValidityDuration = 8760h. */
export const ADMIN_CERT_VALIDITY_HOURS = 8760;

const subtle = crypto.webcrypto.subtle;
type CryptoKey = crypto.webcrypto.CryptoKey;
type CryptoKeyPair = crypto.webcrypto.CryptoKeyPair;
type Algorithm = crypto.webcrypto.Algorithm;
type EcKeyGenParams = crypto.webcrypto.EcKeyGenParams;
type EcdsaParams = crypto.webcrypto.EcdsaParams;
const HOUR_MS = 3600 * 1000;

const KEY_PARAMS: Record<CaKeyAlgorithm, { generate: EcKeyGenParams | Algorithm; sign: Algorithm | EcdsaParams }> = {
  ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  'ecdsa-p256': { generate: { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams, sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
};

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** The first PEM block's label and DER body. */
export function pemDecode(pem: string): { label: string; der: Buffer } {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/.exec(pem);
  if (!match) throw new Error('not a PEM block');
  return { label: match[1], der: Buffer.from(match[2].replace(/\s/g, ''), 'base64') };
}

/**
 * Node KeyObject for any private-key PEM Talos writes. Talos labels Ed25519 PKCS#8 keys
 * "ED25519 PRIVATE KEY", which OpenSSL does not know, so that one is read as plain PKCS#8.
 */
export function privateKeyFromPem(pem: string): crypto.KeyObject {
  const { label, der } = pemDecode(pem);
  if (label === 'ED25519 PRIVATE KEY' || label === 'PRIVATE KEY') {
    return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
  if (label === 'EC PRIVATE KEY') return crypto.createPrivateKey({ key: der, format: 'der', type: 'sec1' });
  if (label === 'RSA PRIVATE KEY') return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  throw new Error(`unsupported private key PEM block "${label}" (Talos accepts RSA, EC, ED25519 and PKCS#8 PRIVATE KEY)`);
}

/** Private key PEM in the block type siderolabs/crypto writes for its algorithm. */
export function privateKeyToTalosPem(key: crypto.KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return pemEncode('ED25519 PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' }));
    case 'ec':
      return pemEncode('EC PRIVATE KEY', key.export({ type: 'sec1', format: 'der' }));
    case 'rsa':
      return pemEncode('RSA PRIVATE KEY', key.export({ type: 'pkcs1', format: 'der' }));
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** True when the private key belongs to the certificate's public key. */
export function certificateMatchesKey(crtPem: string, keyPem: string): boolean {
  return new crypto.X509Certificate(crtPem).checkPrivateKey(privateKeyFromPem(keyPem));
}

/**
 * A random 128-bit serial, as hex. @peculiar/x509 writes it as Go's x509 does, a minimal positive
 * DER INTEGER (leading zero bytes dropped, a 00 before a high bit): test/mutation-kills/talos-pki.test.ts.
 */
function randomSerialHex(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** Go certificates carry whole seconds. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

async function toWebCryptoPrivateKey(key: crypto.KeyObject): Promise<{ cryptoKey: CryptoKey; sign: Algorithm | EcdsaParams }> {
  const algorithm: CaKeyAlgorithm = key.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'ecdsa-p256';
  // Only EC keys name a curve.
  if (key.asymmetricKeyType !== 'ed25519' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`CA key must be Ed25519 or ECDSA P-256, got ${key.asymmetricKeyType}`);
  }
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const cryptoKey = await subtle.importKey('pkcs8', der, KEY_PARAMS[algorithm].generate, false, ['sign']);
  return { cryptoKey, sign: KEY_PARAMS[algorithm].sign };
}

export interface CertificateAuthorityOptions {
  readonly algorithm: CaKeyAlgorithm;
  /** Subject O; omitted gives an empty subject DN (Talos' aggregator CA). @default - empty subject */
  readonly organization?: string;
  /** NotBefore; NotAfter is 87600 hours later. */
  readonly now: Date;
}

/**
 * Self-signed CA like siderolabs/crypto NewSelfSignedCertificateAuthority: KU critical
 * digitalSignature|keyCertSign, EKU serverAuth+clientAuth, BC critical CA:TRUE, random 20-byte SKID.
 */
export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<PemCertificateAndKey> {
  const params = KEY_PARAMS[options.algorithm];
  const keys = (await subtle.generateKey(params.generate as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = wholeSeconds(options.now);
  const name = options.organization ? [{ O: [options.organization] }] : [];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name(name),
    issuer: new x509.Name(name),
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_HOURS * HOUR_MS),
    signingAlgorithm: params.sign,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectKeyIdentifierExtension(crypto.randomBytes(20).toString('hex'), false),
    ],
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  const keyObject = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return { crt: pemEncode('CERTIFICATE', new Uint8Array(cert.rawData)), key: privateKeyToTalosPem(keyObject) };
}

export interface ClientCertificateOptions {
  /** Talos role carried in O. @default 'os:admin' */
  readonly role?: string;
  readonly now: Date;
  /** @default 8760 (1 year, Talos' default for talosconfig certificates) */
  readonly validityHours?: number;
}

/**
 * Talos API client certificate signed by the OS CA, with the CA's key type (Ed25519 for the
 * bundles we create): KU critical digitalSignature, EKU exactly [clientAuth] (apid rejects
 * anything else), AKI = CA SKID, no BC, no SKID, issuer bytes copied from the CA subject.
 */
export async function issueClientCertificate(ca: PemCertificateAndKey, options: ClientCertificateOptions): Promise<PemCertificateAndKey> {
  const caCert = new x509.X509Certificate(pemDecode(ca.crt).der);
  const caKey = privateKeyFromPem(ca.key);
  const { cryptoKey: signingKey, sign } = await toWebCryptoPrivateKey(caKey);
  const leafAlgorithm: CaKeyAlgorithm = caKey.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'ecdsa-p256';
  const leafKeys = (await subtle.generateKey(KEY_PARAMS[leafAlgorithm].generate as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caSkid = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const notBefore = wholeSeconds(options.now);
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
  ];
  if (caSkid) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSkid.keyId, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name([{ O: [options.role ?? 'os:admin'] }]),
    // The raw subject keeps the CA's own string encoding, so chain building matches bytes.
    issuer: new x509.Name(caCert.subjectName.toArrayBuffer()),
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validityHours ?? ADMIN_CERT_VALIDITY_HOURS) * HOUR_MS),
    signingAlgorithm: sign,
    publicKey: leafKeys.publicKey,
    signingKey,
    extensions,
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', leafKeys.privateKey));
  const keyObject = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return { crt: pemEncode('CERTIFICATE', new Uint8Array(cert.rawData)), key: privateKeyToTalosPem(keyObject) };
}

/** Kubernetes service-account signing key: RSA 4096 (Talos contract >= 1.7), PKCS#1 PEM. */
export function generateServiceAccountKey(): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
  return privateKeyToTalosPem(privateKey);
}

/** True when `crtPem` was signed by the CA certificate `caPem` (signature and issuer name). */
export function isIssuedBy(crtPem: string, caPem: string): boolean {
  const leaf = new crypto.X509Certificate(crtPem);
  const ca = new crypto.X509Certificate(caPem);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}
