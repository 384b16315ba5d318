/** Reads, parses and validates a site file once; everything downstream trusts the result. */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
import type { z } from 'zod';
import { ASSUMED_DEFAULTS, SITE_ADVICE } from './assumed';
import { checkSiteRules, SiteProblem } from './rules';
import { Site, SiteSchema } from './schema';

/** Thrown for any bad site input; `problems` name the field, the value and the fix. */
export class SiteError extends Error {
  constructor(readonly source: string, readonly problems: readonly SiteProblem[]) {
    super(`invalid site (${source}):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SiteError';
  }
}

export interface LoadedSite {
  readonly site: Site;
  /** One line per assumed default the site file did not set, and per piece of advice that applies. */
  readonly warnings: readonly string[];
  /** Where the site came from: a file path or "embedded default (assessment mon-001)". */
  readonly source: string;
}

export const EMBEDDED_SOURCE = 'embedded default (assessment mon-001)';

function formatProblem(p: SiteProblem): string {
  return `  - ${p.path}: ${JSON.stringify(p.value)} ${p.message}`;
}

function issueToProblem(issue: z.core.$ZodIssue): SiteProblem[] {
  const path = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...issue.path, key].join('.'),
      value: (issue.input as Record<string, unknown> | undefined)?.[key],
      message: 'is not a known setting; remove it or check its spelling against site.schema.json',
    }));
  }
  return [{ path, value: issue.input, message: `is invalid: ${issue.message}` }];
}

/** Validate already-parsed site data (a YAML document or an object in code). */
export function parseSite(raw: unknown, source = 'site object'): LoadedSite {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new SiteError(source, [{ path: '(top level)', value: raw, message: 'must be a mapping of settings (see site.schema.json)' }]);
  }
  const result = SiteSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) throw new SiteError(source, result.error.issues.flatMap(issueToProblem));
  const problems = checkSiteRules(result.data);
  if (problems.length > 0) throw new SiteError(source, problems);
  const warnings = [
    ...ASSUMED_DEFAULTS.filter((a) => !hasPath(raw, a.path)).map((a) => `assumed ${a.path}: ${a.reason}`),
    ...SITE_ADVICE.filter((a) => a.applies(result.data)).map((a) => a.line),
  ];
  return { site: result.data, warnings, source };
}

/** Load from a YAML file, or the embedded default (the report's values) when no file is given. */
export function loadSite(file?: string): LoadedSite {
  if (!file) return parseSite(undefined, EMBEDDED_SOURCE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SiteError(file, [{ path: '(file)', value: file, message: `cannot be read (${(err as NodeJS.ErrnoException).code}); pass an existing YAML file with --site FILE or SITE=FILE` }]);
  }
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SiteError(file, doc.errors.map((e) => ({ path: '(yaml)', value: e.linePos?.[0] ? `line ${e.linePos[0].line}` : file, message: `is not valid YAML: ${e.message.split('\n')[0]}` })));
  }
  return parseSite(doc.toJS(), file);
}

function hasPath(raw: unknown, path: string): boolean {
  let node = raw;
  for (const key of path.split('.')) {
    if (!node || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
