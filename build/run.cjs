#!/usr/bin/env node
/**
 * `node build/run.cjs NAME [args]`: runs one command of build/commands.json (synth, verify,
 * compare, talos, schema, readme) from its prebuilt bundle in .build/. What the npm scripts and
 * cdk8s.yaml run.
 *
 * Never stale: when an input of the command's bundle (a .ts file it imports, the lockfile,
 * tsconfig.json) differs from what .build/NAME.json recorded, or there is no build yet, it builds
 * that command first (a few seconds, said on stderr). The check stats about 150 files and hashes
 * only those whose mtime moved (a checkout that rewrote a file unchanged does not rebuild): a few
 * milliseconds.
 *
 * Fast: V8's compiled code of a bundle is kept in .build/NAME.HASH.js.FLAGS.v8cache, written at
 * the end of the first run; later runs skip parsing and compiling 1-4 MB of JavaScript. A cache
 * that V8 refuses (made by another Node release) is written anew.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.build');
/** Command name -> TypeScript entry point (build/build.mjs builds them). */
const COMMANDS = JSON.parse(fs.readFileSync(path.join(__dirname, 'commands.json'), 'utf8'));

function readManifest(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(OUT, `${name}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The first input that is not what the build read (changed, appeared or vanished). */
function changedInput(manifest) {
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    const full = path.join(ROOT, file);
    const st = fs.statSync(full, { throwIfNoEntry: false });
    if (!st || !recorded) {
      if (st || recorded) return file;
      continue;
    }
    const [mtimeMs, size, digest] = recorded;
    if (st.size !== size) return file;
    if (st.mtimeMs !== mtimeMs && crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16) !== digest) return file;
  }
  return undefined;
}

function build(name, reason) {
  process.stderr.write(`.build/ is out of date (${reason}): building ${name} first\n`);
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build.mjs'), name], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const manifest = r.status === 0 ? readManifest(name) : undefined;
  if (!manifest) {
    process.stderr.write('error: the build failed (see above). Fix the source, or run it unbundled: npx ts-node --swc <entry>.ts\n');
    process.exit(1);
  }
  return manifest;
}

/** Runs the bundle as the main module, with V8's code cache. */
function runBundle(filename, source) {
  // One cache per set of Node/V8 flags: V8 refuses code compiled under other flags, and runs
  // that alternate (a profiler, NODE_OPTIONS) would otherwise overwrite each other's cache.
  const flags = crypto.createHash('sha256').update(JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? ''])).digest('hex').slice(0, 8);
  const cacheFile = `${filename}.${flags}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first run of this bundle
  }
  const script = new vm.Script(Module.wrap(source), {
    filename,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so the functions the run compiled lazily are in the cache too. Best effort: a
    // read-only checkout just runs uncached.
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    });
  }
  const bundle = new Module(filename, module);
  bundle.filename = filename;
  bundle.paths = Module._nodeModulePaths(OUT);
  const req = Module.createRequire(filename);
  // The entry points test `require.main === module` (talos/cli.ts, verify/cli.ts).
  req.main = bundle;
  script.runInThisContext().call(bundle.exports, bundle.exports, req, bundle, filename, OUT);
  bundle.loaded = true;
}

const [name = ''] = process.argv.splice(2, 1);
if (!Object.hasOwn(COMMANDS, name)) {
  process.stderr.write(`usage: node build/run.cjs ${Object.keys(COMMANDS).join('|')} [args]\n`);
  process.exit(2);
}
let manifest = readManifest(name);
if (!manifest) manifest = build(name, `no build of ${name} yet`);
else {
  const changed = changedInput(manifest);
  if (changed) manifest = build(name, `${changed} changed`);
}
let filename = path.join(OUT, manifest.bundle);
let source;
try {
  // The bundle is ASCII (charset: 'ascii' in build.mjs): latin1 skips UTF-8 decoding.
  source = fs.readFileSync(filename, 'latin1');
} catch {
  // A concurrent build replaced it after we read the manifest: take the new one.
  filename = path.join(OUT, readManifest(name).bundle);
  source = fs.readFileSync(filename, 'latin1');
}
process.argv[1] = filename;
runBundle(filename, source);
