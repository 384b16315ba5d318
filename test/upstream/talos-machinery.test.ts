/**
 * Talos' own machinery (github.com/siderolabs/talos/pkg/machinery at the site's Talos release,
 * built as talos-check by test/upstream/build.sh) reads what the synthesizer writes:
 * - every node's machine config through configloader and Validate(mode, WithLocal, WithStrict),
 *   in cloud mode (the nocloud platform the Proxmox VMs boot) and metal mode (which also checks
 *   the install section) — what `talosctl validate --strict` does;
 * - the secrets bundle through secrets.LoadBundle and its Validate;
 * - generation parity: machinery's generate path (what `talosctl gen config --with-secrets
 *   --config-patch` runs) builds each node's config from the same bundle, cluster name,
 *   endpoint, versions and an operator's patch written here from the site, and the result must
 *   equal ours document by document, except for the differences listed with their reasons.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseSite, type Site } from '../../site';
import { installerImage } from '../../talos/schematic';
import { synthesizeTalos } from '../../talos/synthesize-talos';
import { describeWithBinary, run, toolPath } from '../support/binaries';
import { SECOND_SITE } from '../support/second-site';
import { WORKERS_SITE } from '../support/workers-site';
import { CSI_SITE } from '../support/csi-site';
import { tempDir } from '../support/synth-once';
import { pinnedModule } from './pins';

const NOW = new Date('2026-08-18T10:00:00Z');

/** Five control planes, two per host at most, and no proxmox.cluster (the region is the site name). */
const FIVE_NODES_THREE_HOSTS = parseSite({
  proxmox: { additionalHosts: [{ node: 'pve02', address: '10.88.140.152' }, { node: 'pve03', address: '10.88.140.153' }] },
  talos: {
    nodes: ['pve01', 'pve01', 'pve02', 'pve02', 'pve03'].map((host, i) => ({ hostname: `talos-cp-${i + 1}`, address: `10.70.0.${21 + i}`, vmid: 211 + i, host })),
  },
}).site;

/** Differences from machinery's own output, each with why ours is right. Paths: `<document> <yaml path>`. */
const ALLOWED_DIFFERENCES: Record<string, string> = {
  'v1alpha1 persist': 'gen config writes persist: true, which is the default; ours omits it because the v1.13 JSON schema has no persist field (strict schema validation would fail) and Talos only rejects an explicit false',
};

/**
 * The patch an operator would pass to `talosctl gen config --config-patch` to get this node's
 * config, written from the site's values (not from our generator's output).
 */
function operatorPatch(site: Site, node: Site['talos']['nodes'][number]): string {
  const prefix = site.network.cidr.split('/')[1];
  const mac = ['02', '00', ...[24, 16, 8, 0].map((shift) => ((node.vmid >>> shift) & 0xff).toString(16).padStart(2, '0'))].join(':');
  const largestClaim = Math.max(site.prometheus.storageGiB, site.grafana.storageGiB, site.loki.storageGiB, site.alertmanager.storageGiB);
  // A worker (talosctl's worker.yaml) has no etcd, no Talos API access from pods, no API VIP,
  // and no control-plane taint to lift.
  const controlPlane = node.role === 'controlplane';
  const docs: unknown[] = [
    {
      machine: {
        kubelet: { extraArgs: { 'rotate-server-certificates': 'true' }, nodeIP: { validSubnets: [site.network.cidr] } },
        ...(controlPlane ? { features: { kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ['os:etcd:backup'], allowedKubernetesNamespaces: ['etcd-backup'] } } } : {}),
        // MetalLB must announce from these nodes: drop gen config's exclude-from-external-load-balancers label (control planes only).
        ...(controlPlane ? { nodeLabels: { $patch: 'delete' } } : {}),
        // Machine and service logs to the log gateway's Talos listener on the log address.
        ...(site.integrations.logs.talos ? { logging: { destinations: [{ endpoint: `tcp://${site.loki.address}:5170/`, format: 'json_lines', extraTags: { host: node.hostname } }] } } : {}),
      },
      cluster: {
        ...(controlPlane ? { allowSchedulingOnControlPlanes: true } : {}),
        network: { cni: { name: 'flannel', flannel: { kubeNetworkPoliciesEnabled: true } } },
        // etcd's metrics for Prometheus on plain HTTP (Talos' documented way for kube-prometheus).
        ...(controlPlane ? { etcd: { advertisedSubnets: [site.network.cidr], extraArgs: { 'listen-metrics-urls': `http://${node.address}:2381` } } } : {}),
      },
    },
    { apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: node.hostname, auto: { $patch: 'delete' } },
    { apiVersion: 'v1alpha1', kind: 'LinkAliasConfig', name: 'net0', selector: { match: `mac(link.permanent_addr) == "${mac}"` } },
    { apiVersion: 'v1alpha1', kind: 'LinkConfig', name: 'net0', addresses: [{ address: `${node.address}/${prefix}` }], routes: [{ gateway: site.network.gateway }] },
    ...(controlPlane ? [{ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: site.talos.vip, link: 'net0' }] : []),
    { apiVersion: 'v1alpha1', kind: 'ResolverConfig', nameservers: site.network.dnsServers.map((address) => ({ address })) },
    { apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: site.network.ntpServers } },
    // The operator's data volume for local-path; with Proxmox CSI volumes there is none.
    ...(site.kubernetes.storage === 'proxmox-csi' ? [] : [{
      apiVersion: 'v1alpha1',
      kind: 'UserVolumeConfig',
      name: 'local-path-provisioner',
      provisioning: { diskSelector: { match: `!system_disk && disk.dev_path == "${site.talos.dataDisk}"` }, grow: true, minSize: `${largestClaim}GiB` },
      filesystem: { type: 'xfs' },
    }]),
  ];
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

