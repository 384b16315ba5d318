/**
 * Writes key material into the git-ignored secrets directory: directories 0700, files 0600,
 * each file written once (temp file + rename) and never overwritten, so reruns keep the
 * credentials a live cluster already uses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SecretFileResult {
  readonly path: string;
  /** False when the file already existed and was kept as it was. */
  readonly created: boolean;
}

export function ensureSecretFile(file: string, produce: () => string): SecretFileResult {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(file), 0o700);
  if (fs.existsSync(file)) {
    // Tighten a copy restored with loose permissions, but never change its content.
    fs.chmodSync(file, 0o600);
    return { path: file, created: false };
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, produce(), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  try {
    // link() fails when the target exists, unlike rename(): a concurrent run cannot be overwritten.
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { path: file, created: false };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { path: file, created: true };
}
