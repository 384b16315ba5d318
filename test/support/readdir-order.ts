/**
 * Runs `work` while fs.readdirSync lists names in reverse name order, so a test shows that the code
 * sorts what it reads rather than relying on the order the filesystem happens to give.
 */
// The module object itself (its properties are writable), not an import's read-only wrapper.
const nodeFs = require('node:fs') as typeof import('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports

export async function withReaddirReversed<T>(work: () => Promise<T>): Promise<T> {
  const readdir = nodeFs.readdirSync;
  const spy = jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((dir: string, options?: unknown) => (readdir(dir, options as undefined) as string[]).slice().sort().reverse()) as typeof nodeFs.readdirSync);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}
