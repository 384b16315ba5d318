/**
 * render/secret-files.ts in-process (mutation testing, issue 18): modes whatever the umask, the
 * skipped write of unchanged bytes, never replacing a created file, no temp file left after a
 * failure, and applySecretChanges undoing exactly what it did.
 */
import * as path from 'node:path';
import {
  applySecretChanges, createSecretFileExclusively, ensureSecretDir, writeSecretFileAtomically, type SecretChange,
} from '../../render/secret-files';
import { snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

afterEach(() => jest.restoreAllMocks());

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;
const withUmask = <T>(mask: number, run: () => T): T => {
  const old = process.umask(mask);
  try {
    return run();
  } finally {
    process.umask(old);
  }
};

describe('the secrets directory', () => {
  test('is created 0700 at every level, whatever the umask', () => {
    const root = tempDir('secret-dir-');
    withUmask(0, () => ensureSecretDir(path.join(root, 'a', 'b')));
    expect([modeOf(path.join(root, 'a')), modeOf(path.join(root, 'a', 'b'))]).toEqual([0o700, 0o700]);
  });

  test('a umask that takes the owner write bit leaves no level unwritable (each is made 0700 before the next)', () => {
    const root = tempDir('secret-dir-');
    const levels = [path.join(root, 'a'), path.join(root, 'a', 'b'), path.join(root, 'a', 'b', 'c')];
    // Root ignores modes, so the order is checked directly: a level is 0700 when the next is made.
    const modeWhenNextMade: number[] = [];
    const mkdir = fs.mkdirSync;
    jest.spyOn(fs, 'mkdirSync').mockImplementation(((p: string, o?: import('node:fs').MakeDirectoryOptions) => {
      if (path.dirname(p) !== root) modeWhenNextMade.push(modeOf(path.dirname(p)));
      return mkdir(p, o);
    }) as typeof fs.mkdirSync);
    withUmask(0o277, () => ensureSecretDir(levels[2]));
    expect(levels.map(modeOf)).toEqual([0o700, 0o700, 0o700]);
    expect(modeWhenNextMade).toEqual([0o700, 0o700]);
  });

  test('a level made meanwhile by another run is accepted (and made 0700); other mkdir failures are thrown', () => {
    const root = tempDir('secret-dir-');
    const mkdir = fs.mkdirSync;
    const spy = jest.spyOn(fs, 'mkdirSync').mockImplementationOnce(((p: string, o?: import('node:fs').MakeDirectoryOptions) => {
      mkdir(p, o);
      throw Object.assign(new Error('EEXIST'), { code: 'EEXIST' });
    }) as typeof fs.mkdirSync);
    ensureSecretDir(path.join(root, 'x', 'y'));
    expect(modeOf(path.join(root, 'x', 'y'))).toBe(0o700);
    spy.mockImplementationOnce(() => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); });
    expect(() => ensureSecretDir(path.join(root, 'z'))).toThrow('EACCES: permission denied');
  });

  test('a file where the directory should be is refused and left as it was', () => {
    const root = tempDir('secret-dir-');
    const file = path.join(root, 'keys');
    fs.writeFileSync(file, 'x');
    fs.chmodSync(file, 0o644);
    expect(() => ensureSecretDir(file)).toThrow(`ENOTDIR: ${file} is not a directory; the secrets directory must be one (move the file away)`);
    expect(modeOf(file)).toBe(0o644);
    // Also when it appears between the check and mkdir (another process).
    const mkdir = fs.mkdirSync;
    jest.spyOn(fs, 'mkdirSync').mockImplementationOnce(((p: string) => {
      fs.writeFileSync(p, 'raced');
      return mkdir(p);
    }) as typeof fs.mkdirSync);
    expect(() => ensureSecretDir(path.join(root, 'raced', 'inner'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  test('an existing directory with other modes is made 0700; one already 0700 is left alone', () => {
    const root = tempDir('secret-dir-');
    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    ensureSecretDir(open);
    expect(modeOf(open)).toBe(0o700);
    const chmod = jest.spyOn(fs, 'chmodSync');
    ensureSecretDir(open);
    expect(chmod).not.toHaveBeenCalled();
  });
});

describe('writing one file', () => {
  test('a new file is 0600 even when the umask would take the owner\'s write bit, and no temp file stays', () => {
    const root = tempDir('secret-file-');
    const file = path.join(root, 'keys', 'a.yaml');
    withUmask(0o277, () => writeSecretFileAtomically(file, 'a: 1\n'));
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('a: 1\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.yaml']);
  });

  test('unchanged bytes are not rewritten (same inode) but the mode is restored', () => {
    const root = tempDir('secret-file-');
    const file = path.join(root, 'a.yaml');
    writeSecretFileAtomically(file, 'a\n');
    fs.chmodSync(file, 0o644);
    const inode = fs.statSync(file).ino;
    writeSecretFileAtomically(file, 'a\n');
    expect([fs.statSync(file).ino, modeOf(file)]).toEqual([inode, 0o600]);
    writeSecretFileAtomically(file, 'b\n');
    expect(fs.statSync(file).ino).not.toBe(inode);
    expect(fs.readFileSync(file, 'utf8')).toBe('b\n');
  });

  test('a failed rename removes the temp file and keeps the old file', () => {
    const root = tempDir('secret-file-');
    const file = path.join(root, 'a.yaml');
    writeSecretFileAtomically(file, 'old\n');
    jest.spyOn(fs, 'renameSync').mockImplementation(() => { throw new Error('injected rename failure'); });
    expect(() => writeSecretFileAtomically(file, 'new\n')).toThrow('injected rename failure');
    expect(snapshotTree(root)).toEqual({ 'a.yaml': 'old\n' });
    expect(fs.readdirSync(root)).toEqual(['a.yaml']);
  });

  test('the temp file descriptor is closed, and the temp file removed, when the write fails', () => {
    const root = tempDir('secret-file-');
    const opened: number[] = [];
    const open = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
      const fd = open(...args);
      opened.push(fd);
      return fd;
    }) as typeof fs.openSync);
    const close = jest.spyOn(fs, 'closeSync');
    writeSecretFileAtomically(path.join(root, 'a.yaml'), 'a\n');
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => { throw new Error('injected write failure'); });
    expect(() => writeSecretFileAtomically(path.join(root, 'b.yaml'), 'b\n')).toThrow('injected write failure');
    expect(opened).toHaveLength(2);
    expect(close.mock.calls.map(([fd]) => fd)).toEqual(opened);
    expect(fs.readdirSync(root)).toEqual(['a.yaml']);
  });

  test('an exclusive create makes a 0600 file and never replaces one, leaving no temp file', () => {
    const root = tempDir('secret-file-');
    const file = path.join(root, 'secrets.yaml');
    withUmask(0o277, () => createSecretFileExclusively(file, 'first\n'));
    expect(modeOf(file)).toBe(0o600);
    expect(() => createSecretFileExclusively(file, 'second\n')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
    expect(fs.readdirSync(root)).toEqual(['secrets.yaml']);
  });
});

