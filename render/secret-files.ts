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
  // One level at a time: mkdir's mode is masked by the umask, and under a umask such as 0277 a
  // level made 0500 would stop a non-root user from creating the next one inside it.
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: SECRET_DIR_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile by another run
      assertDirectory(d);
    }
    fs.chmodSync(d, SECRET_DIR_MODE);
  }
  assertDirectory(dir);
  if ((fs.statSync(dir).mode & 0o777) !== SECRET_DIR_MODE) fs.chmodSync(dir, SECRET_DIR_MODE);
}

/** A file where the secrets directory should be is an error, never made 0700 and written into. */
function assertDirectory(dir: string): void {
  if (!fs.statSync(dir).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: ${dir} is not a directory; the secrets directory must be one (move the file away)`), { code: 'ENOTDIR' });
  }
}

function writeTemp(target: string, content: string): string {
  ensureSecretDir(path.dirname(target));
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'wx', SECRET_FILE_MODE);
  try {
    fs.fchmodSync(fd, SECRET_FILE_MODE); // open's mode is masked by umask
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true }); // a full disk must not leave half a secret behind
    throw err;
  }
  fs.closeSync(fd);
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

/** One change to the secrets directory; a run applies all of its changes or none. */
export type SecretChange =
  /** Create a file that must not exist yet (key material that is never replaced). */
  | { readonly kind: 'create'; readonly path: string; readonly content: string }
  /** Create or replace a derived file (machine configs, talosconfig). */
  | { readonly kind: 'write'; readonly path: string; readonly content: string }
  /** Delete a derived file that no longer has a source (a node that left the site). */
  | { readonly kind: 'remove'; readonly path: string };

export interface AppliedSecretChanges {
  /** Put every file back as it was before the changes (for a later step of the run that failed). */
  rollback(): void;
}

/**
 * Apply the changes in order. If one fails, those already applied are undone before the error
 * is rethrown; afterwards the caller can still undo all of them (when dist/ fails to swap).
 */
export function applySecretChanges(changes: readonly SecretChange[]): AppliedSecretChanges {
  const undo: (() => void)[] = [];
  const rollback = () => {
    for (const step of undo.splice(0).reverse()) step();
  };
  try {
    for (const change of changes) {
      const previous = fs.existsSync(change.path) ? fs.readFileSync(change.path, 'utf8') : undefined;
      const restore = () => (previous === undefined ? fs.rmSync(change.path, { force: true }) : writeSecretFileAtomically(change.path, previous));
      if (change.kind === 'create') {
        createSecretFileExclusively(change.path, change.content);
        undo.push(() => fs.rmSync(change.path, { force: true }));
      } else if (change.kind === 'write') {
        if (previous === change.content) {
          fs.chmodSync(change.path, SECRET_FILE_MODE);
          continue;
        }
        writeSecretFileAtomically(change.path, change.content);
        undo.push(restore);
      } else if (previous !== undefined) {
        fs.rmSync(change.path);
        undo.push(restore);
      }
    }
  } catch (err) {
    rollback();
    throw err;
  }
  return { rollback };
}
