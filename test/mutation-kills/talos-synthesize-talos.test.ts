/**
 * talos/synthesize-talos.ts in-process (mutation testing, issue 18): what planTalos plans (the
 * changes, the secret files, the plaintext for the encrypted copies) and says, line by line, for a
 * one-host site, a site with workers and a Proxmox CSI site; stale node configs; the refusals.
 * test/talos/synthesize-talos.test.ts checks the files on disk across runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSite, type Site } from '../../site';
import { TalosConfigError } from '../../talos/config-rules';
import { installerImage, schematicId } from '../../talos/schematic';
import { planTalos, synthesizeTalos } from '../../talos/synthesize-talos';
import { talosVmSizing } from '../../talos/vm-sizing';
import { CSI_SITE } from '../support/csi-site';
import { withReaddirReversed } from '../support/readdir-order';
import { WORKERS_SITE } from '../support/workers-site';
import { describeWithShared, tempProject } from '../talos/helpers';

const NOW = new Date('2026-12-04T10:00:00Z');
const DEFAULT = parseSite({}).site;

/** A project whose secrets directory already holds the bundle and admin certificate of a first run. */
const projectWithSecrets = async (site: Site = DEFAULT) => {
  const root = tempProject('plan-talos-');
  await synthesizeTalos(site, { projectRoot: root, now: NOW });
  const talos = path.join(root, '.secrets', 'talos');
  return { root, talos, nodes: path.join(talos, 'nodes') };
};

