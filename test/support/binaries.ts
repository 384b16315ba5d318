/** Debian validators (promtool, amtool, blackbox exporter): run when installed, else a visible skip. */
import { spawnSync } from 'node:child_process';

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

export interface RunResult { status: number | null; output: string }

export function run(bin: string, args: string[], cwd?: string): RunResult {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `describe` when the binary is on PATH; otherwise skipped with the reason in its title. */
export function describeWithBinary(bin: string, title: string, body: () => void): void {
  if (hasBinary(bin)) {
    describe(title, body);
  } else {
    console.warn(`SKIPPED "${title}": ${bin} not installed (.ci/run installs it from Debian)`);
    describe.skip(`${title} [SKIPPED: ${bin} not installed]`, body);
  }
}
