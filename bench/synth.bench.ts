/**
 * `npm run bench`: what a synth costs as whole processes, each run a new `node` (cold: no
 * in-process warm-up; the OS file cache is warm), the cases taken in turn round after round so
 * that a busy machine slows all of them alike. Per case: median wall time with min-max, the
 * median of its ratio to the same round's floor run, CPU time (user + system) and its ratio, and
 * the child's peak RSS as the OS counts it (GNU time's %M, else getrusage of the child itself).
 *
 * Cases: the floor (`node -e "require('cdk8s-plus-28')"`), `npm run synth` of the default site
 * (package.json's command for it, without npm's own start-up), the same through ts-node as it
 * ran before the prebuilt commands, and the scale series of bench/scale-site.ts (50, 200 and 800
 * guests with their probes). Each synth has its own project root (a git work tree with .secrets/ ignored)
 * and keeps its key material between runs, as in daily use. Writes bench/results.json.
 *
 * BENCH_RUNS=N changes the number of runs per case (default 9).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as YAML from 'yaml';
import { parseSite } from '../site';
import { blackboxProbes, nodeExporterTargets } from '../charts/prometheus/scrape-targets';
import { scaleSite } from './scale-site';
import { synthCommand } from './synth-command';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const SCALE = [50, 200, 800] as const;
const GNU_TIME = '/usr/bin/time';
const MIB = 1024 * 1024;

/** The issue's targets (issue 13). */
const TARGETS = { defaultToFloor: 2.5, defaultRssMiB: 150, guests200ToFloor: 4, guests800To200: 4 };

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly guests?: number;
  readonly targets?: { readonly nodeExporter: number; readonly probes: number };
}

interface Sample { readonly wallMs: number; readonly cpuMs: number; readonly rssBytes: number }

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const useGnuTime = fs.existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/** One cold run; throws with the child's stderr when it fails. */
function runOnce(c: Case, scratch: string): Sample {
  const usage = path.join(scratch, 'usage');
  fs.rmSync(usage, { force: true });
  const [cmd, ...args] = useGnuTime
    ? [GNU_TIME, '-f', '%M %U %S', '-o', usage, ...c.argv]
    : [process.execPath, '-r', path.join(__dirname, 'rusage-probe.cjs'), ...c.argv.slice(1)];
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: c.cwd, encoding: 'utf8', env: { ...process.env, BENCH_RUSAGE_FILE: usage }, maxBuffer: 64 * MIB });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`${c.name} failed (exit ${r.status}):\n${r.stderr}`);
  const [maxRssKiB, user, sys] = fs.readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: (user + sys) * 1000, rssBytes: maxRssKiB * 1024 };
}

