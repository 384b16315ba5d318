/**
 * Strict validator for custom resources (Argo CD, Flux, MetalLB, Velero, ...) against the CRDs in
 * ../shared/schemas/crds, which nobody in this project wrote. Independent of the Kubernetes loader
 * (k8s-schemas.ts): it reads the same ../shared data but keeps its own Ajv instance.
 *
 * Strict = kubeconform -strict: every schema node with `properties` gets
 * `additionalProperties: false` unless it preserves unknown fields, so a misspelt field fails.
 * `metadata` is checked against ObjectMeta from ../shared/schemas/kubernetes (the CRD schemas
 * only say `type: object`). CEL rules (x-kubernetes-validations) are not evaluated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';

import { addOpenApiNumberFormats, strictify } from './k8s-schemas';
import { SHARED_DIR } from './shared-dir';

/**
 * Custom resources dist/ emits whose CRD is in neither ../shared/schemas/crds nor dist/, as
 * `apiVersion|kind`, each with why. Talos installs the talos.dev CRD itself when
 * kubernetesTalosAPIAccess is enabled.
 */
export const CRDS_NOT_IN_SHARED: Readonly<Record<string, string>> = {
  'talos.dev/v1alpha1|ServiceAccount': 'CRD installed by Talos at runtime; no copy in ../shared/schemas/crds',
};

/** Kubernetes release whose ObjectMeta the CRs' metadata is checked against. */
export const OBJECT_META_K8S_VERSION = 'v1.31.0';

export interface CrdValidationResult {
  readonly valid: boolean;
  /** One line per problem: `<Kind>/<name> <instancePath> <message>`. */
  readonly errors: string[];
}

type Json = Record<string, unknown>;

/** OpenAPI 3.0 `nullable: true` -> also accept null (ajv does not read `nullable` without `type`). */
export function allowNullable(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(allowNullable);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Json;
  if (n.nullable === true && typeof n.type === 'string') n.type = [n.type, 'null'];
  delete n.nullable;
  Object.values(n).forEach(allowNullable);
}

/** x-kubernetes-int-or-string has no `type`; make it explicit so strict mode does not choke on it. */
export function intOrString(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(intOrString);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Json;
  if (n['x-kubernetes-int-or-string'] === true && !n.type && !n.anyOf) n.anyOf = [{ type: 'integer' }, { type: 'string' }];
  Object.values(n).forEach(intOrString);
}

/** Every YAML file below a directory. */
export function walkYamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return walkYamlFiles(full);
    return /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}

/** RE2 inline `(?i)` (prometheus-operator) -> JavaScript `i` flag. */
function re2RegExp(source: string, flags: string): RegExp {
  let f = flags;
  const s = source.replace(/\(\?i\)/g, () => {
    if (!f.includes('i')) f += 'i';
    return '';
  });
  return new RegExp(s, f);
}
re2RegExp.code = 'new RegExp';

export class CrdValidator {
  private readonly ajv: Ajv;
  private readonly schemaIds = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(sharedDir: string = SHARED_DIR) {
    this.ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: re2RegExp as never } });
    addFormats(this.ajv, ['date-time', 'byte', 'uri', 'hostname', 'ipv4', 'ipv6']);
    addOpenApiNumberFormats(this.ajv);
    this.ajv.addFormat('duration', () => true);

    const k8sId = `file:///k8s/${OBJECT_META_K8S_VERSION}/_definitions.json`;
    const defsFile = path.join(sharedDir, 'schemas', 'kubernetes', OBJECT_META_K8S_VERSION, '_definitions.json');
    const defs = (JSON.parse(fs.readFileSync(defsFile, 'utf8')) as { definitions: Json }).definitions;
    strictify(defs);
    this.ajv.addSchema({ $id: k8sId, definitions: defs });
    const objectMeta = { $ref: `${k8sId}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` };

    for (const file of walkYamlFiles(path.join(sharedDir, 'schemas', 'crds'))) {
      const crd = YAML.parse(fs.readFileSync(file, 'utf8')) as Json;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Json } }[] };
      for (const version of spec.versions) {
        if (!version.served || !version.schema) continue;
        const apiVersion = `${spec.group}/${version.name}`;
        const schema = structuredClone(version.schema.openAPIV3Schema);
        allowNullable(schema);
        intOrString(schema);
        strictify(schema);
        const props = (schema.properties ?? {}) as Json;
        props.apiVersion = { const: apiVersion };
        props.kind = { const: spec.names.kind };
        props.metadata = objectMeta;
        schema.properties = props;
        schema.required = [...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
        const id = `file:///crds/${spec.group}/${version.name}/${spec.names.kind}.json`;
        this.ajv.addSchema({ ...schema, $id: id });
        this.schemaIds.set(`${apiVersion}|${spec.names.kind}`, id);
      }
    }
  }

  /** True when a CRD in ../shared defines this apiVersion and kind. */
  has(apiVersion: string, kind: string): boolean {
    return this.schemaIds.has(`${apiVersion}|${kind}`);
  }

  /** Every `apiVersion|kind` known, for messages. */
  kinds(): string[] {
    return [...this.schemaIds.keys()].sort();
  }

  validate(object: Json): CrdValidationResult {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const name = String((object.metadata as Json | undefined)?.name ?? '(unnamed)');
    const key = `${apiVersion}|${kind}`;
    const id = this.schemaIds.get(key);
    if (!id) return { valid: false, errors: [`${kind}/${name} has no CRD schema for ${apiVersion} in ../shared/schemas/crds`] };
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.getSchema(id)!;
      this.compiled.set(key, fn);
    }
    const valid = fn(object) as boolean;
    const errors = valid ? [] : (fn.errors ?? []).map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
      return `${kind}/${name} ${e.instancePath || '/'} ${e.message}${extra}`;
    });
    return { valid, errors };
  }
}

let shared: CrdValidator | undefined;
/** One validator per test file (building it takes about a second). */
export function crdValidator(): CrdValidator {
  shared ??= new CrdValidator();
  return shared;
}
