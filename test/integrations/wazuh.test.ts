/**
 * Wazuh security events: the `<syslog_output>` block a Wazuh manager gets, Loki's ruler and its
 * rules, Alertmanager's network path from Loki, and the LXC path's share. Each follows the site,
 * and the integration switched off (or without a Wazuh guest to apply to) leaves nothing behind.
 */
import * as YAML from 'yaml';
import type { SiteInput } from '../../site';
import { AlertmanagerServer } from '../../charts/alertmanager/alertmanager-server';
import { renderIntegrationFiles } from '../../charts/integrations';
import { WAZUH_README_FILE, WAZUH_SYSLOG_OUTPUT_FILE } from '../../charts/integrations/wazuh';
import { CSYSLOGD_APP_NAME } from '../../charts/integrations/wazuh-csyslogd';
import { lokiRuleFiles, wazuhLokiRuleGroups } from '../../charts/integrations/wazuh-rules';
import { LokiServer } from '../../charts/loki/loki-chart';
import { syslogListeners } from '../../charts/syslog/alloy-config';
import { containerPayloads } from '../../lxc/container-payloads';
import { containerFirewallRules } from '../../lxc/firewall';
import { findObject, siteWith, synthChart, type K8sObject } from '../components/component-support';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WAZUH = (address?: string, vmid = 101, name = 'wazuh') => ({ vmid, name, role: 'wazuh' as const, ...(address ? { address } : {}) });
const withGuests = (guests: ReturnType<typeof WAZUH>[], input: SiteInput = {}): SiteInput => ({ ...input, proxmox: { guests } });

const lokiObjects = (input: SiteInput) => synthChart(LokiServer, siteWith(input)).objects;
const lokiYaml = (objects: K8sObject[]): Doc => YAML.parse(findObject(objects, 'ConfigMap', 'loki-config').data['loki.yaml']);
const lokiContainer = (objects: K8sObject[]): Doc => findObject(objects, 'StatefulSet', 'loki').spec.template.spec.containers[0];
const alertmanagerPeers = (input: SiteInput): string[] => {
  const policy = findObject(synthChart(AlertmanagerServer, siteWith(input)).objects, 'NetworkPolicy', 'alertmanager');
  return policy.spec.ingress.flatMap((r: Doc) => r.from.map((p: Doc) => p.podSelector?.matchLabels['app.kubernetes.io/name'] ?? p.ipBlock.cidr));
};
const fileText = (input: SiteInput, path: string) => {
  const file = renderIntegrationFiles(siteWith(input)).find((f) => f.path === path);
  if (!file) throw new Error(`no ${path}`);
  return file.content;
};
/** The elements of the snippet's <syslog_output>, in order. */
const syslogOutputElements = (xml: string) => [...xml.matchAll(/^ {4}<(\w+)>([^<]*)<\/\1>$/gm)].map((m) => [m[1], m[2]]);

describe('The <syslog_output> block for ossec.conf', () => {
  test('points csyslogd at the log gateway: loki.address, syslog.port, the site\'s minimum level, format json', () => {
    // GIVEN the report's site WHEN its integration files are rendered THEN
    expect(syslogOutputElements(fileText({}, WAZUH_SYSLOG_OUTPUT_FILE))).toEqual([
      ['server', '10.70.0.12'], ['port', '514'], ['level', '10'], ['format', 'json'],
    ]);
  });

  test('follows the site: another log address, syslog port and minimum level', () => {
    const input: SiteInput = { loki: { address: '10.70.0.42' }, syslog: { port: 1514 }, integrations: { wazuh: { minRuleLevel: 7 } } };
    expect(syslogOutputElements(fileText(input, WAZUH_SYSLOG_OUTPUT_FILE))).toEqual([
      ['server', '10.70.0.42'], ['port', '1514'], ['level', '7'], ['format', 'json'],
    ]);
  });

  test('is one well-formed <ossec_config> holding one <syslog_output> with only elements csyslogd reads', () => {
    const xml = fileText({}, WAZUH_SYSLOG_OUTPUT_FILE);
    const body = xml.replace(/<!--.*?-->\n/g, '');
    expect(body).toMatch(/^<ossec_config>\n {2}<syslog_output>\n(?: {4}<(\w+)>[^<&]*<\/\1>\n)+ {2}<\/syslog_output>\n<\/ossec_config>\n$/);
    // csyslogd-config.c Read_CSyslog refuses any other element.
    const known = ['server', 'port', 'format', 'level', 'rule_id', 'group', 'location', 'use_fqdn'];
    for (const [element] of syslogOutputElements(xml)) expect(known).toContain(element);
  });

  test('the gateway parses what it sends: its UDP listener reads RFC 3164 on the port the block names', () => {
    const site = siteWith({ syslog: { port: 1514 } });
    expect(syslogListeners(site)).toContainEqual({ transport: 'udp', format: 'rfc3164' });
    expect(syslogOutputElements(fileText({ syslog: { port: 1514 } }, WAZUH_SYSLOG_OUTPUT_FILE))).toContainEqual(['port', String(site.syslog.port)]);
  });

  test('one file set serves several managers; the README names each of them', () => {
    const input = withGuests([WAZUH('10.88.140.101'), WAZUH('10.88.140.111', 111, 'wazuh-b')]);
    const files = renderIntegrationFiles(siteWith(input)).filter((f) => f.path.startsWith('integrations/wazuh/'));
    expect(files.map((f) => f.path)).toEqual([WAZUH_SYSLOG_OUTPUT_FILE, WAZUH_README_FILE]);
    const readme = fileText(input, WAZUH_README_FILE);
    expect(readme).toContain('`wazuh` (10.88.140.101, VMID 101)');
    expect(readme).toContain('`wazuh-b` (10.88.140.111, VMID 111)');
  });

  test('the README installs it the way Wazuh 4.x starts csyslogd: edit ossec.conf, check, restart (no enable command)', () => {
    const readme = fileText({}, WAZUH_README_FILE);
    expect(readme).toContain('/var/ossec/etc/ossec.conf');
    expect(readme).toContain('/var/ossec/bin/wazuh-csyslogd -t');
    expect(readme).toContain('systemctl restart wazuh-manager');
    expect(readme).not.toMatch(/wazuh-control enable csyslog/);
    expect(readme).toContain(`{job="syslog", app="${CSYSLOGD_APP_NAME}"} | json`);
  });
});

