/**
 * The route matcher behind checkAlerts' expected receivers and its before-posting safety check
 * (verify/flows/alert-routing.ts), checked against Alertmanager's own routing: amtool (the pinned
 * release) `config routes test` on the site's alertmanager.yml, for several sites and label sets,
 * and on a hand-edited tree of the kind a running Alertmanager may hold (legacy match/match_re,
 * escaped regexes, continue, inherited receivers).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertmanagerConfig, alertmanagerConfigYaml } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { parseSite, type Site } from '../../site';
import { integrations, matches, readRunningConfig, RouteTreeError, routeReceivers, siteReceiverList, siteReceivers } from '../../verify/flows/alert-routing';
import { testAlertLabels } from '../../verify/flows/alerts';
import { describeWithBinary, run } from '../support/binaries';
import { SECOND_SITE } from '../support/second-site';
import { tempDir } from '../support/synth-once';
import { testContext } from './support/flow-context';

const SITES: Record<string, Site> = {
  'the default site': parseSite({}).site,
  'a site with webhook and email receivers': parseSite({
    alertmanager: {
      receivers: {
        webhooks: [{ name: 'ops-webhook', url: 'https://hooks.example.com/alert' }, { name: 'chat', urlSecret: 'chat-webhook' }],
        emails: [{ name: 'ops-mail', to: 'ops@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587' }],
      },
    },
  }).site,
  'the second site (heartbeat, three receivers)': parseSite(SECOND_SITE).site,
};

const LABEL_SETS = (site: Site): Record<string, Record<string, string>> => ({
  'the verify test alert': { ...testAlertLabels(testContext(site)) },
  'the Watchdog': { alertname: 'Watchdog', severity: 'info', site: site.name },
  'a warning': { alertname: 'HostMemoryPressure', severity: 'warning', instance: '10.0.0.1:9100' },
  'a critical alert': { alertname: 'EndpointDown', severity: 'critical' },
  'an alert without severity': { alertname: 'Custom' },
});

describeWithBinary('amtool', 'expected receivers agree with Alertmanager\'s routing (amtool config routes test)', () => {
  const dir = tempDir('verify-routes-');
  const cases = Object.entries(SITES).flatMap(([siteName, site]) => Object.entries(LABEL_SETS(site)).map(([labelName, labels]) => [siteName, labelName, site, labels] as const));

  test.each(cases)('%s, %s', (siteName, _labelName, site, labels) => {
    const file = path.join(dir, `${siteName.replace(/\W+/g, '-')}.yml`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, alertmanagerConfigYaml(site, stackTopology(site, 'kubernetes')));
    const amtool = run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    expect(amtool.status).toBe(0);
    expect(siteReceivers(site, labels)).toEqual(amtool.output.trim().split(','));
  });
});

/** A tree as an operator might have edited it, in the forms Alertmanager re-serializes (quoted matcher values, legacy maps). */
const EDITED_TREE = `
route:
  receiver: fallback
  routes:
    - match: { alertname: Watchdog }
      receiver: heartbeat
    - match_re: { severity: "info|none" }
      receiver: chat
      continue: true
    - matchers: ['instance=~"10\\\\.0\\\\..*"', 'team!="web"']
      receiver: ops
      routes:
        - matchers: ['severity="critical"']
          receiver: pager
        - matchers: ['quote="say \\"hi\\""']
    - matchers: ['severity!~"info|none"']
      receiver: mail
receivers:
  - name: fallback
  - name: heartbeat
    webhook_configs: [{ url: "http://127.0.0.1:1/hb" }]
  - name: chat
    slack_configs: [{ api_url: "http://127.0.0.1:1/slack", channel: "#ops" }]
  - name: ops
  - name: pager
    pagerduty_configs: [{ routing_key: "x" }]
  - name: mail
    email_configs: [{ to: "ops@example.com", from: "am@example.com", smarthost: "127.0.0.1:25" }]
`;

const EDITED_LABELS: Record<string, Record<string, string>> = {
  'the Watchdog': { alertname: 'Watchdog', severity: 'none' },
  'an info alert (continues past chat)': { alertname: 'X', severity: 'info', instance: '10.0.0.7:9100' },
  'an info alert elsewhere (chat only)': { alertname: 'X', severity: 'info', instance: '192.168.1.1:9100' },
  'a critical alert on 10.0.x': { alertname: 'X', severity: 'critical', instance: '10.0.3.1:9100' },
  'a critical alert on 10.01 (the dot is escaped)': { alertname: 'X', severity: 'critical', instance: '10.01.3.1:9100' },
  'a quoted value, inheriting ops': { alertname: 'X', severity: 'info', instance: '10.0.0.1', quote: 'say "hi"' },
  'the web team': { alertname: 'X', severity: 'warning', instance: '10.0.0.1', team: 'web' },
  'no labels to speak of': { alertname: 'X' },
};

