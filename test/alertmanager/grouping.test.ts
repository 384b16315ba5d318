/**
 * Grouping and inhibition name the same object: the labels of SAME_OBJECT_LABELS, which every
 * alert keeps (its expression aggregates by them or keeps them all).
 */
import { alertmanagerConfig, SAME_OBJECT_LABELS } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { parseSite } from '../../site';
import { SECOND_SITE } from '../support/second-site';

const site = parseSite({}).site;
const config = alertmanagerConfig(site, stackTopology(site, 'kubernetes'));

describe('grouping and inhibition', () => {
  test('notifications are grouped per alert and object', () => {
    expect(config.route.group_by).toEqual(['alertname', ...SAME_OBJECT_LABELS]);
  });

  test('critical mutes warning and warning mutes info about the same object; Watchdog is never muted', () => {
    expect(config.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: SAME_OBJECT_LABELS },
      { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"', 'alertname!="Watchdog"'], equal: SAME_OBJECT_LABELS },
    ]);
  });

  test('a receiver route matches the severities the site gives it, in the policy\'s order', () => {
    const second = parseSite(SECOND_SITE).site;
    const routes = alertmanagerConfig(second, stackTopology(second, 'kubernetes')).route.routes!;
    expect(routes.slice(1).map((r) => [r.receiver, r.matchers, r.continue])).toEqual([
      ['chat', ['severity=~"critical"'], true],
      ['ticket', ['severity=~"warning|info"'], true],
      ['oncall', ['severity=~"critical|warning|info"'], true],
    ]);
  });

  test('by default a receiver gets critical and warning', () => {
    const withHook = parseSite({ alertmanager: { receivers: { webhooks: [{ name: 'ops', url: 'https://hooks.example.com/a' }] } } }).site;
    expect(alertmanagerConfig(withHook, stackTopology(withHook, 'lxc')).route.routes![1].matchers).toEqual(['severity=~"critical|warning"']);
  });
});
