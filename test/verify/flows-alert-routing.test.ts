/**
 * The route matcher behind checkAlerts' expected receivers (verify/flows/alert-routing.ts), checked
 * against Alertmanager's own routing: amtool (the pinned release) `config routes test` on the
 * site's alertmanager.yml, for several sites and label sets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertmanagerConfig, alertmanagerConfigYaml } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { parseSite, type Site } from '../../site';
import { matches, routeReceivers, siteReceiverList, siteReceivers } from '../../verify/flows/alert-routing';
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

describe('the verify test alert pages nobody on the sites\' route trees', () => {
  test.each(Object.entries(SITES))('%s: it reaches only receivers without an integration', (_name, site) => {
    const reached = siteReceivers(site, testAlertLabels(testContext(site)));
    const notifying = siteReceiverList(site).filter((r) => r.notifies).map((r) => r.name);
    expect(reached.filter((r) => notifying.includes(r))).toEqual([]);
    expect(reached).toEqual(['default']);
  });

  test('while a warning reaches every receiver of the second site, each once', () => {
    const site = parseSite(SECOND_SITE).site;
    expect(siteReceivers(site, { alertname: 'X', severity: 'warning' })).toEqual(['chat', 'ticket', 'oncall']);
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
  ])('%s is %s', (matcher, expected) => {
    expect(matches(matcher, labels)).toBe(expected);
  });

  test('fails when a matcher has a form it does not know, saying where to extend it', () => {
    expect(() => matches('{alertname="x"}', labels)).toThrow(/is not of the form name="value".*verify\/flows\/alert-routing\.ts/);
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
