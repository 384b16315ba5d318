/** Errors of the encryption step, in a module of their own so the CLI can name them without loading the SOPS and age code. */

/** An encrypted file cannot be opened, or would have to be rewritten without a key to compare. */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}
