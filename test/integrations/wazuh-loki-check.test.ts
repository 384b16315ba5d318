/**
 * The Wazuh rules as Loki itself reads them (loki-check: Loki's LogQL parser and log pipeline at
 * the image's release, and the RFC 3164 parser Alloy's gateway uses, built by
 * test/upstream/build.sh): every rule parses as a metric query, its pipeline keeps the Wazuh
 * alerts at or above the site's level and nothing else, and the datagram csyslogd sends (built
 * from what its source writes) arrives with the labels the rules select on.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SiteInput } from '../../site';
import { IMAGES } from '../../charts/common/images';
import { alloySyslogBlocks, UDP_MAX_MESSAGE_BYTES } from '../../charts/syslog/alloy-config';
import { CSYSLOGD_MAX_DATAGRAM_BYTES } from '../../charts/integrations/wazuh-csyslogd';
import { csyslogdDatagram } from '../support/csyslogd';
import { lokiRuleFiles, wazuhAlertCountExpr, wazuhLokiRuleGroups } from '../../charts/integrations/wazuh-rules';
import { siteWith } from '../components/component-support';
import { describeWithBinary, toolPath } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { pinnedModule } from '../upstream/pins';

interface Verdict { stream: boolean; matches: boolean; error: string; labels: string }
interface Datagram { ok: boolean; error?: string; hostname?: string; appname?: string; severity?: string; facility?: string; message?: string }

function lokiCheck(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(toolPath('loki-check')!, args, { input, encoding: 'utf8', maxBuffer: 1 << 24 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Stream labels the gateway gives a csyslogd datagram from the manager (charts/syslog/alloy-config.ts). */
const gatewayLabels = (d: Datagram, sourceIp = '10.88.140.101') =>
  `{job="syslog", transport="udp", host="${d.hostname}", app="${d.appname}", level="${d.severity}", facility="${d.facility}", source_ip="${sourceIp}"}`;
const WAZUH_STREAM = gatewayLabels({ ok: true, hostname: 'wazuh', appname: 'ossec', severity: 'warning', facility: 'local0' });

/** An alert as alerts.json holds it (Wazuh 4.x), at the given rule level. */
function wazuhAlert(level: number, agent = 'web-01'): Record<string, unknown> {
  return {
    timestamp: '2026-08-05T15:22:43.123+0000',
    rule: { level, description: 'sshd: brute force trying to get access to the system. Non existent user.', id: '5712', mitre: { id: ['T1110'], tactic: ['Credential Access'] }, firedtimes: 3, mail: false, groups: ['syslog', 'sshd', 'authentication_failures'] },
    agent: { id: '003', name: agent, ip: '10.88.140.20' },
    manager: { name: 'wazuh' },
    id: '1754407363.1234567',
    full_log: 'Aug  5 15:22:41 web-01 sshd[1234]: Invalid user admin from 203.0.113.5 port 50022',
    decoder: { parent: 'sshd', name: 'sshd' },
    data: { srcip: '203.0.113.5', srcuser: 'admin' },
    location: '/var/log/auth.log',
  };
}

