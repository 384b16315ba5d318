import { createHash } from 'node:crypto';

/**
 * Annotation for a pod template whose value changes with the config it mounts, so a config
 * change rolls the pods (kubelet's ConfigMap refresh alone would leave the old config loaded).
 */
export function configChecksumAnnotation(...configs: string[]): Record<string, string> {
  const hash = createHash('sha256');
  for (const c of configs) hash.update(c).update('\0');
  return { 'checksum/config': hash.digest('hex') };
}
