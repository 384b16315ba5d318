#!/usr/bin/env node
/**
 * Builds the commands users run into the git-ignored .build/: one esbuild bundle per command
 * (`npm run synth` and the cdk8s.yaml app, verify, compare, talos, schema, readme). `npm ci` runs
 * it (the `prepare` script); build/run.cjs runs it again whenever an input changed, so an edited
 * .ts file always reaches the next run. The sources stay TypeScript: `npm test` type-checks them
 * and runs them through ts-jest, never through this build.
 *
 * Why a bundle (measured, README "Speed"): most of a tsc-compiled run is the CommonJS loader
 * resolving, reading and compiling a few thousand files of cdk8s, vega and zod; one file per
 * command removes the resolving, and build/run.cjs keeps V8's compiled code between runs.
 * Debugging: the bundles are minified; run the sources with `npx ts-node --swc main.ts`.
 *
 * Layout of .build/: NAME.HASH.js (HASH: of its content, so a bundle file never changes once
 * written) and build/run.cjs's V8 code caches of it, directly in .build/ so that
 * `path.join(__dirname, '..')` (site/write-schema.ts, render/update-readme.ts) still names the
 * project root; manifest.json, written after the bundles, names the current one per command and
 * fingerprints every input (mtime, size, content hash), for build/run.cjs to tell in
 * milliseconds whether the build still matches the sources.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, '.build');

/** Command name (build/run.cjs NAME) -> its TypeScript entry point. */
export const COMMANDS = {
  synth: 'main.ts',
  verify: 'verify/cli.ts',
  compare: 'lxc/compare.ts',
  talos: 'talos/cli.ts',
  schema: 'site/write-schema.ts',
  readme: 'render/update-readme.ts',
};

/** Files outside the import graph that change what a bundle contains. */
const EXTRA_INPUTS = [
  'package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json',
  'build/build.mjs', 'build/run.cjs',
];

const hash = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** An input as the manifest keeps it: [mtimeMs, size, content hash], or null when absent. */
function fingerprint(file) {
  const full = path.join(ROOT, file);
  const st = fs.statSync(full, { throwIfNoEntry: false });
  return st ? [st.mtimeMs, st.size, hash(fs.readFileSync(full))] : null;
}

function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export async function build() {
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: COMMANDS,
    outdir: OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: 'tsconfig.json',
    // Each measured faster (README "Speed"): a package's ES module build lets esbuild leave out
    // what is never imported (vega, zod); whitespace and syntax minification shrink what V8
    // reads and caches by a third. Identifiers keep their names (stack traces stay readable).
    // keepNames is off: its helper costs time in hot closures, and no output depends on a
    // function's .name (test/perf/prebuilt.test.ts compares every byte).
    mainFields: ['module', 'main'],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    // ASCII only (esbuild's default, kept explicit): build/run.cjs reads bundles as latin1.
    charset: 'ascii',
    // An ES module (verify only) that Node 20.19+ requires natively, as the sources do.
    external: ['@kubernetes/client-node'],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  fs.mkdirSync(OUT, { recursive: true });
  const bundles = {};
  for (const out of result.outputFiles) {
    const name = path.basename(out.path, '.js');
    const wide = out.contents.findIndex((b) => b > 0x7f);
    if (wide >= 0) throw new Error(`${name}: byte ${wide} of the bundle is not ASCII, but build/run.cjs reads bundles as latin1`);
    bundles[name] = `${name}.${hash(out.contents)}.js`;
    const file = path.join(OUT, bundles[name]);
    if (!fs.existsSync(file)) writeAtomically(file, out.contents);
  }
  const inputs = {};
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.split('/').includes('node_modules'));
  for (const file of [...new Set([...sources, ...EXTRA_INPUTS])].sort()) {
    const fp = fingerprint(file);
    // Edited while esbuild read it: recorded as changed, so the next run builds again.
    inputs[file] = fp && fp[0] >= started ? [-1, -1, ''] : fp;
  }
  const lines = Object.entries(inputs).map(([file, fp]) => `  ${JSON.stringify(file)}: ${JSON.stringify(fp)}`);
  writeAtomically(path.join(OUT, 'manifest.json'), `{"esbuild": ${JSON.stringify(esbuild.version)}, "bundles": ${JSON.stringify(bundles)}, "inputs": {\n${lines.join(',\n')}\n}}\n`);
  // Older bundles and their compiled code go once the manifest no longer names them (build/run.cjs
  // reads the manifest again if one vanishes under it).
  const keep = new Set(Object.values(bundles));
  for (const f of fs.readdirSync(OUT)) {
    const m = /^(\w+\.[0-9a-f]{16}\.js)(\.[0-9a-f]{8}\.v8cache)?$/.exec(f);
    if (m && !keep.has(m[1])) fs.rmSync(path.join(OUT, f), { force: true });
  }
  return { bundles, ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().then(
    ({ bundles, ms }) => console.error(`built .build/ (${Object.keys(bundles).join(', ')}) in ${(ms / 1000).toFixed(1)} s`),
    (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; },
  );
}
