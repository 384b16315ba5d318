/**
 * Where synth finds the age identities that open the encrypted files in dist/, in the order SOPS
 * itself looks (SOPS_AGE_KEY, then SOPS_AGE_KEY_FILE), then the key `npm run secrets -- init`
 * made in the secrets directory. Every source found contributes; none is an empty list.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAgeKeyFile } from '../encryption';

/** The identity file `secrets init` creates (age-keygen's layout), below the secrets directory. */
export function ageKeyFile(secretsDir: string): string {
  return path.join(secretsDir, 'age', 'keys.txt');
}

export interface AgeIdentities {
  readonly identities: string[];
  /** Where they came from, for messages. */
  readonly sources: string[];
}

/** The identities from the environment and the secrets directory; an unreadable key file is an error naming it. */
export function loadAgeIdentities(secretsDir: string, env: NodeJS.ProcessEnv = process.env): AgeIdentities {
  const identities: string[] = [];
  const sources: string[] = [];
  const add = (text: string, source: string) => {
    let found: string[];
    try {
      found = parseAgeKeyFile(text);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
    for (const id of found) if (!identities.includes(id)) identities.push(id);
    if (found.length > 0) sources.push(source);
  };
  if (env.SOPS_AGE_KEY) add(env.SOPS_AGE_KEY, 'SOPS_AGE_KEY');
  if (env.SOPS_AGE_KEY_FILE) {
    if (!fs.existsSync(env.SOPS_AGE_KEY_FILE)) throw new Error(`SOPS_AGE_KEY_FILE names ${env.SOPS_AGE_KEY_FILE}, which does not exist; point it at your age key file or unset it`);
    add(fs.readFileSync(env.SOPS_AGE_KEY_FILE, 'utf8'), env.SOPS_AGE_KEY_FILE);
  }
  const own = ageKeyFile(secretsDir);
  if (fs.existsSync(own)) add(fs.readFileSync(own, 'utf8'), own);
  return { identities, sources };
}
