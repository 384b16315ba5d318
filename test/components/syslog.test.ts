import { type ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LokiServer } from '../../charts/loki/loki-chart';
import { alloySyslogBlocks, alloySyslogConfig, syslogListeners } from '../../charts/syslog/alloy-config';
import { RSYSLOG_SNIPPET_PATH, renderRsyslogSnippet, rsyslogForwardActions, rsyslogSnippet } from '../../charts/syslog/rsyslog-snippet';
import { type AlloyBlock, formatAlloy, ref } from '../../charts/syslog/alloy-syntax';
import { PORTS } from '../../charts/topology';
import { describeWithBinary, run } from '../support/binaries';
import { describeWithShared } from '../support/shared-dir';
import { type ParsedBlock, parseAlloy } from './alloy-parser';
import { findObject, siteWith, strictSchemaErrors, synthChart } from './component-support';

const block = (blocks: ParsedBlock[], name: string) => blocks.find((b) => b.name === name)!;
const attrs = (b: ParsedBlock) => Object.fromEntries(b.attributes);

describe('Alloy syntax serializer', () => {
  test('a round trip through an independent reader gives the model back', () => {
    const site = siteWith();
    const model = alloySyslogBlocks(site);
    const toParsed = (b: AlloyBlock): ParsedBlock => ({
      name: b.name,
      ...(b.label === undefined ? {} : { label: b.label }),
      attributes: (b.attributes ?? []).map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]),
      blocks: (b.blocks ?? []).map(toParsed),
    });
    expect(parseAlloy(formatAlloy(model))).toEqual(model.map(toParsed));
  });

  test('strings are escaped so quotes, backslashes and newlines survive', () => {
    const text = formatAlloy([{ name: 'x', label: 'a"b', attributes: [['s', 'q"\\\n\t']] }]);
    expect(text).toBe('x "a\\"b" {\n\ts = "q\\"\\\\\\n\\t"\n}\n');
    expect(parseAlloy(text)).toEqual([{ name: 'x', label: 'a"b', attributes: [['s', 'q"\\\n\t']], blocks: [] }]);
  });

  test('object keys that are not identifiers are quoted, and keys align as alloy fmt aligns them', () => {
    expect(formatAlloy([{ name: 'x', attributes: [['labels', { 'a.b': 'c', d: 1 }]] }])).toBe('x {\n\tlabels = {\n\t\t"a.b" = "c",\n\t\td     = 1,\n\t}\n}\n');
  });

  test('a multi-line value ends a run of aligned attributes; nested blocks sit one blank line apart; an empty block is `{ }`', () => {
    const text = formatAlloy([{ name: 'x', attributes: [['a', 1], ['long_name', { k: 'v' }], ['b', 2], ['cc', 3]], blocks: [{ name: 'y' }, { name: 'z' }] }]);
    expect(text).toBe('x {\n\ta         = 1\n\tlong_name = {\n\t\tk = "v",\n\t}\n\tb  = 2\n\tcc = 3\n\n\ty { }\n\n\tz { }\n}\n');
  });

  test('fails when an attribute or block name is not an identifier', () => {
    expect(() => formatAlloy([{ name: 'x', attributes: [['bad-name', 1]] }])).toThrow(/Alloy attribute "bad-name" is not an identifier/);
    expect(() => formatAlloy([{ name: 'loki.1source' }])).toThrow(/block name part "1source"/);
  });

  test('true, false and null are quoted as object keys and refused as names (Alloy reads them as literals)', () => {
    expect(formatAlloy([{ name: 'x', attributes: [['labels', { true: 1, null: 2 }]] }])).toBe('x {\n\tlabels = {\n\t\t"true" = 1,\n\t\t"null" = 2,\n\t}\n}\n');
    expect(() => formatAlloy([{ name: 'x', attributes: [['false', 1]] }])).toThrow(/Alloy attribute "false" is not an identifier/);
  });

  test('keys align by characters, not UTF-16 units; a lone surrogate is refused', () => {
    expect(formatAlloy([{ name: 'x', attributes: [['labels', { 'a😀': 1, bcd: 2 }]] }])).toBe('x {\n\tlabels = {\n\t\t"a😀" = 1,\n\t\tbcd  = 2,\n\t}\n}\n');
    expect(() => formatAlloy([{ name: 'x', attributes: [['s', 'bad\ud800']] }])).toThrow(/lone UTF-16 surrogate/);
  });

  test('fails when a reference is not a dotted identifier', () => {
    expect(() => ref('loki write')).toThrow(/Alloy reference "loki write" is not a dotted identifier/);
  });

  test('the reader rejects an attribute without its newline terminator', () => {
    expect(() => parseAlloy('x {\n  a = 1 b = 2\n}\n')).toThrow(/not terminated by a newline/);
  });
});

