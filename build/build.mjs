#!/usr/bin/env node
/**
 * `node build/build.mjs [COMMAND...]` (`npm run build`): builds the commands users run into the
 * git-ignored .build/, one esbuild bundle per command: synth (`npm run synth`, the cdk8s.yaml
 * app), verify, compare, talos, schema, readme; all of them without arguments. `npm ci` runs it
 * (the `prepare` script); build/run.cjs runs it for its own command whenever an input of that
 * command changed, so an edited .ts file always reaches the next run. The sources stay
 * TypeScript: `npm test` type-checks them and runs them through ts-jest, never through this build.
 *
 * Why a bundle (measured, README "Speed"): most of a tsc-compiled run is the CommonJS loader
 * resolving, reading and compiling a few thousand files of cdk8s, vega and zod; one file per
 * command removes the resolving, and build/run.cjs keeps V8's compiled code between runs.
 * Debugging: the bundles are minified; run the sources with `npx ts-node --swc main.ts`.
 *
 * Layout of .build/: NAME.HASH.js (HASH: of its content, so a bundle file never changes once
 * written) and build/run.cjs's V8 code caches of it, directly in .build/ so that
 * `path.join(__dirname, '..')` (site/write-schema.ts, render/update-readme.ts) still names the
 * project root; NAME.json, written after the bundle, names it and fingerprints every input of
 * the command (mtime, size, content hash), for build/run.cjs to tell in milliseconds whether the
 * build still matches the sources. One manifest per command: commands build independently.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, '.build');

/** Command name (build/run.cjs NAME) -> its TypeScript entry point; build/run.cjs reads it too. */
export const COMMANDS = JSON.parse(fs.readFileSync(path.join(ROOT, 'build', 'commands.json'), 'utf8'));

/** Files outside the import graph that change what a bundle contains. */
const EXTRA_INPUTS = [
  'package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json',
  'build/build.mjs', 'build/run.cjs', 'build/commands.json', 'build/no-network-fetch.cjs',
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

/**
 * The Grafana Foundation SDK (CommonJS, so esbuild cannot drop unused code) makes every panel
 * and query package's index require its dashboard v2 builders, which load the large
 * dashboardv2beta1 package; this tool writes v1 dashboards only (charts/grafana/dashboards/).
 * Each package index is read as installed and loaded without the files that require a
 * dashboard v2 package; everything else of it, in its order, stays. A v1 export that went
 * missing would change dist/, which test/perf/prebuilt.test.ts compares byte for byte.
 */
const GRAFANA_SDK = path.join(ROOT, 'node_modules', '@grafana', 'grafana-foundation-sdk', 'dist');
/** Package name -> names exported only by the files left out (a use of one would be undefined). */
const grafanaSdkLeftOut = new Map();
const grafanaSdkWithoutV2 = {
  name: 'grafana-sdk-without-dashboard-v2',
  setup(b) {
    const isPackageIndex = (dir) => path.dirname(dir) === GRAFANA_SDK && fs.existsSync(path.join(dir, 'index.js'));
    b.onResolve({ filter: /^@grafana\/grafana-foundation-sdk\/\w+$|^\.\.\/\w+$/ }, (args) => {
      const dir = args.path.startsWith('@') ? path.join(GRAFANA_SDK, args.path.split('/')[2]) : path.resolve(args.resolveDir, args.path);
      if (!args.path.startsWith('@') && !args.resolveDir.startsWith(GRAFANA_SDK)) return undefined;
      return isPackageIndex(dir) ? { path: path.join(dir, 'index.js'), namespace: 'grafana-sdk-v1' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'grafana-sdk-v1' }, (args) => {
      const dir = path.dirname(args.path);
      const leftOut = new Set();
      const keep = (line) => {
        const m = /require\("\.\/([\w.]+)"\)/.exec(line);
        if (!m) return true;
        const source = fs.readFileSync(path.join(dir, `${m[1]}.js`), 'utf8');
        if (!/require\("\.\.\/dashboardv2(beta1)?"\)/.test(source)) return true;
        for (const e of source.matchAll(/^exports\.(\w+) = /gm)) leftOut.add(e[1]);
        return false;
      };
      const contents = fs.readFileSync(args.path, 'utf8').split('\n').filter(keep).join('\n');
      grafanaSdkLeftOut.set(path.basename(dir), leftOut);
      return { contents, loader: 'js', resolveDir: dir };
    });
  },
};

/** Fails the build when a source uses an SDK name whose file the plugin left out. */
function checkGrafanaSdkUses(sources) {
  const problems = [];
  for (const file of sources.filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const [, alias, pkg] of text.matchAll(/import (?:type )?\* as (\w+) from '@grafana\/grafana-foundation-sdk\/(\w+)'/g)) {
      for (const [, name] of text.matchAll(new RegExp(`\\b${alias}\\.(\\w+)`, 'g'))) {
        if (grafanaSdkLeftOut.get(pkg)?.has(name)) problems.push(`${file}: ${alias}.${name}`);
      }
    }
    for (const [, names, pkg] of text.matchAll(/import (?:type )?\{([^}]*)\} from '@grafana\/grafana-foundation-sdk\/(\w+)'/g)) {
      for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (grafanaSdkLeftOut.get(pkg)?.has(name)) problems.push(`${file}: ${name} from ${pkg}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`these Grafana SDK names come from dashboard v2 files that build/build.mjs leaves out of the bundles:\n  ${problems.join('\n  ')}\nuse a v1 builder or stop leaving that file out (grafanaSdkWithoutV2)`);
  }
}

/**
 * esbuild gives every file that imports a CommonJS package its own ES-module view of it, copying
 * each export into a fresh object: cdk8s-plus-28 (about 100 exports, imported by some 20 files)
 * cost 10 ms per run that way. Routed through one ES module that re-exports it, it is copied once.
 */
const ONE_INTEROP_COPY = /^cdk8s-plus-28$/;
const cjsOnce = {
  name: 'one-interop-copy',
  setup(b) {
    b.onResolve({ filter: ONE_INTEROP_COPY }, (args) => (args.namespace === 'cjs-once' ? undefined : { path: args.path, namespace: 'cjs-once' }));
    b.onLoad({ filter: /.*/, namespace: 'cjs-once' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};\n`, loader: 'js', resolveDir: ROOT }));
  },
};

