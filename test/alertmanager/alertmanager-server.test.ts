/** Alertmanager's links, and the dead man's switch the Watchdog alert keeps alive. */
import { AlertmanagerServer } from '../../charts/alertmanager/alertmanager-server';
import { alertmanagerConfig } from '../../charts/alertmanager/alertmanager-config';
import { stackTopology } from '../../charts/topology';
import { findObject, siteWith, synthChart } from '../components/component-support';

const argsOf = (site = siteWith()) => findObject(synthChart(AlertmanagerServer, site).objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args;

describe('Alertmanager links', () => {
  test('point at the LoadBalancer address, routes stay at /', () => {
    expect(argsOf()).toEqual(expect.arrayContaining(['--web.external-url=http://10.70.0.13:9093/', '--web.route-prefix=/']));
  });

  test('alertmanager.externalUrl overrides the link base', () => {
    expect(argsOf(siteWith({ alertmanager: { externalUrl: 'https://alerts.example.com/' } }))).toContain('--web.external-url=https://alerts.example.com/');
  });
});

describe('dead man\'s switch', () => {
  const site = siteWith({ alertmanager: { heartbeat: { urlSecret: 'deadman-url', interval: '2m' } } });
  const config = alertmanagerConfig(site, stackTopology(site, 'kubernetes'));

  test('Watchdog alone is routed to the heartbeat receiver, first and without continue', () => {
    expect(config.route.routes![0]).toEqual({
      receiver: 'heartbeat', matchers: ['alertname="Watchdog"'], group_by: ['alertname'],
      // repeat_interval under group_interval: a repeat at every tick (one ping per interval).
      group_wait: '0s', group_interval: '2m', repeat_interval: '60s',
    });
  });

  test('the heartbeat receiver reads its URL from the mounted Secret and sends no "resolved" (that would be a ping)', () => {
    expect(config.receivers.find((r) => r.name === 'heartbeat')).toEqual({
      name: 'heartbeat', webhook_configs: [{ url_file: '/etc/alertmanager/heartbeat/url', send_resolved: false }],
    });
    const pod = findObject(synthChart(AlertmanagerServer, site).objects, 'StatefulSet', 'alertmanager').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'heartbeat', secret: { secretName: 'deadman-url', items: [{ key: 'url', path: 'url' }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'heartbeat', mountPath: '/etc/alertmanager/heartbeat', readOnly: true });
  });

  test('without one, Watchdog stays on the default receiver and no heartbeat receiver exists', () => {
    const plain = alertmanagerConfig(siteWith(), stackTopology(siteWith(), 'kubernetes'));
    expect(plain.route.routes![0]).toEqual({ receiver: 'default', matchers: ['alertname="Watchdog"'] });
    expect(plain.receivers.map((r) => r.name)).not.toContain('heartbeat');
  });
});