describe('Loki\'s ruler on Kubernetes', () => {
  const objects = lokiObjects({});
  const config = lokiYaml(objects);
  const container = lokiContainer(objects);

  test('sends to Alertmanager\'s in-cluster Service, API v2, as the monitoring user', () => {
    expect(config.ruler).toEqual({
      alertmanager_url: 'http://alertmanager.monitoring.svc:9093',
      enable_alertmanager_v2: true,
      alertmanager_client: { basic_auth_username: 'monitoring', basic_auth_password: '${LOKI_ALERTMANAGER_PASSWORD}' },
    });
    expect(lokiYaml(lokiObjects({ kubernetes: { namespace: 'observability' } })).ruler.alertmanager_url).toBe('http://alertmanager.observability.svc:9093');
  });

  test('the password stays out of the ConfigMap: Loki expands it from the web-auth Secret\'s password key at start', () => {
    expect(container.args).toContain('-config.expand-env=true');
    expect(container.env).toEqual([{ name: 'LOKI_ALERTMANAGER_PASSWORD', valueFrom: { secretKeyRef: { name: 'alertmanager-web-auth', key: 'password' } } }]);
    // envsubst expands every ${...} of loki.yaml: the placeholder must be the only one.
    expect(findObject(objects, 'ConfigMap', 'loki-config').data['loki.yaml'].match(/\$/g)).toHaveLength(1);
  });

  test('the rules ConfigMap is mounted read-only as tenant "fake"\'s directory of the local rule store', () => {
    const rules = findObject(objects, 'ConfigMap', 'loki-rules');
    expect(Object.keys(rules.data)).toEqual(['wazuh.yml']);
    expect(rules.data['wazuh.yml']).toBe(lokiRuleFiles(siteWith({}))[0].content);
    expect(container.volumeMounts).toContainEqual({ name: 'rules', mountPath: `${config.common.storage.filesystem.rules_directory}/fake`, readOnly: true });
    expect(findObject(objects, 'StatefulSet', 'loki').spec.template.spec.volumes).toContainEqual({ name: 'rules', configMap: { name: 'loki-rules' } });
  });

  test('Alertmanager\'s NetworkPolicy admits Loki\'s pods on its port', () => {
    expect(alertmanagerPeers({})).toEqual(['10.88.140.0/24', 'prometheus', 'grafana', 'loki']);
  });
});