describe('Syslog gateway configuration', () => {
  const site = siteWith();
  const parsed = parseAlloy(alloySyslogConfig(site));

  test('UDP is read as RFC 3164 and TCP as RFC 5424, both on the in-container port 1514', () => {
    const listeners = block(parsed, 'loki.source.syslog').blocks.map(attrs);
    expect(listeners.map((l) => [l.address, l.protocol, l.syslog_format])).toEqual([
      ['0.0.0.0:1514', 'udp', 'rfc3164'],
      ['0.0.0.0:1514', 'tcp', 'rfc5424'],
    ]);
    expect(PORTS.syslogContainer).toBe(1514);
  });

  test('RFC 3164 lines keep their arrival time (no year or zone in the header), RFC 5424 lines their own timestamp', () => {
    const listeners = block(parsed, 'loki.source.syslog').blocks.map(attrs);
    expect(listeners.map((l) => l.use_incoming_timestamp)).toEqual([false, true]);
  });

  test('every line is labelled job and source "syslog" with its transport', () => {
    const listeners = block(parsed, 'loki.source.syslog').blocks.map(attrs);
    expect(listeners.map((l) => l.labels)).toEqual([{ job: 'syslog', source: 'syslog', transport: 'udp' }, { job: 'syslog', source: 'syslog', transport: 'tcp' }]);
  });

  test('header fields become host, app, level and facility labels, the sender address source_ip; proc_id and msg_id do not', () => {
    const relabel = block(parsed, 'loki.relabel');
    expect(attrs(relabel).forward_to).toEqual([]);
    expect(relabel.blocks.map((r) => [attrs(r).source_labels, attrs(r).target_label])).toEqual([
      [['__syslog_message_hostname'], 'host'],
      [['__syslog_connection_ip_address'], 'source_ip'],
      [['__syslog_message_app_name'], 'app'],
      [['__syslog_message_severity'], 'level'],
      [['__syslog_message_facility'], 'facility'],
    ]);
    expect(alloySyslogConfig(site)).not.toMatch(/proc_id|msg_id/);
  });

  test('entries go through the relabel rules to Loki\'s push API over loopback (the gateway runs beside Loki)', () => {
    const source = attrs(block(parsed, 'loki.source.syslog'));
    expect(source.relabel_rules).toEqual({ ref: 'loki.relabel.syslog.rules' });
    expect(source.forward_to).toEqual([{ ref: 'loki.write.loki.receiver' }]);
    const write = block(parsed, 'loki.write');
    expect(write.label).toBe('loki');
    expect(attrs(write.blocks[0]).url).toBe('http://127.0.0.1:3100/loki/api/v1/push');
  });

  test('with syslog.tcp false only the UDP listener is configured', () => {
    const udpOnly = siteWith({ syslog: { tcp: false } });
    const listeners = block(parseAlloy(alloySyslogConfig(udpOnly)), 'loki.source.syslog').blocks;
    expect(listeners.map((l) => attrs(l).protocol)).toEqual(['udp']);
  });
});

