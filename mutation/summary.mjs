// Per-folder mutation scores from Stryker's JSON reports (reports/mutation/<target>.json, written
// by `npm run mutate` / `npm run mutate:<target>`). A file reported by several runs counts once,
// from the newest report. Score = (killed + timeout) / (killed + timeout + survived + no coverage);
// ignored (static) mutants and those that do not compile are left out, as in Stryker's own score.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { TARGETS } = await import('../stryker.config.mjs');

/** A mutate glob as a regular expression over project-relative paths ("**" any folders, "*" within one). */
const globRegExp = (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?')}$`);
/** Every file some target mutates (its globs less its "!" exclusions), so a file no run reached shows as not run. */
function mutatedFiles() {
  const walk = (d) => fs.readdirSync(path.join(root, d), { withFileTypes: true }).flatMap((e) => {
    const rel = d ? `${d}/${e.name}` : e.name;
    if (e.isDirectory()) return ['node_modules', '.git', '.stryker-tmp', 'test', 'dist', 'build', 'reports', 'imports'].includes(e.name) || e.name.startsWith('.') ? [] : walk(rel);
    return rel.endsWith('.ts') && !rel.endsWith('.d.ts') ? [rel] : [];
  });
  const sources = walk('');
  return new Set(Object.values(TARGETS).flatMap((t) => {
    const take = t.mutate.filter((g) => !g.startsWith('!')).map(globRegExp);
    const skip = t.mutate.filter((g) => g.startsWith('!')).map((g) => globRegExp(g.slice(1)));
    return sources.filter((f) => take.some((r) => r.test(f)) && !skip.some((r) => r.test(f)));
  }));
}
const dir = path.join(root, 'reports', 'mutation');

/** Folder rows and the score each must reach (the targets). */
const GROUPS = [
  { name: 'site/', match: (f) => f.startsWith('site/'), target: 80 },
  { name: 'talos/', match: (f) => f.startsWith('talos/'), target: 80 },
  { name: 'render/', match: (f) => f.startsWith('render/'), target: 70 },
  { name: 'charts/common/', match: (f) => f.startsWith('charts/common/'), target: 70 },
  { name: 'charts/*/*-config.ts', match: (f) => /^charts\/[^/]+\/[^/]+-config\.ts$/.test(f), target: 70 },
];

// Whole-target reports (reports/mutation/<target>.json) and file-by-file ones
// (reports/mutation/<target>/<files>.json), oldest first so the newest wins per file. Runs on
// line ranges (`<files>@lines.json`) hold part of a file only and are left out.
const reportsIn = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? reportsIn(path.join(d, e.name)) : e.name.endsWith('.json') && !e.name.includes('@lines') ? [path.join(d, e.name)] : []);
const reports = fs.existsSync(dir) ? reportsIn(dir).sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs) : [];
if (reports.length === 0) {
  console.log('no mutation reports in reports/mutation/; run npm run mutate (or mutate:<target>) first');
  process.exit(0);
}
const files = new Map();
for (const report of reports) {
  for (const [file, data] of Object.entries(JSON.parse(fs.readFileSync(report, 'utf8')).files)) {
    files.set(path.relative(root, path.resolve(root, file)).split(path.sep).join('/'), data.mutants);
  }
}

const KEYS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
function count(mutants) {
  const c = Object.fromEntries(KEYS.map((k) => [k, 0]));
  for (const m of mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return { ...c, score: valid ? (100 * detected) / valid : NaN };
}

const row = (label, c, target) => [
  label.padEnd(44),
  Number.isNaN(c.score) ? '    n/a' : `${c.score.toFixed(1).padStart(6)}%`,
  ...['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError'].map((k) => String(c[k]).padStart(8)),
  target === undefined ? '' : Number.isNaN(c.score) ? '  not run' : c.score >= target ? `  >= ${target} ok` : `  < ${target} BELOW`,
].join(' ');

console.log(['folder / file'.padEnd(44), ' score', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'compile'].map((h, i) => (i < 2 ? h : h.padStart(8))).join(' '));
for (const g of GROUPS) {
  const own = [...files].filter(([f]) => g.match(f)).sort(([a], [b]) => a.localeCompare(b));
  if (own.length === 0) {
    console.log(`${g.name.padEnd(44)}     not run`);
    continue;
  }
  console.log(row(g.name, count(own.flatMap(([, m]) => m)), g.target));
  for (const [f, m] of own) console.log(row(`  ${f}`, count(m)));
  const notRun = [...mutatedFiles()].filter((f) => g.match(f) && !files.has(f)).sort();
  for (const f of notRun) console.log(`  ${f.padEnd(42)}     not run (not in the score above)`);
}
console.log(`\nfrom ${reports.map((r) => path.relative(root, r)).join(', ')}; equivalent mutants: docs/mutation-testing.md`);
