/**
 * talos/proxmox-script.ts in-process (mutation testing, issue 18): the settings block, the size notes
 * and the site-dependent parts of create-talos-vms.sh, line by line, for a one-host site with a data
 * disk, a three-host site with workers, a Proxmox CSI site (no data disk) and a site without the guest
 * agent. test/talos/proxmox-script.test.ts runs the scripts against fake qm/pvesh/curl.
 */
import { execFileSync } from 'node:child_process';
import { parseSite, type Site } from '../../site';
import { renderProxmoxScript, renderProxmoxScripts } from '../../talos/proxmox-script';
import { schematicId, schematicYaml } from '../../talos/schematic';
import { talosVmSizing } from '../../talos/vm-sizing';
import { CSI_SITE } from '../support/csi-site';
import { WORKERS_SITE } from '../support/workers-site';

const DEFAULT = parseSite({}).site;
const scriptOf = (site: Site, node?: string) => {
  const scripts = renderProxmoxScripts(site);
  return (node ? scripts.find((s) => s.path === `proxmox/${node}/create-talos-vms.sh`)! : scripts[0]).content;
};
/** The lines from the first that starts with `from` up to (without) the first blank line after it. */
const block = (script: string, from: string) => {
  const lines = script.split('\n');
  const start = lines.findIndex((l) => l.startsWith(from));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
};

describe('the size notes at the top', () => {
  test('one host with a data disk: per node, cluster total (OS and data disks), and what one node down needs', () => {
    const { perNode, sizeForOneNodeDown } = talosVmSizing(DEFAULT);
    expect(block(scriptOf(DEFAULT), '# Per-node size').slice(0, 4)).toEqual([
      '# Per-node size (computed from the stack\'s requests + Talos/Kubernetes overhead, see talos/vm-sizing.ts):',
      `#   ${perNode.cores} cores, ${perNode.memoryGiB} GiB RAM, ${perNode.osDiskGiB} GiB OS disk, ${perNode.dataDiskGiB} GiB data disk (local-path)`,
      `#   cluster total ${3 * perNode.cores} cores, ${3 * perNode.memoryGiB} GiB RAM, ${3 * (perNode.osDiskGiB + perNode.dataDiskGiB)} GiB disk`,
      `#   one node down: the stack does NOT fit on two nodes (needs ${sizeForOneNodeDown.cores} cores / ${sizeForOneNodeDown.memoryGiB} GiB each)`,
    ]);
    expect(scriptOf(DEFAULT)).toContain('# half-way (disks grown to size, data disk added, VM started); a VMID used by any other VM or by a\n');
  });

  test('three hosts: what this host carries, and which hosts run the other scripts', () => {
    const { perNode } = talosVmSizing(WORKERS_SITE);
    // pve01 holds talos-cp-1 and talos-w-1.
    expect(block(scriptOf(WORKERS_SITE, 'pve01'), '# Per-node size').slice(2, 5)).toEqual([
      `#   cluster total ${5 * perNode.cores} cores, ${5 * perNode.memoryGiB} GiB RAM, ${5 * (perNode.osDiskGiB + perNode.dataDiskGiB)} GiB disk`,
      '#   one node down: the stack still fits on four nodes',
      `#   on pve01: 2 of the 5 VMs, ${2 * perNode.cores} cores, ${2 * perNode.memoryGiB} GiB RAM, ${2 * (perNode.osDiskGiB + perNode.dataDiskGiB)} GiB disk; the others by proxmox/<node>/create-talos-vms.sh on pve02 and pve03`,
    ]);
    expect(scriptOf(WORKERS_SITE, 'pve01')).toContain('\n  first run proxmox/<node>/create-talos-vms.sh on pve02 and pve03 as well (health waits for every node)\n');
    expect(scriptOf(WORKERS_SITE, 'pve03')).toContain('#   on pve03: 1 of the 5 VMs,');
    // One host: the next steps go straight to talosctl.
    expect(scriptOf(DEFAULT)).toContain('\nNext (from the machine that ran npm run synth, with talosctl $TALOS_VERSION):\n  export TALOSCONFIG=<secretsDir>/talos/talosconfig\n');
  });

  test('without a data disk (Proxmox CSI): the notes say so', () => {
    const script = scriptOf(CSI_SITE, 'pve01');
    expect(script).toContain(`#   ${talosVmSizing(CSI_SITE).perNode.cores} cores, ${talosVmSizing(CSI_SITE).perNode.memoryGiB} GiB RAM, 40 GiB OS disk, no data disk (the Proxmox CSI plugin attaches a disk per volume)\n`);
    expect(script).toContain('# half-way (disks grown to size, VM started); a VMID used by any other VM or by a\n');
  });
});

