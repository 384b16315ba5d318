/** Field types shared by the site schema, each with an error that says what form is expected. */
import * as z from 'zod';

// zod 4 compiles a fast parser per object schema with new Function on first use. A run parses
// one site once, so the compiling costs more than it saves: measured 45-60 ms cold for the default
// site, 12-16 ms without it (issue 13). Same checks, same messages. zod reads the setting when a
// schema is built, not when it parses: this module is the first every schema module imports, so
// it runs before any schema exists; a schema built elsewhere must import it first.
z.config({ jitless: true });

export const ipv4 = z.ipv4({ error: 'expected an IPv4 address such as 10.70.0.10' });

export const cidr = z.cidrv4({ error: 'expected an IPv4 CIDR such as 10.70.0.0/24' });

/** DNS-1123 label: what Kubernetes names, hostnames and receiver names can safely be. */
export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'expected a DNS label: lowercase letters, digits and "-", at most 63 characters' });

export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://monitoring.example.com' });

const DURATION_UNITS: Record<string, number> = { y: 365 * 86400, w: 7 * 86400, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
/** Prometheus duration syntax: units in descending order, each at most once. */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Seconds in a Prometheus-style duration ("15d", "1h30m"), or undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION_RE.exec(text);
  if (!text || !match) return undefined;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  return units.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * DURATION_UNITS[unit], 0);
}

export const duration = z.string().refine((v) => (durationSeconds(v) ?? 0) > 0, {
  error: 'expected a positive duration such as 15d, 720h or 1h30m (units y w d h m s ms)',
});

/** Allowed range of each field of a five-field cron schedule (minute hour day-of-month month day-of-week). */
const CRON_FIELDS: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** One comma-separated part of a cron field (a star, 5, 1-5, a stepped star, 5-59/10, 5/10) as the values it steps through. */
function cronPart(part: string, [min, max]: [number, number]): { from: number; to: number; step: number } | undefined {
  const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
  if (!m) return undefined;
  const from = m[1] === '*' ? min : Number(m[2]);
  const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
  return { from, to, step: Number(m[4] ?? 1) };
}

/** True for a five-field cron schedule of numbers, ranges, lists, steps and "*" (what CronJob accepts). */
export function isCronSchedule(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((field, i) => field.split(',').every((text) => {
    const p = cronPart(text, CRON_FIELDS[i]);
    return p !== undefined && p.step > 0 && p.from >= CRON_FIELDS[i][0] && p.from <= p.to && p.to <= CRON_FIELDS[i][1];
  }));
}

/**
 * The values field `index` (0 minute … 4 day-of-week) of a valid schedule matches, its "*", lists,
 * ranges and steps expanded. Assumes a valid field (isCronSchedule).
 */
export function cronFieldValues(field: string, index: number): Set<number> {
  const hits = new Set<number>();
  for (const text of field.split(',')) {
    const { from, to, step } = cronPart(text, CRON_FIELDS[index])!;
    for (let v = from; v <= to; v += step) hits.add(v);
  }
  return hits;
}

/** Runs per day on a day the schedule runs at all (minute values x hour values). Assumes a valid schedule. */
export function cronRunsPerDay(schedule: string): number {
  const [minute, hour] = schedule.trim().split(/\s+/);
  return cronFieldValues(minute, 0).size * cronFieldValues(hour, 1).size;
}

export const cronSchedule = z.string().refine(isCronSchedule, {
  error: 'expected a five-field cron schedule such as "0 2 * * *" (minute hour day-of-month month day-of-week, UTC)',
});

/** A Git remote Argo CD and Flux can clone: https://, ssh:// or scp-like git@host:path. */
export const gitUrl = z.string().regex(/^(https?:\/\/[^\s/]+\/\S+|ssh:\/\/[^\s/]+\/\S+|[\w.-]+@[\w.-]+:\S+)$/, {
  error: 'expected a Git URL such as https://git.example.com/homelab/monitoring.git or git@git.example.com:homelab/monitoring.git',
});

/** A path inside the repository: relative, POSIX, without "..". */
export const repoPath = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w.\/-]+$/, {
  error: 'expected a relative path inside the repository such as dist or clusters/pve01/dist (no leading "/", no "..")',
});

/** An age X25519 recipient (public key): `age1` and 58 bech32 characters, as age-keygen prints it. */
export const ageRecipient = z
  .string()
  .regex(/^age1[02-9ac-hj-np-z]{58}$/, { error: 'expected an age public key: "age1" followed by 58 lowercase bech32 characters (npm run secrets -- init prints yours)' });
