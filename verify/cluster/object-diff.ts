/**
 * A compact diff between the live object and what applying dist/ would make of it: one line per
 * changed field, `path: live → git`, values shortened, Secret values never shown. Fields every
 * write or controller changes (resourceVersion, managedFields, status, ...) are left out first.
 */

type Json = unknown;

/** Metadata the server or controllers maintain: never drift. */
const VOLATILE_METADATA = ['resourceVersion', 'generation', 'managedFields', 'creationTimestamp', 'uid', 'selfLink'];

/** The object without status and volatile metadata. */
export function comparable(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = structuredClone(object);
  const meta = { ...(metadata as Record<string, unknown>) };
  for (const key of VOLATILE_METADATA) delete meta[key];
  return { ...rest, metadata: meta };
}

export interface FieldChange {
  /** e.g. `spec.template.spec.containers[name=grafana].args[2]` */
  readonly path: string;
  /** undefined: absent on that side. */
  readonly live: Json;
  readonly git: Json;
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (k: string) => (/^[A-Za-z_][\w-]*$/.test(k) ? `.${k}` : `["${k}"]`);
/** Lists whose items have names (containers, ports, env, volumes): matched by name, so one insertion is one change, not a shifted tail. */
const named = (a: Json[]) => a.length > 0 && a.every((i) => isObject(i) && typeof i.name === 'string') && new Set(a.map((i) => (i as { name: string }).name)).size === a.length;

/** Every field whose value differs between `live` and `git`, depth first. */
export function changedFields(live: Json, git: Json, path = ''): FieldChange[] {
  if (JSON.stringify(live) === JSON.stringify(git)) return [];
  if (isObject(live) && isObject(git)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(git)])];
    return keys.flatMap((k) => changedFields(live[k], git[k], `${path}${key(k)}`));
  }
  if (Array.isArray(live) && Array.isArray(git)) {
    if (named(live) && named(git)) {
      const names = [...new Set([...live, ...git].map((i) => (i as { name: string }).name))];
      const find = (list: Json[], n: string) => list.find((i) => (i as { name: string }).name === n);
      return names.flatMap((n) => changedFields(find(live, n), find(git, n), `${path}[name=${n}]`));
    }
    if (live.length === git.length) return live.flatMap((item, i) => changedFields(item, git[i], `${path}[${i}]`));
  }
  return [{ path: path.replace(/^\./, ''), live, git }];
}

const MAX_VALUE_CHARS = 60;

function shorten(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function show(value: Json): string {
  return value === undefined ? '(absent)' : shorten(JSON.stringify(value));
}

/** `path: live → git`; for multi-line text (embedded config files), the first line that differs. */
export function describeChange(change: FieldChange, secret = false): string {
  if (secret) return `${change.path}: (Secret value, not shown) ${change.live === undefined ? 'absent' : 'set'} → ${change.git === undefined ? 'absent' : 'changed'}`;
  const { live, git } = change;
  if (typeof live === 'string' && typeof git === 'string' && (live.includes('\n') || git.includes('\n'))) {
    const a = live.split('\n');
    const b = git.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    const at = line === -1 ? a.length : line;
    return `${change.path} line ${at + 1}: ${show(a[at])} → ${show(b[at])}`;
  }
  return `${change.path}: ${show(live)} → ${show(git)}`;
}

export interface ObjectDiff {
  /** Fields that differ. */
  readonly count: number;
  /** One line each, at most `max`, then a line counting the rest. */
  readonly lines: string[];
}

/** The diff of one object (live first, then what applying git would make of it). */
export function diffObjects(live: Record<string, unknown>, git: Record<string, unknown>, max = 12): ObjectDiff {
  const secret = live.kind === 'Secret';
  const changes = changedFields(comparable(live), comparable(git));
  const lines = changes.slice(0, max).map((c) => describeChange(c, secret && /^(data|stringData)\b/.test(c.path)));
  if (changes.length > max) lines.push(`… and ${changes.length - max} more changed fields`);
  return { count: changes.length, lines };
}
