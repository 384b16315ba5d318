/** directEndpoint: what `--direct` and `--endpoint NAME=URL` use; plain HTTP and HTTPS, a path prefix kept. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { directEndpoint, VerifyTransportError } from '../../verify/http';
import { requireTool, toolPath } from '../support/binaries';
import { tempDir } from '../support/synth-once';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('directEndpoint', () => {
  test('plain HTTP: the URL\'s path prefix, the basic auth and the body reach the server', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { seen.push(`${req.method} ${req.url} ${req.headers.authorization} ${body}`); res.end('{"ok":true}'); });
    });
    const port = await listen(server);
    try {
      const endpoint = directEndpoint('grafana', `http://127.0.0.1:${port}/grafana/`);
      const res = await endpoint.request('POST', '/api/x?y=1', { body: '{}', basicAuth: { username: 'admin', password: 'pw' } });
      expect(res.json()).toEqual({ ok: true });
      expect(seen).toEqual([`POST /grafana/api/x?y=1 Basic ${Buffer.from('admin:pw').toString('base64')} {}`]);
    } finally {
      server.close();
    }
  });

  const haveOpenssl = requireTool('openssl', 'directEndpoint over HTTPS');
  (haveOpenssl ? test : test.skip)('HTTPS: the server\'s certificate is checked against the trusted CAs (a self-signed one is refused, by name)', async () => {
    const dir = tempDir('verify-https-');
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const r = spawnSync(toolPath('openssl') ?? 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=grafana.lab', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    expect(r.status).toBe(0);
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => res.end('{}'));
    const port = await listen(server);
    try {
      const endpoint = directEndpoint('grafana', `https://127.0.0.1:${port}`);
      await expect(endpoint.request('GET', '/api/health')).rejects.toThrow(VerifyTransportError);
      await expect(endpoint.request('GET', '/api/health')).rejects.toThrow(/self[- ]signed certificate/);
    } finally {
      server.close();
    }
  });

  test('a URL that is not HTTP is refused by name', () => {
    expect(() => directEndpoint('loki', 'udp://10.70.0.12:514')).toThrow('loki: udp://10.70.0.12:514 is not an http:// or https:// URL');
  });
});
