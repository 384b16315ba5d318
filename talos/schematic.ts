/**
 * Image Factory schematic for the nodes' system extensions, and its ID computed offline:
 * sha256 of the schematic marshalled by go-yaml with 4-space indent
 * (siderolabs/image-factory pkg/schematic/schematic.go; research/talos.md §5).
 */
import * as crypto from 'node:crypto';
import * as YAML from 'yaml';

export const IMAGE_FACTORY = 'factory.talos.dev';

/** The schematic YAML the factory hashes. An empty customization is `customization: {}`. */
export function schematicYaml(extensions: readonly string[]): string {
  const customization = extensions.length > 0 ? { systemExtensions: { officialExtensions: [...extensions] } } : {};
  return YAML.stringify({ customization }, { indent: 4 });
}

export function schematicId(extensions: readonly string[]): string {
  return crypto.createHash('sha256').update(schematicYaml(extensions)).digest('hex');
}

/** Installer image for `machine.install.image` (the docs' form; the factory still serves it). */
export function installerImage(extensions: readonly string[], talosVersion: string): string {
  return `${IMAGE_FACTORY}/installer/${schematicId(extensions)}:${talosVersion}`;
}

/** nocloud disk image (gzip) the VM's OS disk is imported from. */
export function nocloudImageUrl(extensions: readonly string[], talosVersion: string): string {
  return `https://${IMAGE_FACTORY}/image/${schematicId(extensions)}/${talosVersion}/nocloud-amd64.raw.gz`;
}
