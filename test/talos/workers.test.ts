/**
 * Worker nodes (talos.nodes[].role: worker) on the Talos side: what a worker's machine config
 * leaves out (it is talosctl's worker.yaml plus the site's network, topology and data volume),
 * the talosconfig that names control planes only, the bootstrap against the first control plane
 * whatever the list order, and the VM scripts that create workers like any other VM.
 * Talos' own machinery validates and regenerates the same configs in
 * test/upstream/talos-machinery.test.ts ("three control planes and two workers").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { parseSite, type SiteInput } from '../../site';
import { checkTalosConfig } from '../../talos/config-rules';
import { toGoYamlDocuments } from '../../talos/go-yaml';
import { renderNodeMachineConfigs } from '../../talos/node-configs';
import { renderProxmoxScripts } from '../../talos/proxmox-script';
import { parseSecretsBundle } from '../../talos/secrets-bundle';
import { synthesizeTalos } from '../../talos/synthesize-talos';
import { talosVmSizing } from '../../talos/vm-sizing';
import { WORKERS_SITE, WORKERS_SITE_INPUT } from '../support/workers-site';
import { describeWithShared, dryRunScript, expectScriptsShellClean, readFixture, schemaErrors, tempProject } from './helpers';

type Doc = Record<string, any>;

describeWithShared('a worker\'s machine config', () => {
  const configs = renderNodeMachineConfigs(WORKERS_SITE, parseSecretsBundle(readFixture('secrets.yaml')));
  const docs = (hostname: string): Doc[] =>
    YAML.parseAllDocuments(toGoYamlDocuments(configs.find((c) => c.hostname === hostname)!.documents)).map((d) => d.toJS() as Doc);
  const [worker, controlPlane] = [docs('talos-w-1'), docs('talos-cp-1')];

  test('is a worker: no etcd, no Kubernetes CA key, no control-plane-only cluster keys', () => {
    expect(worker[0].machine.type).toBe('worker');
    expect(worker[0].machine.ca.key).toBe('');
    expect(worker[0].cluster.ca.key).toBe('');
    for (const key of ['etcd', 'apiServer', 'controllerManager', 'scheduler', 'allowSchedulingOnControlPlanes', 'aescbcEncryptionSecret']) {
      expect(worker[0].cluster).not.toHaveProperty(key);
    }
    expect(controlPlane[0].cluster.etcd.extraArgs).toEqual({ 'listen-metrics-urls': 'http://10.70.0.21:2381' });
    expect(controlPlane[0].cluster.allowSchedulingOnControlPlanes).toBe(true);
  });

  test('gives pods no Talos API access and carries no API VIP (both belong to control planes)', () => {
    expect(worker[0].machine.features).not.toHaveProperty('kubernetesTalosAPIAccess');
    expect(worker.map((d) => d.kind)).not.toContain('Layer2VIPConfig');
    expect(controlPlane.filter((d) => d.kind === 'Layer2VIPConfig')).toEqual([{ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.70.0.20', link: 'net0' }]);
  });

  test('keeps what every node needs: its address, the topology labels of its host, the local-path data volume, the log destination', () => {
    expect(worker.find((d) => d.kind === 'LinkConfig')!.addresses).toEqual([{ address: '10.70.0.31/24' }]);
    expect(worker[0].machine.nodeLabels).toEqual({ 'topology.kubernetes.io/region': 'homelab', 'topology.kubernetes.io/zone': 'pve01' });
    expect(worker.find((d) => d.kind === 'UserVolumeConfig')!.name).toBe('local-path-provisioner');
    expect(worker[0].machine.logging.destinations[0].extraTags).toEqual({ host: 'talos-w-1' });
    expect(worker[0].machine.kubelet.nodeIP).toEqual({ validSubnets: ['10.70.0.0/24'] });
  });

  test('every document validates against the v1.13 JSON schema and the Talos cross-field rules', () => {
    for (const config of configs) {
      expect({ node: config.hostname, problems: checkTalosConfig(config.documents, '1.13') }).toEqual({ node: config.hostname, problems: [] });
      for (const doc of YAML.parseAllDocuments(toGoYamlDocuments(config.documents)).map((d) => d.toJS())) expect(schemaErrors(doc)).toEqual([]);
    }
  });

  test('the cross-field rules refuse a worker with Talos API access or a VIP, as Talos would', () => {
    const documents = configs.find((c) => c.hostname === 'talos-w-1')!.documents;
    const [config, ...rest] = documents as Doc[];
    const withAccess = [{ ...config, machine: { ...config.machine, features: { ...config.machine.features, kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ['os:reader'], allowedKubernetesNamespaces: ['x'] } } } }, ...rest];
    expect(checkTalosConfig(withAccess, '1.13')).toContainEqual(expect.objectContaining({
      path: 'v1alpha1.machine.features.kubernetesTalosAPIAccess', message: 'can only be enabled on control-plane nodes (Talos refuses it on workers)',
    }));
    const withVip = [...documents, { apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '10.70.0.20', link: 'net0' }];
    expect(checkTalosConfig(withVip, '1.13').map((p) => p.message)).toContain('a VIP may only be configured on control-plane nodes');
  });
});

describe('the talosconfig and the synth log with workers', () => {
  test('talosctl endpoints are the control planes only, and the log counts both roles', async () => {
    const root = tempProject('talos-workers-');
    try {
      const { messages } = await synthesizeTalos(WORKERS_SITE, { projectRoot: root, now: new Date('2026-08-18T10:00:00Z') });
      const talosconfig = YAML.parse(fs.readFileSync(path.join(root, '.secrets/talos/talosconfig'), 'utf8'));
      expect(talosconfig.contexts[WORKERS_SITE.name].endpoints).toEqual(['10.70.0.21', '10.70.0.22', '10.70.0.23']);
      expect(messages.find((m) => m.startsWith('Talos '))).toMatch(/^Talos v1\.13\.9: 3 control-plane and 2 worker configs in /);
      expect(fs.readdirSync(path.join(root, '.secrets/talos/nodes')).sort()).toEqual(['talos-cp-1.yaml', 'talos-cp-2.yaml', 'talos-cp-3.yaml', 'talos-w-1.yaml', 'talos-w-2.yaml']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the default site still says "3 control-plane configs"', async () => {
    const root = tempProject('talos-workers-default-');
    try {
      const { messages } = await synthesizeTalos(parseSite({}).site, { projectRoot: root, now: new Date('2026-08-18T10:00:00Z') });
      expect(messages.find((m) => m.startsWith('Talos '))).toMatch(/^Talos v1\.13\.9: 3 control-plane configs in /);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the VM scripts with workers', () => {
  const dryRun = dryRunScript;

  test('create workers like any VM, on the host talos.nodes[].host names, shellcheck-clean', () => {
    const scripts = renderProxmoxScripts(WORKERS_SITE);
    const creates = scripts.map((s) => dryRun(s.content).split('\n').filter((l) => l.startsWith('+ qm create')).map((l) => l.split(' ').slice(3, 6).join(' ')));
    expect(creates).toEqual([['211 --name talos-cp-1', '231 --name talos-w-1'], ['212 --name talos-cp-2', '232 --name talos-w-2'], ['213 --name talos-cp-3']]);
    expectScriptsShellClean(scripts);
  });

  test('bootstrap runs against the first control plane even when a worker comes first in the list and on its host', () => {
    const input: SiteInput = { ...WORKERS_SITE_INPUT, talos: { nodes: [...WORKERS_SITE_INPUT.talos!.nodes!].reverse() } };
    const site = parseSite(input).site;
    expect(site.talos.nodes[0].hostname).toBe('talos-w-2');
    const scripts = renderProxmoxScripts(site);
    // Host order stays proxmox.node first; on pve03 the first control plane (talos-cp-3) is the only VM.
    const outputs = scripts.map((s) => dryRun(s.content));
    expect(outputs[2]).toContain('talosctl -n 10.70.0.23 -e 10.70.0.23 bootstrap');
    expect(outputs[0]).toContain('the cluster is bootstrapped once, against talos-cp-3 (10.70.0.23)');
    // On pve01 the worker is listed before the control plane: the bootstrap line must still skip it.
    const firstOnPve01: SiteInput = { ...WORKERS_SITE_INPUT, talos: { nodes: [WORKERS_SITE_INPUT.talos!.nodes![3], ...WORKERS_SITE_INPUT.talos!.nodes!.filter((_, i) => i !== 3)] } };
    const pve01 = dryRun(renderProxmoxScripts(parseSite(firstOnPve01).site)[0].content);
    expect(pve01).toContain('talosctl -n 10.70.0.21 -e 10.70.0.21 bootstrap');
    expect(pve01).not.toContain('talosctl -n 10.70.0.31');
  });
});

describe('VM sizes with workers', () => {
  test('workers get the control-plane size, and the sizing says why', () => {
    const sizing = talosVmSizing(WORKERS_SITE);
    expect(new Set(sizing.nodes.map((n) => `${n.cores}/${n.memoryGiB}/${n.osDiskGiB}/${n.dataDiskGiB}`)).size).toBe(1);
    expect(sizing.nodes.map((n) => n.hostname)).toEqual(['talos-cp-1', 'talos-cp-2', 'talos-cp-3', 'talos-w-1', 'talos-w-2']);
    expect(sizing.totals.cores).toBe(5 * sizing.perNode.cores);
    expect(sizing.notes).toContain('workers get the control-plane size: any node may carry any placement group, and what a worker does not run (API server, controller manager, scheduler, etcd) stays as headroom');
    expect(talosVmSizing(parseSite({}).site).notes.some((n) => n.startsWith('workers'))).toBe(false);
  });

  test('the placement spreads the four services over the three hosts first, then the workers', () => {
    const planned = talosVmSizing(WORKERS_SITE).nodes.filter((n) => n.plannedServices.length > 0).map((n) => n.hostname);
    expect(planned).toEqual(['talos-cp-1', 'talos-cp-2', 'talos-cp-3', 'talos-w-1']);
  });
});
