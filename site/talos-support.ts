/** What the Talos generator supports, known to the site validator so it can refuse the rest first. */

/** The Talos config contract (minor release) the generator writes; talos.version must be in it. */
export const SUPPORTED_TALOS_CONTRACT = '1.13';

/** Kubernetes minors each Talos minor supports (siderolabs/talos pkg/machinery/compatibility). */
export const TALOS_KUBERNETES_RANGE: Record<string, { min: number; max: number }> = {
  '1.10': { min: 28, max: 33 },
  '1.11': { min: 29, max: 34 },
  '1.12': { min: 30, max: 35 },
  '1.13': { min: 31, max: 36 },
};

/** `1.13` from `v1.13.9`. */
export function talosMinor(version: string): string {
  return version.replace(/^v/, '').split('.').slice(0, 2).join('.');
}
