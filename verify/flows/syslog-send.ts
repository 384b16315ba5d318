/** Sends one framed syslog message to the gateway over UDP or TCP. */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

/** How long a TCP connection may take to open and take the line. */
const TCP_TIMEOUT_MS = 10_000;

/**
 * UDP: one datagram; a send error (no route, unresolvable host) rejects, a port nobody listens
 * on does not (UDP has no answer to wait for). TCP: connect, write, half-close; rejects when the
 * connection is refused, reset or not open within TCP_TIMEOUT_MS.
 */
export function sendSyslog(transport: 'udp' | 'tcp', host: string, port: number, frame: Buffer): Promise<void> {
  return transport === 'udp' ? sendUdp(host, port, frame) : sendTcp(host, port, frame);
}

function sendUdp(host: string, port: number, frame: Buffer): Promise<void> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (e) => { socket.close(); reject(e); });
    socket.send(frame, port, host, (e) => {
      socket.close();
      if (e) reject(e); else resolve();
    });
  });
}

function sendTcp(host: string, port: number, frame: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(TCP_TIMEOUT_MS, () => socket.destroy(new Error(`no connection within ${TCP_TIMEOUT_MS / 1000} s`)));
    socket.on('error', reject);
    socket.once('connect', () => socket.end(frame));
    // Written and half-closed: done. The gateway closes its side when it likes; the socket must
    // not keep the process alive meanwhile.
    socket.once('finish', () => {
      socket.setTimeout(0);
      socket.unref();
      resolve();
    });
  });
}
