/**
 * Where verify reaches Loki: simple-scalable Loki answers queries on its read pods only, so the
 * tunnel goes to Service loki-read, and --direct (the log address, which reaches the write pods)
 * is refused with the way out instead of failing later on a 404.
 */
import { stackEndpoints } from '../../verify/endpoints';
import { VerifyTransportError } from '../../verify/http';
import type { Cluster } from '../../verify/cluster/connect';
import { parseSite } from '../../site';

const scalable = parseSite({ kubernetes: { namespace: 'obs' }, loki: { mode: 'simple-scalable', objectStorage: { endpoint: 's3.lan:9000', bucket: 'logs' } } }).site;
const single = parseSite({ kubernetes: { namespace: 'obs' } }).site;
// Never dialled: describing a tunnel endpoint does not touch the cluster.
const cluster = {} as Cluster;

describe('verify\'s Loki endpoint', () => {
  test('through the API server: loki-read for simple-scalable, loki for the single binary', () => {
    expect(stackEndpoints(scalable, { direct: false, endpoints: {}, cluster }).http.loki.describe).toBe('Service obs/loki-read:3100 via the API server');
    expect(stackEndpoints(single, { direct: false, endpoints: {}, cluster }).http.loki.describe).toBe('Service obs/loki:3100 via the API server');
  });

  test('--direct: the log address for the single binary; for simple-scalable a refusal naming loki-read and --endpoint', async () => {
    expect(stackEndpoints(single, { direct: true, endpoints: {} }).http.loki.describe).toBe('http://10.70.0.12:3100');
    const loki = stackEndpoints(scalable, { direct: true, endpoints: {} }).http.loki;
    await expect(loki.request('GET', '/ready')).rejects.toThrow(VerifyTransportError);
    await expect(loki.request('GET', '/ready')).rejects.toThrow(/answers queries only inside the cluster \(Service loki-read\); drop --direct or give --endpoint loki=URL/);
    // The other services keep their addresses.
    expect(stackEndpoints(scalable, { direct: true, endpoints: {} }).http.prometheus.describe).toBe('http://10.70.0.10:9090');
  });

  test('--endpoint loki=URL wins over both', () => {
    expect(stackEndpoints(scalable, { direct: true, endpoints: { loki: 'http://127.0.0.1:13100' } }).http.loki.describe).toBe('http://127.0.0.1:13100');
  });
});
