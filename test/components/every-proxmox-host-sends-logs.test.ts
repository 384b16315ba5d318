/**
 * Every Proxmox host of a site sends its logs, not only proxmox.node: each is a sender of the
 * rsyslog snippet, and one outside the management VLAN is admitted to Loki by its own address
 * (LoadBalancer source ranges and NetworkPolicy), like a guest there.
 */
import { logClientSources } from '../../charts/common/log-clients';
import { LokiServer } from '../../charts/loki/loki-chart';
import { rsyslogSnippet, syslogSenders } from '../../charts/syslog/rsyslog-snippet';
import { parseSite, type SiteInput } from '../../site';
import { SECOND_SITE } from '../support/second-site';
import { findObject, synthChart } from './component-support';

const site = parseSite(SECOND_SITE).site;

/** The second site with hv-north moved out of the management VLAN (192.168.50.0/24). */
const NORTH_ELSEWHERE: SiteInput = {
  ...SECOND_SITE,
  proxmox: { ...SECOND_SITE.proxmox, additionalHosts: [SECOND_SITE.proxmox!.additionalHosts![0], { node: 'hv-north', address: '192.168.60.7' }] },
};

describe('syslog senders', () => {
  test('are every Proxmox host, proxmox.node first, then the guests', () => {
    expect(syslogSenders(site).slice(0, 4)).toEqual([
      { name: 'hv-east', address: '192.168.50.5' },
      { name: 'hv-west', address: '192.168.50.6' },
      { name: 'hv-north', address: '192.168.50.7' },
      { name: 'nms', address: '192.168.50.32' },
    ]);
  });

  test('the snippet\'s header lists every host as a sender', () => {
    expect(rsyslogSnippet(site)).toContain('# Senders: hv-east (192.168.50.5), hv-west (192.168.50.6), hv-north (192.168.50.7), nms (192.168.50.32), ');
  });
});

describe('Loki admits a host outside the management VLAN', () => {
  const custom = parseSite(NORTH_ELSEWHERE).site;

  test('by its own address, whichever host it is', () => {
    expect(logClientSources(custom)).toEqual(['192.168.50.0/24', '192.168.60.7/32']);
    // Inside the management VLAN every host is already admitted by the VLAN's range.
    expect(logClientSources(site)).toEqual(['192.168.50.0/24']);
  });

  test('in the LoadBalancer\'s source ranges and the NetworkPolicy\'s sources', () => {
    const { objects } = synthChart(LokiServer, custom);
    expect(findObject(objects, 'Service', 'loki-lb').spec.loadBalancerSourceRanges).toEqual(['192.168.50.0/24', '192.168.60.7/32']);
    const sources = findObject(objects, 'NetworkPolicy', 'loki').spec.ingress
      .filter((r: { ports: { port: number }[] }) => r.ports.some((p) => p.port === 3100))
      .flatMap((r: { from: { ipBlock?: { cidr: string } }[] }) => r.from.flatMap((f) => (f.ipBlock ? [f.ipBlock.cidr] : [])));
    expect(sources).toContain('192.168.60.7/32');
  });
});
