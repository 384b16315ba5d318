/**
 * render/encryption-errors.ts (mutation testing, issue 18): the error's name is what a log line or
 * an unexpected stack trace shows for it; the CLI tells it apart with instanceof.
 */
import { EncryptionKeyError } from '../../render/encryption-errors';

test('an encryption key error names itself when printed', () => {
  const err = new EncryptionKeyError('dist/secrets/grafana-admin.sops.yaml cannot be opened with the age identities given');
  expect(err).toBeInstanceOf(Error);
  expect(String(err)).toBe('EncryptionKeyError: dist/secrets/grafana-admin.sops.yaml cannot be opened with the age identities given');
});