describeWithShared('planTalos', () => {
  test('a first run: the bundle and certificate, each node\'s config, the talosconfig; what it says, in order', async () => {
    const root = tempProject('plan-talos-');
    const talos = path.join(root, '.secrets', 'talos');
    const plan = await planTalos(DEFAULT, { projectRoot: root, now: NOW });
    const nodeFiles = ['talos-cp-1', 'talos-cp-2', 'talos-cp-3'].map((h) => path.join(talos, 'nodes', `${h}.yaml`));
    expect(plan.secretFiles).toEqual([path.join(talos, 'secrets.yaml'), path.join(talos, 'admin-client.yaml'), ...nodeFiles, path.join(talos, 'talosconfig')]);
    expect(plan.changes.map((c) => [c.kind, c.path])).toEqual([
      ['create', path.join(talos, 'secrets.yaml')], ['create', path.join(talos, 'admin-client.yaml')],
      ...nodeFiles.map((f) => ['write', f]), ['write', path.join(talos, 'talosconfig')],
    ]);
    const sizing = talosVmSizing(DEFAULT);
    const ext = DEFAULT.talos.extensions;
    expect(plan.messages).toEqual([
      `created Talos secrets bundle ${path.join(talos, 'secrets.yaml')} (back it up: a live cluster cannot be recovered without it)`,
      `issued os:admin client certificate ${path.join(talos, 'admin-client.yaml')} (valid 1 year)`,
      `Talos v1.13.9: 3 control-plane configs in ${path.join(talos, 'nodes')}, talosconfig ${path.join(talos, 'talosconfig')}`,
      `installer ${installerImage(ext, 'v1.13.9')} (schematic ${schematicId(ext)} computed offline)`,
      `VMs: ${sizing.perNode.cores} cores / ${sizing.perNode.memoryGiB} GiB / 40+${sizing.perNode.dataDiskGiB} GiB disks each; one node down: does not fit`,
      'local-path storage lives at /var/mnt/local-path-provisioner on every node',
    ]);
    // The plaintext is what the changes write.
    const content = (file: string) => (plan.changes.find((c) => c.path === file) as { content: string }).content;
    expect(plan.plaintext).toEqual({ bundle: content(path.join(talos, 'secrets.yaml')), admin: content(path.join(talos, 'admin-client.yaml')), talosconfig: content(path.join(talos, 'talosconfig')) });
    expect(content(nodeFiles[0])).toMatch(/^version: v1alpha1\n/);
    // Nothing is written by a plan.
    expect(fs.existsSync(path.join(root, '.secrets'))).toBe(false);
  });

  test('workers are counted apart, the talosconfig talks to the control planes only, and one node down fits', async () => {
    const { talos } = await projectWithSecrets(WORKERS_SITE);
    const plan = await planTalos(WORKERS_SITE, { projectRoot: path.dirname(path.dirname(talos)), now: NOW });
    expect(plan.messages[0]).toBe(`Talos v1.13.9: 3 control-plane and 2 worker configs in ${path.join(talos, 'nodes')}, talosconfig ${path.join(talos, 'talosconfig')}`);
    expect(plan.messages[2]).toMatch(/; one node down: fits$/);
    expect(plan.plaintext.talosconfig).toMatch(/endpoints:\n\s+- 10\.70\.0\.21\n\s+- 10\.70\.0\.22\n\s+- 10\.70\.0\.23\n/);
  });

  test('with the Proxmox CSI plugin the storage line names its storages', async () => {
    const { root } = await projectWithSecrets(CSI_SITE);
    const plan = await planTalos(CSI_SITE, { projectRoot: root, now: NOW });
    expect(plan.messages.at(-1)).toBe('volumes are Proxmox disks from local-lvm, ceph-rbd (the Proxmox CSI plugin), attached to the VM of each pod');
  });

  test('node configs of nodes that left the site are removed, in name order, and said; other files stay', async () => {
    const { root, nodes } = await projectWithSecrets();
    for (const f of ['old-b.yaml', 'old-a.yaml', 'notes.txt', 'yaml']) fs.writeFileSync(path.join(nodes, f), 'x');
    // Name order whatever order the directory lists them in.
    const plan = await withReaddirReversed(() => planTalos(DEFAULT, { projectRoot: root, now: NOW }));
    expect(plan.changes.filter((c) => c.kind === 'remove').map((c) => c.path)).toEqual([path.join(nodes, 'old-a.yaml'), path.join(nodes, 'old-b.yaml')]);
    expect(plan.messages.filter((m) => m.startsWith('removed'))).toEqual([
      `removed ${path.join(nodes, 'old-a.yaml')} (node no longer in the site)`, `removed ${path.join(nodes, 'old-b.yaml')} (node no longer in the site)`,
    ]);
    // A rerun with nothing stale plans no removal and says nothing of the secrets.
    fs.rmSync(path.join(nodes, 'old-a.yaml'));
    fs.rmSync(path.join(nodes, 'old-b.yaml'));
    const again = await planTalos(DEFAULT, { projectRoot: root, now: NOW });
    expect(again.changes.filter((c) => c.kind !== 'write')).toEqual([]);
    expect(again.messages[0]).toMatch(/^Talos v1\.13\.9: /);
  });

  test('the secrets directory may be given apart from the site\'s', async () => {
    const root = tempProject('plan-talos-');
    const plan = await planTalos(DEFAULT, { projectRoot: root, secretsDir: 'keys', now: NOW });
    expect(plan.secretFiles[0]).toBe(path.join(root, 'keys', 'talos', 'secrets.yaml'));
  });

  test('a node config that breaks a Talos rule, or a talosconfig aimed at the VIP, is refused by name before anything is planned', async () => {
    const { root } = await projectWithSecrets();
    // A site object that skipped the validator (the renderers trust it; the Talos rules are the last check).
    const badName = { ...DEFAULT, name: 'Bad_Name' } as Site;
    const refused = planTalos(badName, { projectRoot: root, now: NOW });
    await expect(refused).rejects.toThrow(TalosConfigError);
    await expect(refused).rejects.toThrow(/^invalid Talos config \(node talos-cp-1\):\n {2}- v1alpha1\.cluster\.clusterName: "Bad_Name" must be a DNS label/);
    const onVip = { ...DEFAULT, talos: { ...DEFAULT.talos, vip: DEFAULT.talos.nodes[0].address } } as Site;
    // The node rules pass (a VIP on the node's own address is Talos' business); the talosconfig check does not.
    await expect(planTalos(onVip, { projectRoot: root, now: NOW })).rejects.toThrow(new TalosConfigError('talosconfig', [
      { path: 'talosconfig.endpoints', value: '10.70.0.21', message: 'must not contain the API VIP; list the node IPs' },
    ]));
  });

  test('synthesizeTalos writes what the plan holds and returns its files and messages', async () => {
    const root = tempProject('plan-talos-');
    const done = await synthesizeTalos(DEFAULT, { projectRoot: root, now: NOW });
    for (const f of done.secretFiles) expect(fs.existsSync(f)).toBe(true);
    expect(done.messages[0]).toMatch(/^created Talos secrets bundle /);
    expect(Object.keys(done).sort()).toEqual(['messages', 'secretFiles']);
  });
});
