/**
 * The module versions test/upstream's go.mod files pin, read from the files themselves, so tests can
 * hold them against the images and releases the stack pins (charts/common/images.ts, the site).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The version `<dir>/go.mod` requires of `modulePath`, e.g. v0.314.0. */
export function pinnedModule(dir: string, modulePath: string): string {
  const text = fs.readFileSync(path.join(__dirname, dir, 'go.mod'), 'utf8');
  const match = new RegExp(`^\\s*(?:require\\s+)?${modulePath.replace(/[.]/g, '\\.')} (v\\S+)`, 'm').exec(text);
  if (!match) throw new Error(`test/upstream/${dir}/go.mod does not require ${modulePath}`);
  return match[1];
}

/** Prometheus 3 module versions v0.3XX.Y are releases v3.XX.Y. */
export function prometheusRelease(moduleVersion: string): string {
  const m = /^v0\.3(\d\d)\.(\d+)$/.exec(moduleVersion);
  if (!m) throw new Error(`${moduleVersion} is not a Prometheus 3 module version`);
  return `v3.${Number(m[1])}.${m[2]}`;
}
