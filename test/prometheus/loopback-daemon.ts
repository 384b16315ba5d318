/** Runs a Prometheus or Alertmanager binary (found by toolPath) on loopback for a test, and talks HTTP to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
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

/**
 * Starts `bin args…`; `args` receives the port to listen on (127.0.0.1 only). `env` adds variables
 * (the test's process.env is Jest's copy, which a child does not inherit).
 */
export async function startDaemon(bin: string, args: (port: number) => string[], env: Record<string, string> = {}): Promise<LoopbackDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(toolPath(bin) ?? bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop: () => { child.kill('SIGKILL'); } };
}

/**
 * Every absolute in-pod path in a text (a config file or a flag: /etc, /var, /run, /prometheus)
 * moved below `root`, each passed to `onPath` (in-pod path, new path). The one change a file
 * needs to run outside its pod.
 */
export function relocatePaths(text: string, root: string, onPath: (podPath: string, moved: string) => void = () => undefined): string {
  return text.replace(/(?<=^|[\s"'=,[])\/(?:etc|var|run|prometheus)\b[\w./*-]*/gm, (p) => {
    const moved = path.join(root, p);
    onPath(p, moved);
    return moved;
  });
}

export function basicAuth(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`, or as
 * soon as `failed` returns a reason (e.g. the daemon being waited for has exited).
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, failed: () => string | undefined = () => undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
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
