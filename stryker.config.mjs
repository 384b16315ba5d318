// Mutation testing (StrykerJS). Not part of `npm test`: a full run takes hours on two cores.
// Run one target with `npm run mutate:<target>` (site, talos, render, common, configs) or all of
// them with `npm run mutate`; docs/mutation-testing.md has the scores, times and the equivalent
// mutants. Each target mutates one part of the code and runs only the test files that are about
// it (listed below), so a target's score says how well *its own* tests pin it down.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

// Stryker runs the tests in a copy of the project under .stryker-tmp/, where the tests' default
// ../shared (upstream schemas and fixtures) would not resolve: point them at the real one.
process.env.SHARED_DIR ??= path.resolve(root, '..', 'shared');
// The sandbox has no .tools/ (the Go-built validators): outside CI their tests skip; under CI=true
// they would fail every run, so mutation runs are never CI runs. MUTATE_TOOLS=1 lends the sandbox
// the real .tools/bin (test/support/binaries.ts reads STACK_TOOLS_BIN): promtool, amtool and the others
// then judge the mutants too, at the cost of a process per check.
delete process.env.CI;
if (process.env.MUTATE_TOOLS === '1') process.env.STACK_TOOLS_BIN ||= path.resolve(root, '.tools', 'bin');

/**
 * What each target mutates and which test files judge it. Left out of `mutate`, with the reason:
 *  - site/index.ts, talos/index.ts: re-exports only (no code to mutate).
 *  - site/write-schema.ts, render/update-readme.ts, render/update-runbooks.ts: CLI glue (read/write
 *    one file, print a line); what they write is produced by siteJsonSchemaText /
 *    readmeWithComparison / runbooksMarkdown, which are mutated and checked against the committed
 *    site.schema.json, README.md and docs/runbooks.md.
 *  - talos/cli.ts: argument parsing for the secrets CLI; its commands (rotate, import,
 *    renew-admin in secrets-store.ts) are mutated and tested directly.
 */
export const TARGETS = {
  // bad-input.test.ts and every-field.test.ts synthesize the whole stack per case (5-8 s per
  // mutant on two shared cores, ~2 h for site/); what they check is checked in-process by
  // test/mutation-kills/site-*.test.ts, so the score is the in-process tests' alone (a lower bound).
  site: {
    mutate: ['site/**/*.ts', '!site/index.ts', '!site/write-schema.ts'],
    tests: ['test/site/site-model.test.ts', 'test/mutation-kills/site-*'],
  },
  talos: {
    mutate: ['talos/**/*.ts', '!talos/index.ts', '!talos/cli.ts'],
    tests: ['test/talos/**', 'test/mutation-kills/talos-*'],
  },
  render: {
    mutate: ['render/**/*.ts', '!render/update-readme.ts', '!render/update-runbooks.ts'],
    tests: ['test/render/**', 'test/gitops/atomic-synth.test.ts', 'test/secrets/**', 'test/readme.test.ts', 'test/encryption/synth-encrypted.test.ts', 'test/grafana/dashboards-picture.test.ts', 'test/mutation-kills/render-*'],
  },
  common: {
    mutate: ['charts/common/**/*.ts'],
    tests: [
      'test/components/**', 'test/placement.test.ts', 'test/firewall-rules.test.ts', 'test/gitops/pod-security.test.ts',
      'test/gitops/platform.test.ts', 'test/kubernetes/**', 'test/exporters/**', 'test/prometheus/**', 'test/alertmanager/**',
      'test/render/yaml-text.test.ts', 'test/mutation-kills/common-*',
    ],
  },
  // The configs and the serializer that writes config.alloy (YAML configs go through the yaml library).
  configs: {
    mutate: ['charts/*/*-config.ts', 'charts/loki/loki-config-common.ts', 'charts/syslog/alloy-syntax.ts', 'charts/prometheus/remote-write.ts'],
    tests: [
      'test/components/**', 'test/prometheus/**', 'test/alertmanager/**', 'test/exporters/**', 'test/report-figures.test.ts',
      'test/mutation-kills/configs-*',
    ],
  },
};

/**
 * Test files never run under mutation, whatever the target:
 *  - fuzz.test.ts: 75 s for 1,000 generated sites, and it spawns the CLI; the rules it exercises
 *    are pinned in-process by the kill tests.
 *  - cdk8s-cli-parity.test.ts, lxc/converge.test.ts: drive the real CLIs in child processes
 *    (14 s and 72 s per run); the code they cover is covered in-process by the tests above.
 *  - test/upstream/**: validators' own fixtures (whole binaries and schemas), no per-mutant value.
 */