describe('The rules follow the site\'s minimum level', () => {
  const severities = (min: number) => wazuhLokiRuleGroups(siteWith({ integrations: { wazuh: { minRuleLevel: min } } }))[0].rules
    .map((r) => [r.labels.severity, /rule_level >= (\d+)/.exec(r.expr)![1], /rule_level < (\d+)/.exec(r.expr)?.[1]]);

  test('below 12 they page levels min-11 as warning and 12 and up as critical', () => {
    expect(severities(10)).toEqual([['warning', '10', '12'], ['critical', '12', undefined]]);
    expect(severities(3)).toEqual([['warning', '3', '12'], ['critical', '12', undefined]]);
  });

  test('at 12 and above only critical from the minimum on', () => {
    expect(severities(12)).toEqual([['critical', '12', undefined]]);
    expect(severities(14)).toEqual([['critical', '14', undefined]]);
  });

  test('each alert is per agent and rule, labelled job wazuh and instance = agent for Alertmanager\'s grouping', () => {
    for (const rule of wazuhLokiRuleGroups(siteWith({}))[0].rules) {
      expect(rule.alert).toBe('WazuhHighSeverityAlert');
      expect(rule.expr).toMatch(/^sum by \(host, agent, rule_id, rule_level, rule_description\) \(count_over_time\(\{job="syslog", app="ossec"\} \| json /);
      expect(rule.labels).toMatchObject({ job: 'wazuh', instance: '{{ $labels.agent }}' });
      expect(rule.annotations.summary).toContain('{{ $labels.rule_description }}');
    }
  });
});

describe('The LXC path', () => {
  const payload = containerPayloads(siteWith({})).loki;
  const file = (path: string) => payload.files.find((f) => f.path === path)?.content;

  test('the Loki container gets the same rules file in its tenant directory and the same ruler, but for Alertmanager\'s address', () => {
    expect(file('/var/lib/loki/rules/fake/wazuh.yml')).toBe(lokiRuleFiles(siteWith({}))[0].content);
    const lxc = YAML.parse(file('/etc/loki/loki.yaml')!);
    expect(lxc.common.storage.filesystem.rules_directory).toBe('/var/lib/loki/rules');
    expect(lxc.ruler).toEqual({ ...lokiYaml(lokiObjects({})).ruler, alertmanager_url: 'http://10.70.0.13:9093' });
  });

  test('the password is an environment file the operator places; the unit loads it and expands it', () => {
    const unit = file('/etc/systemd/system/loki.service')!;
    expect(unit).toContain('EnvironmentFile=/etc/loki/alertmanager.env');
    expect(unit).toContain('-config.expand-env=true');
    expect(payload.secrets.map((s) => [s.path, s.owner])).toEqual([['/etc/loki/alertmanager.env', 'loki']]);
    expect(payload.secrets[0].what).toMatch(/^LOKI_ALERTMANAGER_PASSWORD=.*password key of Secret alertmanager-web-auth/);
  });

  test('the Alertmanager container\'s firewall admits the Loki container on 9093', () => {
    expect(containerFirewallRules(siteWith({}), 'alertmanager')).toContainEqual(expect.objectContaining({ protocol: 'tcp', port: 9093, sources: ['10.70.0.12'] }));
  });
});

describe('Switched off, or without a Wazuh guest to apply to, nothing is left behind', () => {
  const cases: Array<[string, SiteInput]> = [
    ['the integration switched off', { integrations: { wazuh: { enabled: false } } }],
    ['no guest with role wazuh', withGuests([])],
    ['a Wazuh guest without an address', withGuests([WAZUH()])],
  ];

  test.each(cases)('%s: no files in dist/integrations/wazuh', (_, input) => {
    expect(renderIntegrationFiles(siteWith(input)).filter((f) => f.path.startsWith('integrations/wazuh'))).toEqual([]);
    expect(lokiRuleFiles(siteWith(input))).toEqual([]);
  });

  test.each(cases)('%s: no rules ConfigMap, no ruler block, no flag, no password, no mount', (_, input) => {
    const objects = lokiObjects(input);
    expect(objects.filter((o) => o.metadata.name === 'loki-rules')).toEqual([]);
    expect(lokiYaml(objects)).not.toHaveProperty('ruler');
    const container = lokiContainer(objects);
    expect(container.args).toEqual(['-config.file=/etc/loki/loki.yaml', '-target=all']);
    expect(container).not.toHaveProperty('env');
    expect(container.volumeMounts.map((m: Doc) => m.name)).not.toContain('rules');
    expect(JSON.stringify(objects)).not.toMatch(/wazuh|LOKI_ALERTMANAGER/i);
  });

  test.each(cases)('%s: Alertmanager admits no Loki', (_, input) => {
    expect(alertmanagerPeers(input)).not.toContain('loki');
  });

  test.each(cases)('%s: the LXC Loki container has no rules, no environment file, and Alertmanager\'s firewall no Loki rule', (_, input) => {
    const site = siteWith(input);
    const loki = containerPayloads(site).loki;
    expect(loki.files.map((f) => f.path).filter((p) => p.includes('/rules/'))).toEqual([]);
    expect(loki.secrets).toEqual([]);
    expect(JSON.stringify(loki)).not.toMatch(/EnvironmentFile|expand-env|ruler|LOKI_ALERTMANAGER/);
    expect(containerFirewallRules(site, 'alertmanager').flatMap((r) => r.sources ?? [])).not.toContain(site.loki.address);
  });
});
