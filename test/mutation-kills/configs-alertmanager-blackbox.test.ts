/**
 * alertmanager.yml and blackbox.yml built inside each test (mutation testing, issue 18): the
 * component and live tests build them once per file, at load, or in a child process, where the
 * per-test coverage cannot attribute them. The expected files are written out in full.
 */
import { alertmanagerConfig, alertmanagerRetention, SAME_OBJECT_LABELS } from '../../charts/alertmanager/alertmanager-config';
import { blackboxConfig, probeDeadlineSeconds } from '../../charts/exporters/blackbox-config';
import { stackTopology } from '../../charts/topology';
import { parseSite, type SiteInput } from '../../site';

const config = (input: SiteInput) => {
  const site = parseSite(input).site;
  return alertmanagerConfig(site, stackTopology(site, 'kubernetes'));
};

const INHIBIT = [
  { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: SAME_OBJECT_LABELS },
  { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"', 'alertname!="Watchdog"'], equal: SAME_OBJECT_LABELS },
];

/** The top of the routing tree, the same for every site. */
const TOP_ROUTE = { receiver: 'default', group_by: ['alertname', ...SAME_OBJECT_LABELS], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' };

describe('alertmanager.yml', () => {
  test('without receivers: everything stays with the default receiver, Watchdog held there too', () => {
    expect(config({})).toEqual({
      route: {
        ...TOP_ROUTE,
        routes: [{ receiver: 'default', matchers: ['alertname="Watchdog"'] }],
      },
      inhibit_rules: INHIBIT,
      receivers: [{ name: 'default' }],
    });
  });

  test('webhooks by URL and by Secret, an email with and without SMTP auth, and a heartbeat', () => {
    const got = config({
      alertmanager: {
        receivers: {
          webhooks: [
            { name: 'ops-hook', url: 'https://hooks.lab.lan/alert', sendResolved: false, severities: ['info', 'critical'] },
            { name: 'chat', urlSecret: 'chat-url' },
          ],
          emails: [
            { name: 'mail', to: 'ops@lab.lan', from: 'am@lab.lan', smarthost: 'smtp.lab.lan:587', authUsername: 'am', authPasswordSecret: 'smtp', severities: ['warning'] },
            { name: 'plain-mail', to: 'b@lab.lan', from: 'am@lab.lan', smarthost: 'mx.lab.lan:25', requireTls: false },
          ],
        },
        heartbeat: { urlSecret: 'dms', interval: '3m' },
      },
    });
    expect(got).toEqual({
      route: {
        ...TOP_ROUTE,
        routes: [
          // Half the interval: every group_interval tick sends (see heartbeatRoute).
          { receiver: 'heartbeat', matchers: ['alertname="Watchdog"'], group_by: ['alertname'], group_wait: '0s', group_interval: '3m', repeat_interval: '90s' },
          // Severities in the policy's order, whatever order the site lists them in.
          { receiver: 'ops-hook', matchers: ['severity=~"critical|info"'], continue: true },
          { receiver: 'chat', matchers: ['severity=~"critical|warning"'], continue: true },
          { receiver: 'mail', matchers: ['severity=~"warning"'], continue: true },
          { receiver: 'plain-mail', matchers: ['severity=~"critical|warning"'], continue: true },
        ],
      },
      inhibit_rules: INHIBIT,
      receivers: [
        { name: 'default' },
        { name: 'ops-hook', webhook_configs: [{ url: 'https://hooks.lab.lan/alert', send_resolved: false }] },
        { name: 'chat', webhook_configs: [{ url_file: '/etc/alertmanager/webhooks/chat/url', send_resolved: true }] },
        { name: 'mail', email_configs: [{ to: 'ops@lab.lan', from: 'am@lab.lan', smarthost: 'smtp.lab.lan:587', require_tls: true, send_resolved: true, auth_username: 'am', auth_password_file: '/etc/alertmanager/smtp/mail/password' }] },
        { name: 'plain-mail', email_configs: [{ to: 'b@lab.lan', from: 'am@lab.lan', smarthost: 'mx.lab.lan:25', require_tls: false, send_resolved: true }] },
        { name: 'heartbeat', webhook_configs: [{ url_file: '/etc/alertmanager/heartbeat/url', send_resolved: false }] },
      ],
    });
  });

  test('the shortest heartbeat the site allows (2 s) repeats every second; odd seconds round down', () => {
    expect(config({ alertmanager: { heartbeat: { urlSecret: 'dms', interval: '2s' } } }).route.routes![0]).toMatchObject({ group_interval: '2s', repeat_interval: '1s' });
    expect(config({ alertmanager: { heartbeat: { urlSecret: 'dms', interval: '5s' } } }).route.routes![0].repeat_interval).toBe('2s');
  });

  test('--data.retention is written in the largest of h, m and s that divides it', () => {
    expect(alertmanagerRetention('30d')).toBe('720h');
    expect(alertmanagerRetention('90m')).toBe('90m');
    expect(alertmanagerRetention('120m')).toBe('2h');
    expect(alertmanagerRetention('61s')).toBe('61s');
    expect(alertmanagerRetention('120s')).toBe('2m');
  });
});

describe('blackbox.yml', () => {
  test('the three modules, IPv4 first, 5 s each; only the self-signed one skips verification', () => {
    const http = { preferred_ip_protocol: 'ip4', valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'], follow_redirects: true };
    expect(blackboxConfig()).toEqual({
      modules: {
        http_2xx: { prober: 'http', timeout: '5s', http },
        http_2xx_self_signed: { prober: 'http', timeout: '5s', http: { ...http, tls_config: { insecure_skip_verify: true } } },
        tcp_connect: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4' } },
      },
    });
  });

  test('a probe ends at the module timeout, or earlier when the scrape timeout minus the offset is shorter', () => {
    expect(probeDeadlineSeconds(60)).toBe(5);
    expect(probeDeadlineSeconds(15)).toBe(5);
    expect(probeDeadlineSeconds(5)).toBe(4.5);
    expect(probeDeadlineSeconds(3)).toBe(2.5);
  });
});
