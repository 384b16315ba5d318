/**
 * Strict validation of Kubernetes objects against the upstream OpenAPI-derived definitions in
 * ../shared/schemas/kubernetes, the way kubeconform -strict does: every schema node with
 * `properties` rejects unknown fields, quantities must parse, an unknown apiVersion/kind fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SHARED_DIR } from './shared-dir';

const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

type SchemaNode = Record<string, unknown>;

/** openapi2jsonschema --strict: objects with declared properties accept nothing else. */
export function strictify(node: unknown): void {
  if (Array.isArray(node)) { node.forEach(strictify); return; }
  if (!node || typeof node !== 'object') return;
  const n = node as SchemaNode;
  if (n.properties && !('additionalProperties' in n) && n['x-kubernetes-preserve-unknown-fields'] !== true) n.additionalProperties = false;
  for (const [key, value] of Object.entries(n)) {
    if (key === 'properties') Object.values(value as SchemaNode).forEach(strictify);
    else strictify(value);
  }
}

/** The OpenAPI number formats Kubernetes schemas use (ajv knows none of them). */
export function addOpenApiNumberFormats(ajv: Ajv): void {
  ajv.addFormat('int32', { type: 'number', validate: (x: number) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (x: number) => Number.isInteger(x) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
}

/** Schema directories available, e.g. ["v1.28.0", …, "v1.31.0"]. */
export function availableKubernetesSchemas(): string[] {
  const dir = path.join(SHARED_DIR, 'schemas', 'kubernetes');
  return fs.readdirSync(dir).filter((d) => /^v1\.\d+\.0$/.test(d)).sort((a, b) => minorOf(a) - minorOf(b));
}

function minorOf(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[1]);
}

/**
 * The schema for the cluster's Kubernetes version, or the newest one older than it when that
 * release is not in ../shared (APIs the stack uses are GA and kept, so an older schema is the
 * stricter floor). `exact` says which case applies so tests can print it.
 */
export function schemaVersionFor(kubernetesVersion: string): { version: string; exact: boolean } {
  const wanted = minorOf(kubernetesVersion);
  const candidates = availableKubernetesSchemas().filter((v) => minorOf(v) <= wanted);
  if (candidates.length === 0) throw new Error(`no Kubernetes schema at or below ${kubernetesVersion} in ${SHARED_DIR}/schemas/kubernetes`);
  const version = candidates[candidates.length - 1];
  return { version, exact: minorOf(version) === wanted };
}

export interface ObjectValidator {
  readonly version: string;
  /** Error lines for one object; empty when valid. */
  validate(obj: unknown): string[];
}

const cache = new Map<string, ObjectValidator>();

export function kubernetesValidator(version: string): ObjectValidator {
  const cached = cache.get(version);
  if (cached) return cached;
  const file = path.join(SHARED_DIR, 'schemas', 'kubernetes', version, '_definitions.json');
  const defs = (JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, SchemaNode> }).definitions;
  defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] };
  strictify(defs);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv, ['date-time', 'byte']);
  addOpenApiNumberFormats(ajv);
  const id = `file:///k8s/${version}/_definitions.json`;
  ajv.addSchema({ $id: id, definitions: defs });
  const refs = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    const gvk = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
    if (gvk?.length === 1) refs.set(`${gvk[0].group ? `${gvk[0].group}/` : ''}${gvk[0].version}|${gvk[0].kind}`, `${id}#/definitions/${name}`);
  }
  const compiled = new Map<string, ValidateFunction>();
  const validator: ObjectValidator = {
    version,
    validate(obj: unknown): string[] {
      const o = obj as { apiVersion?: string; kind?: string };
      const key = `${o?.apiVersion}|${o?.kind}`;
      const ref = refs.get(key);
      if (!ref) return [`no schema for ${o?.apiVersion} ${o?.kind} in Kubernetes ${version}`];
      let fn = compiled.get(ref);
      if (!fn) { fn = ajv.getSchema(ref)!; compiled.set(ref, fn); }
      if (fn(obj)) return [];
      return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
    },
  };
  cache.set(version, validator);
  return validator;
}
