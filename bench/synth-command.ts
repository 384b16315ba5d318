/** `npm run synth` as the bench and test/perf run it: the script's own command, without npm. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** argv of package.json's synth script (node, its flags, build/run.cjs synth), runnable from any directory. */
export function synthCommand(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth;
  const [node, ...args] = script.trim().split(/\s+/);
  if (node !== 'node' || !args.includes('build/run.cjs')) throw new Error(`package.json's synth script is not "node [flags] build/run.cjs synth": ${script}`);
  return [process.execPath, ...args.map((a) => (a === 'build/run.cjs' ? path.join(ROOT, a) : a))];
}
