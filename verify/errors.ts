/**
 * A verify run that cannot go on (no kubeconfig, unknown context, cluster unreachable, no RBAC,
 * bad arguments): the CLI prints the message and the next step, no stack trace, and exits 2
 * (exit 1 means checks ran and some failed).
 */
export class VerifyError extends Error {
  constructor(message: string, readonly next: string) {
    super(message);
    this.name = 'VerifyError';
  }
}
