/** Waiting for the stack to catch up, bounded by the run's deadline. */
import { DEFAULT_POLL_MS, type FlowContext } from './context';

/**
 * Calls `attempt` until it returns a value, or until ctx.deadline has passed (then undefined).
 * It runs at least once, even past the deadline, so a stack that is already there always passes.
 * Between attempts it reports `waiting(seconds waited)` through ctx.progress.
 */
export async function pollUntil<T>(ctx: FlowContext, waiting: (seconds: number) => string, attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  const started = Date.now();
  const pollMs = ctx.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    const left = ctx.deadline - Date.now();
    if (left <= 0) return undefined;
    ctx.progress(waiting(Math.round((Date.now() - started) / 1000)));
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}

/** Whole seconds from `since` (epoch ms) to now, for messages. */
export function secondsSince(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}
