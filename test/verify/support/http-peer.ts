/** A plain HTTP server on 127.0.0.1 for a test, on a free port. */
import * as http from 'node:http';

export interface HttpPeer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function listenHttp(handler: http.RequestListener): Promise<HttpPeer> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

/** A request's body as text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => resolve(body));
  });
}