describe('Syslog gateway in Loki\'s pod', () => {
  const { site, objects } = synthChart(LokiServer);
  const sts = findObject(objects, 'StatefulSet', 'loki');
  const pod = sts.spec.template.spec;
  const container = pod.containers.find((c: any) => c.name === 'syslog-gateway');
  const lb = findObject(objects, 'Service', 'syslog');
  const np = findObject(objects, 'NetworkPolicy', 'loki');

  test('its ConfigMap and Service come with the Loki chart, in the site namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['ConfigMap/syslog-gateway-config', 'Service/syslog']));
    expect(objects.filter((o) => /syslog/.test(o.metadata.name)).map((o) => o.metadata.namespace)).toEqual(['monitoring', 'monitoring']);
    expect(objects.filter((o) => o.kind === 'Deployment')).toEqual([]);
  });

  test('the mounted config is the generated config.alloy, and a change to it rolls the pod', () => {
    const cm = findObject(objects, 'ConfigMap', 'syslog-gateway-config');
    // On Kubernetes the gateway also receives the Talos nodes' logs (test/integrations/logs.test.ts).
    expect(cm.data['config.alloy']).toBe(alloySyslogConfig(site, { talosLogs: true }));
    expect(container.args.slice(0, 2)).toEqual(['run', '/etc/alloy/config.alloy']);
    expect(container.volumeMounts).toContainEqual({ name: 'syslog-gateway-config', mountPath: '/etc/alloy', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'syslog-gateway-config', configMap: { name: 'syslog-gateway-config' } });
    const udpOnly = findObject(synthChart(LokiServer, siteWith({ syslog: { tcp: false } })).objects, 'StatefulSet', 'loki');
    expect(udpOnly.spec.template.metadata.annotations['checksum/config']).not.toBe(sts.spec.template.metadata.annotations['checksum/config']);
  });

  test('the Service maps the report\'s port 514 (UDP and TCP) to the container\'s 1514 on the Loki address', () => {
    expect(lb.spec.type).toBe('LoadBalancer');
    expect(lb.metadata.annotations['metallb.io/loadBalancerIPs']).toBe(site.loki.address);
    expect(lb.spec.ports).toEqual([
      { name: 'syslog-udp', port: 514, targetPort: 'syslog-udp', protocol: 'UDP' },
      { name: 'syslog-tcp', port: 514, targetPort: 'syslog-tcp', protocol: 'TCP' },
    ]);
    for (const port of lb.spec.ports) {
      expect(container.ports).toContainEqual({ name: port.targetPort, containerPort: 1514, protocol: port.protocol });
    }
    expect(lb.spec.loadBalancerSourceRanges).toBeUndefined();
  });

  test('syslog is accepted while Loki is still starting: the Service publishes the pod before it is ready', () => {
    expect(lb.spec.publishNotReadyAddresses).toBe(true);
    expect(findObject(objects, 'Service', 'loki-lb').spec.publishNotReadyAddresses).toBeUndefined();
  });

  test('it shares the address with Loki as MetalLB allows for Local policy: same key, same pods, no clashing port', () => {
    const lokiLb = findObject(objects, 'Service', 'loki-lb');
    expect(lb.metadata.annotations['metallb.io/allow-shared-ip']).toBe(lokiLb.metadata.annotations['metallb.io/allow-shared-ip']);
    expect(lb.metadata.annotations['metallb.io/loadBalancerIPs']).toBe(lokiLb.metadata.annotations['metallb.io/loadBalancerIPs']);
    // Local keeps the senders' addresses; MetalLB accepts two Local Services on one address
    // only when their selectors are identical.
    expect([lb.spec.externalTrafficPolicy, lokiLb.spec.externalTrafficPolicy]).toEqual(['Local', 'Local']);
    expect(lb.spec.selector).toEqual(lokiLb.spec.selector);
    expect(lb.spec.selector).toEqual(sts.spec.selector.matchLabels);
    const key = (p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`;
    const lokiPorts = new Set(lokiLb.spec.ports.map(key));
    expect(lb.spec.ports.map(key).filter((k: string) => lokiPorts.has(k))).toEqual([]);
  });

  test('fails when syslog over TCP would take Loki\'s port on the shared address (the site rejects it)', () => {
    expect(() => siteWith({ syslog: { port: 3100 } })).toThrow(/syslog\.port: 3100 clashes with Loki HTTP on the shared log address/);
    expect(() => siteWith({ syslog: { port: 3100, tcp: false } })).not.toThrow();
  });

  test('with syslog.tcp false the Service, container and policy carry only UDP', () => {
    const udpOnly = synthChart(LokiServer, siteWith({ syslog: { tcp: false } })).objects;
    expect(findObject(udpOnly, 'Service', 'syslog').spec.ports.map((p: any) => p.protocol)).toEqual(['UDP']);
    expect(findObject(udpOnly, 'NetworkPolicy', 'loki').spec.ingress[1].ports).toEqual([{ port: 1514, protocol: 'UDP' }]);
  });

  test('the pod\'s NetworkPolicy takes syslog from anywhere (report: all VLANs send logs) and gateway metrics only from Prometheus', () => {
    const byPort = (port: number) => np.spec.ingress.find((r: { ports: { port: number }[] }) => r.ports.some((p) => p.port === port));
    const [syslog, metrics] = [byPort(1514), byPort(PORTS.alloy)];
    expect(syslog.from).toBeUndefined();
    expect(syslog.ports).toEqual([{ port: 1514, protocol: 'UDP' }, { port: 1514, protocol: 'TCP' }]);
    expect(metrics.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/part-of': 'monitoring-stack' } } }]);
    expect(metrics.ports).toEqual([{ port: PORTS.alloy, protocol: 'TCP' }]);
  });

  test('the gateway is scraped through the kubernetes-pods job on the Alloy HTTP port', () => {
    expect(sts.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '12345' });
    expect(container.ports).toContainEqual({ name: 'alloy-metrics', containerPort: 12345, protocol: 'TCP' });
  });

  test('it runs the pinned Alloy image restricted, as its own uid 473, with memory limit = request and no CPU limit', () => {
    expect(container.image).toMatch(/^docker\.io\/grafana\/alloy:v1\.\d+\.\d+$/);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 473, runAsGroup: 473, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } });
  });

  test('a failing gateway is restarted but never takes Loki out of its Services (liveness, no readiness probe)', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/-/ready', port: 'alloy-metrics' });
    expect(container.readinessProbe).toBeUndefined();
  });

  describeWithShared('schemas/kubernetes', 'against the Kubernetes schemas', () => {
    test('every object validates strictly', () => {
      expect(strictSchemaErrors(site, objects)).toEqual([]);
    });
  });
});

describe('rsyslog snippet for the senders', () => {
  /** The uncommented action lines, their parameters as a record. */
  const activeActions = (text: string) => text.split('\n').filter((l) => l.startsWith('*.* action(')).map(actionParams);
  const commentedActions = (text: string) => text.split('\n').filter((l) => l.startsWith('# *.* action(')).map((l) => actionParams(l.slice(2)));
  function actionParams(line: string): Record<string, string> {
    return Object.fromEntries([...line.matchAll(/([A-Za-z_.]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
  }

  test('it is written to dist/syslog/rsyslog-forward.conf, outside every GitOps layer', () => {
    const file = renderRsyslogSnippet(siteWith());
    expect(file.path).toBe(RSYSLOG_SNIPPET_PATH);
    expect(file.path).toBe('syslog/rsyslog-forward.conf');
    expect(file.content).toBe(rsyslogSnippet(siteWith()));
  });

  test('the default site forwards over TCP as octet-counted RFC 5424 to 10.70.0.12:514, with UDP RFC 3164 as the commented alternative', () => {
    const text = rsyslogSnippet(siteWith());
    expect(activeActions(text)).toEqual([{
      type: 'omfwd', target: '10.70.0.12', port: '514', protocol: 'tcp', template: 'RSYSLOG_SyslogRFC5424Format',
      TCP_Framing: 'octet-counted', 'queue.type': 'LinkedList', 'queue.size': '10000', 'action.resumeRetryCount': '-1',
    }]);
    expect(commentedActions(text)).toEqual([{ type: 'omfwd', target: '10.70.0.12', port: '514', protocol: 'udp', template: 'RSYSLOG_TraditionalForwardFormat' }]);
  });

  test('the snippet follows the site: its Loki address and syslog port', () => {
    const text = rsyslogSnippet(siteWith({ loki: { address: '10.70.0.42' }, syslog: { port: 6514 } }));
    for (const action of [...activeActions(text), ...commentedActions(text)]) {
      expect([action.target, action.port]).toEqual(['10.70.0.42', '6514']);
    }
    expect(text).toContain('# The gateway on 10.70.0.42:6514 reads UDP as RFC 3164 and TCP as RFC 5424.');
  });

  test('it names its senders: the Proxmox host and every guest with an address, so a guest added is listed', () => {
    expect(rsyslogSnippet(siteWith())).toContain('# Senders: pve01 (10.88.140.151), wazuh (10.88.140.101), checkmk (10.88.140.103), uptime-kuma (10.88.140.106), '
      + 'nginx-proxy-manager (10.88.140.107), cloudflare-tunnel (10.88.140.108).');
    const guests = [{ vmid: 150, name: 'gitea', address: '10.88.140.150' }, { vmid: 151, name: 'no-address' }];
    const text = rsyslogSnippet(siteWith({ proxmox: { node: 'hv9', apiUrl: 'https://10.88.140.9:8006', hostAddress: '10.88.140.9', guests } }));
    expect(text).toContain('# Senders: hv9 (10.88.140.9), gitea (10.88.140.150).');
  });

  test('with syslog.tcp false the only action is UDP RFC 3164, active: the gateway has no TCP listener', () => {
    const text = rsyslogSnippet(siteWith({ syslog: { tcp: false } }));
    expect(activeActions(text)).toEqual([{ type: 'omfwd', target: '10.70.0.12', port: '514', protocol: 'udp', template: 'RSYSLOG_TraditionalForwardFormat' }]);
    expect(commentedActions(text)).toEqual([]);
    expect(text).not.toMatch(/protocol="tcp"|TCP_Framing/);
  });

  test('every action sends the format the gateway\'s listener on its transport parses', () => {
    const template = { rfc3164: 'RSYSLOG_TraditionalForwardFormat', rfc5424: 'RSYSLOG_SyslogRFC5424Format' };
    for (const tcp of [true, false]) {
      const site = siteWith({ syslog: { tcp } });
      const actions = rsyslogForwardActions(site);
      expect(actions.map((a) => a.transport).sort()).toEqual(syslogListeners(site).map((l) => l.transport).sort());
      for (const listener of syslogListeners(site)) {
        const action = Object.fromEntries(actions.find((a) => a.transport === listener.transport)!.params);
        expect(action.template).toBe(template[listener.format]);
        expect(action.protocol).toBe(listener.transport);
      }
    }
  });

  describeWithBinary('rsyslogd', 'against rsyslogd', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsyslog-snippet-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    /** The snippet with its alternative action enabled instead of the active one. */
    const alternative = (text: string) => text.split('\n').map((l) => (l.startsWith('*.* action(') ? `# ${l}` : l.startsWith('# *.* action(') ? l.slice(2) : l)).join('\n');

    test('rsyslogd -N1 accepts the snippet, its alternative and the UDP-only variant', () => {
      for (const [name, text] of [
        ['tcp.conf', rsyslogSnippet(siteWith())],
        ['udp-alternative.conf', alternative(rsyslogSnippet(siteWith()))],
        ['udp-only.conf', rsyslogSnippet(siteWith({ syslog: { tcp: false } }))],
      ]) {
        const result = run('rsyslogd', ['-N1', '-f', write(name, text)]);
        expect({ name, ...result }).toMatchObject({ name, status: 0 });
      }
    });

    test('fails when an omfwd parameter value is wrong (rsyslogd -N1 bites)', () => {
      const result = run('rsyslogd', ['-N1', '-f', write('bad.conf', rsyslogSnippet(siteWith()).replace('TCP_Framing="octet-counted"', 'TCP_Framing="octet-count"'))]);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/invalid framing "octet-count"/);
    });

    /**
     * A real rsyslogd receives a classic line on a local UDP input and forwards it with the snippet's
     * action (target and port pointed at a local catcher): returns what arrived first.
     */
    async function forwardedBy(snippet: string, transport: 'tcp' | 'udp'): Promise<Buffer> {
      const inputPort = await freeUdpPort();
      let rsyslogd: ChildProcess | undefined;
      let sender: NodeJS.Timeout | undefined;
      const catcher = transport === 'tcp' ? net.createServer() : dgram.createSocket('udp4');
      try {
        const received = new Promise<Buffer>((resolve) => {
          if (catcher instanceof net.Server) catcher.on('connection', (c) => c.on('data', resolve));
          else catcher.on('message', resolve);
        });
        const outputPort = await new Promise<number>((resolve) => {
          if (catcher instanceof net.Server) catcher.listen(0, '127.0.0.1', () => resolve((catcher.address() as net.AddressInfo).port));
          else catcher.bind(0, '127.0.0.1', () => resolve(catcher.address().port));
        });
        const config = [
          'module(load="imudp")',
          `input(type="imudp" address="127.0.0.1" port="${inputPort}")`,
          snippet.replace(/target="[^"]*"/g, 'target="127.0.0.1"').replace(/port="[^"]*"/g, `port="${outputPort}"`),
        ].join('\n');
        rsyslogd = spawn('rsyslogd', ['-n', '-iNONE', '-f', write(`e2e-${transport}.conf`, config)], { stdio: 'ignore' });
        // Sent until something arrives: rsyslogd needs a moment to open its input.
        const client = dgram.createSocket('udp4');
        sender = setInterval(() => client.send('<13>Dec  1 10:00:00 testhost app: hello world', inputPort, '127.0.0.1'), 200);
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('nothing forwarded within 15s')), 15000).unref());
        try {
          return await Promise.race([received, timeout]);
        } finally {
          client.close();
        }
      } finally {
        if (sender) clearInterval(sender);
        rsyslogd?.kill();
        catcher.close();
      }
    }

    test('rsyslog sends over TCP one octet-counted RFC 5424 frame per message, with no newline carried into the message', async () => {
      const data = (await forwardedBy(rsyslogSnippet(siteWith()), 'tcp')).toString('utf8');
      const frame = /^(\d+) ([\s\S]*)$/.exec(data)!;
      expect(frame).not.toBeNull();
      const message = frame[2].slice(0, Number(frame[1]));
      expect(Buffer.byteLength(message)).toBe(Number(frame[1]));
      expect(message).toMatch(/^<13>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z) testhost app - - - +hello world$/);
    });

    test('rsyslog sends over UDP one RFC 3164 datagram per message (the commented alternative)', async () => {
      const data = (await forwardedBy(alternative(rsyslogSnippet(siteWith())), 'udp')).toString('utf8');
      expect(data).toMatch(/^<13>Dec {2}1 10:00:00 testhost app: ?hello world$/);
    });
  });
});

function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => {
    const { port } = socket.address();
    socket.close(() => resolve(port));
  }));
}
