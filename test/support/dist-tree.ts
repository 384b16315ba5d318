/** Reads a synthesized tree back as files and parsed objects (tests check the YAML, not the model). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

export interface DistObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Directories of Kubernetes manifests: those with a kustomization.yaml (dist/lxc holds service configs). */
export function manifestDirs(dir: string): string[] {
  return listFiles(dir).filter((f) => path.basename(f) === 'kustomization.yaml').map((f) => path.dirname(f));
}

/** Every Kubernetes object in the tree's manifest directories (kustomization.yaml files excluded). */
export function readObjects(dir: string): DistObject[] {
  const dirs = new Set(manifestDirs(dir));
  return listFiles(dir)
    .filter((f) => dirs.has(path.dirname(f)) && /\.ya?ml$/.test(f) && path.basename(f) !== 'kustomization.yaml')
    .flatMap((file) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'), { uniqueKeys: true }).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return { ...(doc.toJS() as object), file } as DistObject;
    }))
    .filter((o) => o.apiVersion && o.kind);
}

/** Snapshot of a tree: relative path -> content, for byte-identity checks. */
export function snapshotTree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}
