/**
 * The SOPS YAML format on its own (no external tools): what is encrypted, how values are bound to
 * their path, how the MAC catches tampering, and when a file is kept byte for byte.
 * interop.test.ts holds the same files against the real sops and age.
 */
import * as YAML from 'yaml';
import {
  KUBERNETES_SECRET_REGEX, decryptSopsYaml, encryptSopsYaml, encryptUnlessUnchanged, generateAgeKeyPair,
  shouldEncrypt, sopsPath, treeToObject,
} from '../../encryption';
import { SECRET, encValues, replaceEncData } from './fixtures';

describe('SOPS YAML files', () => {
  test('an encrypted Secret decrypts to the same object', async () => {
    // GIVEN
    const keys = await generateAgeKeyPair();
    // WHEN
    const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    const { tree } = await decryptSopsYaml(file, [keys.identity]);
    // THEN
    expect(treeToObject(tree)).toEqual(SECRET);
  });

  test('encrypted_regex ^(data|stringData)$ encrypts only the values under data and stringData', async () => {
    const keys = await generateAgeKeyPair();
    const file = YAML.parse(await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    expect(file.metadata).toEqual(SECRET.metadata);
    expect(file.kind).toBe('Secret');
    expect(file.stringData.password).toMatch(/^ENC\[AES256_GCM,data:.+,iv:.+,tag:.+,type:str\]$/);
    expect(file.data['ca.crt']).toMatch(/^ENC\[AES256_GCM,/);
    expect(file.sops.encrypted_regex).toBe('^(data|stringData)$');
    expect(file.sops.unencrypted_suffix).toBeUndefined();
  });

  test('without a rule every value is encrypted except keys ending in _unencrypted (SOPS default)', async () => {
    const keys = await generateAgeKeyPair();
    const file = YAML.parse(await encryptSopsYaml({ a: 'x', b_unencrypted: 'y', n: 3, ok: true }, { ageRecipients: [keys.recipient] }));
    expect(file.a).toMatch(/type:str\]$/);
    expect(file.n).toMatch(/type:int\]$/);
    expect(file.ok).toMatch(/type:bool\]$/);
    expect(file.b_unencrypted).toBe('y');
    expect(file.sops.unencrypted_suffix).toBe('_unencrypted');
  });

  test('each value has a 32-byte IV and a 16-byte tag; the empty string stays empty, as sops leaves it', async () => {
    const keys = await generateAgeKeyPair();
    const file = YAML.parse(await encryptSopsYaml({ stringData: { a: 'secret', empty: '' } }, { ageRecipients: [keys.recipient] }));
    const [, iv, tag] = /iv:([^,]+),tag:([^,]+),/.exec(file.stringData.a)!;
    expect(Buffer.from(iv, 'base64')).toHaveLength(32);
    expect(Buffer.from(tag, 'base64')).toHaveLength(16);
    expect(file.stringData.empty).toBe('');
  });

  test('the additional data is the path from the root, keys joined by ":" with a trailing ":"; list items take their list\'s path', () => {
    expect(sopsPath(['stringData', 'password'])).toBe('stringData:password:');
    expect(shouldEncrypt(['metadata', 'name'], { encryptedRegex: KUBERNETES_SECRET_REGEX })).toBe(false);
    expect(shouldEncrypt(['data', 'nested', 'x'], { encryptedRegex: KUBERNETES_SECRET_REGEX })).toBe(true);
    expect(shouldEncrypt(['a', 'b_unencrypted', 'c'], { unencryptedSuffix: '_unencrypted' })).toBe(false);
  });

  test('the metadata block carries one armored age file per recipient, lastmodified, mac and version', async () => {
    const [one, two] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const now = new Date('2026-12-02T10:11:12.345Z');
    const { sops } = YAML.parse(await encryptSopsYaml(SECRET, { ageRecipients: [one.recipient, two.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX, now }));
    expect(sops.age.map((a: { recipient: string }) => a.recipient)).toEqual([one.recipient, two.recipient]);
    for (const a of sops.age) expect(a.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[A-Za-z0-9+/=\n]+-----END AGE ENCRYPTED FILE-----\n$/);
    expect(sops.lastmodified).toBe('2026-12-02T10:11:12Z');
    expect(sops.mac).toMatch(/^ENC\[AES256_GCM,.*type:str\]$/);
    expect(sops.version).toBe('3.13.2');
  });

  test('either of two recipients decrypts the file', async () => {
    const [one, two] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const file = await encryptSopsYaml(SECRET, { ageRecipients: [one.recipient, two.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    expect(treeToObject((await decryptSopsYaml(file, [one.identity])).tree)).toEqual(SECRET);
    expect(treeToObject((await decryptSopsYaml(file, [two.identity])).tree)).toEqual(SECRET);
  });

  describe('rejection', () => {
    test('fails when no identity opens the data key', async () => {
      const [owner, stranger] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [owner.recipient] });
      await expect(decryptSopsYaml(file, [stranger.identity])).rejects.toThrow(/none of the 1 age identity\(ies\) opens the data key/);
    });

    test('fails when a value was altered', async () => {
      const keys = await generateAgeKeyPair();
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
      const tampered = replaceEncData(file, encValues(file).find((v) => v.path === 'stringData.password')!.value);
      await expect(decryptSopsYaml(tampered, [keys.identity])).rejects.toThrow(/"stringData:password:" fails authentication/);
    });

    test('fails when a value is moved to another key (its path is authenticated)', async () => {
      const keys = await generateAgeKeyPair();
      const file = YAML.parse(await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
      [file.stringData.password, file.stringData.username] = [file.stringData.username, file.stringData.password];
      await expect(decryptSopsYaml(YAML.stringify(file), [keys.identity])).rejects.toThrow(/fails authentication/);
    });

    test('fails when the MAC was altered', async () => {
      const keys = await generateAgeKeyPair();
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
      const tampered = replaceEncData(file, YAML.parse(file).sops.mac);
      await expect(decryptSopsYaml(tampered, [keys.identity])).rejects.toThrow(/cannot decrypt the MAC/);
    });

    test('fails when lastmodified was altered (it is the MAC\'s additional data)', async () => {
      const keys = await generateAgeKeyPair();
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], now: new Date('2026-01-01T00:00:00Z') });
      await expect(decryptSopsYaml(file.replace('2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z'), [keys.identity])).rejects.toThrow(/cannot decrypt the MAC/);
    });

    test('fails when a clear value covered by the MAC was altered', async () => {
      const keys = await generateAgeKeyPair();
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
      await expect(decryptSopsYaml(file.replace('name: grafana-admin', 'name: grafana-other'), [keys.identity])).rejects.toThrow(/MAC mismatch/);
    });

    test('fails when more than one selection rule is given', async () => {
      const keys = await generateAgeKeyPair();
      await expect(encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient], encryptedRegex: 'x', unencryptedSuffix: '_u' })).rejects.toThrow(/at most one selection rule/);
    });

    test('fails when the document is already encrypted', async () => {
      const keys = await generateAgeKeyPair();
      const file = await encryptSopsYaml(SECRET, { ageRecipients: [keys.recipient] });
      await expect(encryptSopsYaml(file, { ageRecipients: [keys.recipient] })).rejects.toThrow(/top-level "sops" key/);
    });
  });

  describe('determinism', () => {
    test('unchanged plaintext keeps the existing file byte for byte', async () => {
      const keys = await generateAgeKeyPair();
      const options = { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX };
      const first = await encryptSopsYaml(SECRET, options);
      const again = await encryptUnlessUnchanged(first, structuredClone(SECRET), options, [keys.identity]);
      expect(again).toEqual({ text: first, kept: true });
    });

    test('changed plaintext gives a fresh encryption', async () => {
      const keys = await generateAgeKeyPair();
      const options = { ageRecipients: [keys.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX };
      const first = await encryptSopsYaml(SECRET, options);
      const changed = { ...SECRET, stringData: { ...SECRET.stringData, password: 'rotated' } };
      const next = await encryptUnlessUnchanged(first, changed, options, [keys.identity]);
      expect(next.kept).toBe(false);
      expect(next.reason).toBe('the plaintext changed');
      expect(next.text).not.toBe(first);
      expect(treeToObject((await decryptSopsYaml(next.text, [keys.identity])).tree)).toEqual(changed);
    });

    test('added recipients or another rule give a fresh encryption', async () => {
      const [one, two] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
      const first = await encryptSopsYaml(SECRET, { ageRecipients: [one.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
      expect((await encryptUnlessUnchanged(first, SECRET, { ageRecipients: [one.recipient, two.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }, [one.identity])).reason).toBe('the recipients changed');
      expect((await encryptUnlessUnchanged(first, SECRET, { ageRecipients: [one.recipient] }, [one.identity])).reason).toBe('the selection rules changed');
    });

    test('an existing file that does not decrypt is replaced, saying why', async () => {
      const keys = await generateAgeKeyPair();
      const options = { ageRecipients: [keys.recipient] };
      const first = await encryptSopsYaml(SECRET, options);
      const next = await encryptUnlessUnchanged(replaceEncData(first, YAML.parse(first).sops.mac), SECRET, options, [keys.identity]);
      expect(next.kept).toBe(false);
      expect(next.reason).toMatch(/does not decrypt: SOPS: cannot decrypt the MAC/);
    });
  });
});
