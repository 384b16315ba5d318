// Preloaded (node -r) by bench/synth.bench.ts where GNU time is missing: the child writes its own
// getrusage at exit, in GNU time's "%M %U %S" format (peak RSS in KiB, CPU seconds).
'use strict';
process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.BENCH_RUSAGE_FILE, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
});
