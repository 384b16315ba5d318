/** Each Talos cross-field rule (research/talos.md §4) with a case that breaks it. */
import { parseSite } from '../../site';
import { checkTalosConfig, checkTalosconfigEndpoints } from '../../talos/config-rules';
import { renderMachineConfigDocuments } from '../../talos/machine-config';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture } from './helpers';

type Docs = Record<string, any>[];

describeWithShared('Talos config rules', () => {
  const secrets = parseSecretsBundle(readFixture('secrets.yaml'));
  const { site } = parseSite({});
  /** A fresh, valid control-plane config (deep copy) to break one field at a time. */
  const valid = (): Docs => JSON.parse(JSON.stringify(renderNodeMachineConfigs(site, secrets)[0].documents));
  const worker = (): Docs => JSON.parse(JSON.stringify(renderMachineConfigDocuments({ machineType: 'worker', clusterName: 'c', endpoint: 'https://10.0.0.1:6443', kubernetesVersion: '1.36.3', secrets, installDisk: '/dev/sda' })));
  const find = (docs: Docs, kind: string) => docs.find((d) => d.kind === kind)!;
  const messages = (docs: Docs) => checkTalosConfig(docs, '1.13').map((p) => `${p.path}: ${p.message}`);

  test('a valid control plane and a valid worker have no problems', () => {
    expect(messages(valid())).toEqual([]);
    expect(messages(worker())).toEqual([]);
  });

  const cases: [string, (d: Docs) => void, RegExp, () => Docs][] = [
    ['a document has no kind', (d) => d.push({ apiVersion: 'v1alpha1', name: 'x' }), /missing kind/, valid],
    ['a document has another apiVersion', (d) => { find(d, 'ResolverConfig').apiVersion = 'v1beta1'; }, /ResolverConfig.apiVersion: is not one Talos knows/, valid],
    ['there are two v1alpha1 documents', (d) => d.push({ ...d[0] }), /exactly one v1alpha1/, valid],
    ['a document is defined twice', (d) => d.push({ ...find(d, 'Layer2VIPConfig') }), /defined twice/, valid],
    ['persist is false', (d) => { d[0].persist = false; }, /persist: must not be false/, valid],
    ['machine is missing', (d) => { delete d[0].machine; d[0].debug = false; }, /machine: is required/, valid],
    ['machine.type is unknown', (d) => { d[0].machine.type = 'init2'; }, /controlplane or worker/, valid],
    ['machine.ca is missing', (d) => { delete d[0].machine.ca; }, /machine.ca: is required/, worker],
    ['a control plane has no OS CA key', (d) => { d[0].machine.ca.key = ''; }, /machine.ca.key: is required on a control-plane/, valid],
    ['a worker holds the OS CA key', (d) => { d[0].machine.ca.key = 'abc'; }, /workers never hold the OS CA key/, worker],
    ['a worker holds the Kubernetes CA key', (d) => { d[0].cluster.ca.key = 'abc'; }, /never hold the Kubernetes CA key/, worker],
    ['a worker has an etcd section', (d) => { d[0].cluster.etcd = { ca: { crt: 'x' } }; }, /etcd: is only valid on control-plane/, worker],
    ['etcd has no CA', (d) => { delete d[0].cluster.etcd.ca; }, /etcd.ca: is required/, valid],
    ['etcd advertisedSubnets is not a CIDR', (d) => { d[0].cluster.etcd.advertisedSubnets = ['nope']; }, /advertisedSubnets: must be a CIDR/, valid],
    ['the endpoint is not https', (d) => { d[0].cluster.controlPlane.endpoint = 'http://10.70.0.20:6443'; }, /must use https/, valid],
    ['the endpoint is not a URL', (d) => { d[0].cluster.controlPlane.endpoint = '10.70.0.20'; }, /not a URL/, valid],
    ['dnsDomain is invalid', (d) => { d[0].cluster.network.dnsDomain = 'bad domain'; }, /dnsDomain: is not a valid DNS domain/, valid],
    ['the cluster name is not a DNS label', (d) => { d[0].cluster.clusterName = 'My Cluster'; }, /clusterName: must be a DNS label/, valid],
    ['the CNI name is unknown', (d) => { d[0].cluster.network.cni.name = 'calico'; }, /flannel, custom or none/, valid],
    ['flannel has URLs', (d) => { d[0].cluster.network.cni.urls = ['https://x/cni.yaml']; }, /urls: must be empty for CNI flannel/, valid],
    ['flannel options are set for another CNI', (d) => { d[0].cluster.network.cni.name = 'none'; }, /cni.flannel: is only valid with CNI flannel/, valid],
    ['inline manifests share a name', (d) => { d[0].cluster.inlineManifests = [{ name: 'a', contents: '' }, { name: 'a', contents: '' }]; }, /unique, non-empty name/, valid],
    ['discovery is on without cluster.secret', (d) => { delete d[0].cluster.secret; }, /discovery needs cluster.id and cluster.secret/, valid],
    ['machine.install is missing', (d) => { delete d[0].machine.install; }, /install: is required/, valid],
    ['the install disk is missing', (d) => { delete d[0].machine.install.disk; }, /install.disk \(e.g. \/dev\/sda\)/, valid],
    ['extraKernelArgs are combined with grubUseUKICmdline', (d) => { d[0].machine.install.extraKernelArgs = ['a=b']; }, /conflicts with grubUseUKICmdline/, valid],
    ['kubelet extraConfig overrides a Talos-managed key', (d) => { d[0].machine.kubelet.extraConfig = { port: 1 }; }, /extraConfig.port: is managed by Talos/, valid],
    ['a node label key is invalid', (d) => { d[0].machine.nodeLabels = { 'bad key!': 'x' }; }, /not a valid Kubernetes label key/, valid],
    ['a Kubernetes image is outside the Talos 1.13 range', (d) => { for (const p of ['apiServer', 'controllerManager', 'proxy', 'scheduler']) d[0].cluster[p].image = d[0].cluster[p].image.replace('1.36.3', '1.30.0'); d[0].machine.kubelet.image = d[0].machine.kubelet.image.replace('1.36.3', '1.30.0'); }, /outside what Talos 1.13 runs/, valid],
    ['kubelet and control-plane versions differ', (d) => { d[0].machine.kubelet.image = 'ghcr.io/siderolabs/kubelet:v1.35.0'; }, /same Kubernetes version/, valid],
    ['HostnameConfig sets both auto and hostname', (d) => { find(d, 'HostnameConfig').auto = 'stable'; }, /set auto or hostname, not both/, valid],
    ['a worker carries a VIP (our check; Talos only documents it)', (d) => d.push({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.0.0.5', link: 'eth0' }), /VIP may only be configured on control-plane/, worker],
    ['the VIP name is not an IP', (d) => { find(d, 'Layer2VIPConfig').name = 'vip'; }, /must be the VIP address/, valid],
    ['the VIP has no link', (d) => { delete find(d, 'Layer2VIPConfig').link; }, /link: is required/, valid],
    ['the VIP names a link the config does not define', (d) => { find(d, 'Layer2VIPConfig').link = 'eth9'; }, /names no link of this config/, valid],
    ['etcd sets both subnet and advertisedSubnets', (d) => { d[0].cluster.etcd.subnet = '10.70.0.0/24'; d[0].cluster.etcd.advertisedSubnets = ['10.70.0.0/24']; }, /set subnet or advertisedSubnets, not both/, valid],
    ['a custom CNI URL is not a URL', (d) => { d[0].cluster.network.cni = { name: 'custom', urls: ['not a url'] }; }, /cni.urls: is not a valid URL/, valid],
    ['a node label value is invalid', (d) => { d[0].machine.nodeLabels = { 'example.com/zone': 'not valid!' }; }, /nodeLabels.example.com\/zone: is not a valid Kubernetes label value/, valid],
    ['a Kubernetes image has no release tag', (d) => { d[0].cluster.apiServer.image = 'registry.k8s.io/kube-apiserver:latest'; }, /must end in a Kubernetes release tag/, valid],
    ['HostnameConfig.auto is neither stable nor off', (d) => { const h = find(d, 'HostnameConfig'); delete h.hostname; h.auto = 'random'; }, /HostnameConfig.auto: must be stable or off/, valid],
    ['HostnameConfig.hostname is not a hostname', (d) => { find(d, 'HostnameConfig').hostname = 'Bad_Host'; }, /HostnameConfig.hostname: is not a valid hostname/, valid],
    ['a route has neither destination nor gateway', (d) => { find(d, 'LinkConfig').routes = [{ metric: 10 }]; }, /a route needs a destination or a gateway/, valid],
    ['a link alias has no selector', (d) => { delete find(d, 'LinkAliasConfig').selector; }, /selector.match: is required/, valid],
    ['a link address has no prefix length', (d) => { find(d, 'LinkConfig').addresses = [{ address: '10.70.0.21' }]; }, /address with prefix length/, valid],
    ['a route gateway is not an IP', (d) => { find(d, 'LinkConfig').routes = [{ gateway: 'router' }]; }, /gateway: must be an IP/, valid],
    ['a nameserver is not an IP', (d) => { find(d, 'ResolverConfig').nameservers = [{ address: 'dns.local' }]; }, /nameservers: must be an IP/, valid],
    ['time sync sets both ntp and ptp', (d) => { find(d, 'TimeSyncConfig').ptp = { devices: [] }; }, /mutually exclusive/, valid],
    ['a user volume name has bad characters', (d) => { find(d, 'UserVolumeConfig').name = 'local_path'; }, /1-34 letters, digits or "-"/, valid],
    ['a user volume has no disk selector', (d) => { delete find(d, 'UserVolumeConfig').provisioning.diskSelector; }, /diskSelector: is required/, valid],
    ['a user volume has neither minSize nor maxSize', (d) => { delete find(d, 'UserVolumeConfig').provisioning.minSize; }, /minSize or maxSize is required/, valid],
    ['a user volume has minSize above maxSize', (d) => { find(d, 'UserVolumeConfig').provisioning.maxSize = '10GiB'; }, /minSize is greater than maxSize/, valid],
    ['a user volume filesystem is unsupported', (d) => { find(d, 'UserVolumeConfig').filesystem.type = 'zfs'; }, /must be xfs or ext4/, valid],
    ['a user volume has a size Talos cannot read', (d) => { find(d, 'UserVolumeConfig').provisioning.minSize = '10 GiBs'; }, /minSize: is not a size Talos reads/, valid],
    ['a user volume has a negative minSize', (d) => { find(d, 'UserVolumeConfig').provisioning.minSize = '-10GiB'; }, /minSize: must not be negative/, valid],
    ['a whole-disk user volume sets a size', (d) => { find(d, 'UserVolumeConfig').volumeType = 'disk'; }, /minSize, maxSize and grow are not supported for volumeType disk/, valid],
    ['a directory user volume sets a filesystem', (d) => { const v = find(d, 'UserVolumeConfig'); v.volumeType = 'directory'; delete v.provisioning; }, /filesystem: is invalid for volumeType directory/, valid],
    ['a user volume has an unknown type', (d) => { find(d, 'UserVolumeConfig').volumeType = 'overlay'; }, /volumeType: must be partition, disk or directory/, valid],
  ];

  test.each(cases)('fails when %s', (_name, breakIt, expected, base) => {
    const docs = base();
    breakIt(docs);
    expect(messages(docs).join('\n')).toMatch(expected);
  });

  test('fails when talosconfig endpoints contain the VIP or are empty', () => {
    expect(checkTalosconfigEndpoints({ endpoints: ['10.70.0.21', '10.70.0.20'], vip: '10.70.0.20' })[0].message).toMatch(/must not contain the API VIP/);
    expect(checkTalosconfigEndpoints({ endpoints: [], vip: '10.70.0.20' })[0].message).toMatch(/node IPs/);
    expect(checkTalosconfigEndpoints({ endpoints: ['10.70.0.21'], vip: '10.70.0.20' })).toEqual([]);
  });
});
