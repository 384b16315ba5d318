/** Field types shared by the site schema, each with an error that says what form is expected. */
import { z } from 'zod';

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
