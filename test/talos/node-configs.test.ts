/** The site's machine configs: schema-valid, rule-clean, and carrying what the issue asks for. */
import * as YAML from 'yaml';
import { parseSite } from '../../site';
import { checkTalosConfig } from '../../talos/config-rules';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { LOCAL_PATH_HOST_PATH, nodeMacAddress, renderNodeMachineConfigs } from '../../talos/node-configs';
import { schematicId } from '../../talos/schematic';
import { renderProxmoxScript } from '../../talos/proxmox-script';
import { ETCD_BACKUP_NAMESPACE, ETCD_BACKUP_TALOS_ROLE } from '../../charts/common/cluster-contract';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { describeWithShared, keyOrderProblems, readFixture, schemaErrors } from './helpers';

describeWithShared('site machine configs (Talos v1.13 contract)', () => {
  const { site } = parseSite({});
  const secrets = () => parseSecretsBundle(readFixture('secrets.yaml'));
  const nodes = () => renderNodeMachineConfigs(site, secrets());
  // Validate what is written, read back from YAML, not the objects in memory.
  const parsedDocs = (i: number) => YAML.parseAllDocuments(toGoYamlDocuments(nodes()[i].documents)).map((d) => d.toJS() as Record<string, any>);

  test('every kubelet requests a serving certificate from the cluster CA, so Prometheus can verify it', () => {
    for (let i = 0; i < 3; i++) expect(parsedDocs(i)[0].machine.kubelet.extraArgs).toEqual({ 'rotate-server-certificates': 'true' });
  });

  test('every document of every node validates against the v1.13 JSON schema', () => {
    for (let i = 0; i < 3; i++) {
      for (const doc of parsedDocs(i)) expect(schemaErrors(doc)).toEqual([]);
    }
  });

  test('every mapping lists its keys in the v1.13 schema (Go struct) order, e.g. kubernetesTalosAPIAccess before diskQuotaSupport', () => {
    for (let i = 0; i < 3; i++) {
      for (const doc of parsedDocs(i)) expect(keyOrderProblems(doc)).toEqual([]);
    }
    expect(Object.keys(parsedDocs(0)[0].machine.features)).toEqual(['kubernetesTalosAPIAccess', 'diskQuotaSupport', 'kubePrism', 'hostDNS']);
  });

  test('the schema check rejects keys outside the v1.13 layout (persist, machine.network)', () => {
    const [config] = parsedDocs(0);
    expect(schemaErrors({ ...config, persist: true }).join()).toMatch(/additional properties.*"persist"/);
    expect(schemaErrors({ ...config, machine: { ...config.machine, network: {} } }).join()).toMatch(/additional properties.*"network"/);
  });

  test('every node passes the Talos cross-field rules', () => {
    for (let i = 0; i < 3; i++) expect(checkTalosConfig(parsedDocs(i), '1.13')).toEqual([]);
  });

  test('three schedulable control planes with static addresses, the L2 VIP and no exclude-from-LB label', () => {
    const all = [0, 1, 2].map(parsedDocs);
    expect(all.map((docs) => docs[0].machine.type)).toEqual(['controlplane', 'controlplane', 'controlplane']);
    for (const [i, docs] of all.entries()) {
      const [config] = docs;
      const byKind = Object.fromEntries(docs.slice(1).map((d) => [d.kind, d]));
      expect(config.cluster.allowSchedulingOnControlPlanes).toBe(true);
      expect(config.machine.nodeLabels).toBeUndefined();
      expect(config.cluster.controlPlane.endpoint).toBe('https://10.70.0.20:6443');
      expect(byKind.HostnameConfig.hostname).toBe(site.talos.nodes[i].hostname);
      expect(byKind.LinkConfig.addresses).toEqual([{ address: `${site.talos.nodes[i].address}/24` }]);
      expect(byKind.LinkConfig.routes).toEqual([{ gateway: '10.70.0.1' }]);
      expect(byKind.LinkAliasConfig.selector.match).toContain(nodeMacAddress(site.talos.nodes[i].vmid));
      expect(byKind.Layer2VIPConfig).toEqual({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.70.0.20', link: 'net0' });
      expect(byKind.ResolverConfig.nameservers).toEqual([{ address: '10.70.0.1' }]);
      expect(byKind.TimeSyncConfig.ntp.servers).toEqual(['time.cloudflare.com']);
    }
  });

  test('install disk, Image Factory installer with the offline schematic ID, flannel with NetworkPolicy', () => {
    const [config] = parsedDocs(0);
    expect(config.machine.install.disk).toBe('/dev/sda');
    expect(schematicId(['siderolabs/qemu-guest-agent'])).toBe('ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515');
    expect(schematicId([])).toBe('376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba');
    expect(config.machine.install.image).toBe('factory.talos.dev/nocloud-installer/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515:v1.13.9');
    expect(config.cluster.network.cni).toEqual({ name: 'flannel', flannel: { kubeNetworkPoliciesEnabled: true } });
    expect(config.machine.kubelet.image).toBe('ghcr.io/siderolabs/kubelet:v1.36.3');
  });

  test('nodes upgrade with the installer of the platform, schematic and version their disk image came from (nocloud, not the metal `installer`)', () => {
    // GIVEN the disk image the Proxmox script imports
    const imageUrl = /^IMAGE_URL='https:\/\/factory\.talos\.dev\/image\/([0-9a-f]{64})\/(v[0-9.]+)\/([a-z-]+)-amd64\.raw\.gz'$/m.exec(renderProxmoxScript(site).content);
    expect(imageUrl).not.toBeNull();
    const [, id, version, platform] = imageUrl!;
    expect(platform).toBe('nocloud');
    // THEN every node's installer names the same platform, schematic and version
    for (let i = 0; i < 3; i++) {
      const image: string = parsedDocs(i)[0].machine.install.image;
      expect(image).toBe(`factory.talos.dev/${platform}-installer/${id}:${version}`);
      // the factory serves the bare `installer` as metal-installer (talos.platform=metal, no console=ttyS0 net.ifnames=0)
      expect(image).not.toMatch(/^factory\.talos\.dev\/installer\//);
    }
  });

  test('the data disk is a UserVolumeConfig mounted where local-path-provisioner looks', () => {
    const volume = parsedDocs(0).find((d) => d.kind === 'UserVolumeConfig')!;
    expect(`/var/mnt/${volume.name}`).toBe(LOCAL_PATH_HOST_PATH);
    expect(LOCAL_PATH_HOST_PATH).toBe('/var/mnt/local-path-provisioner');
    expect(volume.provisioning.diskSelector.match).toContain('"/dev/sdb"');
  });

  test('pods of the etcd-backup namespace may take etcd snapshots through the Talos API', () => {
    const [config] = parsedDocs(0);
    expect(config.machine.features.kubernetesTalosAPIAccess).toEqual({
      enabled: true, allowedRoles: [ETCD_BACKUP_TALOS_ROLE], allowedKubernetesNamespaces: [ETCD_BACKUP_NAMESPACE],
    });
  });

  test('fails when the site asks for a Talos contract the generator does not write: the site validator refuses it first', () => {
    expect(() => parseSite({ talos: { version: 'v1.12.11' }, kubernetes: { version: '1.35.4' } }))
      .toThrow(/talos\.version: "v1\.12\.11" is not supported: the machine configs are written for the Talos v1\.13 contract; use a v1\.13\.x release/);
    // The renderer keeps its own guard for callers that bypass the validator.
    const site = { ...parseSite({}).site, talos: { ...parseSite({}).site.talos, version: 'v1.12.11' } };
    expect(() => renderNodeMachineConfigs(site, secrets())).toThrow(/talos.version "v1.12.11".*v1.13/);
  });
});
