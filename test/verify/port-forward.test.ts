/**
 * verify's default way to reach a service: client-node's PortForward through the API server to a
 * ready pod. The pod end needs a kubelet, which cannot run here (the test API server has no
 * nodes), so the API server is a FAKE peer on loopback: it answers the Service and pod reads and
 * speaks the port-forward WebSocket protocol (v4.channel.k8s.io: a channel byte per frame, the
 * port number first on each channel) to a REAL node_exporter. What is proven is verify's part:
 * which pod and port it picks, that bytes cross both ways, and that failures name the cause.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { WebSocketServer } from 'ws';
import { clusterApis, type Cluster } from '../../verify/cluster/connect';
import { VerifyTransportError } from '../../verify/http';
import { tunnelEndpoint } from '../../verify/port-forward';
import { describeWithBinary } from '../support/binaries';
import { eventually, freePort, startDaemon, type LoopbackDaemon } from '../prometheus/loopback-daemon';

interface FakeApiServer { url: string; forwards: string[]; close(): Promise<void> }

const pod = (name: string, ready: boolean) => ({
  metadata: { name, namespace: 'lab', labels: { 'app.kubernetes.io/name': 'prometheus' } },
  spec: { containers: [{ name: 'prometheus', image: 'x', ports: [{ name: 'http', containerPort: 19090 }] }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** The fake API server; `backend` is where the pod's port really leads, `kubeletError` makes the kubelet complain instead. */
interface FakeFaults {
  /** The kubelet's complaint on the error channel instead of a connection. */
  readonly kubeletError?: string;
  /** The pod list answers this status. */
  readonly podListStatus?: number;
  /** The upgrade request is accepted as TCP and never answered. */
  readonly hangUpgrade?: boolean;
}

async function fakeApiServer(backend: () => number, pods: object[], faults: FakeFaults = {}): Promise<FakeApiServer> {
  const { kubeletError } = faults;
  const forwards: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Content-Type', 'application/json');
    if (url.pathname === '/api/v1/namespaces/lab/services/prometheus') {
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'prometheus', namespace: 'lab' }, spec: { selector: { 'app.kubernetes.io/name': 'prometheus' }, ports: [{ port: 9090, targetPort: 'http' }] } }));
    } else if (url.pathname === '/api/v1/namespaces/lab/pods' && faults.podListStatus) {
      res.statusCode = faults.podListStatus;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: request timed out', code: faults.podListStatus }));
    } else if (url.pathname === '/api/v1/namespaces/lab/pods' && url.searchParams.get('labelSelector') === 'app.kubernetes.io/name=prometheus') {
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items: pods }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    }
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  const hung = new Set<import('node:stream').Duplex>();
  server.on('upgrade', (req, socket, head) => {
    forwards.push(req.url ?? '');
    if (faults.hangUpgrade) { hung.add(socket); return; }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const port = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ports'));
      const portBytes = Buffer.from([port & 0xff, port >> 8]);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      if (kubeletError) {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(kubeletError)]));
        return;
      }
      const upstream = net.connect(backend(), '127.0.0.1');
      upstream.on('data', (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      upstream.on('end', () => ws.close());
      ws.on('message', (data: Buffer) => { if (data[0] === 0) upstream.write(data.subarray(1)); });
      ws.on('close', () => upstream.end());
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, forwards, close: () => new Promise((resolve) => { for (const h of hung) h.destroy(); wss.close(); server.closeAllConnections(); server.close(() => resolve()); }) };
}

function clusterAt(server: string): Cluster {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'fake', server, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }], currentContext: 'fake' });
  return clusterApis(kc, 'fake');
}