describeWithBinary('amtool', 'a hand-edited running tree is walked as Alertmanager walks it (amtool config routes test)', () => {
  const file = path.join(tempDir('verify-edited-routes-'), 'alertmanager.yml');
  beforeAll(() => fs.writeFileSync(file, EDITED_TREE));

  test.each(Object.entries(EDITED_LABELS))('%s', (_name, labels) => {
    // Values quoted: amtool reads each label as a matcher, and `say "hi"` unquoted is not one.
    const amtool = run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`)]);
    expect(amtool).toMatchObject({ status: 0 });
    expect(routeReceivers(readRunningConfig(EDITED_TREE).route, labels)).toEqual(amtool.output.trim().split(','));
  });
});

describe('reading the running configuration', () => {
  test('every non-empty *_configs list of a receiver is an integration; a receiver without one sends nothing', () => {
    const { receivers } = readRunningConfig(EDITED_TREE);
    expect(Object.fromEntries(receivers.map((r) => [r.name, integrations(r)]))).toEqual({
      fallback: [], heartbeat: ['webhook_configs'], chat: ['slack_configs'], ops: [], pager: ['pagerduty_configs'], mail: ['email_configs'],
    });
    expect(integrations({ name: 'x', webhook_configs: [], opsgenie_configs: [{}] })).toEqual(['opsgenie_configs']);
  });

  test.each([
    ['text that is not YAML', 'route: [', /^the configuration is not YAML/],
    ['a plain string', 'no configuration here', /^the configuration is not a YAML mapping/],
    ['Alertmanager\'s "cannot serialize" text (YAML reads a one-key mapping)', '<error creating config string: x>', /^route is not a mapping/],
    ['no route', 'receivers: []', /^route is not a mapping/],
    ['matchers that are not strings', 'route: { receiver: a, routes: [{ matchers: [1] }] }', /^route\.routes\[0\]\.matchers is not a list of strings/],
    ['receivers without names', 'route: { receiver: a }\nreceivers: [{ webhook_configs: [] }]', /^its receivers are not a list of named receivers/],
  ])('fails with a RouteTreeError on %s', (_name, text, message) => {
    expect(() => readRunningConfig(text)).toThrow(RouteTreeError);
    expect(() => readRunningConfig(text)).toThrow(message);
  });

  test('a root route without a receiver cannot be walked', () => {
    expect(() => routeReceivers(readRunningConfig('route: { routes: [] }').route, {})).toThrow(new RouteTreeError('the root route names no receiver'));
  });

  test('a regex JavaScript cannot read (Go\'s (?i)) is a RouteTreeError naming the matcher, not a guess', () => {
    expect(() => matches('severity=~"(?i)info"', { severity: 'INFO' })).toThrow(RouteTreeError);
    expect(() => routeReceivers(readRunningConfig('route: { receiver: a, routes: [{ receiver: b, match_re: { severity: "(?i)info" } }] }').route, { severity: 'info' }))
      .toThrow(/^the regex of match_re severity is not one JavaScript reads/);
  });
});

describe('the verify test alert pages nobody on the sites\' route trees', () => {
  test.each(Object.entries(SITES))('%s: it reaches only receivers without an integration', (_name, site) => {
    const reached = siteReceivers(site, testAlertLabels(testContext(site)));
    const notifying = siteReceiverList(site).filter((r) => r.notifies).map((r) => r.name);
    expect(reached.filter((r) => notifying.includes(r))).toEqual([]);
    expect(reached).toEqual(['default']);
  });

  test('while a warning reaches the second site\'s receivers that take warnings, a critical those that take criticals, each once', () => {
    const site = parseSite(SECOND_SITE).site;
    expect(siteReceivers(site, { alertname: 'X', severity: 'warning' })).toEqual(['ticket', 'oncall']);
    expect(siteReceivers(site, { alertname: 'X', severity: 'critical' })).toEqual(['chat', 'oncall']);
  });
});

describe('route matching', () => {
  const labels = { alertname: 'HostDown', severity: 'warning', quote: 'say "hi"' };

  test.each([
    ['alertname="HostDown"', true],
    ['alertname!="HostDown"', false],
    ['severity=~"critical|warning"', true],
    ['severity=~"warn"', false],
    ['severity!~"critical|warning"', false],
    ['missing=""', true],
    ['missing=~".+"', false],
    ['quote="say \\"hi\\""', true],
    ['"quote"="say \\"hi\\""', true],
    // An escaped backslash, and a backslash before another character, which Alertmanager keeps.
    ['alertname=~"Host\\\\w+"', true],
    ['alertname=~"Host\\w+"', true],
    ['alertname=~"Host\\\\.+"', false],
  ])('%s is %s', (matcher, expected) => {
    expect(matches(matcher, labels)).toBe(expected);
  });

  test('fails when a matcher has a form it does not know, saying where to extend it', () => {
    expect(() => matches('{alertname="x"}', labels)).toThrow(/is not of the form name="value".*verify\/flows\/alert-routing\.ts/);
    expect(() => matches('severity=warning', labels)).toThrow(RouteTreeError);
  });

  test('a matching child without continue ends the walk; with continue the next children are tried; no match falls back to the parent', () => {
    const site = parseSite({}).site;
    const base = alertmanagerConfig(site, stackTopology(site, 'kubernetes')).route;
    const route = {
      ...base,
      routes: [
        { receiver: 'first', matchers: ['team="db"'], continue: true },
        { receiver: 'second', matchers: ['team="db"'] },
        { receiver: 'never', matchers: ['team="db"'] },
        { receiver: 'nested', matchers: ['team="web"'], routes: [{ receiver: 'nested-child', matchers: ['severity="critical"'] }] },
      ],
    };
    expect(routeReceivers(route, { team: 'db' })).toEqual(['first', 'second']);
    expect(routeReceivers(route, { team: 'web', severity: 'critical' })).toEqual(['nested-child']);
    expect(routeReceivers(route, { team: 'web' })).toEqual(['nested']);
    expect(routeReceivers(route, { team: 'other' })).toEqual([base.receiver]);
  });
});
