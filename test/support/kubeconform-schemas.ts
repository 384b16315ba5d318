/**
 * Schemas for kubeconform, written at test time from the upstream data in ../shared/schemas (never
 * copied into the project): per kind a standalone JSON schema in kubeconform's -strict flavour
 * (openapi2jsonschema --strict: objects with declared properties accept nothing else), laid out
 * for the schema-location template SCHEMA_LOCATION_TEMPLATE.
 *
 * - Built-in kinds: the kind's definition from `_definitions.json` of the cluster's Kubernetes
 *   release, with the definitions it reaches (and only those) under `definitions`.
 * - Custom resources: each served version's openAPIV3Schema from the CRDs in ../shared/schemas/crds,
 *   with `metadata` checked as the release's ObjectMeta (as the API server does).
 * Kinds with no schema get no file, so kubeconform fails on them (no -ignore-missing-schemas).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { allowNullable, intOrString, walkYamlFiles } from './crd-schemas';
import { strictify } from './k8s-schemas';
import { SHARED_DIR } from './shared-dir';

type Json = Record<string, unknown>;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** kubeconform template: `{{.Group}}` is the API group (`v1` for the core group). */
export const SCHEMA_LOCATION_TEMPLATE = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';

/** The file kubeconform resolves SCHEMA_LOCATION_TEMPLATE to for an apiVersion and kind. */
export function schemaFile(dir: string, apiVersion: string, kind: string): string {
  const parts = apiVersion.split('/');
  return path.join(dir, parts[0], `${kind.toLowerCase()}_${parts[parts.length - 1]}.json`);
}

/** Every definition a schema reaches through `#/definitions/…` references. */
function reachable(root: string, defs: Record<string, Json>): Record<string, Json> {
  const seen = new Map<string, Json>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        const name = value.slice('#/definitions/'.length);
        if (!seen.has(name)) { seen.set(name, defs[name]); visit(defs[name]); }
      } else {
        visit(value);
      }
    }
  };
  seen.set(root, defs[root]);
  visit(defs[root]);
  return Object.fromEntries([...seen].sort(([a], [b]) => a.localeCompare(b)));
}

function writeJson(file: string, schema: Json): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(schema));
}

/**
 * Writes schemas for the given kinds into `dir`; returns the `apiVersion|kind` pairs that got one.
 * `kubernetesVersion` names a directory of ../shared/schemas/kubernetes, e.g. v1.36.0.
 */
export function writeKubeconformSchemas(dir: string, kinds: ReadonlyArray<{ apiVersion: string; kind: string }>, kubernetesVersion: string, sharedDir = SHARED_DIR): string[] {
  const wanted = new Set(kinds.map((k) => `${k.apiVersion}|${k.kind}`));
  const written: string[] = [];
  const defsFile = path.join(sharedDir, 'schemas', 'kubernetes', kubernetesVersion, '_definitions.json');
  const defs = (JSON.parse(fs.readFileSync(defsFile, 'utf8')) as { definitions: Record<string, Json> }).definitions;
  strictify(defs);
  for (const [name, def] of Object.entries(defs)) {
    const gvk = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
    if (gvk?.length !== 1) continue;
    const apiVersion = `${gvk[0].group ? `${gvk[0].group}/` : ''}${gvk[0].version}`;
    const key = `${apiVersion}|${gvk[0].kind}`;
    if (!wanted.has(key)) continue;
    writeJson(schemaFile(dir, apiVersion, gvk[0].kind), { ...def, definitions: reachable(name, defs) });
    written.push(key);
  }
  for (const file of walkYamlFiles(path.join(sharedDir, 'schemas', 'crds'))) {
    const crd = YAML.parse(fs.readFileSync(file, 'utf8')) as Json;
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Json } }[] };
    for (const version of spec.versions) {
      const apiVersion = `${spec.group}/${version.name}`;
      const key = `${apiVersion}|${spec.names.kind}`;
      if (!version.served || !version.schema || !wanted.has(key)) continue;
      const schema = structuredClone(version.schema.openAPIV3Schema);
      allowNullable(schema);
      intOrString(schema);
      strictify(schema);
      // A CRD says only `metadata: {type: object}`; the API server checks it as ObjectMeta.
      (schema.properties as Json).metadata = { $ref: `#/definitions/${OBJECT_META}` };
      schema.definitions = reachable(OBJECT_META, defs);
      writeJson(schemaFile(dir, apiVersion, spec.names.kind), schema);
      written.push(key);
    }
  }
  return written.sort();
}
