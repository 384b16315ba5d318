/**
 * The objects a GitOps controller applies from dist/: the directories the Argo CD Applications
 * (spec.source.path) and Flux Kustomizations (spec.path) of dist/gitops point at, each built as
 * kustomize would from its kustomization.yaml `resources`. dist/gitops itself is the delivery
 * (applied by hand and by the root Application / Kustomization) and is read separately; lxc/,
 * proxmox/, syslog/ and comparison/ are not Kubernetes objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { VerifyError } from '../errors';

export interface DistObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
  /** dist/-relative file */
  readonly file: string;
  /**
   * The file is SOPS-encrypted (secrets.encryption: sops-age): its values are ciphertext, so
   * they were dropped here and only the object's presence and metadata can be checked.
   */
  readonly encrypted?: true;
}

/** Where the delivery objects live (gitops/layers.ts writes them). */
const ARGOCD_DIR = 'gitops/argocd';
const FLUX_DIR = 'gitops/flux';

/** kustomization.yaml fields this reader models; any other would change the objects kustomize emits. */
const MODELLED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'generators']);

function parseFile(distDir: string, file: string): DistObject[] {
  const text = fs.readFileSync(path.join(distDir, file), 'utf8');
  return YAML.parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new VerifyError(`dist/${file} is not valid YAML: ${doc.errors[0].message}`, 'run npm run synth to regenerate dist/');
    const o = doc.toJS() as Omit<DistObject, 'file'> | null;
    if (!o?.apiVersion || !o.kind) return [];
    if (o.sops && typeof o.sops === 'object') {
      const { sops: _sops, data: _data, stringData: _stringData, ...rest } = o;
      return [{ ...rest, file, encrypted: true } as DistObject];
    }
    return [{ ...o, file } as DistObject];
  });
}

