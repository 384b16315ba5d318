/**
 * talos/config-rules.ts against Talos itself: each edit of a valid control-plane config is judged
 * by our rules and by Talos machinery (talos-check validate metal, built from the pinned module by
 * test/upstream/build.sh), and both must give the stated verdict. The edits are the ones where our
 * rules claim to follow Talos' reading: volume types, sizes and encryption, machine types, hostnames,
 * addresses, the control-plane endpoint and document versions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseSite } from '../../site';
import { checkTalosConfig } from '../../talos/config-rules';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithBinary, run } from '../support/binaries';
import { tempDir } from '../support/synth-once';
import { readFixture } from '../talos/helpers';

type Docs = Record<string, any>[];
const find = (docs: Docs, kind: string) => docs.find((d) => d.kind === kind)!;
const volume = (docs: Docs) => find(docs, 'UserVolumeConfig');

/** [what, edit, whether Talos refuses it]. */
const EDITS: [string, (docs: Docs) => void, boolean][] = [
  ['nothing', () => undefined, false],
  ['a whole-disk volume with a minSize and grow', (d) => { volume(d).volumeType = 'disk'; }, true],
  ['a whole-disk volume with a selector only', (d) => { volume(d).volumeType = 'disk'; volume(d).provisioning = { diskSelector: volume(d).provisioning.diskSelector }; }, false],
  ['a directory volume with a filesystem', (d) => { volume(d).volumeType = 'directory'; delete volume(d).provisioning; }, true],
  ['a directory volume with nothing else', (d) => { volume(d).volumeType = 'directory'; delete volume(d).provisioning; delete volume(d).filesystem; }, false],
  ['a partition volume without sizes', (d) => { delete volume(d).provisioning.minSize; }, true],
  ['a minSize in lowercase units', (d) => { volume(d).provisioning.minSize = '10gib'; }, false],
  ['a minSize with a bare unit and a comma', (d) => { volume(d).provisioning.minSize = '1,000m'; }, false],
  ['a minSize with a trailing dot', (d) => { volume(d).provisioning.minSize = '2.GiB'; }, false],
  ['a minSize Talos cannot read', (d) => { volume(d).provisioning.minSize = '10 GiBs'; }, true],
  ['a minSize in exponent notation', (d) => { volume(d).provisioning.minSize = '1e9'; }, true],
  ['a negative minSize', (d) => { volume(d).provisioning.minSize = '-10GiB'; }, true],
  ['a minSize above the maxSize', (d) => { volume(d).provisioning.maxSize = '5GiB'; }, true],
  ['a minSize above a percentage maxSize', (d) => { volume(d).provisioning.minSize = '900GiB'; volume(d).provisioning.maxSize = '80%'; }, false],
  ['a maxSize over 100 %', (d) => { volume(d).provisioning.maxSize = '101%'; }, true],
  ['a minSize as a percentage', (d) => { volume(d).provisioning.minSize = '50%'; }, true],
  ['machine type init', (d) => { d[0].machine.type = 'init'; }, false],
  ['machine type join on a control plane', (d) => { d[0].machine.type = 'join'; }, true],
  ['an unknown machine type', (d) => { d[0].machine.type = 'init2'; }, true],
  ['auto: off beside a hostname', (d) => { find(d, 'HostnameConfig').auto = 'off'; }, false],
  ['auto: stable beside a hostname', (d) => { find(d, 'HostnameConfig').auto = 'stable'; }, true],
  ['auto: stable alone', (d) => { const h = find(d, 'HostnameConfig'); delete h.hostname; h.auto = 'stable'; }, false],
  ['a hostname label of 64 characters', (d) => { find(d, 'HostnameConfig').hostname = 'a'.repeat(64); }, true],
  ['a document of apiVersion v1alpha2', (d) => { find(d, 'ResolverConfig').apiVersion = 'v1alpha2'; }, true],
  ['a nameserver with a port', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: '10.70.0.1:53' }]; }, true],
  ['a nameserver with two "::"', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: 'fd00::1::2' }]; }, true],
  ['a nameserver with a leading zero', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: '10.70.0.01' }]; }, true],
  ['an IPv4-mapped IPv6 nameserver', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: '::ffff:10.70.0.1' }]; }, false],
  ['a link address with prefix bits 032', (d) => { find(d, 'LinkConfig').addresses = [{ address: '10.70.0.21/032' }]; }, true],
  ['a link address with a port', (d) => { find(d, 'LinkConfig').addresses = [{ address: '10.70.0.21:80/24' }]; }, true],
  ['a link address with a zone', (d) => { find(d, 'LinkConfig').addresses = [{ address: 'fe80::21%net0/64' }]; }, true],
  ['an IPv6 nameserver with a zone', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: 'fe80::1%net0' }]; }, false],
  ['volume type and filesystem in capitals', (d) => { volume(d).volumeType = 'Partition'; volume(d).filesystem.type = 'XFS'; }, false],
  ['filesystem type none', (d) => { volume(d).filesystem.type = 'none'; }, false],
  ['project quotas on ext4', (d) => { volume(d).filesystem = { type: 'ext4', projectQuotaSupport: true }; }, true],
  ['project quotas on xfs', (d) => { volume(d).filesystem = { type: 'xfs', projectQuotaSupport: true }; }, false],
  ['a directory volume with only empty parts', (d) => {
    const v = volume(d);
    v.volumeType = 'DIRECTORY';
    v.provisioning = { diskSelector: {}, minSize: '', grow: null };
    v.filesystem = { type: 'none' };
    v.encryption = { provider: 'none' };
  }, false],
  ['a directory volume with grow: false', (d) => { volume(d).volumeType = 'directory'; volume(d).provisioning = { grow: false }; delete volume(d).filesystem; }, true],
  ['a whole-disk volume with minSize 0', (d) => { volume(d).volumeType = 'disk'; volume(d).provisioning = { diskSelector: volume(d).provisioning.diskSelector, minSize: 0 }; }, true],
  ['a whole-disk volume with grow: null', (d) => { volume(d).volumeType = 'disk'; volume(d).provisioning = { diskSelector: volume(d).provisioning.diskSelector, grow: null }; }, false],
  ['a minSize as a YAML number', (d) => { volume(d).provisioning.minSize = 1073741824; }, false],
  ['a minSize of 16 EiB (too large)', (d) => { volume(d).provisioning.minSize = '16EiB'; }, true],
  ['a maxSize percentage with a sign and an exponent', (d) => { volume(d).provisioning.maxSize = '+1e1%'; }, false],
  ['a maxSize percentage with underscores', (d) => { volume(d).provisioning.maxSize = '1_0%'; }, false],
  ['auto in capitals', (d) => { const h = find(d, 'HostnameConfig'); delete h.hostname; h.auto = 'Stable'; }, false],
  ['a HostnameConfig beside machine.network.hostname', (d) => { d[0].machine.network = { hostname: 'other' }; }, true],
  ['a HostnameConfig beside features.stableHostname', (d) => { d[0].machine.features.stableHostname = true; }, true],
  ['an etcd subnet that is not a CIDR', (d) => { delete d[0].cluster.etcd.advertisedSubnets; d[0].cluster.etcd.subnet = '10.70.0.0/99'; }, true],
  ['etcd listen subnets that are not CIDRs', (d) => { d[0].cluster.etcd.listenSubnets = ['nope']; }, true],
  ['a config without machine', (d) => { delete d[0].machine; }, true],
  // Sorted from the mutation survivors of 4 December (docs/mutation-testing.md).
  ['a maxSize percentage of 1_000', (d) => { volume(d).provisioning.maxSize = '1_000%'; }, true],
  ['a maxSize percentage of +inf', (d) => { volume(d).provisioning.maxSize = '+inf%'; }, true],
  ['a maxSize percentage of nan', (d) => { volume(d).provisioning.maxSize = 'nan%'; }, false],
  ['a maxSize percentage of +nan', (d) => { volume(d).provisioning.maxSize = '+nan%'; }, true],
  ['a negative maxSize percentage of nan', (d) => { volume(d).provisioning.maxSize = '-nan%'; }, false],
  ['a maxSize percentage with two minus signs', (d) => { volume(d).provisioning.maxSize = '--5%'; }, true],
  ['a minSize with several digits before the point', (d) => { volume(d).provisioning.minSize = '12.5GB'; }, false],
  ['a minSize as a list', (d) => { volume(d).provisioning.minSize = ['10GiB']; }, true],
  ['a volumeType of null', (d) => { volume(d).volumeType = null; }, false],
  ['a HostnameConfig hostname of null beside auto: stable', (d) => { const h = find(d, 'HostnameConfig'); h.hostname = null; h.auto = 'stable'; }, false],
  ['a HostnameConfig auto of null beside a hostname', (d) => { find(d, 'HostnameConfig').auto = null; }, false],
  ['an endpoint with three slashes', (d) => { d[0].cluster.controlPlane.endpoint = 'https:///10.70.0.20:6443'; }, true],
  ['an endpoint without slashes', (d) => { d[0].cluster.controlPlane.endpoint = 'https:10.70.0.20:6443'; }, true],
  ['an endpoint on port 0', (d) => { d[0].cluster.controlPlane.endpoint = 'https://10.70.0.20:0'; }, true],
  ['an endpoint with a trailing space', (d) => { d[0].cluster.controlPlane.endpoint = 'https://10.70.0.20:6443 '; }, true],
  ['an endpoint with a tab in the host', (d) => { d[0].cluster.controlPlane.endpoint = 'https://10.70.\t0.20:6443'; }, true],
  ['an endpoint with a backslash', (d) => { d[0].cluster.controlPlane.endpoint = 'https://10.70.0.20\\x:6443'; }, true],
  ['encryption with an empty provider', (d) => { volume(d).encryption = { provider: '' }; }, true],
  ['flannel with CNI URLs', (d) => { d[0].cluster.network.cni = { name: 'flannel', urls: ['https://x/cni.yaml'] }; }, true],
  ['etcd without advertisedSubnets or subnet', (d) => { delete d[0].cluster.etcd.advertisedSubnets; }, false],
  // The volume's encryption (EncryptionSpec.Validate).
  ['a volume encrypted with LUKS2 and a static key', (d) => { volume(d).encryption = { provider: 'luks2', keys: [{ slot: 0, static: { passphrase: 'x' } }] }; }, false],
  ['a volume encrypted with LUKS2 in capitals and a node-ID key in the default slot', (d) => { volume(d).encryption = { provider: 'LUKS2', keys: [{ nodeID: {} }] }; }, false],
  ['encryption provider none, no keys', (d) => { volume(d).encryption = { provider: 'none' }; }, false],
  ['encryption provider none with a key', (d) => { volume(d).encryption = { provider: 'none', keys: [{ slot: 0, nodeID: {} }] }; }, true],
  ['encryption without a provider but with a key', (d) => { volume(d).encryption = { keys: [{ slot: 0, nodeID: {} }] }; }, true],
  ['LUKS2 without keys', (d) => { volume(d).encryption = { provider: 'luks2' }; }, true],
  ['LUKS2 with two keys in one slot', (d) => { volume(d).encryption = { provider: 'luks2', keys: [{ slot: 1, nodeID: {} }, { slot: 1, tpm: {} }] }; }, true],
  ['LUKS2 with a key of no kind', (d) => { volume(d).encryption = { provider: 'luks2', keys: [{ slot: 0 }] }; }, true],
  ['LUKS2 with a TPM key on PCR 24', (d) => { volume(d).encryption = { provider: 'luks2', keys: [{ slot: 0, tpm: { options: { pcrs: [7, 24] } } }] }; }, true],
  ['LUKS2 with a TPM key on PCRs 0 and 23', (d) => { volume(d).encryption = { provider: 'luks2', keys: [{ slot: 0, tpm: { options: { pcrs: [0, 23] } } }] }; }, false],
  ['a whole-disk volume with LUKS2 and no keys', (d) => { volume(d).volumeType = 'disk'; volume(d).provisioning = { diskSelector: volume(d).provisioning.diskSelector }; volume(d).encryption = { provider: 'luks2' }; }, true],
];

describeWithBinary('talos-check', 'Talos config rules and Talos machinery give the same verdict', () => {
  const base = (): Docs => JSON.parse(JSON.stringify(renderNodeMachineConfigs(parseSite({}).site, parseSecretsBundle(readFixture('secrets.yaml')))[0].documents));
  const dir = tempDir('talos-agree-');

  test.each(EDITS)('%s', (what, edit, refused) => {
    const docs = base();
    edit(docs);
    const file = path.join(dir, `${what.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join('---\n'));
    const talos = run('talos-check', ['validate', 'metal', file]);
    const ours = checkTalosConfig(docs, '1.13');
    expect({ talosRefuses: talos.status !== 0, output: talos.status !== 0 ? talos.output : '' }).toEqual({ talosRefuses: refused, output: refused ? expect.any(String) : '' });
    expect({ oursRefuse: ours.length > 0, problems: ours }).toEqual({ oursRefuse: refused, problems: refused ? expect.anything() : [] });
  });
});