function verdicts(expr: string, lines: Array<{ labels: string; line: string }>): Verdict[] {
  const r = lokiCheck(['pipeline', expr], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  if (r.status !== 0) throw new Error(`loki-check pipeline failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict);
}

/** Parsed as the gateway's UDP listener reads it: up to its max_message_length (charts/syslog/alloy-config.ts). */
function parseDatagram(datagram: string, maxLength = UDP_MAX_MESSAGE_BYTES): Datagram {
  const r = lokiCheck(['syslog-rfc3164', String(maxLength)], datagram);
  if (r.status !== 0) throw new Error(`loki-check syslog-rfc3164 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Datagram;
}

test('loki-check is built from the Loki release the image runs', () => {
  expect(pinnedModule('loki', 'github.com/grafana/loki/v3')).toBe(`v${IMAGES.loki.tag}`);
});

describeWithBinary('loki-check', 'Loki\'s own parser and pipeline on the Wazuh rules', () => {
  const sites: Array<[string, SiteInput]> = [
    ['the report\'s site', {}],
    ['minimum level 3', { integrations: { wazuh: { minRuleLevel: 3 } } }],
    ['minimum level 12', { integrations: { wazuh: { minRuleLevel: 12 } } }],
    ['minimum level 16', { integrations: { wazuh: { minRuleLevel: 16 } } }],
  ];

  test.each(sites)('%s: the rules file loads as Loki\'s ruler loads it, every expr a metric query', (label, input) => {
    const dir = tempDir('wazuh-rules-');
    const files = lokiRuleFiles(siteWith(input)).map((f) => {
      const file = path.join(dir, `${label.replace(/\W+/g, '-')}-${f.name}`);
      fs.writeFileSync(file, f.content);
      return file;
    });
    expect(files).toHaveLength(1);
    const r = lokiCheck(['rules', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('fails when an alert\'s expr is a log query or does not parse, naming the rule', () => {
    const file = path.join(tempDir('wazuh-rules-'), 'bad.yml');
    fs.writeFileSync(file, [
      'groups:',
      '  - name: bad',
      '    rules:',
      '      - alert: LogQuery',
      '        expr: \'{job="syslog"} |= "x"\'',
      '      - alert: Broken',
      '        expr: \'sum(count_over_time({job="syslog"} | json [5m]\'',
      '',
    ].join('\n'));
    const r = lokiCheck(['rules', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rule "LogQuery": expr is a log query, not a metric query/);
    expect(r.stderr).toMatch(/rule "Broken": expr does not parse/);
  });

  describe('with the report\'s minimum level 10', () => {
    const [warning, critical] = wazuhLokiRuleGroups(siteWith({}))[0].rules;
    const line = (level: number) => ({ labels: WAZUH_STREAM, line: JSON.stringify(wazuhAlert(level)) });

    test('the warning rule keeps levels 10 and 11, labelled per agent and rule, with no error left', () => {
      const result = verdicts(warning.expr, [line(10), line(11)]);
      for (const v of result) {
        expect(v).toMatchObject({ stream: true, matches: true, error: '' });
        expect(v.labels).toContain('agent="web-01"');
        expect(v.labels).toContain('rule_id="5712"');
        expect(v.labels).toContain('host="wazuh"');
      }
    });

    test('the critical rule keeps levels 12 to 16; the warning rule none of them', () => {
      const lines = [12, 13, 14, 15, 16].map(line);
      expect(verdicts(critical.expr, lines).map((v) => v.matches)).toEqual([true, true, true, true, true]);
      expect(verdicts(warning.expr, lines).map((v) => v.matches)).toEqual([false, false, false, false, false]);
    });

    test('neither keeps a lower level, another app, a line that is not JSON, a cut line, or a level that is no number', () => {
      const cut = JSON.stringify(wazuhAlert(14)).slice(0, 120);
      const samples = [
        line(9),
        line(3),
        { labels: WAZUH_STREAM.replace('app="ossec"', 'app="sshd"'), line: JSON.stringify(wazuhAlert(14)) },
        { labels: WAZUH_STREAM.replace('job="syslog"', 'job="talos"'), line: JSON.stringify(wazuhAlert(14)) },
        { labels: WAZUH_STREAM, line: 'Alert Level: 14; Rule: 5712 - sshd: brute force; Location: (web-01) 10.88.140.20->/var/log/auth.log;' },
        { labels: WAZUH_STREAM, line: cut },
        { labels: WAZUH_STREAM, line: JSON.stringify({ ...wazuhAlert(14), rule: { level: 'high', id: '5712' } }) },
      ];
      for (const expr of [warning.expr, critical.expr]) {
        const result = verdicts(expr, samples);
        expect(result.map((v) => v.matches)).toEqual(samples.map(() => false));
      }
    });
  });

  test('the pipeline is exactly the rules\' (no drift between what is tested and what is shipped)', () => {
    expect(wazuhLokiRuleGroups(siteWith({}))[0].rules.map((r) => r.expr)).toEqual([wazuhAlertCountExpr(10, 12), wazuhAlertCountExpr(12)]);
  });

  describe('what csyslogd sends', () => {
    const datagram = csyslogdDatagram({ hostname: 'wazuh', timestamp: new Date(Date.UTC(2026, 7, 5, 15, 22, 43)), alert: wazuhAlert(12) });

    test('is an RFC 3164 message to the gateway: priority local0.warning, space-padded day, host, tag ossec', () => {
      expect(datagram.startsWith('<132>Aug  5 15:22:43 wazuh ossec: {"timestamp":')).toBe(true);
      const parsed = parseDatagram(datagram);
      expect(parsed).toMatchObject({ ok: true, hostname: 'wazuh', appname: 'ossec', severity: 'warning', facility: 'local0' });
      expect(JSON.parse(parsed.message!)).toEqual(wazuhAlert(12));
    });

    test('arrives with the labels the rules select on, and the critical rule keeps it', () => {
      const parsed = parseDatagram(datagram);
      const [, critical] = wazuhLokiRuleGroups(siteWith({}))[0].rules;
      expect(verdicts(critical.expr, [{ labels: gatewayLabels(parsed), line: parsed.message! }])).toEqual([
        expect.objectContaining({ stream: true, matches: true, error: '' }),
      ]);
    });

    test('an alert longer than Alloy\'s default 8192-byte read stays whole: the gateway reads up to 64 KiB per datagram', () => {
      const long = csyslogdDatagram({ hostname: 'wazuh', timestamp: new Date(Date.UTC(2026, 7, 15, 1, 2, 3)), alert: { ...wazuhAlert(15), full_log: 'x'.repeat(9000) } });
      expect(long.length).toBeLessThan(CSYSLOGD_MAX_DATAGRAM_BYTES);
      const udp = alloySyslogBlocks(siteWith({})).find((b) => b.name === 'loki.source.syslog')!.blocks!.find((l) => l.attributes!.some(([k, v]) => k === 'protocol' && v === 'udp'))!;
      expect(Object.fromEntries(udp.attributes!).max_message_length).toBe(UDP_MAX_MESSAGE_BYTES);
      const parsed = parseDatagram(long);
      expect(JSON.parse(parsed.message!).full_log).toHaveLength(9000);
      const [, critical] = wazuhLokiRuleGroups(siteWith({}))[0].rules;
      expect(verdicts(critical.expr, [{ labels: gatewayLabels(parsed), line: parsed.message! }])).toEqual([expect.objectContaining({ matches: true, error: '' })]);
    });

    test('cut at Alloy\'s default read (a gateway without the raised limit) it would still count: rule and agent come first', () => {
      const long = csyslogdDatagram({ hostname: 'wazuh', timestamp: new Date(Date.UTC(2026, 7, 15, 1, 2, 3)), alert: { ...wazuhAlert(15), full_log: 'x'.repeat(9000) } });
      const parsed = parseDatagram(long, 8192);
      expect(parsed.ok).toBe(true);
      expect(parsed.message!.length).toBeLessThan(8192);
      expect(() => JSON.parse(parsed.message!)).toThrow();
      const [, critical] = wazuhLokiRuleGroups(siteWith({}))[0].rules;
      expect(verdicts(critical.expr, [{ labels: gatewayLabels(parsed), line: parsed.message! }])).toEqual([expect.objectContaining({ matches: true, error: '' })]);
    });
  });
});
