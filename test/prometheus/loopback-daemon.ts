/** Runs a Prometheus or Alertmanager binary (found by toolPath) on loopback for a test, and talks HTTP to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { toolPath } from '../support/binaries';

export interface LoopbackDaemon {
  readonly url: string;
  readonly output: () => string;
  stop(): void;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `bin args…`; `args` receives the port to listen on (127.0.0.1 only). */
export async function startDaemon(bin: string, args: (port: number) => string[]): Promise<LoopbackDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(toolPath(bin) ?? bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop: () => { child.kill('SIGKILL'); } };
}

export function basicAuth(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
