/** The age layer: key pairs, multi-recipient payloads, key files, and its refusals. */
import {
  ageRecipientOf, decryptWithAgeIdentities, encryptToAgeRecipients, formatAgeKeyFile, generateAgeKeyPair, parseAgeKeyFile,
} from '../../encryption';

describe('age keys and payloads', () => {
  test('a generated identity is an X25519 secret key and its recipient derives from it', async () => {
    const keys = await generateAgeKeyPair();
    expect(keys.identity).toMatch(/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/);
    expect(keys.recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect(await ageRecipientOf(keys.identity)).toBe(keys.recipient);
  });

  test('a payload encrypted to two recipients is armored and opens with either identity', async () => {
    const [one, two] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const payload = new Uint8Array(32).fill(7);
    const armored = await encryptToAgeRecipients(payload, [one.recipient, two.recipient]);
    expect(armored).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END AGE ENCRYPTED FILE-----\n$/);
    expect(await decryptWithAgeIdentities(armored, [one.identity])).toEqual(payload);
    expect(await decryptWithAgeIdentities(armored, [two.identity])).toEqual(payload);
  });

  test('a key file in age-keygen layout reads back to its identity', async () => {
    const keys = await generateAgeKeyPair();
    const text = formatAgeKeyFile(keys, new Date('2026-12-02T10:00:00.123Z'));
    expect(text).toBe(`# created: 2026-12-02T10:00:00Z\n# public key: ${keys.recipient}\n${keys.identity}\n`);
    expect(parseAgeKeyFile(text)).toEqual([keys.identity]);
  });

  test('fails when the identity does not match any recipient', async () => {
    const [one, two] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const armored = await encryptToAgeRecipients(new Uint8Array([1]), [one.recipient]);
    await expect(decryptWithAgeIdentities(armored, [two.identity])).rejects.toThrow(/cannot decrypt with the 1 identity/);
  });

  test('fails when a recipient or identity is malformed, naming the expected form', async () => {
    await expect(encryptToAgeRecipients(new Uint8Array([1]), ['age1nope'])).rejects.toThrow(/"age1nope" is not an X25519 age recipient; expected age1 followed by 58/);
    await expect(encryptToAgeRecipients(new Uint8Array([1]), [])).rejects.toThrow(/no recipients/);
    expect(() => parseAgeKeyFile('AGE-SECRET-KEY-1SHORT\n')).toThrow(/is not an X25519 age identity/);
  });
});