export async function build(names = Object.keys(COMMANDS)) {
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(names.map((name) => [name, COMMANDS[name]])),
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
    // vega-loader requires node-fetch at load time; nothing here fetches (build/no-network-fetch.cjs).
    alias: { 'node-fetch': './build/no-network-fetch.cjs' },
    plugins: [grafanaSdkWithoutV2, cjsOnce],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  checkGrafanaSdkUses(Object.keys(result.metafile.inputs).filter((f) => !f.includes(':') && !f.split('/').includes('node_modules')));
  fs.mkdirSync(OUT, { recursive: true });
  for (const out of result.outputFiles) {
    const name = path.basename(out.path, '.js');
    const wide = out.contents.findIndex((b) => b > 0x7f);
    if (wide >= 0) throw new Error(`${name}: byte ${wide} of the bundle is not ASCII, but build/run.cjs reads bundles as latin1`);
    const bundle = `${name}.${hash(out.contents)}.js`;
    if (!fs.existsSync(path.join(OUT, bundle))) writeAtomically(path.join(OUT, bundle), out.contents);
    const meta = result.metafile.outputs[path.relative(ROOT, out.path).split(path.sep).join('/')];
    // Virtual modules of the plugins (namespace:path) are not files.
    const sources = Object.keys(meta.inputs).filter((f) => !f.includes(':') && !f.split('/').includes('node_modules'));
    const lines = [...new Set([...sources, ...EXTRA_INPUTS])].sort().map((file) => {
      const fp = fingerprint(file);
      // Edited while esbuild read it: recorded as changed, so the next run builds again.
      return `  ${JSON.stringify(file)}: ${JSON.stringify(fp && fp[0] >= started ? [-1, -1, ''] : fp)}`;
    });
    writeAtomically(path.join(OUT, `${name}.json`), `{"esbuild": ${JSON.stringify(esbuild.version)}, "bundle": ${JSON.stringify(bundle)}, "inputs": {\n${lines.join(',\n')}\n}}\n`);
    // Older bundles and their compiled code go once the manifest no longer names them (build/run.cjs
    // reads the manifest again if one vanishes under it).
    for (const f of fs.readdirSync(OUT)) {
      const m = /^(\w+)\.[0-9a-f]{16}\.js(\.[0-9a-f]{8}\.v8cache)?$/.exec(f);
      if (m && m[1] === name && !f.startsWith(bundle)) fs.rmSync(path.join(OUT, f), { force: true });
    }
  }
  return { names, ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !Object.hasOwn(COMMANDS, n));
  if (unknown.length > 0) {
    console.error(`unknown command ${unknown.map((n) => JSON.stringify(n)).join(', ')}\nusage: node build/build.mjs [${Object.keys(COMMANDS).join('|')} ...]`);
    process.exit(2);
  }
  build(names.length > 0 ? names : undefined).then(
    (r) => console.error(`built .build/ (${r.names.join(', ')}) in ${(r.ms / 1000).toFixed(1)} s`),
    (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; },
  );
}
