/**
 * Values of the machine configs that only Talos machinery's parity test (test/upstream, not run
 * under mutation) pinned: the VMID-derived MAC, the data volume's minimum size, grow and
 * filesystem, the etcd metrics listener and the log destination. Rendered inside each test (not
 * at describe level), so a mutant reached there is judged by these assertions.
 */
import { parseSite } from '../../site';
import { nodeMacAddress, renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { WORKERS_SITE } from '../support/workers-site';
import { describeWithShared, readFixture } from '../talos/helpers';

type Doc = Record<string, any>;
const render = (site = parseSite({}).site) => renderNodeMachineConfigs(site, parseSecretsBundle(readFixture('secrets.yaml')));
const docsOf = (site: ReturnType<typeof parseSite>['site'], hostname: string) => render(site).find((n) => n.hostname === hostname)!.documents as Doc[];

describe('the MAC derived from the VMID', () => {
  test('is 02:00 and the VMID\'s four bytes, each two hex digits', () => {
    expect(nodeMacAddress(211)).toBe('02:00:00:00:00:d3');
    expect(nodeMacAddress(0x01020a0b)).toBe('02:00:01:02:0a:0b');
  });
});

describeWithShared('machine config values', () => {
  test('the data volume grows over the whole disk, is xfs, and needs at least the largest claim', () => {
    const site = parseSite({ loki: { storageGiB: 130 } }).site;
    const volume = docsOf(site, 'talos-cp-1').find((d) => d.kind === 'UserVolumeConfig')!;
    expect(volume.provisioning.grow).toBe(true);
    expect(volume.provisioning.minSize).toBe('130GiB');
    expect(volume.filesystem).toEqual({ type: 'xfs' });
  });

  test('a control plane serves etcd metrics on its own address; a worker has no etcd section', () => {
    expect(docsOf(WORKERS_SITE, 'talos-cp-2')[0].cluster.etcd.extraArgs).toEqual({ 'listen-metrics-urls': 'http://10.70.0.22:2381' });
    expect(docsOf(WORKERS_SITE, 'talos-w-2')[0].cluster.etcd).toBeUndefined();
  });

  test('every node sends its logs to the log gateway, tagged with its hostname', () => {
    const destinations = docsOf(WORKERS_SITE, 'talos-w-2')[0].machine.logging.destinations;
    expect(destinations).toEqual([{ endpoint: 'tcp://10.70.0.12:5170/', format: 'json_lines', extraTags: { host: 'talos-w-2' } }]);
  });
});