/** machinery's gen config path for a node of the site (its role's config), from the bundle in talosDir and patch files. */
function generateWithMachinery(site: Site, node: Site['talos']['nodes'][number], talosDir: string, patches: string[]) {
  return run('talos-check', ['generate', ...(node.role === 'worker' ? ['--worker'] : []), path.join(talosDir, 'secrets.yaml'), site.name, `https://${site.talos.vip}:6443`, site.kubernetes.version,
    site.talos.version, site.talos.installDisk, installerImage(site.talos.extensions, site.talos.version), ...patches]);
}

/**
 * A second patch, applied after the first has deleted gen config's node labels: the topology
 * labels an operator spreading the cluster over Proxmox hosts adds (region = the Proxmox cluster,
 * zone = the node's host), when the site has several hosts or names its Proxmox cluster.
 */
function topologyPatch(site: Site, node: Site['talos']['nodes'][number]): string | undefined {
  if (site.proxmox.additionalHosts.length === 0 && site.proxmox.cluster === undefined) return undefined;
  return YAML.stringify({ machine: { nodeLabels: { 'topology.kubernetes.io/region': site.proxmox.cluster ?? site.name, 'topology.kubernetes.io/zone': node.host ?? site.proxmox.node } } });
}

type Doc = Record<string, unknown>;

/** Documents keyed by kind (and name), the v1alpha1 config as `v1alpha1`. */
function documents(text: string): Map<string, Doc> {
  const entries = YAML.parseAllDocuments(text).map((d): [string, Doc] => {
    const doc = d.toJS() as Doc;
    return [typeof doc.kind === 'string' ? `${doc.kind}${doc.name ? `/${String(doc.name)}` : ''}` : 'v1alpha1', doc];
  });
  const keys = entries.map(([k]) => k);
  if (new Set(keys).size !== keys.length) throw new Error(`two documents share a kind and name: ${keys.join(', ')}`);
  return new Map(entries);
}

