/**
 * Where synth finds the age identities that open the encrypted files in dist/, in the order SOPS
 * itself looks (SOPS_AGE_KEY, then SOPS_AGE_KEY_FILE), then the key `npm run secrets -- init`
 * made in the secrets directory. Every source found contributes; none is an empty list.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAgeKeyFile } from '../encryption';
import { EncryptionKeyError } from './encryption-errors';

/** The identity file `secrets init` creates (age-keygen's layout), below the secrets directory. */
export function ageKeyFile(secretsDir: string): string {
  return path.join(secretsDir, 'age', 'keys.txt');
}

export interface AgeIdentities {
  readonly identities: string[];
  /** Where they came from, for messages. */
  readonly sources: string[];
  /** Lines that were skipped, with why (plugin identities). */
  readonly skipped: string[];
}

/** The default key file of sops for this environment, or undefined without a home. */
function sopsDefaultKeyFile(env: NodeJS.ProcessEnv): string | undefined {
  const config = env.XDG_CONFIG_HOME || (env.HOME ? path.join(env.HOME, '.config') : undefined);
  return config ? path.join(config, 'sops', 'age', 'keys.txt') : undefined;
}

/** The identities from the environment and the secrets directory; an unreadable key file is an EncryptionKeyError naming it. */
export function loadAgeIdentities(secretsDir: string, env: NodeJS.ProcessEnv = process.env): AgeIdentities {
  const identities: string[] = [];
  const sources: string[] = [];
  const skipped: string[] = [];
  const add = (text: string, source: string) => {
    const plugin = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('AGE-PLUGIN-'));
    if (plugin.length > 0) skipped.push(`${source}: ${plugin.length} plugin identit${plugin.length === 1 ? 'y' : 'ies'} (AGE-PLUGIN-…) skipped: synth reads X25519 keys (AGE-SECRET-KEY-1…) only`);
    let found: string[];
    try {
      found = parseAgeKeyFile(text.split(/\r?\n/).filter((l) => !l.trim().startsWith('AGE-PLUGIN-')).join('\n'));
    } catch (error) {
      throw new EncryptionKeyError(`${source}: ${(error as Error).message}; fix or replace that key file`);
    }
    for (const id of found) if (!identities.includes(id)) identities.push(id);
    if (found.length > 0) sources.push(source);
  };
  const read = (file: string, source: string) => {
    try {
      add(fs.readFileSync(file, 'utf8'), source);
    } catch (error) {
      if (error instanceof EncryptionKeyError) throw error;
      throw new EncryptionKeyError(`${source}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  if (env.SOPS_AGE_KEY) add(env.SOPS_AGE_KEY, 'SOPS_AGE_KEY');
  if (env.SOPS_AGE_KEY_FILE) {
    if (!fs.existsSync(env.SOPS_AGE_KEY_FILE)) throw new EncryptionKeyError(`SOPS_AGE_KEY_FILE names ${env.SOPS_AGE_KEY_FILE}, which does not exist; point it at your age key file or unset it`);
    read(env.SOPS_AGE_KEY_FILE, env.SOPS_AGE_KEY_FILE);
  }
  const sopsDefault = sopsDefaultKeyFile(env);
  if (sopsDefault && fs.existsSync(sopsDefault)) read(sopsDefault, sopsDefault);
  const own = ageKeyFile(secretsDir);
  if (fs.existsSync(own)) {
    fs.chmodSync(own, 0o600); // a copy restored with loose permissions
    read(own, own);
  }
  return { identities, sources, skipped };
}
