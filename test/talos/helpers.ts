/** Test helpers for test/talos: ../shared location, the Talos JSON schema, fixtures, temp projects. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

import { execFileSync, spawnSync } from 'node:child_process';
import { requireTool, toolPath } from '../support/binaries';
import { SHARED_DIR, sharedAvailable } from '../support/shared-dir';

export { SHARED_DIR };
export const TALOS_SHARED = path.join(SHARED_DIR, 'schemas/talos');
// Throws under CI=true when missing, like every other test reading ../shared.
const present = sharedAvailable('schemas/talos/v1.13/config.schema.json');
if (!present) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: Talos schema/fixture tests need ${TALOS_SHARED} (set SHARED_DIR)`);
}
/** `describe` when ../shared is there, a visible skip otherwise. */
export const describeWithShared = present ? describe : describe.skip;

export function readFixture(relative: string): string {
  return fs.readFileSync(path.join(TALOS_SHARED, 'fixtures', relative), 'utf8');
}

let schemaCache: Record<string, any> | undefined;
function talosSchema(): Record<string, any> {
  schemaCache ??= JSON.parse(fs.readFileSync(path.join(TALOS_SHARED, 'v1.13/config.schema.json'), 'utf8')) as Record<string, any>;
  return schemaCache;
}

/**
 * Mappings whose keys are out of the v1.13 schema's property order (the schema lists properties in
 * Go struct order, which is the order go-yaml writes). Keys the schema does not list are ignored;
 * untyped maps (no `properties`) are not checked.
 */
export function keyOrderProblems(doc: Record<string, unknown>): string[] {
  const schema = talosSchema();
  const defs: Record<string, any> = schema.$defs;
  const kind = typeof doc.kind === 'string' ? doc.kind : undefined;
  const root = kind
    ? Object.values(defs).find((d) => d.properties?.kind?.enum?.[0] === kind)
    : defs['v1alpha1.Config'];
  const problems: string[] = [];
  const resolve = (s: any): any => (s?.$ref ? defs[String(s.$ref).replace('#/$defs/', '')] : s);
  const walk = (value: unknown, s: any, at: string): void => {
    s = resolve(s);
    if (!s || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, s.items, `${at}[${i}]`));
      return;
    }
    if (!s.properties) return;
    const order = Object.keys(s.properties);
    const known = Object.keys(value).filter((k) => order.includes(k));
    const expected = [...known].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    if (known.join() !== expected.join()) problems.push(`${at || '.'}: keys ${known.join(', ')}; schema order ${expected.join(', ')}`);
    for (const [k, v] of Object.entries(value)) walk(v, s.properties[k], `${at}.${k}`);
  };
  walk(doc, root, kind ?? 'v1alpha1');
  return problems;
}

let validators: Map<string, ValidateFunction> | undefined;
/** Validates one document against `$defs/<kind def>` of the v1.13 schema; returns ajv's errors as text. */
export function schemaErrors(doc: Record<string, unknown>): string[] {
  if (!validators) {
    const schema = talosSchema();
    // The published schema says v1alpha1.Endpoint (machine.logging.destinations[].endpoint) is an
    // empty object: its generator misses that Endpoint.UnmarshalYAML reads a URL string
    // (v1alpha1_types.go), as Talos' docs write it. Checked in memory as what Talos parses.
    schema.$defs['v1alpha1.Endpoint'] = { type: 'string', format: 'uri', pattern: '^(tcp|udp)://', description: schema.$defs['v1alpha1.Endpoint']?.description };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(schema, 'talos');
    validators = new Map();
    for (const [def, body] of Object.entries<Record<string, any>>(schema.$defs)) {
      const kind = body.properties?.kind?.enum?.[0] ?? (def === 'v1alpha1.Config' ? 'v1alpha1' : undefined);
      if (kind) validators.set(kind, ajv.getSchema(`talos#/$defs/${def}`)!);
    }
  }
  const kind = typeof doc.kind === 'string' ? doc.kind : 'v1alpha1';
  const validate = validators.get(kind);
  if (!validate) return [`no schema definition for kind ${kind}`];
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${kind}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

export function tempProject(prefix = 'talos-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function fileMode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Runs a VM script with --dry-run (no Proxmox tools on PATH) and returns what it prints. */
export function dryRunScript(content: string): string {
  const dir = tempProject('talos-pve-dry-run-');
  try {
    const file = path.join(dir, 'create-talos-vms.sh');
    fs.writeFileSync(file, content, { mode: 0o755 });
    return execFileSync('bash', [file, '--dry-run'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every per-host VM script parses as bash and, where shellcheck is installed (required under CI), is shellcheck-clean. */
export function expectScriptsShellClean(scripts: readonly { path: string; content: string }[]): void {
  const dir = tempProject('talos-pve-shellcheck-');
  try {
    for (const script of scripts) {
      const file = path.join(dir, `${path.basename(path.dirname(script.path))}.sh`);
      fs.writeFileSync(file, script.content, { mode: 0o755 });
      execFileSync('bash', ['-n', file]);
      if (requireTool('shellcheck', `shellcheck of ${script.path}`)) {
        const check = spawnSync(toolPath('shellcheck')!, [file], { encoding: 'utf8' });
        expect(check.stdout).toBe('');
        expect(check.status).toBe(0);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
