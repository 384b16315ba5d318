/** A FlowContext for tests: a short deadline, fast polling, a fresh run id, progress lines kept. */
import { randomBytes } from 'node:crypto';
import type { FlowContext } from '../../../verify/flows/context';
import type { Site } from '../../../site';

export interface TestContextOptions {
  /** How long the flow may wait, from now. @default 30000 */
  readonly waitMs?: number;
  /** @default 200 */
  readonly pollMs?: number;
}

export type TestContext = FlowContext & { readonly messages: string[] };

export function testContext(site: Site, options: TestContextOptions = {}): TestContext {
  const messages: string[] = [];
  return {
    site,
    deadline: Date.now() + (options.waitMs ?? 30000),
    progress: (m) => { messages.push(m); },
    runId: `verify-test-${randomBytes(4).toString('hex')}`,
    pollMs: options.pollMs ?? 200,
    messages,
  };
}
