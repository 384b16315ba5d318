/**
 * Image Factory schematic for the nodes' system extensions, and its ID computed offline:
 * sha256 of the schematic marshalled by go-yaml with 4-space indent
 * (siderolabs/image-factory pkg/schematic/schematic.go; research/talos.md §5).
 */
import * as crypto from 'node:crypto';
import * as YAML from 'yaml';

export const IMAGE_FACTORY = 'factory.talos.dev';

/**
 * The Talos platform the VMs boot as: the Proxmox script imports the factory's nocloud disk image and
 * hands the machine config over on a cloud-init drive. Installer and disk image must name the same
 * platform: the installer's UKI carries the kernel command line (machine.install.grubUseUKICmdline),
 * so an installer of another platform switches the node to that platform on upgrade.
 */
export const TALOS_PLATFORM = 'nocloud';

/** The schematic YAML the factory hashes. An empty customization is `customization: {}`. */
export function schematicYaml(extensions: readonly string[]): string {
  const customization = extensions.length > 0 ? { systemExtensions: { officialExtensions: [...extensions] } } : {};
  return YAML.stringify({ customization }, { indent: 4 });
}

export function schematicId(extensions: readonly string[]): string {
  return crypto.createHash('sha256').update(schematicYaml(extensions)).digest('hex');
}

/**
 * Installer image for `machine.install.image` and `talosctl upgrade --image`: the factory's per-platform
 * `<platform>-installer` (Talos >= 1.10). The bare `installer` name is the legacy alias of
 * `metal-installer` (image-factory internal/frontend/http/registry.go), whose kernel command line
 * (`talos.platform=metal console=tty0`) lacks nocloud's `console=ttyS0 net.ifnames=0`.
 */
export function installerImage(extensions: readonly string[], talosVersion: string): string {
  return `${IMAGE_FACTORY}/${TALOS_PLATFORM}-installer/${schematicId(extensions)}:${talosVersion}`;
}

/** nocloud disk image (gzip) the VM's OS disk is imported from. */
export function nocloudImageUrl(extensions: readonly string[], talosVersion: string): string {
  return `https://${IMAGE_FACTORY}/image/${schematicId(extensions)}/${talosVersion}/${TALOS_PLATFORM}-amd64.raw.gz`;
}
