/**
 * kustomization.yaml for each dist/ directory, built from the files in it, so `kubectl apply -k`,
 * Argo CD and Flux all read exactly the manifests we wrote (and Flux does not fall back to
 * generating one that recurses into sub-directories).
 */
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { OutputFile } from './output-file';

export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** Text of a kustomization.yaml listing `resources` (file names relative to it), sorted. */
export function kustomizationYaml(resources: readonly string[]): string {
  if (resources.length === 0) throw new Error('a kustomization needs at least one resource; do not emit an empty layer directory');
  const sorted = [...new Set(resources)].sort();
  const doc = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: sorted };
  return YAML.stringify(doc);
}

/**
 * One kustomization.yaml per directory given: it lists that directory's own .yaml files (not
 * sub-directories: each sub-directory is a layer of its own, applied separately), plus the
 * directories named in `includes` for it, as paths relative to it.
 * Fails when a directory has no manifests or already has a kustomization.yaml, or includes a
 * directory that is not among those given.
 */
export function kustomizationFiles(
  files: readonly OutputFile[],
  directories: readonly string[],
  includes: ReadonlyMap<string, readonly string[]> = new Map(),
): OutputFile[] {
  const known = new Set(directories);
  return [...known].sort().map((dir) => {
    const own = files.filter((f) => path.posix.dirname(f.path) === dir).map((f) => path.posix.basename(f.path));
    if (own.includes(KUSTOMIZATION_FILE)) throw new Error(`${dir}/${KUSTOMIZATION_FILE} already exists; each directory gets exactly one`);
    const manifests = own.filter((name) => /\.ya?ml$/.test(name));
    if (manifests.length === 0) throw new Error(`${dir}/ has no manifests; a layer directory must hold at least one .yaml file`);
    const included = (includes.get(dir) ?? []).map((other) => {
      if (!known.has(other) || other === dir) throw new Error(`${dir}/${KUSTOMIZATION_FILE} cannot include ${other}: not another manifest directory`);
      return path.posix.relative(dir, other);
    });
    return { path: `${dir}/${KUSTOMIZATION_FILE}`, content: kustomizationYaml([...manifests, ...included]) };
  });
}
