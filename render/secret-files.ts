/**
 * Writing key material: 0600 files in 0700 directories, via a temp file and rename so a reader
 * never sees half a file. `createSecretFileExclusively` links instead of renaming, which fails
 * when the target exists: the bundle can never be overwritten, not even by a race.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SECRET_FILE_MODE = 0o600;
export const SECRET_DIR_MODE = 0o700;

/** mkdir -p with 0700 on every directory it creates, and 0700 enforced on `dir` itself. */
export function ensureSecretDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: SECRET_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o777) !== SECRET_DIR_MODE) fs.chmodSync(dir, SECRET_DIR_MODE);
}

function writeTemp(target: string, content: string): string {
  ensureSecretDir(path.dirname(target));
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', SECRET_FILE_MODE);
  try {
    fs.fchmodSync(fd, SECRET_FILE_MODE); // open's mode is masked by umask
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return temp;
}

/** Replace (or create) `target` atomically with mode 0600. Skips the write when the bytes are unchanged. */
export function writeSecretFileAtomically(target: string, content: string): void {
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) {
    fs.chmodSync(target, SECRET_FILE_MODE);
    return;
  }
  const temp = writeTemp(target, content);
  try {
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** Create `target` with mode 0600; throws EEXIST instead of ever replacing it. */
export function createSecretFileExclusively(target: string, content: string): void {
  const temp = writeTemp(target, content);
  try {
    fs.linkSync(temp, target);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

export interface SecretFileResult {
  readonly path: string;
  /** False when the file already existed and was kept as it was. */
  readonly created: boolean;
}

/**
 * Create-once secret material (generated passwords): written on the first run, then kept
 * byte for byte, so reruns never rotate credentials a live cluster already uses. A copy
 * restored with loose permissions is tightened to 0600.
 */
export function ensureSecretFile(target: string, produce: () => string): SecretFileResult {
  ensureSecretDir(path.dirname(target));
  if (fs.existsSync(target)) {
    fs.chmodSync(target, SECRET_FILE_MODE);
    return { path: target, created: false };
  }
  try {
    createSecretFileExclusively(target, produce());
  } catch (err) {
    // A concurrent run created it first: theirs wins, ours is discarded.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { path: target, created: false };
  }
  return { path: target, created: true };
}
