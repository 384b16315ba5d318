/** The scale series of `npm run bench` measures valid sites only (bench/scale-site.ts). */
import { parseSite } from '../../site';
import { blackboxProbes, nodeExporterTargets } from '../../charts/prometheus/scrape-targets';
import { scaleSite } from '../../bench/scale-site';

describe('scaleSite', () => {
  test.each([50, 200, 800, 1020])('%i guests form a valid site, each guest a node_exporter target with its probes', (guests) => {
    // WHEN
    const { site } = parseSite(scaleSite(guests));
    // THEN
    expect(site.proxmox.guests).toHaveLength(guests);
    expect(nodeExporterTargets(site)).toHaveLength(guests + 1); // and the Proxmox host
    // Wazuh (every fourth guest) has two probes, the other roles one; plus the Proxmox API.
    expect(blackboxProbes(site)).toHaveLength(guests + Math.ceil(guests / 4) + 1);
  });

  test('fails when the guests do not fit the management network', () => {
    expect(() => scaleSite(1021)).toThrow('10.88.140.0/22 holds at most 1020 guests');
  });
});
