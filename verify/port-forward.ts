/**
 * A ServiceEndpoint through the Kubernetes API server, as `kubectl port-forward svc/NAME` does:
 * pick a ready pod behind the Service, listen on a loopback port, and carry each connection over
 * the API server's pod port-forward (a WebSocket, client-node's PortForward) to the pod's port.
 * The tunnel opens at the first request, so a Service without ready pods becomes a failed check
 * that names it, not an aborted run.
 */
import * as net from 'node:net';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
// Not re-exported by the package index; the package (pinned) has no exports map, so the module is reachable.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';
import type { Cluster } from './cluster/connect';
import { httpRequest, VerifyTransportError, type ServiceEndpoint } from './http';

/** How long the API server may take to accept a tunnel (the WebSocket handshake), milliseconds. */
const HANDSHAKE_TIMEOUT_MS = 10000;

interface Tunnel {
  readonly port: number;
  readonly pod: string;
  readonly targetPort: number;
  readonly server: net.Server;
  /** Accepted local connections, destroyed on close so a pending handshake cannot hold the run. */
  readonly sockets: Set<net.Socket>;
  /** The last complaint of the kubelet on the error channel (e.g. nothing listens on the port). */
  lastError?: string;
}

function ready(pod: k8s.V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The container port a Service port leads to (a number, or a named port of the pod). */
function containerPort(service: k8s.V1Service, servicePort: number, pod: k8s.V1Pod): number | undefined {
  const port = (service.spec?.ports ?? []).find((p) => p.port === servicePort);
  if (!port) return undefined;
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
}

/** An API error as one line: "not found", or the status and the server's message. */
function apiProblem(e: unknown): string {
  const code = (e as { code?: number }).code;
  if (code === 404) return 'not found';
  let body = (e as { body?: unknown }).body;
  if (typeof body === 'string') {
    try { body = JSON.parse(body); } catch { /* plain text: shown as it is */ }
  }
  const message = typeof body === 'string' ? body : (body as { message?: string } | undefined)?.message;
  return `${code ? `HTTP ${code}: ` : ''}${(message ?? (e as Error).message ?? String(e)).split('\n')[0]}`;
}

async function openTunnel(cluster: Cluster, namespace: string, name: string, servicePort: number): Promise<Tunnel> {
  const where = `Service ${namespace}/${name}`;
  let service: k8s.V1Service;
  let pods: k8s.V1Pod[];
  try {
    service = await cluster.core.readNamespacedService({ name, namespace });
  } catch (e) {
    throw new VerifyTransportError(`${where} could not be read (${apiProblem(e)})`);
  }
  const selector = Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  if (!selector) throw new VerifyTransportError(`${where} has no pod selector to tunnel to`);
  try {
    pods = (await cluster.core.listNamespacedPod({ namespace, labelSelector: selector })).items;
  } catch (e) {
    throw new VerifyTransportError(`the pods of ${where} could not be listed (${apiProblem(e)})`);
  }
  const pod = pods.filter(ready).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
  if (!pod?.metadata?.name) throw new VerifyTransportError(`${where} has no ready pod (${pods.length} pod(s) match ${selector})`);
  const targetPort = containerPort(service, servicePort, pod);
  if (targetPort === undefined) throw new VerifyTransportError(`${where} has no port ${servicePort}`);
  const podName = pod.metadata.name;
  // client-node's own handler, with a handshake deadline: an API server that never answers the upgrade must not hang the run.
  const handler = new WebSocketHandler(cluster.kc, (uri, protocols, opts) => new WebSocket(uri, protocols, { ...opts, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }));
  const forward = new k8s.PortForward(cluster.kc, true, handler);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // The error channel carries the kubelet's complaint: keep it for the message, end the connection.
    const errors = new Writable({
      write(chunk: Buffer, _enc, done) {
        // The channel's first frame is only the port number, which PortForward strips: empty.
        if (chunk.length > 0) { tunnel.lastError = chunk.toString('utf8').trim(); socket.destroy(); }
        done();
      },
    });
    forward.portForward(namespace, podName, [targetPort], socket, errors, socket)
      .then((ws) => {
        if (typeof ws === 'function') return;
        if (socket.destroyed) { ws.close(); return; } // the request gave up while the handshake ran
        socket.on('close', () => ws.close());
        ws.on('close', () => socket.end()); // the pod closed its side
      })
      .catch((e: Error) => { tunnel.lastError = `the API server did not open the tunnel: ${e.message}`; socket.destroy(); });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const tunnel: Tunnel = { port: (server.address() as net.AddressInfo).port, pod: podName, targetPort, server, sockets };
  return tunnel;
}

/** `service`'s port `servicePort` in `namespace`, reached through the API server. */
export function tunnelEndpoint(cluster: Cluster, namespace: string, service: string, servicePort: number): ServiceEndpoint {
  let tunnel: Promise<Tunnel> | undefined;
  const describe = `Service ${namespace}/${service}:${servicePort} via the API server`;
  return {
    service,
    describe,
    async request(method, path, options = {}) {
      tunnel ??= openTunnel(cluster, namespace, service, servicePort);
      const t = await tunnel;
      const where = `pod ${namespace}/${t.pod}:${t.targetPort} via the API server`;
      try {
        return await httpRequest(where, { host: '127.0.0.1', port: t.port, path }, method, options);
      } catch (e) {
        throw t.lastError ? new VerifyTransportError(`${where}: ${t.lastError}`) : e;
      }
    },
    async close() {
      if (!tunnel) return;
      const t = await tunnel.catch(() => undefined);
      if (!t) return;
      for (const socket of t.sockets) socket.destroy();
      await new Promise<void>((resolve) => { t.server.close(() => resolve()); });
    },
  };
}