/** Every path where two values differ (`<document> a.b[0].c`). */
function differences(ours: Map<string, Doc>, theirs: Map<string, Doc>): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a as Doc), ...Object.keys(b as Doc)]);
      for (const k of keys) walk((a as Doc)[k], (b as Doc)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}${at.endsWith(' ') ? '' : '.'}${k}`);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(at);
    }
  };
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) walk(ours.get(key), theirs.get(key), `${key} `);
  return out;
}

describeWithBinary('talos-check', 'Talos machinery reads the synthesized configs and bundle', () => {
  const sites = [
    ['the default site', parseSite({}).site],
    ['the second site', parseSite(SECOND_SITE).site],
    ['a site of five control planes on three hosts', FIVE_NODES_THREE_HOSTS],
    ['a site of three control planes and two workers on three hosts', WORKERS_SITE],
    ['the same hosts with Proxmox CSI volumes (no data volume)', CSI_SITE],
  ] as const;

  test('is built from the machinery module of the Talos release the sites use', () => {
    expect(pinnedModule('talos', 'github.com/siderolabs/talos/pkg/machinery')).toBe(parseSite({}).site.talos.version);
    // The binary's own build info (go version -m; Go is there wherever talos-check was built).
    const goVersion = spawnSync('go', ['version', '-m', toolPath('talos-check')!], { encoding: 'utf8' });
    expect(goVersion.stdout).toContain(`github.com/siderolabs/talos/pkg/machinery\t${parseSite({}).site.talos.version}`);
    for (const [, site] of sites) expect(site.talos.version.split('.').slice(0, 2)).toEqual(parseSite({}).site.talos.version.split('.').slice(0, 2));
  });

  describe.each(sites)('%s', (_label, site) => {
    const root = tempDir('talos-machinery-');
    // The site's secrets directory (the second site moves it): found from what the run wrote.
    let talosDir = '';
    const nodeFile = (hostname: string) => path.join(talosDir, 'nodes', `${hostname}.yaml`);
    beforeAll(async () => {
      const { secretFiles } = await synthesizeTalos(site, { projectRoot: root, now: NOW });
      talosDir = path.dirname(secretFiles.find((f) => path.basename(f) === 'secrets.yaml')!);
    });

    test.each(['cloud', 'metal'])('every node config is valid in %s mode with strict validation', (mode) => {
      const result = run('talos-check', ['validate', mode, ...site.talos.nodes.map((n) => nodeFile(n.hostname))]);
      expect(result.output.trim().split('\n')).toEqual(site.talos.nodes.map((n) => `${nodeFile(n.hostname)} is valid for ${mode} mode`));
      expect(result.status).toBe(0);
    });

    test('the secrets bundle loads and validates', () => {
      const result = run('talos-check', ['secrets', path.join(talosDir, 'secrets.yaml')]);
      expect(result.output.trim()).toBe(`${path.join(talosDir, 'secrets.yaml')} is a valid secrets bundle`);
      expect(result.status).toBe(0);
    });

    test('machinery\'s generate path, fed the same inputs and an operator\'s patch, writes the same configs (listed differences only)', () => {
      for (const node of site.talos.nodes) {
        const patch = path.join(root, `patch-${node.hostname}.yaml`);
        fs.writeFileSync(patch, operatorPatch(site, node));
        const patches = [patch];
        const topology = topologyPatch(site, node);
        if (topology) {
          patches.push(path.join(root, `topology-${node.hostname}.yaml`));
          fs.writeFileSync(patches[1], topology);
        }
        const generated = generateWithMachinery(site, node, talosDir, patches);
        expect(generated.status).toBe(0);
        const diff = differences(documents(fs.readFileSync(nodeFile(node.hostname), 'utf8')), documents(generated.output));
        expect({ node: node.hostname, diff }).toEqual({ node: node.hostname, diff: Object.keys(ALLOWED_DIFFERENCES) });
      }
    });
  });

  describe('the checks bite', () => {
    const site = parseSite({}).site;
    const root = tempDir('talos-bites-');
    const talosDir = path.join(root, '.secrets', 'talos');
    beforeAll(async () => { await synthesizeTalos(site, { projectRoot: root, now: NOW }); });
    const brokenNode = (name: string, edit: (text: string) => string) => {
      const text = fs.readFileSync(path.join(talosDir, 'nodes', `${site.talos.nodes[0].hostname}.yaml`), 'utf8');
      const broken = edit(text);
      expect(broken).not.toBe(text);
      const file = path.join(root, `${name}.yaml`);
      fs.writeFileSync(file, broken);
      return run('talos-check', ['validate', 'cloud', file]);
    };

    test('a hostname document with both a static and an automatic hostname is rejected', () => {
      const result = brokenNode('hostname', (t) => t.replace(/(kind: HostnameConfig\n)/, '$1auto: stable\n'));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/HostnameConfig: 'auto' and 'hostname' cannot be set at the same time/);
    });

    test('a node address with an impossible prefix is rejected', () => {
      const result = brokenNode('address', (t) => t.replace(/(- address: [\d.]+)\/\d+/, '$1/33'));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/LinkConfig.*\n.*netip\.ParsePrefix\("[\d.]+\/33"\): prefix length out of range/);
    });

    test('a node subnet that is not a CIDR is rejected for etcd and the kubelet', () => {
      const cidr = site.network.cidr.replace('/', '\\/');
      const result = brokenNode('subnet', (t) => t.replace(new RegExp(cidr, 'g'), site.network.cidr.replace(/\/\d+$/, '/99')));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/etcd advertised subnet is not valid/);
      expect(result.output).toMatch(/kubelet nodeIP subnet is not valid/);
    });

    test('metal mode requires the install disk cloud mode can do without', () => {
      const text = fs.readFileSync(path.join(talosDir, 'nodes', `${site.talos.nodes[0].hostname}.yaml`), 'utf8');
      const file = path.join(root, 'no-disk.yaml');
      fs.writeFileSync(file, text.replace(/\n {8}disk: \S+/, ''));
      expect(run('talos-check', ['validate', 'cloud', file]).status).toBe(0);
      const metal = run('talos-check', ['validate', 'metal', file]);
      expect(metal.status).not.toBe(0);
      expect(metal.output).toMatch(/either install disk or diskSelector should be defined/);
    });

    test('a control-plane endpoint that is not a URL is rejected', () => {
      const result = brokenNode('endpoint', (t) => t.replace(/endpoint: https:\/\/[\d.]+:6443/, 'endpoint: ":::not a url"'));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/parse ":::not a url": missing protocol scheme/);
    });

    test('a secrets bundle with a corrupted CA key is rejected', () => {
      const text = fs.readFileSync(path.join(talosDir, 'secrets.yaml'), 'utf8');
      const broken = text.replace(/(os:\n\s+crt: \S+\n\s+key: )(\S+)/, (_m, head: string) => `${head}${Buffer.from('-----BEGIN ED25519 PRIVATE KEY-----\nAAAA\n-----END ED25519 PRIVATE KEY-----\n').toString('base64')}`);
      expect(broken).not.toBe(text);
      const file = path.join(root, 'broken-secrets.yaml');
      fs.writeFileSync(file, broken);
      const result = run('talos-check', ['secrets', file]);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/broken-secrets\.yaml: invalid: .*\n.*certs\.os is invalid: failed to parse Ed25519 key/);
    });

    test('a worker that lets pods use the Talos API (which only a control plane may) is rejected', async () => {
      const workersRoot = tempDir('talos-bites-workers-');
      await synthesizeTalos(WORKERS_SITE, { projectRoot: workersRoot, now: NOW });
      const worker = WORKERS_SITE.talos.nodes.find((n) => n.role === 'worker')!;
      const text = fs.readFileSync(path.join(workersRoot, '.secrets', 'talos', 'nodes', `${worker.hostname}.yaml`), 'utf8');
      const broken = text.replace(/\n    features:\n/, '\n    features:\n        kubernetesTalosAPIAccess:\n            enabled: true\n            allowedRoles:\n                - os:etcd:backup\n            allowedKubernetesNamespaces:\n                - etcd-backup\n');
      expect(broken).not.toBe(text);
      const file = path.join(workersRoot, 'worker-api-access.yaml');
      fs.writeFileSync(file, broken);
      const result = run('talos-check', ['validate', 'cloud', file]);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/feature Kubernetes Talos API Access can only be enabled on control plane machines/);
    });

    test('generation parity notices a value that does not follow the site', () => {
      const node = site.talos.nodes[0];
      const patch = path.join(root, 'patch.yaml');
      fs.writeFileSync(patch, operatorPatch({ ...site, network: { ...site.network, gateway: '10.70.0.254' } }, node));
      const generated = generateWithMachinery(site, node, talosDir, [patch]);
      const diff = differences(documents(fs.readFileSync(path.join(talosDir, 'nodes', `${node.hostname}.yaml`), 'utf8')), documents(generated.output));
      expect(diff.sort()).toEqual(['LinkConfig/net0 routes[0].gateway', ...Object.keys(ALLOWED_DIFFERENCES)].sort());
    });
  });
});