describeWithBinary('prometheus-node-exporter', 'verify tunnels through the API server to a ready pod', () => {
  let exporter: LoopbackDaemon;
  let exporterPort: number;
  beforeAll(async () => {
    exporter = await startDaemon('prometheus-node-exporter', (port) => [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.cpu']);
    exporterPort = Number(new URL(exporter.url).port);
    await eventually(async () => ((await fetch(`${exporter.url}/metrics`).catch(() => undefined))?.ok ? true : undefined), 20000, 'node_exporter', () => undefined);
  });
  afterAll(() => { exporter?.stop(); });

  test('a request reaches the named container port of the ready pod and the answer comes back whole', async () => {
    const api = await fakeApiServer(() => exporterPort, [pod('prometheus-0', false), pod('prometheus-1', true)]);
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'prometheus', 9090);
    try {
      const res = await endpoint.request('GET', '/metrics');
      expect(res.status).toBe(200);
      // Whole: every metric family node_exporter serves directly (values move, names do not).
      const families = (text: string) => text.split('\n').filter((l) => l.startsWith('# HELP ')).sort();
      const direct = await (await fetch(`${exporter.url}/metrics`)).text();
      expect(families(res.body)).toEqual(families(direct));
      expect(families(res.body).length).toBeGreaterThan(5);
      const second = await endpoint.request('GET', '/metrics');
      expect(second.status).toBe(200);
      // The not-ready prometheus-0 is passed over; the Service's targetPort "http" is the pod's 19090.
      expect(api.forwards).toEqual(['/api/v1/namespaces/lab/pods/prometheus-1/portforward?ports=19090', '/api/v1/namespaces/lab/pods/prometheus-1/portforward?ports=19090']);
    } finally {
      await endpoint.close();
      await api.close();
    }
  });

  test('no ready pod: the request fails naming the Service and how many pods match', async () => {
    const api = await fakeApiServer(() => exporterPort, [pod('prometheus-0', false)]);
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'prometheus', 9090);
    try {
      await expect(endpoint.request('GET', '/-/ready')).rejects.toThrow(new VerifyTransportError('Service lab/prometheus has no ready pod (1 pod(s) match app.kubernetes.io/name=prometheus)'));
      expect(api.forwards).toEqual([]);
    } finally {
      await endpoint.close();
      await api.close();
    }
  });

  test("the kubelet's complaint on the error channel is the message", async () => {
    const complaint = 'error forwarding port 19090 to pod 1234, uid : failed to connect to localhost:19090: connection refused';
    const api = await fakeApiServer(() => exporterPort, [pod('prometheus-0', true)], { kubeletError: complaint });
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'prometheus', 9090);
    try {
      await expect(endpoint.request('GET', '/-/ready', { timeoutMs: 5000 })).rejects.toThrow(`pod lab/prometheus-0:19090 via the API server: ${complaint}`);
    } finally {
      await endpoint.close();
      await api.close();
    }
  });

  test('a Service that does not exist is named', async () => {
    const api = await fakeApiServer(() => exporterPort, []);
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'grafana', 3000);
    try {
      await expect(endpoint.request('GET', '/api/health')).rejects.toThrow('Service lab/grafana could not be read (not found)');
    } finally {
      await endpoint.close();
      await api.close();
    }
  });

  test('a pod list the API server refuses fails the request with the status and message, not a crash', async () => {
    const api = await fakeApiServer(() => exporterPort, [], { podListStatus: 503 });
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'prometheus', 9090);
    try {
      await expect(endpoint.request('GET', '/-/ready')).rejects.toThrow(new VerifyTransportError('the pods of Service lab/prometheus could not be listed (HTTP 503: etcdserver: request timed out)'));
    } finally {
      await endpoint.close();
      await api.close();
    }
  });

  test('an API server that never answers the tunnel: the request times out and close() still returns', async () => {
    const api = await fakeApiServer(() => exporterPort, [pod('prometheus-0', true)], { hangUpgrade: true });
    const endpoint = tunnelEndpoint(clusterAt(api.url), 'lab', 'prometheus', 9090);
    try {
      await expect(endpoint.request('GET', '/-/ready', { timeoutMs: 500 })).rejects.toThrow(/no answer within 0.5 s/);
      expect(api.forwards).toHaveLength(1);
      await endpoint.close(); // would wait for the handshake forever if the accepted socket were kept
    } finally {
      await api.close();
    }
  });
});
