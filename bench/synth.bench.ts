/**
 * `npm run bench`: how long synth takes, split into its stages, over repeated runs in one
 * process (warm) plus one cold CLI run. Prints medians and p95 in milliseconds.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSite } from '../site';
import { renderDist } from '../render/pipeline';
import { synthesize } from '../render/synthesize';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function measure(name: string, runs: number, fn: () => void): void {
  fn(); // warm-up: module loading and JIT are reported by the cold run below
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
  console.log(`${name.padEnd(34)} median ${pick(0.5).padStart(7)} ms   p95 ${pick(0.95).padStart(7)} ms   (${runs} runs)`);
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bench-'));
try {
  measure('load + validate site', RUNS, () => loadSite());
  // A fresh site object each run: per-site caches (built charts) must not flatter the figure.
  measure('render dist (pure)', RUNS, () => renderDist(loadSite().site));
  measure('full synth (render + atomic write)', RUNS, () => synthesize({ projectRoot: root, outDir: 'dist' }));
  const start = performance.now();
  const cli = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'main.ts', '--out', path.join(root, 'cli-dist')], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(cli.stderr);
  console.log(`${'cold CLI run (npm run synth)'.padEnd(34)} ${(performance.now() - start).toFixed(0).padStart(14)} ms   (1 run, includes Node + ts-node/swc start-up)`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
