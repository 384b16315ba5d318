/**
 * age (age-encryption.org/v1) through `age-encryption`, the reference TypeScript implementation by
 * age's author. Only native X25519 keys: the Debian `age` 1.1 CLI and SOPS' age key source both read
 * them, while post-quantum hybrid keys (`age1pq1…`) are too new for either.
 */
import { Decrypter, Encrypter, armor, generateX25519Identity, identityToRecipient } from 'age-encryption';

/** An age key pair: the secret identity and the public recipient derived from it. */
export interface AgeKeyPair {
  /** `AGE-SECRET-KEY-1…`: decrypts; never leaves the operator's machine (and the cluster's key Secret). */
  readonly identity: string;
  /** `age1…`: encrypts; safe to commit (the site lists these). */
  readonly recipient: string;
}

const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** A fresh X25519 identity and its recipient. */
export async function generateAgeKeyPair(): Promise<AgeKeyPair> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The recipient (`age1…`) of an identity (`AGE-SECRET-KEY-1…`). */
export async function ageRecipientOf(identity: string): Promise<string> {
  return identityToRecipient(checkedIdentity(identity));
}

/**
 * Encrypts a small payload (a SOPS data key) to every recipient, as one age file in ASCII armor
 * (`-----BEGIN AGE ENCRYPTED FILE-----`, 64-column base64, final newline): the form SOPS keeps in
 * `sops.age[].enc` (age/keysource.go wraps its age writer in filippo.io/age/armor).
 */
export async function encryptToAgeRecipients(payload: Uint8Array, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0) throw new Error('age: no recipients given; pass at least one age1… public key');
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(checkedRecipient(recipient));
  return armor.encode(await encrypter.encrypt(payload));
}

/**
 * Decrypts an armored age file with whichever of the identities it was encrypted to. Throws when
 * none matches (the file names no stanza for them) or the file was altered.
 */
export async function decryptWithAgeIdentities(armored: string, identities: readonly string[]): Promise<Uint8Array> {
  if (identities.length === 0) throw new Error('age: no identities given; pass at least one AGE-SECRET-KEY-1… key');
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(checkedIdentity(identity));
  try {
    return await decrypter.decrypt(armor.decode(armored));
  } catch (error) {
    throw new Error(`age: cannot decrypt with the ${identities.length} identity(ies) given: ${(error as Error).message}`);
  }
}

/**
 * The identities in an age key file (what `age-keygen` writes and SOPS_AGE_KEY_FILE names): one
 * `AGE-SECRET-KEY-1…` per line, `#` comments and blank lines ignored.
 */
export function parseAgeKeyFile(text: string): string[] {
  const identities = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  identities.forEach(checkedIdentity);
  return identities;
}

/** An age key file for one key pair, in age-keygen's layout (SOPS and `age -i` read it). */
export function formatAgeKeyFile(keys: AgeKeyPair, created: Date): string {
  return `# created: ${created.toISOString().replace(/\.\d{3}Z$/, 'Z')}\n# public key: ${keys.recipient}\n${keys.identity}\n`;
}

function checkedIdentity(identity: string): string {
  if (!IDENTITY.test(identity)) {
    throw new Error(`age: "${identity.slice(0, 20)}…" is not an X25519 age identity; expected AGE-SECRET-KEY-1 followed by 58 bech32 characters`);
  }
  return identity;
}

function checkedRecipient(recipient: string): string {
  if (!RECIPIENT.test(recipient)) {
    throw new Error(`age: "${recipient}" is not an X25519 age recipient; expected age1 followed by 58 bech32 characters`);
  }
  return recipient;
}