const NEVER = ['/test/site/fuzz\\.test\\.ts$', '/test/gitops/cdk8s-cli-parity\\.test\\.ts$', '/test/lxc/converge\\.test\\.ts$', '/test/upstream/'];

const name = process.env.MUTATE_TARGET ?? 'all';
const chosen = name === 'all' ? Object.values(TARGETS) : [TARGETS[name]];
if (!chosen[0]) throw new Error(`MUTATE_TARGET=${name}: expected one of ${Object.keys(TARGETS).join(', ')} or all`);
// MUTATE_TESTS=a,b (test file globs as above) replaces the target's test files for a quick run
// on a few files (`--mutate`); results then only count what those tests kill.
const tests = process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : chosen.flatMap((t) => t.tests);
// A run on a few files (`--mutate a.ts,b.ts` on the command line) keeps its own report and
// incremental file, named after those files, so runs file by file add up: mutation/summary.mjs
// reads every report and takes each file from the newest one that mutated it. The name is the
// files' paths (globs and exclusions as written), shortened with a hash when long; a run on line
// ranges (`a.ts:10-20`) is marked `@lines`, which the summary leaves out (it is not the whole file).
const mutateArg = (() => {
  // Commander (Stryker's CLI) takes -m/--mutate with the value next, after '=', or glued to -m; the last one wins.
  let value;
  process.argv.forEach((a, i) => {
    if (a === '--mutate' || a === '-m') value = process.argv[i + 1];
    else if (a.startsWith('--mutate=')) value = a.slice('--mutate='.length);
    else if (/^-m./.test(a)) value = a.slice(2);
  });
  return value;
})();
const reportName = (() => {
  if (!mutateArg) return name;
  const files = mutateArg.split(',').map((f) => f.trim()).filter(Boolean).sort();
  let slug = files.map((f) => f.replace(/:\d+(:\d+)?-\d+(:\d+)?$/, '').replace(/\.ts$/, '').replace(/^!/, 'not-').replace(/\*\*/g, 'all').replace(/\*/g, 'any').replace(/[^A-Za-z0-9_.-]+/g, '_')).join('+');
  if (slug.length > 120) slug = `${slug.slice(0, 100)}-${createHash('sha256').update(files.join(',')).digest('hex').slice(0, 12)}`;
  return `${name}/${slug}${files.some((f) => /:\d/.test(f)) ? '@lines' : ''}`;
})();
const glob = (p) => `<rootDir>/${p.endsWith('**') ? `${p}/*.test.ts` : p.endsWith('*') ? `${p}.test.ts` : p}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Only this target's test files (the jest config's globalSetup/teardown still apply).
    config: { testMatch: [...new Set(tests)].map(glob), testPathIgnorePatterns: ['/node_modules/', ...NEVER] },
    enableFindRelatedTests: false,
  },
  // Each mutant runs only the tests that executed its code.
  coverageAnalysis: 'perTest',
  // Static mutants are reached while a test file loads or in beforeAll (module-level constants
  // such as the zod schema, a synth done once per describe block). Each needs every test of its
  // target: for site/ alone (~420 of them) that took over 45 min, elsewhere minutes per mutant.
  // They are reported as "Ignored"; MUTATE_STATIC=1 runs them. Caveat: a mutant reached both
  // there and inside some test ("hybrid") runs only the tests that reached it inside their body,
  // so a test asserting only on a describe-level result cannot kill it.
  ignoreStatic: process.env.MUTATE_STATIC !== '1',
  mutate: [...new Set(chosen.flatMap((t) => t.mutate))],
  checkers: ['typescript'],
  // The target's folder and what it imports, not all of tsconfig.json (tests included): with the
  // whole project every check re-typed ~everything that imports site/ (20-30 s per group of
  // mutants, the checker then held up the test runner). A mutant that breaks only a caller's
  // types outside the target still runs, and the callers' tests judge it.
  tsconfigFile: `mutation/tsconfig.${name}.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Two cores, shared: one test runner plus one type-checker at a time keeps the machine usable.
  concurrency: 2,
  // Synth-heavy test files take seconds; a mutant that makes one loop forever still ends.
  timeoutMS: 20000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${reportName}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  // Not copied into the sandbox: build output, key material, caches and the Go tool binaries
  // (the validator tests then use PATH only, as everywhere without .ci/run).
  ignorePatterns: ['reports', '.tools', 'build', 'coverage', '.secrets', 'cdk8s.out', '.dist-*'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