describe('the settings block', () => {
  test('one host, SCSI disks with a data disk: every value from the site, the nodes one per line', () => {
    const site = parseSite({ network: { dnsServers: ['10.70.0.1', '10.70.0.2'] } }).site;
    const { perNode } = talosVmSizing(site);
    const id = schematicId(site.talos.extensions);
    expect(block(scriptOf(site), 'STORAGE=')).toEqual([
      'STORAGE=\'local-lvm\'', 'BRIDGE=\'vmbr0\'', 'VLAN_ID=70', 'GATEWAY=\'10.70.0.1\'', 'PREFIX_LENGTH=24',
      'NAMESERVERS=\'10.70.0.1 10.70.0.2\'',
      `CORES=${perNode.cores}`, `MEMORY_MIB=${perNode.memoryGiB * 1024}`, `OS_DISK_GIB=${perNode.osDiskGiB}`, `DATA_DISK_GIB=${perNode.dataDiskGiB}`,
      '# talos.installDisk /dev/sda and talos.dataDisk /dev/sdb as the guest names them.',
      'OS_DRIVE=scsi0', 'DATA_DRIVE=scsi1', 'DISK_OPTIONS=\'discard=on,ssd=1,cache=writethrough\'', 'CLOUDINIT_DRIVE=ide2',
      '# Directory storage for the image and the snippets; it must have the "iso" and "snippets" content types.',
      'FILE_STORAGE="${FILE_STORAGE:-local}"',
      'TALOS_VERSION=\'v1.13.9\'',
      `SCHEMATIC_ID='${id}'`,
      `IMAGE_URL='https://factory.talos.dev/image/${id}/v1.13.9/nocloud-amd64.raw.gz'`,
      `IMAGE_FILE='talos-v1.13.9-${id.slice(0, 12)}-nocloud-amd64.img'`,
    ]);
    expect(block(scriptOf(site), 'NODES=(')).toEqual([
      'NODES=(',
      '  \'0 211 talos-cp-1 10.70.0.21 02:00:00:00:00:d3\'',
      '  \'1 212 talos-cp-2 10.70.0.22 02:00:00:00:00:d4\'',
      '  \'2 213 talos-cp-3 10.70.0.23 02:00:00:00:00:d5\'',
      ')',
    ]);
    expect(scriptOf(site)).toContain(`# 2. nocloud disk image (Talos v1.13.9, schematic ${id.slice(0, 12)}…), downloaded once. It is\n`);
  });

  test('without a data disk: no data disk size or drive, one disk named', () => {
    const lines = block(scriptOf(CSI_SITE, 'pve01'), 'STORAGE=');
    expect(lines.filter((l) => /DATA_|installDisk|DISK_OPTIONS/.test(l))).toEqual([
      '# talos.installDisk /dev/sda as the guest names it.',
      'DISK_OPTIONS=\'discard=on,ssd=1,cache=writethrough\'',
    ]);
  });

  // No validated site carries a quote in these values today (storage IDs, bridges, addresses and
  // versions all have patterns); the quoting is the guard should a field ever allow one, so this
  // Site is built past the validator.
  test('a value with a single quote reaches bash unchanged', () => {
    const odd = { ...DEFAULT, proxmox: { ...DEFAULT.proxmox, storage: 'it\'s-local' } };
    const line = block(renderProxmoxScript(odd).content, 'STORAGE=')[0];
    expect(line).toBe('STORAGE=\'it\'\\\'\'s-local\'');
    expect(execFileSync('bash', ['-c', `${line}\nprintf %s "$STORAGE"`], { encoding: 'utf8' })).toBe('it\'s-local');
  });
});

describe('the parts that depend on the data disk and the extensions', () => {
  test('finishing a half-made VM: with a data disk it is checked and added; without, only the OS disk', () => {
    const withData = scriptOf(DEFAULT);
    expect(withData).toContain('# grow its disks to size, add a missing data disk, and start it.\n');
    expect(withData).toContain('  local vmid="$1" name="$2" config="$3" os_mib data_mib done_something=0\n');
    expect(withData).toContain('  data_mib="$(drive_mib "$config" "$DATA_DRIVE")"\n');
    expect(withData).toContain('    "--$DATA_DRIVE" "$STORAGE:$DATA_DISK_GIB,$DISK_OPTIONS" \\\n');
    const without = scriptOf(CSI_SITE, 'pve01');
    expect(without).toContain('# grow its disks to size and start it.\n');
    expect(without).toContain('  local vmid="$1" name="$2" config="$3" os_mib done_something=0\n');
    expect(without).not.toContain('DATA_DRIVE');
    // The OS disk's check runs straight into the start check.
    expect(without).toContain('    run qm disk resize "$vmid" "$OS_DRIVE" "${OS_DISK_GIB}G"; done_something=1\n  fi\n  if ! qm status "$vmid"');
    expect(without).toContain('"$STORAGE:0,import-from=$IMAGE_PATH,$DISK_OPTIONS" \\\n    --net0 ');
  });

  test('the guest agent is enabled only with the qemu-guest-agent extension', () => {
    expect(scriptOf(DEFAULT)).toContain('    --agent enabled=1,fstrim_cloned_disks=1 --serial0 socket \\\n');
    expect(scriptOf(parseSite({ talos: { extensions: [] } }).site)).toContain('    --agent enabled=0 --serial0 socket \\\n');
  });

  test('the schematic posted to the Image Factory is the YAML its ID is the hash of, byte for byte', () => {
    for (const extensions of [['siderolabs/qemu-guest-agent'], ['siderolabs/qemu-guest-agent', 'siderolabs/iscsi-tools'], []]) {
      const script = scriptOf(parseSite({ talos: { extensions } }).site);
      const heredoc = script.split('<<\'SCHEMATIC\'\n')[1].split('\nSCHEMATIC\n')[0];
      // bash ends the heredoc's body with the newline before the delimiter.
      expect(`${heredoc}\n`).toBe(schematicYaml(extensions));
    }
  });
});
