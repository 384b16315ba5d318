/**
 * Location of ../shared (upstream schemas and fixtures, read in place, never copied).
 * Override with SHARED_DIR. When CI=true a missing directory is an error; elsewhere the
 * dependent tests are skipped with a visible notice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHARED_DIR = path.resolve(process.env.SHARED_DIR ?? path.join(__dirname, '..', '..', '..', 'shared'));

export function sharedAvailable(sub = 'schemas', dir = SHARED_DIR, ci = process.env.CI): boolean {
  const present = fs.existsSync(path.join(dir, sub));
  if (!present && ci === 'true') {
    throw new Error(`${path.join(dir, sub)} is missing; CI must run with ../shared beside the checkout (or SHARED_DIR set)`);
  }
  return present;
}

/** `describe` when ../shared/<sub> exists, otherwise a skipped block whose title says why. */
export function describeWithShared(sub: string, title: string, body: () => void): void {
  if (sharedAvailable(sub)) {
    describe(title, body);
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${title}": ${path.join(SHARED_DIR, sub)} not found (set SHARED_DIR)`);
    describe.skip(`${title} [SKIPPED: ${sub} not found in ${SHARED_DIR}]`, body);
  }
}
