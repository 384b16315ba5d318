/**
 * Writes a whole directory tree so that readers (git, Argo CD, Flux) see either the old tree or
 * the new one, never a mix: render into a sibling staging directory, then swap with renames.
 * A failure before the swap leaves the previous tree byte-identical. The swap is two renames
 * (POSIX has no directory exchange); a crash between them leaves the old tree as
 * `.<name>-previous-*`, which the next run puts back before doing anything else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileMode, type OutputFile } from './output-file';

export interface WriteTreeOptions {
  /** Called after the staging tree is complete and before the swap; throw to abort. @default - no check */
  readonly beforeSwap?: (stagingDir: string) => void;
}

export function writeTreeAtomically(targetDir: string, files: readonly OutputFile[], options: WriteTreeOptions = {}): void {
  stageTree(targetDir, files, options).swap();
}

/** A complete tree beside its target, not yet visible there. */
export interface StagedTree {
  /** Replace the target with the staged tree (two renames). */
  swap(): void;
  /** Delete the staged tree; the target stays as it was. */
  discard(): void;
}

/** Write the tree into a staging directory beside `targetDir` and run the check on it. */
export function stageTree(targetDir: string, files: readonly OutputFile[], options: WriteTreeOptions = {}): StagedTree {
  assertUniquePaths(files);
  const parent = path.dirname(path.resolve(targetDir));
  const base = path.basename(targetDir);
  fs.mkdirSync(parent, { recursive: true });
  recoverInterruptedSwap(targetDir);
  const staging = fs.mkdtempSync(path.join(parent, `.${base}-staging-`));
  try {
    // mkdtemp creates 0700; the published tree is world-readable like any checkout.
    fs.chmodSync(staging, 0o755);
    for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
      const full = path.join(staging, file.path);
      if (!full.startsWith(staging + path.sep)) throw new Error(`refusing to write outside the tree: ${file.path}`);
      fs.mkdirSync(path.dirname(full), { recursive: true, mode: 0o755 });
      const mode = fileMode(file);
      fs.writeFileSync(full, file.content);
      // Set the mode exactly (writeFileSync's is masked by umask) so trees do not depend on the shell.
      fs.chmodSync(full, mode);
    }
    // mkdir's mode is masked by umask too: published directories are 0755 whatever the shell's umask.
    for (const entry of fs.readdirSync(staging, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory()) fs.chmodSync(path.join(entry.parentPath, entry.name), 0o755);
    }
    options.beforeSwap?.(staging);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return {
    swap: () => swapIn(staging, targetDir),
    discard: () => fs.rmSync(staging, { recursive: true, force: true }),
  };
}

function swapIn(staging: string, targetDir: string): void {
  const parent = path.dirname(path.resolve(targetDir));
  const base = path.basename(targetDir);
  const backup = fs.existsSync(targetDir) ? fs.mkdtempSync(path.join(parent, `.${base}-previous-`)) : undefined;
  if (backup) {
    fs.rmdirSync(backup);
    fs.renameSync(targetDir, backup);
  }
  try {
    fs.renameSync(staging, targetDir);
  } catch (err) {
    if (backup) fs.renameSync(backup, targetDir);
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // The new tree is in place: failing to delete the old one must not undo the run (the next
  // run's recoverInterruptedSwap removes it).
  if (backup) {
    try {
      fs.rmSync(backup, { recursive: true, force: true });
    } catch {
      // left for recoverInterruptedSwap
    }
  }
}

function assertUniquePaths(files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two renderers produced ${f.path}; each output path must have one owner`);
    seen.add(f.path);
  }
}

/**
 * Undo what a crash mid-run can leave: restore the previous tree when the target is missing
 * (crash between the two renames) and delete abandoned staging trees.
 * @returns what was done, one line each
 */
export function recoverInterruptedSwap(targetDir: string): string[] {
  const parent = path.dirname(path.resolve(targetDir));
  const base = path.basename(targetDir);
  if (!fs.existsSync(parent)) return [];
  const leftovers = (kind: string) => fs.readdirSync(parent).filter((n) => n.startsWith(`.${base}-${kind}-`)).map((n) => path.join(parent, n));
  const done: string[] = [];
  const previous = leftovers('previous').sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!fs.existsSync(targetDir) && previous.length > 0) {
    fs.renameSync(previous[0], targetDir);
    done.push(`restored ${targetDir} from ${previous[0]} (an earlier run stopped mid-swap)`);
  }
  for (const dir of [...leftovers('previous'), ...leftovers('staging')]) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return done;
}