/** A kustomization.yaml as a mapping with a list of resource paths; a damaged one is a VerifyError naming it. */
function readKustomization(distDir: string, file: string): { resources?: string[] } & Record<string, unknown> {
  const doc = YAML.parseDocument(fs.readFileSync(path.join(distDir, file), 'utf8'));
  const regenerate = 'run npm run synth to regenerate dist/';
  if (doc.errors.length > 0) throw new VerifyError(`dist/${file} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, regenerate);
  const value: unknown = doc.toJS();
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new VerifyError(`dist/${file} is not a kustomization (a YAML mapping)`, regenerate);
  const resources = (value as { resources?: unknown }).resources;
  if (resources !== undefined && !(Array.isArray(resources) && resources.every((r) => typeof r === 'string'))) {
    throw new VerifyError(`dist/${file}: resources is not a list of paths`, regenerate);
  }
  return value as { resources?: string[] } & Record<string, unknown>;
}

/** The objects `kustomize build dist/<dir>` emits, in its resources' order. */
function buildDirectory(distDir: string, dir: string, seen = new Set<string>()): DistObject[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(path.join(distDir, file))) throw new VerifyError(`dist/${dir} has no kustomization.yaml, yet a GitOps layer points at it`, 'run npm run synth to regenerate dist/');
  const kustomization = readKustomization(distDir, file);
  const unmodelled = Object.keys(kustomization).filter((k) => !MODELLED_FIELDS.has(k));
  if (unmodelled.length > 0) throw new VerifyError(`dist/${file} uses ${unmodelled.join(', ')}, which verify does not model`, 'compare with kustomize build; verify reads plain resource lists only');
  // KSOPS generators (Argo CD's build of the encrypted Secrets) emit the Secrets of the files they list.
  const generated = ((kustomization.generators ?? []) as unknown[]).flatMap((entry) => {
    const generatorFile = typeof entry === 'string' ? path.normalize(path.join(dir, entry)) : undefined;
    const generator = generatorFile && fs.existsSync(path.join(distDir, generatorFile)) ? YAML.parse(fs.readFileSync(path.join(distDir, generatorFile), 'utf8')) as { kind?: string; files?: unknown } : undefined;
    if (!generator || generator.kind !== 'ksops' || !Array.isArray(generator.files)) {
      throw new VerifyError(`dist/${file} lists generator ${String(entry)}, which is not a KSOPS generator file`, 'run npm run synth to regenerate dist/');
    }
    return generator.files.flatMap((f) => parseFile(distDir, path.normalize(path.join(dir, String(f)))));
  });
  return [...generated, ...(kustomization.resources ?? []).flatMap((entry) => {
    const target = path.normalize(path.join(dir, entry));
    const full = path.join(distDir, target);
    if (!fs.existsSync(full)) throw new VerifyError(`dist/${file} lists ${entry}, which does not exist`, 'run npm run synth to regenerate dist/');
    return fs.statSync(full).isDirectory() ? buildDirectory(distDir, target, seen) : parseFile(distDir, target);
  })];
}

/** Directories below distDir that hold a kustomization.yaml. */
function kustomizationDirs(distDir: string): string[] {
  return fs.readdirSync(distDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === 'kustomization.yaml')
    .map((e) => path.relative(distDir, e.parentPath));
}

/** The dist/ directory a repository path names: site.gitops.path may put dist/ anywhere in the repository, so match the longest tail. */
function distDirectoryOf(repoPath: string, dirs: readonly string[]): string | undefined {
  const p = repoPath.replace(/^\.\//, '').replace(/\/+$/, '');
  return dirs.filter((d) => p === d || p.endsWith(`/${d}`)).sort((a, b) => b.length - a.length)[0];
}

function requireTree(distDir: string): void {
  const has = (dir: string) => fs.existsSync(path.join(distDir, dir, 'kustomization.yaml'));
  if (!fs.existsSync(distDir) || !(has(ARGOCD_DIR) || has(FLUX_DIR))) {
    throw new VerifyError(`${distDir} holds no synthesized GitOps tree (no ${ARGOCD_DIR}/ or ${FLUX_DIR}/ with a kustomization.yaml)`,
      'run npm run synth, or pass the directory it wrote with --dist DIR');
  }
}

/** The Argo CD and Flux objects of dist/gitops (Applications, AppProject, Kustomizations, GitRepository, Helm objects). */
export function readDeliveryObjects(distDir: string): DistObject[] {
  requireTree(distDir);
  const dirs = kustomizationDirs(distDir).filter((d) => d === ARGOCD_DIR || d === FLUX_DIR || d.startsWith(`${ARGOCD_DIR}/`) || d.startsWith(`${FLUX_DIR}/`)).sort();
  return unique(dirs.flatMap((d) => buildDirectory(distDir, d)));
}

/** Each object once (a kustomization may be included by several): the first file that holds it. */
function unique(objects: DistObject[]): DistObject[] {
  const byKey = new Map<string, DistObject>();
  for (const o of objects) {
    const key = `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    if (!byKey.has(key)) byKey.set(key, o);
  }
  return [...byKey.values()];
}

/** The dist/ directories the GitOps layers apply, in the order dist/gitops lists them. */
export function layerDirectories(distDir: string): string[] {
  const delivery = readDeliveryObjects(distDir);
  const dirs = kustomizationDirs(distDir);
  const paths = delivery.flatMap((o) => {
    const spec = o.spec as { source?: { path?: string }; sources?: { path?: string }[]; path?: string } | undefined;
    if (o.kind === 'Application') return [spec?.source?.path, ...(spec?.sources ?? []).map((s) => s.path)];
    if (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) return [spec?.path];
    return [];
  }).filter((p): p is string => typeof p === 'string');
  const layers = paths.map((p) => distDirectoryOf(p, dirs)).filter((d): d is string => d !== undefined && !d.startsWith('gitops/'));
  return [...new Set(layers)];
}

/** The objects a GitOps controller applies from dist/ (see the header); throws VerifyError when distDir holds no synthesized tree. */
export function readDistObjects(distDir: string): DistObject[] {
  const layers = layerDirectories(distDir);
  if (layers.length === 0) throw new VerifyError(`dist/gitops in ${distDir} points at no directory of ${distDir}`, 'run npm run synth to regenerate dist/');
  return unique(layers.flatMap((d) => buildDirectory(distDir, d)));
}
