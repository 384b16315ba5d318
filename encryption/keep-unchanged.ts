/**
 * Deterministic output from randomized encryption: a file is re-encrypted only when what it says
 * changed. The existing file is decrypted and compared with the new plaintext (values, key order,
 * recipients and selection rules); when all agree it is returned byte for byte, so synth stays
 * byte-identical run to run and git shows a change only for the Secret that changed.
 */
import { type DecryptedSopsFile, SopsEncryptOptions, SopsMap, type SopsMetadata, decryptSopsYaml, effectiveRules, encryptSopsYaml, toTree, treeToYaml } from './sops-file';

export interface KeptOrFresh {
  /** The file to write. */
  readonly text: string;
  /** True when `text` is the existing file, unchanged. */
  readonly kept: boolean;
  /** Why a fresh encryption was made (for logs); undefined when kept. */
  readonly reason?: string;
}

/**
 * The existing encrypted file when it still encrypts `document` for the same recipients under the
 * same rules; otherwise a fresh encryption. An existing file that does not decrypt (altered, or
 * encrypted to other keys) is replaced, and the reason says why.
 * @param identities age identities that open the existing file
 */
export async function encryptUnlessUnchanged(
  existing: string | undefined,
  document: string | object,
  options: SopsEncryptOptions,
  identities: readonly string[],
): Promise<KeptOrFresh> {
  const reason = existing === undefined ? 'no existing file' : await whyStale(existing, toTree(document), options, identities);
  if (reason === undefined) return { text: existing!, kept: true };
  return { text: await encryptSopsYaml(document, options), kept: false, reason };
}

async function whyStale(existing: string, wanted: SopsMap, options: SopsEncryptOptions, identities: readonly string[]): Promise<string | undefined> {
  let decrypted;
  try {
    decrypted = await decryptSopsYaml(existing, identities);
  } catch (error) {
    return `the existing file does not decrypt: ${(error as Error).message}`;
  }
  return staleReason(decrypted, wanted, options);
}

/** Why an opened file no longer encrypts `wanted` under `options`; undefined when it still does. */
export function staleReason(decrypted: DecryptedSopsFile, wanted: SopsMap, options: SopsEncryptOptions): string | undefined {
  if (treeToYaml(decrypted.tree) !== treeToYaml(wanted)) return 'the plaintext changed';
  if (!sameRecipients(decrypted.metadata, options.ageRecipients)) return 'the recipients changed';
  const want = effectiveRules(options);
  const has = decrypted.metadata;
  const same = RULE_KEYS.every((key) => (has[key] || undefined) === (want[key] || undefined));
  return same ? undefined : 'the selection rules changed';
}

/** Whether a file's data key is encrypted to exactly these recipients, in this order. */
export function sameRecipients(metadata: Pick<SopsMetadata, 'age'>, recipients: readonly string[]): boolean {
  const had = metadata.age.map((a) => a.recipient);
  return had.length === recipients.length && had.every((r, i) => r === recipients[i]);
}

const RULE_KEYS = ['encryptedRegex', 'unencryptedSuffix', 'encryptedSuffix', 'unencryptedRegex', 'macOnlyEncrypted'] as const;
