/**
 * `npm run verify -- [options]` (see verify/args.ts): the report's Phase 4 against a live cluster.
 * Exit 0: every check passed. 1: checks ran and some failed. 2: the run could not go on (bad
 * arguments or site, no kubeconfig, cluster unreachable, no RBAC): a message and the next step.
 */
import { SiteError } from '../site';
import { UsageError } from '../render/cli-args';
import { parseVerifyArgs } from './args';
import { verdict } from './check';
import { VerifyError } from './errors';
import { formatJson, formatTable } from './report';
import { runVerify } from './run';

export async function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  try {
    const args = parseVerifyArgs(argv);
    const started = Date.now();
    const progress = (message: string) => err(`[${Math.round((Date.now() - started) / 1000)}s] ${message}\n`);
    const { header, results } = await runVerify(args, { progress });
    out(args.json ? formatJson(header, results) : formatTable(header, results));
    return verdict(results) === 'passed' ? 0 : 1;
  } catch (e) {
    if (!(e instanceof VerifyError || e instanceof UsageError || e instanceof SiteError)) throw e;
    const next = e instanceof VerifyError ? e.next : undefined;
    err(`error: ${e.message}\n${next ? `next: ${next}\n` : ''}`);
    // Automation reading stdout gets a document even when no check could run.
    if (argv.includes('--json')) out(`${JSON.stringify({ verdict: 'error', message: e.message, next }, null, 2)}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t))
    .then((code) => { process.exitCode = code; })
    .catch((e: Error) => {
      // A defect of verify itself: say so plainly; the stack only on request.
      process.stderr.write(`error: verify failed unexpectedly: ${e.message}\n${process.env.VERIFY_DEBUG ? `${e.stack}\n` : 'set VERIFY_DEBUG=1 for the stack trace and report it\n'}`);
      process.exitCode = 2;
    });
}
