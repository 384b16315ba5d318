/**
 * A site with several Proxmox hosts (test/support/second-site.ts: hv-east, hv-west with its own
 * apiUrl, hv-north with the default https://<address>:8006) is monitored on every host, not only
 * on proxmox.node: node_exporter, pve_exporter and the API probe each get one target per host.
 * pve_exporter asks the cluster collectors of proxmox.node alone (each node answers them with the
 * same set) and the node collectors of every host; a real Prometheus shows the URLs it scrapes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { PVE_CLUSTER_PARAM_LABEL, prometheusConfig } from '../../charts/prometheus/prometheus-config';
import type { ScrapeConfig } from '../../charts/prometheus/config-model';
import { blackboxProbes, nodeExporterTargets, pveApiTargets } from '../../charts/prometheus/scrape-targets';
import { stackTopology, type Platform } from '../../charts/topology';
import { parseSite, proxmoxHosts } from '../../site';
import { describeWithBinary } from '../support/binaries';
import { SECOND_SITE } from '../support/second-site';
import { tempDir } from '../support/synth-once';
import { eventually, startDaemon, type LoopbackDaemon } from './loopback-daemon';

const site = parseSite(SECOND_SITE).site;
const HOSTS = [
  { node: 'hv-east', address: '192.168.50.5', api: 'https://192.168.50.5:8443', target: '192.168.50.5:8443' },
  { node: 'hv-west', address: '192.168.50.6', api: 'https://192.168.50.6:8443', target: '192.168.50.6:8443' },
  { node: 'hv-north', address: '192.168.50.7', api: 'https://192.168.50.7:8006', target: '192.168.50.7:8006' },
];
const job = (platform: Platform, name: string): ScrapeConfig =>
  prometheusConfig(site, stackTopology(site, platform)).scrape_configs.find((j) => j.job_name === name)!;
/** Each static target of a job as `target name`. */
const targetsOf = (j: ScrapeConfig) => j.static_configs!.flatMap((c) => c.targets.map((t) => `${t} ${c.labels?.name}`));

describe('every Proxmox host of the site is a scrape target', () => {
  test('the fixture has three hosts, proxmox.node first (what the tests below rely on)', () => {
    expect(proxmoxHosts(site).map((h) => [h.node, h.address, h.apiUrl])).toEqual(HOSTS.map((h) => [h.node, h.address, h.api]));
  });

  test.each(['kubernetes', 'lxc'] as const)('node_exporter on each host, named by its node (%s)', (platform) => {
    const node = targetsOf(job(platform, 'node'));
    expect(node.slice(0, 3)).toEqual(HOSTS.map((h) => `${h.address}:9100 ${h.node}`));
    expect(nodeExporterTargets(site).filter((t) => t.name.startsWith('hv-')).map((t) => t.name)).toEqual(HOSTS.map((h) => h.node));
  });

  test.each(['kubernetes', 'lxc'] as const)('pve_exporter asks each host\'s own API, named by its node (%s)', (platform) => {
    expect(targetsOf(job(platform, 'pve'))).toEqual(HOSTS.map((h) => `${h.target} ${h.node}`));
    expect(pveApiTargets(site)).toEqual(HOSTS.map((h) => ({ target: h.target, name: h.node })));
  });

  test('the cluster collectors come from proxmox.node only; every host runs its node collectors', () => {
    const pve = job('kubernetes', 'pve');
    expect(pve.params).toEqual({ module: ['default'], cluster: ['1'], node: ['1'] });
    expect(pve.static_configs!.map((c) => c.labels?.[PVE_CLUSTER_PARAM_LABEL])).toEqual([undefined, '0', '0']);
  });

  test('the blackbox exporter probes each host\'s API as <node>-api', () => {
    const probes = blackboxProbes(site).filter((p) => p.name.endsWith('-api') && p.module === 'http_2xx_self_signed');
    expect(probes.map((p) => `${p.target} ${p.name}`)).toEqual(HOSTS.map((h) => `${h.api} ${h.node}-api`));
    expect(targetsOf(job('kubernetes', 'blackbox-http-2xx-self-signed'))).toEqual(HOSTS.map((h) => `${h.api} ${h.node}-api`));
  });

  test('a single-host site keeps its one pve target, cluster and node collectors both from it', () => {
    const single = parseSite({}).site;
    const pve = prometheusConfig(single, stackTopology(single, 'kubernetes')).scrape_configs.find((j) => j.job_name === 'pve')!;
    expect(pve.static_configs).toEqual([{ targets: ['10.88.140.151:8006'], labels: { name: 'pve01' } }]);
  });
});

describeWithBinary('prometheus', 'a real Prometheus scrapes pve_exporter once per host, cluster metrics from proxmox.node', () => {
  const dir = tempDir('pve-hosts-live-');
  let prometheus: LoopbackDaemon;
  interface Target { labels: Record<string, string>; scrapeUrl: string }
  let targets: Target[];

  beforeAll(async () => {
    prometheus = await startDaemon('prometheus', (port) => {
      // The synthesized pve job, its exporter address pointed at a closed loopback port: the
      // scrape URLs are what is checked, not the answers.
      const pve = job('kubernetes', 'pve');
      const relabel = [...pve.relabel_configs!.slice(0, -1), { ...pve.relabel_configs!.at(-1)!, replacement: '127.0.0.1:9' }];
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), YAML.stringify({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [{ ...pve, relabel_configs: relabel }] }));
      return [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`];
    });
    targets = await eventually(async () => {
      const body = await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json() as { data: { activeTargets: Target[] } };
      return body.data.activeTargets.length === HOSTS.length ? body.data.activeTargets : undefined;
    }, 30000, 'the pve targets');
  });
  afterAll(() => prometheus?.stop());

  test('each host is asked with node=1 for its own API; cluster=1 only of proxmox.node', () => {
    const asked = targets.map((t) => {
      const url = new URL(t.scrapeUrl);
      return [url.searchParams.get('target'), url.searchParams.get('cluster'), url.searchParams.get('node'), url.searchParams.get('module')];
    }).sort();
    expect(asked).toEqual([
      ['192.168.50.5:8443', '1', '1', 'default'],
      ['192.168.50.6:8443', '0', '1', 'default'],
      ['192.168.50.7:8006', '0', '1', 'default'],
    ]);
  });

  test('the stored labels are job, instance and the host\'s name: the parameter label is gone after relabelling', () => {
    expect(targets.map((t) => t.labels).sort((a, b) => a.instance.localeCompare(b.instance))).toEqual(
      HOSTS.map((h) => ({ job: 'pve', instance: h.target, name: h.node })),
    );
  });
});
