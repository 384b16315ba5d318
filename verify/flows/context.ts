/**
 * What every flow check of `npm run verify` receives from the orchestration: the site the
 * expectations come from, how long it may wait for the stack to catch up (a fresh scrape, a log
 * line travelling through the gateway) and the run id its test signals carry.
 */
import type { Site } from '../../site';

/** A service's own basic-auth login (the web-auth Secrets, Grafana's admin Secret). */
export interface BasicAuth {
  readonly username: string;
  readonly password: string;
  /**
   * Where the login was read, for messages: the local Secrets file
   * (`.secrets/kubernetes/monitoring-secrets.yaml`) or the cluster's Secret
   * (`Secret monitoring/grafana-admin`). A rejected login from the file names it and says to
   * compare it with the cluster's Secret, which is what the service runs with.
   * @default - unknown: messages name the cluster's Secret only
   */
  readonly source?: string;
}

export interface FlowContext {
  /** The validated site: every expectation (jobs, rule groups, receivers, labels, datasources) is rendered from it. */
  readonly site: Site;
  /** Epoch ms: polling stops at this time and what is still missing is reported. */
  readonly deadline: number;
  /** One short line while waiting, e.g. `logs: waiting for the udp test line in Loki (12 s)`. */
  readonly progress: (message: string) => void;
  /** Unique per run, lowercase `[a-z0-9-]`, e.g. `verify-20261202t143000z-1a2b3c`; every test signal carries it. */
  readonly runId: string;
  /** Milliseconds between two polls. @default 2000 */
  readonly pollMs?: number;
}

export const DEFAULT_POLL_MS = 2000;
