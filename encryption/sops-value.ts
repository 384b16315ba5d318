/**
 * One SOPS value: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` (getsops/sops aes/cipher.go).
 * AES-256-GCM with the file's 32-byte data key, a fresh random 32-byte IV per value (SOPS' nonceSize,
 * not GCM's usual 12) and a 16-byte tag; the additional data binds the ciphertext to its place in
 * the tree, so a value moved to another key fails to decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A leaf SOPS encrypts: what a YAML scalar decodes to, other than null (which SOPS leaves as is). */
export type SopsScalar = string | number | boolean;

/** The data key is AES-256: 32 bytes. */
export const DATA_KEY_BYTES = 32;
/** aes/cipher.go `nonceSize`. */
const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** True when the string is a SOPS-encrypted value. */
export function isEncryptedValue(value: string): boolean {
  return ENC.test(value);
}

/**
 * Encrypts one leaf. The empty string stays empty, as SOPS leaves it (aes/cipher.go isEmpty).
 * @param additionalData the value's path, `key:key:` (see `sopsPath`), or the lastmodified timestamp for the MAC
 */
export function encryptValue(value: SopsScalar, dataKey: Uint8Array, additionalData: string): string {
  if (value === '') return '';
  const { bytes, type } = plainBytes(value);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(dataKey), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

/** Decrypts one leaf; throws when the tag does not verify (tampered value, wrong key or wrong path). */
export function decryptValue(encrypted: string, dataKey: Uint8Array, additionalData: string): SopsScalar {
  if (encrypted === '') return '';
  const match = ENC.exec(encrypted);
  if (!match) throw new Error(`not a SOPS encrypted value at "${additionalData}": expected ENC[AES256_GCM,data:…,iv:…,tag:…,type:…], got "${encrypted.slice(0, 40)}"`);
  const [, data, iv, tag, type] = match;
  const decipher = createDecipheriv('aes-256-gcm', checkedKey(dataKey), Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`SOPS value at "${additionalData}" fails authentication (AES-GCM tag mismatch): the value was altered, moved, or encrypted with another data key`);
  }
  return typedValue(plain, type, additionalData);
}

/**
 * The bytes SOPS feeds to the MAC and encrypts for a leaf (sops.go ToBytes, aes/cipher.go Encrypt):
 * strings as UTF-8, booleans as `True`/`False`, numbers in Go's shortest decimal form.
 */
export function plainBytes(value: SopsScalar): { bytes: Buffer; type: 'str' | 'int' | 'float' | 'bool' } {
  if (typeof value === 'string') return { bytes: Buffer.from(value, 'utf8'), type: 'str' };
  if (typeof value === 'boolean') return { bytes: Buffer.from(value ? 'True' : 'False'), type: 'bool' };
  // strconv.FormatFloat(v, 'f', -1, 64) never uses an exponent; JavaScript does from 1e21 and below 1e-6.
  const text = String(value);
  if (!Number.isFinite(value) || /e/i.test(text)) {
    throw new Error(`SOPS: the number ${text} has no exact decimal form SOPS would agree on; quote it as a string`);
  }
  return { bytes: Buffer.from(text), type: Number.isInteger(value) ? 'int' : 'float' };
}

function typedValue(plain: string, type: string, at: string): SopsScalar {
  switch (type) {
    case 'str':
    case 'bytes':
    case 'time': // kept as its RFC 3339 text
      return plain;
    case 'int':
    case 'float':
      return Number(plain);
    case 'bool':
      return /^(1|t|T|TRUE|true|True)$/.test(plain); // Go strconv.ParseBool
    default:
      throw new Error(`SOPS value at "${at}" has type "${type}", which this reader does not handle (str, int, float, bool, bytes, time)`);
  }
}

function checkedKey(dataKey: Uint8Array): Uint8Array {
  if (dataKey.length !== DATA_KEY_BYTES) throw new Error(`SOPS data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  return dataKey;
}
