/**
 * Talos config rules with their exact problems (path, value, message) and the edges of each check
 * (mutation testing, issue 18). test/talos/config-rules.test.ts proves every rule fires; this file
 * pins what each one reports and where it stops firing. Configs are built inside each test.
 */
import { parseSite } from '../../site';
import { checkTalosConfig, checkTalosconfigEndpoints, TalosConfigError, type TalosConfigProblem } from '../../talos/config-rules';
import { renderMachineConfigDocuments } from '../../talos/machine-config';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, readFixture } from '../talos/helpers';

type Docs = Record<string, any>[];

describeWithShared('Talos config rules, exact problems and edges', () => {
  const secrets = () => parseSecretsBundle(readFixture('secrets.yaml'));
  /** The default site's first control plane (10.70.0.21, VIP 10.70.0.20 on link net0). */
  const controlPlane = (): Docs => JSON.parse(JSON.stringify(renderNodeMachineConfigs(parseSite({}).site, secrets())[0].documents));
  const worker = (): Docs => JSON.parse(JSON.stringify(renderMachineConfigDocuments({
    machineType: 'worker', clusterName: 'c', endpoint: 'https://10.0.0.1:6443', kubernetesVersion: '1.36.3', secrets: secrets(), installDisk: '/dev/sda',
  })));
  const find = (docs: Docs, kind: string) => docs.find((d) => d.kind === kind)!;
  const check = (docs: Docs, contract = '1.13'): TalosConfigProblem[] => checkTalosConfig(docs, contract);
  const broken = (base: () => Docs, edit: (d: Docs) => void) => {
    const docs = base();
    edit(docs);
    return check(docs);
  };
  const p = (path: string, value: unknown, message: string): TalosConfigProblem => ({ path, value, message });
  const volume = (d: Docs) => find(d, 'UserVolumeConfig');
  const vip = (d: Docs) => find(d, 'Layer2VIPConfig');

  test('the valid configs have no problems', () => {
    expect(check(controlPlane())).toEqual([]);
    expect(check(worker())).toEqual([]);
  });

  describe('the document set', () => {
    test('a document without kind or apiVersion is named by its position and what it lacks', () => {
      expect(broken(controlPlane, (d) => d.push({ apiVersion: 'v1alpha1', name: 'x' }))).toEqual([
        p('document 9', ['apiVersion', 'name'], 'is neither the v1alpha1 config nor a document with apiVersion and kind (missing kind)'),
      ]);
      expect(broken(controlPlane, (d) => d.push({ kind: 'Custom' }))).toEqual([
        p('document 9', ['kind'], 'is neither the v1alpha1 config nor a document with apiVersion and kind (missing apiVersion)'),
      ]);
      // Without a kind, another apiVersion is no second problem: the document is not one Talos could register.
      expect(broken(controlPlane, (d) => d.push({ apiVersion: 'v1alpha2', name: 'x' }))).toEqual([
        p('document 9', ['apiVersion', 'name'], 'is neither the v1alpha1 config nor a document with apiVersion and kind (missing kind)'),
      ]);
    });

    test('each v1alpha1 key alone makes a document the v1alpha1 config', () => {
      for (const key of ['machine', 'cluster', 'debug', 'persist']) {
        expect(check([{ [key]: key === 'machine' || key === 'cluster' ? {} : true }, { apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: 'a' }])
          .filter((q) => q.path === 'v1alpha1' || q.path.startsWith('document'))).toEqual([]);
      }
    });

    test('two v1alpha1 documents: only the count, no role rule runs on either', () => {
      // Neither is read as the config, so the node is neither control plane nor worker: its VIP is no follow-on error.
      const expected = [p('v1alpha1', 2, 'a machine config needs exactly one v1alpha1 document (machine/cluster)')];
      expect(broken(controlPlane, (d) => d.push({ ...d[0] }))).toEqual(expected);
      // The first of them is incomplete: a rule reading it would report more.
      expect(broken(controlPlane, (d) => d.unshift({ debug: false }))).toEqual(expected);
    });

    test('no v1alpha1 document: only the count, every config rule is silent', () => {
      expect(check([{ apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: 'a' }])).toEqual([
        p('v1alpha1', 0, 'a machine config needs exactly one v1alpha1 document (machine/cluster)'),
      ]);
    });

    test('a duplicate is named by kind and name, or kind alone when it has no name', () => {
      expect(broken(controlPlane, (d) => d.push({ ...vip(d) }))).toEqual([
        p('Layer2VIPConfig/10.70.0.20', 'v1alpha1/Layer2VIPConfig/10.70.0.20', 'is defined twice; each (apiVersion, kind, name) may appear once'),
      ]);
      expect(broken(controlPlane, (d) => d.push({ ...find(d, 'HostnameConfig') }))).toEqual([
        p('HostnameConfig', 'v1alpha1/HostnameConfig', 'is defined twice; each (apiVersion, kind, name) may appear once'),
      ]);
      // Same kind and name under another apiVersion is another document, and that version is unknown to Talos.
      expect(broken(controlPlane, (d) => d.push({ ...find(d, 'HostnameConfig'), apiVersion: 'v1alpha2' }))).toEqual([
        p('HostnameConfig.apiVersion', 'v1alpha2', 'is not one Talos knows: its documents are apiVersion v1alpha1'),
      ]);
    });

    test('persist: false is refused and true is fine; a config without machine needs it, its CA and its install', () => {
      expect(broken(controlPlane, (d) => { d[0].persist = false; })).toEqual([p('v1alpha1.persist', false, 'must not be false (Talos rejects it); omit it')]);
      expect(broken(controlPlane, (d) => { d[0].persist = true; })).toEqual([]);
      // Talos stops the v1alpha1 checks there ("machine instructions are required"); the VIP document is not judged by role then.
      expect(broken(controlPlane, (d) => { delete d[0].machine; })).toEqual([p('v1alpha1.machine', undefined, 'is required')]);
    });
  });

  describe('machine type and PKI', () => {
    test('an unknown machine type: no worker rule runs, the not-a-control-plane ones do (as in Talos)', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.type = 'init2'; })).toEqual([
        p('v1alpha1.machine.type', 'init2', 'must be controlplane or worker'),
        p('v1alpha1.cluster.ca.key', '(set)', 'must be empty on a worker: workers never hold the Kubernetes CA key'),
        p('v1alpha1.cluster.etcd', '(set)', 'is only valid on control-plane nodes'),
        p('v1alpha1.machine.features.kubernetesTalosAPIAccess', '(enabled)', 'can only be enabled on control-plane nodes (Talos refuses it on workers)'),
      ]);
      expect(broken(worker, (d) => { d[0].machine.type = 'Worker'; })).toEqual([p('v1alpha1.machine.type', 'Worker', 'must be controlplane or worker')]);
    });

    test('Talos spellings of the roles: init is a control plane; join and an empty type are workers', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.type = 'init'; })).toEqual([]);
      for (const type of ['join', '']) expect(broken(worker, (d) => { d[0].machine.type = type; })).toEqual([]);
      expect(broken(worker, (d) => { delete d[0].machine.type; })).toEqual([]);
      // Read as a worker, a control plane's config breaks every worker rule.
      expect(broken(controlPlane, (d) => { d[0].machine.type = 'join'; })).toEqual([
        p('v1alpha1.machine.ca.key', '(set)', 'must be empty on a worker: workers never hold the OS CA key'),
        p('v1alpha1.cluster.ca.key', '(set)', 'must be empty on a worker: workers never hold the Kubernetes CA key'),
        p('v1alpha1.cluster.etcd', '(set)', 'is only valid on control-plane nodes'),
        p('v1alpha1.machine.features.kubernetesTalosAPIAccess', '(enabled)', 'can only be enabled on control-plane nodes (Talos refuses it on workers)'),
        p('Layer2VIPConfig/10.70.0.20', '10.70.0.20', 'a VIP may only be configured on control-plane nodes'),
      ]);
    });

    test('the OS CA: every node needs its certificate (or accepted CAs), a control plane its key', () => {
      expect(broken(worker, (d) => { delete d[0].machine.ca; })).toEqual([p('v1alpha1.machine.ca', undefined, 'is required on every node (or machine.acceptedCAs)')]);
      expect(broken(worker, (d) => { delete d[0].machine.ca; d[0].machine.acceptedCAs = [{ crt: 'x' }]; })).toEqual([]);
      expect(broken(controlPlane, (d) => { d[0].machine.ca.key = ''; })).toEqual([
        p('v1alpha1.machine.ca.key', '', 'is required on a control-plane node (it signs Talos API certificates)'),
      ]);
    });

    test('a worker with features but no Talos API access is fine', () => {
      expect(broken(worker, (d) => { d[0].machine.features = { kubernetesTalosAPIAccess: { enabled: false } }; })).toEqual([]);
    });

    test('etcd: the CA needs both halves; subnet and advertisedSubnets exclude each other', () => {
      expect(broken(controlPlane, (d) => { delete d[0].cluster.etcd.ca.key; })).toEqual([
        p('v1alpha1.cluster.etcd.ca', { crt: controlPlane()[0].cluster.etcd.ca.crt }, 'is required on a control-plane node'),
      ]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.etcd.ca.crt; })).toHaveLength(1);
      const both = broken(controlPlane, (d) => { d[0].cluster.etcd.subnet = '10.70.0.0/24'; });
      expect(both.map((q) => [q.path, q.message])).toEqual([['v1alpha1.cluster.etcd', 'set subnet or advertisedSubnets, not both']]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.etcd.advertisedSubnets; d[0].cluster.etcd.subnet = '10.70.0.0/24'; })).toEqual([]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.etcd.advertisedSubnets; })).toEqual([]);
    });

    test('etcd subnet (when advertisedSubnets is unset) and listenSubnets are checked like advertisedSubnets', () => {
      expect(broken(controlPlane, (d) => { delete d[0].cluster.etcd.advertisedSubnets; d[0].cluster.etcd.subnet = '10.70.0.0/99'; })).toEqual([
        p('v1alpha1.cluster.etcd.subnet', '10.70.0.0/99', 'must be a CIDR or IP (optionally prefixed with !)'),
      ]);
      expect(broken(controlPlane, (d) => { d[0].cluster.etcd.listenSubnets = ['!10.70.0.0/24', 'nope']; })).toEqual([
        p('v1alpha1.cluster.etcd.listenSubnets', 'nope', 'must be a CIDR or IP (optionally prefixed with !)'),
      ]);
    });

    test('advertisedSubnets: a leading ! negates; anything else must be a CIDR or an IP', () => {
      const subnets = (list: string[]) => broken(controlPlane, (d) => { d[0].cluster.etcd.advertisedSubnets = list; });
      expect(subnets(['!10.70.0.0/24', '10.70.0.21', '!10.70.0.9', 'fd00::/64'])).toEqual([]);
      expect(subnets(['10.70.0.0/24!', 'nope'])).toEqual([
        p('v1alpha1.cluster.etcd.advertisedSubnets', '10.70.0.0/24!', 'must be a CIDR or IP (optionally prefixed with !)'),
        p('v1alpha1.cluster.etcd.advertisedSubnets', 'nope', 'must be a CIDR or IP (optionally prefixed with !)'),
      ]);
    });
  });

  describe('addresses: IPv4, IPv6 and CIDRs as the VIP, link and etcd rules read them', () => {
    const vipNamed = (name: string) => broken(controlPlane, (d) => { vip(d).name = name; });
    const linkAddress = (address: string) => broken(controlPlane, (d) => { find(d, 'LinkConfig').addresses = [{ address }]; });

    test.each(['10.70.0.20', '0.0.0.0', '255.255.255.255', 'fd00::20', 'FD00::1', '::ffff:10.0.0.1', 'fe80::1%net0'])('%s is an IP', (ip) => {
      expect(vipNamed(ip)).toEqual([]);
    });

    test.each(['10.70.0.256', '10.70.0', 'abcd', 'fd00::zz', 'g:fd00::1', 'fd00::1g', 'vip', '', '10.70.0.20:6443', 'fd00:::1', 'fd00::1::2', '10.70.0.020', 'fe80::1%', '10.70.0.20%net0', 'fe80::1%a%b'])('%s is not an IP', (name) => {
      expect(vipNamed(name)).toEqual([p(`Layer2VIPConfig/${name}.name`, name, 'must be the VIP address')]);
    });

    test('a value that is not text is no IP', () => {
      expect(broken(controlPlane, (d) => { vip(d).name = 1; })).toEqual([p('Layer2VIPConfig/1.name', 1, 'must be the VIP address')]);
      expect(broken(controlPlane, (d) => { find(d, 'ResolverConfig').nameservers = [{}]; })).toEqual([p('ResolverConfig.nameservers', undefined, 'must be an IP address')]);
    });

    test.each(['10.70.0.21/24', '10.70.0.21/32', '10.70.0.21/0', 'fd00::21/64', 'fd00::21/128'])('%s is a CIDR', (cidr) => {
      expect(linkAddress(cidr)).toEqual([]);
    });

    test.each(['10.70.0.21', '10.70.0.21/33', 'fd00::21/129', '10.70.0.21/24 ', '10.70.0.1/8/24', 'x/10.70.0.21/24', '/24', 'net/24', '10.70.0.21/1234', '10.70.0.21:80/24', '10.70.0.21/032', '10.70.0.21/-1', 'fd00:::1/64', 'fe80::1%net0/64'])('%j is not a CIDR', (cidr) => {
      expect(linkAddress(cidr)).toEqual([p('LinkConfig/net0.addresses', cidr, 'must be an address with prefix length, e.g. 10.70.0.21/24')]);
    });
  });

  describe('the control-plane endpoint', () => {
    const endpoint = (value: unknown) => broken(controlPlane, (d) => { d[0].cluster.controlPlane.endpoint = value; });
    const problem = (value: unknown, why: string) => [p('v1alpha1.cluster.controlPlane.endpoint', value, why)];

    test('each way it can be wrong', () => {
      expect(endpoint(undefined)).toEqual(problem(undefined, 'is required'));
      expect(endpoint(6443)).toEqual(problem(6443, 'is required'));
      expect(endpoint('10.70.0.20')).toEqual(problem('10.70.0.20', 'is not a URL; use https://<vip>:6443'));
      expect(endpoint('http://10.70.0.20:6443')).toEqual(problem('http://10.70.0.20:6443', 'must use https://'));
      expect(endpoint('https://10.70.0.20:0')).toEqual(problem('https://10.70.0.20:0', 'has a port outside 1-65535'));
      expect(endpoint('https://10.70.0.20:70000')).toEqual(problem('https://10.70.0.20:70000', 'is not a URL; use https://<vip>:6443'));
      // The URL parser reads a host into these; Go's url.Parse, which Talos uses, reads none.
      for (const noHost of ['https:///10.70.0.20:6443', 'https:10.70.0.20:6443', 'https:\\\\10.70.0.20:6443', ' https://10.70.0.20:6443']) {
        expect(endpoint(noHost)).toEqual(problem(noHost, 'has no host as Talos reads it; write https://<host>:6443'));
      }
      // The URL parser drops or rewrites these; Go refuses them.
      for (const odd of ['https://10.70.0.20:6443 ', 'https://10.70.\t0.20:6443', 'https://10.70.0.20\\x:6443', 'https://api.lab\n:6443', 'https://api.lab:6443/\x7f']) {
        expect(endpoint(odd)).toEqual(problem(odd, 'has a space, control character or backslash, which Talos refuses; write https://<host>:6443'));
      }
    });

    test('the port range is inclusive, and the port may be left out', () => {
      for (const ok of ['https://10.70.0.20:1', 'https://10.70.0.20:65535', 'https://10.70.0.20', 'https://api.lab:6443', 'HTTPS://[fd00::20]:6443']) expect(endpoint(ok)).toEqual([]);
    });
  });

  describe('cluster fields', () => {
    test('dnsDomain: at most 255 characters without the dots; absent is fine', () => {
      const label = 'a'.repeat(63);
      const domain255 = [label, label, label, label, 'abc'].join('.');
      const domain = (value: unknown) => broken(controlPlane, (d) => { d[0].cluster.network.dnsDomain = value; });
      expect(domain(domain255)).toEqual([]);
      expect(domain(`${domain255}d`)).toEqual([p('v1alpha1.cluster.network.dnsDomain', `${domain255}d`, 'is not a valid DNS domain (e.g. cluster.local)')]);
      expect(domain(5)).toEqual([p('v1alpha1.cluster.network.dnsDomain', 5, 'is not a valid DNS domain (e.g. cluster.local)')]);
      expect(domain(undefined)).toEqual([]);
    });

    test('clusterName must be a DNS label', () => {
      expect(broken(controlPlane, (d) => { d[0].cluster.clusterName = 'My Cluster'; })).toEqual([
        p('v1alpha1.cluster.clusterName', 'My Cluster', 'must be a DNS label (lowercase letters, digits, "-"); it names the talosconfig and kubeconfig contexts'),
      ]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.clusterName; })).toHaveLength(1);
    });

    test('CNI: the name, URLs only for custom, flannel options only for flannel; workers are not checked', () => {
      const cni = (value: unknown, base = controlPlane) => broken(base, (d) => { d[0].cluster.network = { ...d[0].cluster.network, cni: value }; });
      expect(cni({ name: 'calico' })).toEqual([p('v1alpha1.cluster.network.cni.name', 'calico', 'must be flannel, custom or none')]);
      expect(cni({ name: 'flannel', urls: ['https://x/cni.yaml'] })).toEqual([p('v1alpha1.cluster.network.cni.urls', ['https://x/cni.yaml'], 'must be empty for CNI flannel')]);
      expect(cni({ name: 'flannel', urls: ['not a url'] })).toEqual([p('v1alpha1.cluster.network.cni.urls', ['not a url'], 'must be empty for CNI flannel')]);
      expect(cni({ name: 'none', flannel: { a: 1 } })).toEqual([p('v1alpha1.cluster.network.cni.flannel', { a: 1 }, 'is only valid with CNI flannel')]);
      expect(cni({ name: 'custom', urls: ['https://x/cni.yaml', 'not a url'] })).toEqual([p('v1alpha1.cluster.network.cni.urls', 'not a url', 'is not a valid URL')]);
      expect(cni({ name: 'custom', urls: ['https://x/cni.yaml'] })).toEqual([]);
      expect(cni({ name: 'flannel' })).toEqual([]);
      expect(cni({ name: 'none' })).toEqual([]);
      expect(cni(undefined)).toEqual([]);
      expect(cni({ name: 'calico', urls: ['x'] }, worker)).toEqual([]);
    });

    test('inline manifests: unique, non-empty names', () => {
      const manifests = (names: unknown[]) => broken(controlPlane, (d) => { d[0].cluster.inlineManifests = names.map((name) => ({ name, contents: '' })); });
      expect(manifests(['a', 'b'])).toEqual([]);
      expect(manifests(['a', 'b', 'a', ''])).toEqual([
        p('v1alpha1.cluster.inlineManifests', 'a', 'every inline manifest needs a unique, non-empty name'),
        p('v1alpha1.cluster.inlineManifests', '', 'every inline manifest needs a unique, non-empty name'),
      ]);
    });

    test('discovery needs the cluster id and secret only when enabled', () => {
      expect(broken(controlPlane, (d) => { delete d[0].cluster.id; })).toEqual([
        p('v1alpha1.cluster.discovery', controlPlane()[0].cluster.discovery, 'discovery needs cluster.id and cluster.secret'),
      ]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.id; d[0].cluster.discovery.enabled = false; })).toEqual([]);
      expect(broken(controlPlane, (d) => { delete d[0].cluster.secret; d[0].cluster.discovery.enabled = 'yes'; })).toEqual([]);
    });
  });

  describe('machine fields', () => {
    test('install: a disk or a disk selector; kernel args only without the UKI command line', () => {
      expect(broken(controlPlane, (d) => { delete d[0].machine.install.disk; })).toEqual([p('v1alpha1.machine.install.disk', undefined, 'set install.disk (e.g. /dev/sda) or install.diskSelector')]);
      expect(broken(controlPlane, (d) => { delete d[0].machine.install.disk; d[0].machine.install.diskSelector = { size: '>= 10GB' }; })).toEqual([]);
      expect(broken(controlPlane, (d) => { d[0].machine.install.extraKernelArgs = ['a=b']; })).toEqual([
        p('v1alpha1.machine.install.extraKernelArgs', ['a=b'], 'conflicts with grubUseUKICmdline: true (Talos >= 1.12); put kernel args in the Image Factory schematic'),
      ]);
      expect(broken(controlPlane, (d) => { d[0].machine.install.extraKernelArgs = ['a=b']; d[0].machine.install.grubUseUKICmdline = false; })).toEqual([]);
      expect(broken(controlPlane, (d) => { d[0].machine.install.extraKernelArgs = []; })).toEqual([]);
    });

    test('kubelet extraConfig: only Talos-managed keys are refused', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.kubelet.extraConfig = { port: 1, maxPods: 200, seccompDefault: true }; })).toEqual([
        p('v1alpha1.machine.kubelet.extraConfig.port', 1, 'is managed by Talos and must not be overridden'),
        p('v1alpha1.machine.kubelet.extraConfig.seccompDefault', true, 'is managed by Talos and must not be overridden'),
      ]);
    });

    test('node labels: key and value checked apart; a non-map is read as no labels', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.nodeLabels = { 'bad key!': 'x', 'example.com/zone': 'not valid!', ok: '', n: 5 }; })).toEqual([
        p('v1alpha1.machine.nodeLabels', 'bad key!', 'is not a valid Kubernetes label key'),
        p('v1alpha1.machine.nodeLabels.example.com/zone', 'not valid!', 'is not a valid Kubernetes label value'),
        p('v1alpha1.machine.nodeLabels.n', 5, 'is not a valid Kubernetes label value'),
      ]);
      expect(broken(controlPlane, (d) => { d[0].machine.nodeLabels = '!'; })).toEqual([]);
      expect(broken(controlPlane, (d) => { d[0].machine.nodeLabels = ['!']; })).toEqual([]);
    });
  });

  describe('Kubernetes images', () => {
    const PARTS = ['apiServer', 'controllerManager', 'proxy', 'scheduler'];
    const allAt = (tag: string) => (d: Docs) => {
      for (const part of PARTS) d[0].cluster[part].image = d[0].cluster[part].image.replace('v1.36.3', tag);
      d[0].machine.kubelet.image = d[0].machine.kubelet.image.replace('v1.36.3', tag);
    };
    const paths = ['machine.kubelet.image', ...PARTS.map((part) => `cluster.${part}.image`)];

    test('the contract range is inclusive at both ends', () => {
      expect(broken(controlPlane, allAt('v1.31.0'))).toEqual([]);
      expect(broken(controlPlane, allAt('v1.36.0'))).toEqual([]);
    });

    test.each(['v1.30.9', 'v1.37.0', 'v2.36.3', 'v10.36.3'])('all images at %s are outside Talos 1.13, each named', (tag) => {
      const docs = controlPlane();
      allAt(tag)(docs);
      expect(check(docs).map((q) => [q.path, q.message])).toEqual(paths.map((path) => [`v1alpha1.${path}`, 'is outside what Talos 1.13 runs (Kubernetes 1.31-1.36)']));
      expect(check(docs)[0].value).toBe(`ghcr.io/siderolabs/kubelet:${tag}`);
    });

    test('an unknown contract has no range to check', () => {
      expect(broken(controlPlane, allAt('v1.20.0')).length).toBeGreaterThan(0);
      const docs = controlPlane();
      allAt('v1.20.0')(docs);
      expect(check(docs, '9.99')).toEqual([]);
    });

    test.each(['latest', 'v1.36', 'v1.36.3-rc.1', 'v1.36.30x', 'v1.36.3 '])('a tag %j is not a release tag', (tag) => {
      expect(broken(controlPlane, (d) => { d[0].cluster.apiServer.image = `registry.k8s.io/kube-apiserver:${tag}`; })).toEqual([
        p('v1alpha1.cluster.apiServer.image', `registry.k8s.io/kube-apiserver:${tag}`, 'must end in a Kubernetes release tag :vX.Y.Z'),
        p('v1alpha1 Kubernetes images', ['v1.36.3', tag, 'v1.36.3', 'v1.36.3', 'v1.36.3'], 'kubelet and control-plane images must carry the same Kubernetes version'),
      ]);
    });

    test('multi-digit parts are release tags too', () => {
      expect(broken(controlPlane, allAt('v1.36.30'))).toEqual([]);
    });

    test('one image on another version', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.kubelet.image = 'ghcr.io/siderolabs/kubelet:v1.35.0'; })).toEqual([
        p('v1alpha1 Kubernetes images', ['v1.35.0', 'v1.36.3', 'v1.36.3', 'v1.36.3', 'v1.36.3'], 'kubelet and control-plane images must carry the same Kubernetes version'),
      ]);
    });
  });

  describe('network documents', () => {
    test('HostnameConfig: auto or hostname, both only with auto off; each checked', () => {
      const hostname = (edit: (h: Record<string, any>) => void) => broken(controlPlane, (d) => edit(find(d, 'HostnameConfig')));
      const base = { apiVersion: 'v1alpha1', kind: 'HostnameConfig' };
      expect(hostname((h) => { h.auto = 'stable'; })).toEqual([p('HostnameConfig', { ...base, hostname: 'talos-cp-1', auto: 'stable' }, 'set auto or hostname, not both (unless auto is off)')]);
      expect(hostname((h) => { h.auto = 'off'; })).toEqual([]);
      expect(hostname((h) => { delete h.hostname; })).toEqual([p('HostnameConfig', base, 'set auto or hostname')]);
      expect(hostname((h) => { h.hostname = ''; })).toEqual([p('HostnameConfig', { ...base, hostname: '' }, 'set auto or hostname')]);
      expect(hostname((h) => { delete h.hostname; h.auto = 'off'; })).toEqual([]);
      expect(hostname((h) => { h.hostname = ''; h.auto = 'stable'; })).toEqual([]);
      expect(hostname((h) => { delete h.hostname; h.auto = 'random'; })).toEqual([p('HostnameConfig.auto', 'random', 'must be stable or off')]);
      for (const ok of ['a', 'talos-cp-1', 'n1.lab', 'a'.repeat(63), `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`]) expect(hostname((h) => { h.hostname = ok; })).toEqual([]);
      const invalid = (bad: string) => [p('HostnameConfig.hostname', bad, 'is not a valid hostname (dot-separated labels of lowercase letters, digits and inner "-", each at most 63 characters, 253 in all)')];
      for (const bad of ['-abc', 'abc-', 'Bad_Host', 'a'.repeat(64), `a.${'b'.repeat(64)}`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'a..b', 'a.-b', 'a-.b', '.a']) {
        expect(hostname((h) => { h.hostname = bad; })).toEqual(invalid(bad));
      }
      // YAML null is unset, like an absent key.
      expect(hostname((h) => { h.hostname = null; h.auto = 'stable'; })).toEqual([]);
      expect(hostname((h) => { h.auto = null; })).toEqual([]);
      // Talos' enum parser folds case.
      expect(hostname((h) => { delete h.hostname; h.auto = 'Stable'; })).toEqual([]);
      expect(hostname((h) => { h.auto = 'OFF'; })).toEqual([]);
    });

    test('HostnameConfig beside a hostname or a stable hostname in the v1alpha1 config conflicts', () => {
      expect(broken(controlPlane, (d) => { d[0].machine.network = { hostname: 'old-name' }; })).toEqual([
        p('v1alpha1.machine.network.hostname', 'old-name', 'conflicts with the HostnameConfig document; set the hostname in one place'),
      ]);
      expect(broken(controlPlane, (d) => { d[0].machine.features.stableHostname = true; })).toEqual([
        p('v1alpha1.machine.features.stableHostname', true, 'conflicts with the HostnameConfig document; use its auto: stable'),
      ]);
      expect(broken(controlPlane, (d) => { d[0].machine.features.stableHostname = false; d[0].machine.network = {}; })).toEqual([]);
    });

    test('a VIP on a worker, without a link, or on a link the config does not name', () => {
      expect(broken(worker, (d) => d.push({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.0.0.5', link: 'eth0' }))).toEqual([
        p('Layer2VIPConfig/10.0.0.5', '10.0.0.5', 'a VIP may only be configured on control-plane nodes'),
      ]);
      expect(broken(controlPlane, (d) => { delete vip(d).link; })).toEqual([p('Layer2VIPConfig/10.70.0.20.link', undefined, 'is required (name of the link the VIP lives on)')]);
      expect(broken(controlPlane, (d) => { vip(d).link = 'eth9'; })).toEqual([p('Layer2VIPConfig/10.70.0.20.link', 'eth9', 'names no link of this config (known: net0)')]);
      expect(broken(controlPlane, (d) => { vip(d).link = 'eth9'; d.push({ apiVersion: 'v1alpha1', kind: 'LinkConfig', name: 'eth1' }); })).toEqual([
        p('Layer2VIPConfig/10.70.0.20.link', 'eth9', 'names no link of this config (known: net0, eth1)'),
      ]);
      // A link named by its alias only (the LinkConfig under another name) is a known link.
      expect(broken(controlPlane, (d) => { find(d, 'LinkConfig').name = 'eth1'; vip(d).link = 'net0'; })).toEqual([]);
      // No link documents at all: the link is the machine's own interface name, nothing to compare with.
      expect(broken(controlPlane, (d) => {
        for (const kind of ['LinkAliasConfig', 'LinkConfig']) d.splice(d.indexOf(find(d, kind)), 1);
        vip(d).link = 'eth0';
      })).toEqual([]);
    });

    test('a link alias needs a selector', () => {
      expect(broken(controlPlane, (d) => { delete find(d, 'LinkAliasConfig').selector; })).toEqual([p('LinkAliasConfig/net0.selector.match', undefined, 'is required (CEL expression matching exactly one link)')]);
    });

    test('routes: a destination or a gateway, each well-formed', () => {
      const routes = (list: unknown[]) => broken(controlPlane, (d) => { find(d, 'LinkConfig').routes = list; });
      expect(routes([{ metric: 10 }])).toEqual([p('LinkConfig/net0.routes', { metric: 10 }, 'a route needs a destination or a gateway')]);
      expect(routes([{ gateway: 'router' }])).toEqual([p('LinkConfig/net0.routes.gateway', 'router', 'must be an IP address')]);
      expect(routes([{ destination: '10.0.0.0' }])).toEqual([p('LinkConfig/net0.routes.destination', '10.0.0.0', 'must be a CIDR')]);
      expect(routes([{ destination: '10.0.0.0/8', gateway: '10.70.0.1' }, { destination: '192.168.0.0/16' }, { gateway: '10.70.0.1' }])).toEqual([]);
    });

    test('nameservers must be IPs; ntp and ptp exclude each other', () => {
      expect(broken(controlPlane, (d) => { find(d, 'ResolverConfig').nameservers = [{ address: '10.70.0.1' }, { address: 'dns.local' }]; })).toEqual([
        p('ResolverConfig.nameservers', 'dns.local', 'must be an IP address'),
      ]);
      const both = broken(controlPlane, (d) => { find(d, 'TimeSyncConfig').ptp = { devices: [] }; });
      expect(both).toEqual([p('TimeSyncConfig', { apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: ['time.cloudflare.com'] }, ptp: { devices: [] } }, 'ntp and ptp are mutually exclusive')]);
      expect(broken(controlPlane, (d) => { const t = find(d, 'TimeSyncConfig'); delete t.ntp; t.ptp = { devices: [] }; })).toEqual([]);
    });
  });

  describe('user volumes', () => {
    const edited = (edit: (v: Record<string, any>) => void) => broken(controlPlane, (d) => edit(volume(d)));
    const sizes = (minSize: unknown, maxSize: unknown) => edited((v) => { v.provisioning.minSize = minSize; v.provisioning.maxSize = maxSize; });
    const tooSmall = (minSize: unknown, maxSize: unknown) => [p('UserVolumeConfig/local-path-provisioner.provisioning', { diskSelector: { match: '!system_disk && disk.dev_path == "/dev/sdb"' }, grow: true, minSize, maxSize }, 'minSize is greater than maxSize; lower minSize or raise maxSize')];

    test('the name: 1-34 letters, digits or "-"', () => {
      expect(edited((v) => { v.name = 'a'.repeat(34); })).toEqual([]);
      expect(edited((v) => { v.name = 'a'.repeat(35); })).toEqual([p(`UserVolumeConfig/${'a'.repeat(35)}.name`, 'a'.repeat(35), 'must be 1-34 letters, digits or "-"')]);
      expect(edited((v) => { delete v.name; })).toEqual([p('UserVolumeConfig.name', undefined, 'must be 1-34 letters, digits or "-"')]);
    });

    test('partition and disk volumes need a selector; only partitions need a size', () => {
      expect(edited((v) => { delete v.provisioning.diskSelector; })).toEqual([
        p('UserVolumeConfig/local-path-provisioner.provisioning.diskSelector', undefined, 'is required (CEL expression, e.g. disk.dev_path == "/dev/sdb")'),
      ]);
      expect(edited((v) => { delete v.provisioning.minSize; })).toEqual([
        p('UserVolumeConfig/local-path-provisioner.provisioning', { diskSelector: { match: '!system_disk && disk.dev_path == "/dev/sdb"' }, grow: true }, 'minSize or maxSize is required'),
      ]);
      expect(edited((v) => { delete v.provisioning.minSize; v.provisioning.maxSize = '50GiB'; })).toEqual([]);
      expect(edited((v) => { v.provisioning.minSize = ''; v.provisioning.maxSize = ''; })).toHaveLength(1);
    });

    test('a disk volume takes the whole disk: no minSize, maxSize or grow, but a selector', () => {
      const disk = (provisioning: Record<string, unknown>) => edited((v) => { v.volumeType = 'disk'; v.provisioning = provisioning; });
      const selector = { match: 'disk.dev_path == "/dev/sdb"' };
      expect(disk({ diskSelector: selector })).toEqual([]);
      const notSupported = (prov: Record<string, unknown>) => [p('UserVolumeConfig/local-path-provisioner.provisioning', prov, 'minSize, maxSize and grow are not supported for volumeType disk (it takes the whole disk)')];
      for (const extra of [{ minSize: '10GiB' }, { maxSize: '10GiB' }, { grow: true }, { grow: false }]) expect(disk({ diskSelector: selector, ...extra })).toEqual(notSupported({ diskSelector: selector, ...extra }));
      expect(disk({})).toEqual([p('UserVolumeConfig/local-path-provisioner.provisioning.diskSelector', undefined, 'is required (CEL expression, e.g. disk.dev_path == "/dev/sdb")')]);
    });

    test('a directory volume has no provisioning, encryption, filesystem or mount', () => {
      const directory = (edit: (v: Record<string, any>) => void) => edited((v) => { v.volumeType = 'directory'; delete v.provisioning; delete v.filesystem; edit(v); });
      expect(directory(() => undefined)).toEqual([]);
      expect(directory((v) => { v.provisioning = {}; v.filesystem = {}; })).toEqual([]);
      const invalid = (spec: string, value: unknown) => p(`UserVolumeConfig/local-path-provisioner.${spec}`, value, 'is invalid for volumeType directory (a directory lives on EPHEMERAL); remove it');
      expect(directory((v) => {
        v.provisioning = { grow: true }; v.encryption = { provider: 'luks2' }; v.filesystem = { type: 'xfs' }; v.mount = { secure: true };
      })).toEqual([invalid('provisioning', { grow: true }), invalid('encryption', { provider: 'luks2' }), invalid('filesystem', { type: 'xfs' }), invalid('mount', { secure: true })]);
      // No other rule reads a directory's parts: a bad filesystem type is reported once, as misplaced.
      expect(directory((v) => { v.filesystem = { type: 'zfs' }; })).toEqual([invalid('filesystem', { type: 'zfs' })]);
    });

    test('enum values in any case; filesystem none; project quotas only on xfs', () => {
      expect(edited((v) => { v.volumeType = 'Partition'; v.filesystem.type = 'XFS'; })).toEqual([]);
      expect(edited((v) => { v.filesystem.type = 'none'; })).toEqual([]);
      expect(edited((v) => { v.filesystem = { type: 'ext4', projectQuotaSupport: true }; })).toEqual([
        p('UserVolumeConfig/local-path-provisioner.filesystem.projectQuotaSupport', true, 'is only available with filesystem type xfs'),
      ]);
      expect(edited((v) => { v.filesystem = { projectQuotaSupport: true }; })).toHaveLength(1);
      expect(edited((v) => { v.filesystem = { type: 'xfs', projectQuotaSupport: true }; })).toEqual([]);
      expect(edited((v) => { v.filesystem = { type: 'ext4', projectQuotaSupport: false }; })).toEqual([]);
    });

    test('a directory volume: a part counts only when Talos would see it as set', () => {
      const directory = (parts: Record<string, unknown>) => edited((v) => { delete v.provisioning; delete v.filesystem; Object.assign(v, { volumeType: 'DIRECTORY' }, parts); });
      expect(directory({ provisioning: { diskSelector: {}, minSize: '', maxSize: null, grow: null }, filesystem: { type: 'None' }, encryption: { provider: 'none', keys: [] }, mount: { secure: null } })).toEqual([]);
      const invalid = (spec: string, value: unknown) => [p(`UserVolumeConfig/local-path-provisioner.${spec}`, value, 'is invalid for volumeType directory (a directory lives on EPHEMERAL); remove it')];
      for (const provisioning of [{ grow: false }, { minSize: 0 }, { maxSize: '1GiB' }, { diskSelector: { match: 'true' } }]) expect(directory({ provisioning })).toEqual(invalid('provisioning', provisioning));
      for (const encryption of [{ provider: 'luks2' }, { keys: [{ slot: 0 }] }]) expect(directory({ encryption })).toEqual(invalid('encryption', encryption));
      expect(directory({ filesystem: { projectQuotaSupport: false } })).toEqual(invalid('filesystem', { projectQuotaSupport: false }));
      for (const mount of [{ disableAccessTime: false }, { secure: true }]) expect(directory({ mount })).toEqual(invalid('mount', mount));
    });

    test('a whole-disk volume: a size of 0 is a size, grow: null is none', () => {
      const disk = (extra: Record<string, unknown>) => edited((v) => { v.volumeType = 'disk'; v.provisioning = { diskSelector: v.provisioning.diskSelector, ...extra }; });
      expect(disk({ grow: null, minSize: '', maxSize: null })).toEqual([]);
      expect(disk({ minSize: 0 })).toHaveLength(1);
    });

    test('a partition with minSize 0 has a size', () => {
      expect(edited((v) => { v.provisioning.minSize = 0; })).toEqual([]);
      expect(edited((v) => { v.provisioning.minSize = null; })).toHaveLength(1);
    });

    test('a volumeType of null is the default, partition', () => {
      expect(edited((v) => { v.volumeType = null; })).toEqual([]);
      expect(edited((v) => { v.volumeType = null; delete v.provisioning.minSize; })).toHaveLength(1);
    });

    test('another volume type is refused before its parts are read', () => {
      expect(edited((v) => { v.volumeType = 'tmpfs'; delete v.provisioning; })).toEqual([p('UserVolumeConfig/local-path-provisioner.volumeType', 'tmpfs', 'must be partition, disk or directory')]);
    });

    test('sizes compare across units; equal is fine', () => {
      expect(sizes('10GiB', '10GiB')).toEqual([]);
      expect(sizes('10GiB', '10GB')).toEqual(tooSmall('10GiB', '10GB'));
      expect(sizes('2GB', '1500MiB')).toEqual(tooSmall('2GB', '1500MiB'));
      expect(sizes('2 GB', '1500 MB')).toEqual(tooSmall('2 GB', '1500 MB'));
      expect(sizes('1.5GiB', '1GiB')).toEqual(tooSmall('1.5GiB', '1GiB'));
      expect(sizes('1.25GiB', '1.2GiB')).toEqual(tooSmall('1.25GiB', '1.2GiB'));
      expect(sizes('2000', '1kB')).toEqual(tooSmall('2000', '1kB'));
      expect(sizes('1TB', '999GB')).toEqual(tooSmall('1TB', '999GB'));
    });

    test('sizes are read as Talos reads them (go-humanize): any case, bare units, commas, a trailing dot, a YAML number', () => {
      expect(sizes(2000, 1000)).toEqual(tooSmall(2000, 1000));
      expect(sizes('15EiB', '15EiB')).toEqual([]);
      expect(sizes('10gib', '10GiB')).toEqual([]);
      expect(sizes('2g', '1GB')).toEqual(tooSmall('2g', '1GB'));
      expect(sizes('2.GiB', '1GiB')).toEqual(tooSmall('2.GiB', '1GiB'));
      expect(sizes('.5GiB', '600MB')).toEqual([]);
      expect(sizes('1,500MB', '1GB')).toEqual(tooSmall('1,500MB', '1GB'));
      expect(sizes('2Ki', '2000')).toEqual(tooSmall('2Ki', '2000'));
      expect(sizes('1PB', '999TB')).toEqual(tooSmall('1PB', '999TB'));
      expect(sizes('1EiB', '1EB')).toEqual(tooSmall('1EiB', '1EB'));
      // Several digits before the point, and none before it.
      expect(sizes('12.5GB', '12GB')).toEqual(tooSmall('12.5GB', '12GB'));
      expect(sizes('12.5GB', '13GB')).toEqual([]);
      expect(sizes('.25GiB', '200MiB')).toEqual(tooSmall('.25GiB', '200MiB'));
    });

    test('a size Talos cannot read is named with its field; a negative minSize is refused', () => {
      const unreadable = (field: string, value: unknown) => p(`UserVolumeConfig/local-path-provisioner.provisioning.${field}`, value,
        `is not a size Talos reads; use e.g. 10GiB or 500MB${field === 'maxSize' ? ' (or a percentage, 80%)' : ''}`);
      for (const bad of ['2GiB!', '2XB', '1.2.3GiB', 'GiB', '1e9', '16EiB', '18446744073709551616', true, ['1GiB'], { size: '1GiB' }]) expect(sizes(bad, '1GiB')).toEqual([unreadable('minSize', bad)]);
      expect(sizes('1GiB', 'lots')).toEqual([unreadable('maxSize', 'lots')]);
      expect(sizes('1GiB', '101%')).toEqual([unreadable('maxSize', '101%')]);
      expect(sizes('1GiB', '80 %')).toEqual([unreadable('maxSize', '80 %')]);
      expect(sizes('1GiB', '50%%')).toEqual([unreadable('maxSize', '50%%')]);
      // A percentage is read by strconv.ParseFloat: a sign, an exponent, underscores and NaN pass.
      for (const pct of ['+5%', '1e1%', '1_0%', 'NaN%', '-nan%', '-50%', '100%', '0%']) expect(sizes('1GiB', pct)).toEqual([]);
      // Out of 0-100 once read: underscores count as digits, inf is infinite in any spelling; a sign after the "-" is read by ParseFloat.
      // Go reads no sign before nan.
      for (const pct of ['1_000%', 'inf%', 'Infinity%', '+inf%', '-inf%', '--5%', '+nan%', '-+nan%']) expect(sizes('1GiB', pct)).toEqual([unreadable('maxSize', pct)]);
      // A percentage is not compared (it depends on the disk); a minSize cannot be one.
      expect(sizes('900GiB', '80%')).toEqual([]);
      expect(sizes('50%', '1GiB')).toEqual([unreadable('minSize', '50%')]);
      // A negative maxSize counts from the end of the disk and is not compared either.
      expect(sizes('5GiB', '-1GiB')).toEqual([]);
      expect(sizes('-1GiB', '2GiB')).toEqual([p('UserVolumeConfig/local-path-provisioner.provisioning.minSize', '-1GiB', 'must not be negative')]);
    });

    test('encryption: unset or LUKS2 with keys, each in its own slot and of a kind, TPM PCRs 0-23', () => {
      const encrypted = (encryption: unknown) => edited((v) => { v.encryption = encryption; });
      const at = (field: string, value: unknown, message: string) => p(`UserVolumeConfig/local-path-provisioner.encryption${field}`, value, message);
      for (const ok of [
        { provider: 'luks2', keys: [{ slot: 0, static: { passphrase: 'x' } }, { slot: 1, kms: { endpoint: 'https://kms' } }] },
        { provider: 'LUKS2', keys: [{ nodeID: {} }] },
        { provider: 'luks2', keys: [{ tpm: { options: { pcrs: [0, 7, 23] } } }] },
        { provider: 'none' }, { provider: 'None', keys: [] }, {}, null,
      ]) expect(encrypted(ok)).toEqual([]);
      expect(encrypted({ provider: 'luks2' })).toEqual([at('.keys', undefined, 'at least one key is required')]);
      expect(encrypted({ provider: 'luks2', keys: [] })).toEqual([at('.keys', [], 'at least one key is required')]);
      expect(encrypted({ provider: 'none', keys: [{ nodeID: {} }] })).toEqual([at('.provider', 'none', 'must be luks2 (or leave encryption out)')]);
      expect(encrypted({ keys: [{ nodeID: {} }] })).toEqual([at('.provider', undefined, 'must be luks2 (or leave encryption out)')]);
      expect(encrypted({ provider: 'aes', keys: [{ nodeID: {} }] })).toEqual([at('.provider', 'aes', 'must be luks2 (or leave encryption out)')]);
      expect(encrypted({ provider: '' })).toEqual([at('.provider', '', 'must be luks2 (or leave encryption out)')]);
      // The slot defaults to 0: a second key without one clashes with slot 0.
      expect(encrypted({ provider: 'luks2', keys: [{ slot: 0, nodeID: {} }, { tpm: {} }, { slot: 2, tpm: {} }, { slot: 2, nodeID: {} }] })).toEqual([
        at('.keys', 0, 'two keys use this slot; give each its own'),
        at('.keys', 2, 'two keys use this slot; give each its own'),
      ]);
      // A kind set to null is no kind.
      expect(encrypted({ provider: 'luks2', keys: [{ slot: 3 }, { slot: 4, static: null, nodeID: null, kms: null, tpm: null }] })).toEqual([
        at('.keys', 3, 'the key in this slot needs a kind: static, nodeID, kms or tpm'),
        at('.keys', 4, 'the key in this slot needs a kind: static, nodeID, kms or tpm'),
      ]);
      for (const kind of ['static', 'nodeID', 'kms', 'tpm']) expect(encrypted({ provider: 'luks2', keys: [{ [kind]: {} }] })).toEqual([]);
      expect(encrypted({ provider: 'luks2', keys: [{ tpm: { options: { pcrs: [-1, 24, 1.5, '7', 23] } } }] })).toEqual(
        [-1, 24, 1.5, '7'].map((pcr) => at('.keys.tpm.options.pcrs', pcr, 'must be a TPM PCR, 0-23')),
      );
      // A whole-disk volume is checked the same way; a directory's encryption is only misplaced (above).
      expect(edited((v) => { v.volumeType = 'disk'; v.provisioning = { diskSelector: v.provisioning.diskSelector }; v.encryption = { provider: 'luks2' }; }))
        .toEqual([at('.keys', undefined, 'at least one key is required')]);
    });

    test('the filesystem: xfs or ext4', () => {
      expect(edited((v) => { v.filesystem.type = 'ext4'; })).toEqual([]);
      expect(edited((v) => { delete v.filesystem; })).toEqual([]);
      expect(edited((v) => { v.filesystem.type = 'zfs'; })).toEqual([p('UserVolumeConfig/local-path-provisioner.filesystem.type', 'zfs', 'must be xfs or ext4')]);
    });
  });

  test('talosconfig endpoints: node IPs, never the VIP', () => {
    expect(checkTalosconfigEndpoints({ endpoints: [], vip: '10.70.0.20' })).toEqual([p('talosconfig.endpoints', [], 'must list the control-plane node IPs')]);
    expect(checkTalosconfigEndpoints({ endpoints: ['10.70.0.21', '10.70.0.20'], vip: '10.70.0.20' })).toEqual([p('talosconfig.endpoints', '10.70.0.20', 'must not contain the API VIP; list the node IPs')]);
    expect(checkTalosconfigEndpoints({ endpoints: ['10.70.0.21'], vip: '10.70.0.20' })).toEqual([]);
  });

  test('TalosConfigError names the source and lists each problem with its value', () => {
    const err = new TalosConfigError('talos-cp-1', [p('a.b', 'x', 'is wrong'), p('c', undefined, 'is required')]);
    expect(err.name).toBe('TalosConfigError');
    expect(err.source).toBe('talos-cp-1');
    expect(err.message).toBe('invalid Talos config (talos-cp-1):\n  - a.b: "x" is wrong\n  - c: undefined is required');
  });
});