/** A scratch project root: a git work tree that ignores .secrets/, as the repository does. */
function projectRoot(parent: string, name: string): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), '.secrets/\n');
  spawnSync('git', ['init', '-q'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function cases(scratch: string): Case[] {
  const node = process.execPath;
  const synth = (name: string, extra: string[] = [], command = synthCommand()): Case => {
    const cwd = projectRoot(scratch, name);
    return { name, cwd, argv: [...command, ...extra, '--out', path.join(cwd, 'dist')] };
  };
  const list: Case[] = [
    { name: 'floor', cwd: ROOT, argv: [node, '-e', "require('cdk8s-plus-28')"] },
    synth('synth'),
    synth('synth-ts-node', [], [node, require.resolve('ts-node/dist/bin'), '--swc', '--project', path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'main.ts')]),
  ];
  for (const guests of SCALE) {
    const input = scaleSite(guests);
    const file = path.join(scratch, `site-${guests}.yaml`);
    fs.writeFileSync(file, YAML.stringify(input));
    const { site } = parseSite(input);
    const targets = { nodeExporter: nodeExporterTargets(site).length, probes: blackboxProbes(site).length };
    list.push({ ...synth(`guests-${guests}`, ['--site', file]), guests, targets });
  }
  return list;
}

function main(): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bench-'));
  try {
    // Builds .build/ if a source changed (build/run.cjs would, inside the first timed run).
    const built = spawnSync(process.execPath, [path.join(ROOT, 'build', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('build failed');
    const all = cases(scratch);
    const load = os.loadavg()[0];
    console.log(`${RUNS} cold runs per case, round-robin; node ${process.version}, ${os.cpus().length} CPUs, load average ${load.toFixed(1)} at start; peak RSS from ${useGnuTime ? 'GNU time (%M)' : 'getrusage in the child'}`);
    // Warm-up, not timed: creates each root's key material and .build/'s V8 code caches, and
    // proves every generated site valid.
    for (const c of all) runOnce(c, scratch);
    const samples = new Map<string, Sample[]>(all.map((c) => [c.name, []]));
    for (let i = 0; i < RUNS; i++) for (const c of all) samples.get(c.name)!.push(runOnce(c, scratch));

    // Ratios to the floor are medians of each round's ratio: a round's runs are seconds apart, so
    // they share the machine's load, and the ratio keeps little of it.
    const floorRuns = samples.get('floor')!;
    const stat = (name: string) => {
      const s = samples.get(name)!;
      const wall = s.map((x) => x.wallMs);
      return {
        medianMs: median(wall), minMs: Math.min(...wall), maxMs: Math.max(...wall), cpuMs: median(s.map((x) => x.cpuMs)),
        ratio: median(s.map((x, i) => x.wallMs / floorRuns[i].wallMs)), cpuRatio: median(s.map((x, i) => x.cpuMs / floorRuns[i].cpuMs)),
        rssMiB: median(s.map((x) => x.rssBytes)) / MIB, maxRssMiB: Math.max(...s.map((x) => x.rssBytes)) / MIB, wallMs: wall.map(Math.round),
      };
    };
    const rows = all.map((c) => ({ c, s: stat(c.name) }));
    const label = (c: Case) => c.guests
      ? `synth, ${c.guests} guests (${c.targets!.nodeExporter} node + ${c.targets!.probes} probe targets)`
      : { floor: "floor: node -e \"require('cdk8s-plus-28')\"", synth: 'synth, default site (npm run synth)', 'synth-ts-node': 'synth, default site, ts-node --swc (before)' }[c.name]!;
    const width = Math.max(...all.map((c) => label(c).length));
    console.log(`${'case'.padEnd(width)}  median   min-max      x floor  CPU     x floor  peak RSS (max)`);
    for (const { c, s } of rows) {
      console.log(`${label(c).padEnd(width)}  ${(s.medianMs / 1000).toFixed(2)} s   ${(s.minMs / 1000).toFixed(2)}-${(s.maxMs / 1000).toFixed(2)}    ${s.ratio.toFixed(2).padStart(5)}x  ${(s.cpuMs / 1000).toFixed(2)} s  ${s.cpuRatio.toFixed(2).padStart(5)}x  ${s.rssMiB.toFixed(0).padStart(4)} MiB (${s.maxRssMiB.toFixed(0)})`);
    }
    const by = (n: number) => stat(`guests-${n}`);
    const perGuest = SCALE.slice(1).map((n, i) => {
      const prev = SCALE[i];
      return { from: prev, to: n, msPerGuest: (by(n).medianMs - by(prev).medianMs) / (n - prev) };
    });
    console.log(`time per added guest: ${perGuest.map((p) => `${p.from}->${p.to}: ${p.msPerGuest.toFixed(2)} ms`).join(', ')}`);
    const synth = stat('synth');
    const g200 = samples.get('guests-200')!;
    const linearity = median(samples.get('guests-800')!.map((x, i) => x.wallMs / g200[i].wallMs));
    console.log(`growth: 800 guests take ${linearity.toFixed(2)}x the 200-guest time (4x guests; <= 4 is linear or better)`);
    const checks = [
      { target: `default synth <= ${TARGETS.defaultToFloor}x floor`, value: synth.ratio, limit: TARGETS.defaultToFloor, unit: 'x' },
      { target: `default synth peak RSS <= ${TARGETS.defaultRssMiB} MiB`, value: synth.maxRssMiB, limit: TARGETS.defaultRssMiB, unit: ' MiB' },
      { target: `200 guests <= ${TARGETS.guests200ToFloor}x floor`, value: by(200).ratio, limit: TARGETS.guests200ToFloor, unit: 'x' },
      { target: `800 guests <= ${TARGETS.guests800To200}x the 200-guest time`, value: linearity, limit: TARGETS.guests800To200, unit: 'x' },
    ].map((t) => ({ ...t, met: t.value <= t.limit }));
    for (const t of checks) console.log(`target ${t.target}: ${t.value.toFixed(2)}${t.unit} ${t.met ? 'met' : 'NOT met'}`);

    const results = {
      date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverageAtStart: Number(load.toFixed(2)),
      runsPerCase: RUNS, rss: useGnuTime ? 'GNU time %M' : 'getrusage in the child',
      cases: rows.map(({ c, s }) => ({
        name: c.name, label: label(c), guests: c.guests, targets: c.targets,
        medianMs: Math.round(s.medianMs), minMs: Math.round(s.minMs), maxMs: Math.round(s.maxMs), ratioToFloor: Number(s.ratio.toFixed(2)),
        cpuMs: Math.round(s.cpuMs), cpuRatioToFloor: Number(s.cpuRatio.toFixed(2)),
        peakRssMiB: Number(s.rssMiB.toFixed(1)), maxPeakRssMiB: Number(s.maxRssMiB.toFixed(1)), wallMs: s.wallMs,
      })),
      perGuestMs: perGuest.map((p) => ({ ...p, msPerGuest: Number(p.msPerGuest.toFixed(2)) })),
      growth800to200: Number(linearity.toFixed(2)),
      targets: checks.map((t) => ({ target: t.target, value: Number(t.value.toFixed(2)), met: t.met })),
    };
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('wrote bench/results.json');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main();