describe('applySecretChanges', () => {
  const setUp = () => {
    const root = tempDir('secret-changes-');
    const at = (name: string) => path.join(root, name);
    writeSecretFileAtomically(at('kept.yaml'), 'kept\n');
    writeSecretFileAtomically(at('changed.yaml'), 'before\n');
    writeSecretFileAtomically(at('gone.yaml'), 'gone\n');
    return { root, at, before: snapshotTree(root) };
  };

  test('applies creates, writes and removes, and rollback puts every file back', () => {
    const { root, at, before } = setUp();
    fs.chmodSync(at('kept.yaml'), 0o644);
    const changes: SecretChange[] = [
      { kind: 'create', path: at('new-key.yaml'), content: 'key\n' },
      { kind: 'write', path: at('changed.yaml'), content: 'after\n' },
      { kind: 'write', path: at('kept.yaml'), content: 'kept\n' },
      { kind: 'write', path: at('derived.yaml'), content: 'derived\n' },
      { kind: 'remove', path: at('gone.yaml') },
      { kind: 'remove', path: at('never-there.yaml') },
    ];
    const applied = applySecretChanges(changes);
    expect(snapshotTree(root)).toEqual({ 'changed.yaml': 'after\n', 'derived.yaml': 'derived\n', 'kept.yaml': 'kept\n', 'new-key.yaml': 'key\n' });
    expect(modeOf(at('kept.yaml'))).toBe(0o600);
    applied.rollback();
    expect(snapshotTree(root)).toEqual(before);
    // A second rollback has nothing left to undo.
    writeSecretFileAtomically(at('changed.yaml'), 'later\n');
    applied.rollback();
    expect(fs.readFileSync(at('changed.yaml'), 'utf8')).toBe('later\n');
  });

  test('rollback undoes in reverse order: two writes to one file end at its first content', () => {
    const { at } = setUp();
    const applied = applySecretChanges([
      { kind: 'write', path: at('changed.yaml'), content: 'second\n' },
      { kind: 'write', path: at('changed.yaml'), content: 'third\n' },
    ]);
    expect(fs.readFileSync(at('changed.yaml'), 'utf8')).toBe('third\n');
    applied.rollback();
    expect(fs.readFileSync(at('changed.yaml'), 'utf8')).toBe('before\n');
  });

  test('an unchanged write is not undone by rollback (it changed nothing)', () => {
    const { at } = setUp();
    const applied = applySecretChanges([{ kind: 'write', path: at('kept.yaml'), content: 'kept\n' }]);
    writeSecretFileAtomically(at('kept.yaml'), 'edited later\n');
    applied.rollback();
    expect(fs.readFileSync(at('kept.yaml'), 'utf8')).toBe('edited later\n');
  });

  test('a failure half-way undoes what was applied and rethrows; the files before it are untouched', () => {
    const { root, at, before } = setUp();
    expect(() => applySecretChanges([
      { kind: 'write', path: at('changed.yaml'), content: 'after\n' },
      { kind: 'remove', path: at('gone.yaml') },
      { kind: 'create', path: at('new-key.yaml'), content: 'key\n' },
      { kind: 'create', path: at('kept.yaml'), content: 'never replaced\n' },
    ])).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(snapshotTree(root)).toEqual(before);
  });
});
