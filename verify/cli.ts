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
    if (e instanceof VerifyError) {
      err(`error: ${e.message}\nnext: ${e.next}\n`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof SiteError) {
      err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
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
