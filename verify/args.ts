/**
 * `npm run verify -- [options]`: what the operator can say. Parsed before anything connects, so a
 * typo costs nothing; every error names the argument and what to use instead.
 */
import { durationSeconds } from '../site';
import { UsageError } from '../render/cli-args';
import type { CheckGroup } from './check';

/** The services verify talks to; the names `--endpoint NAME=URL` accepts. */
export const ENDPOINT_NAMES = ['prometheus', 'alertmanager', 'grafana', 'loki', 'syslog'] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export const CHECK_GROUPS: readonly CheckGroup[] = ['drift', 'health', 'metrics', 'logs', 'alerts', 'grafana'];

export interface VerifyArgs {
  /** @default $KUBECONFIG, else ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default the kubeconfig's current-context */
  readonly context?: string;
  /** @default $SITE, else the embedded default site */
  readonly siteFile?: string;
  /** The GitOps tree to compare with the cluster. @default 'dist' */
  readonly distDir: string;
  /** Machine-readable output on stdout (progress still goes to stderr). @default false */
  readonly json: boolean;
  /** How long to wait for flows (a scrape round, a log line in Loki), seconds. @default 300 (5m) */
  readonly timeoutSeconds: number;
  /** Reach the services at the site's LoadBalancer addresses instead of tunnelling through the API server. @default false */
  readonly direct: boolean;
  /** Per-service address overrides, e.g. prometheus → http://127.0.0.1:9090, syslog → udp+tcp host:port. */
  readonly endpoints: Readonly<Partial<Record<EndpointName, string>>>;
  /** Field manager of the server-side apply dry-run. @default - the GitOps controller found in the cluster */
  readonly fieldManager?: string;
  /** Check groups to run. @default all of CHECK_GROUPS */
  readonly only: readonly CheckGroup[];
}

export const USAGE = `usage: npm run verify -- [--kubeconfig FILE] [--context NAME] [--site FILE] [--dist DIR]
                         [--json] [--timeout 5m] [--direct] [--endpoint NAME=URL ...]
                         [--field-manager NAME] [--only drift,health,metrics,logs,alerts,grafana]`;

const VALUE_FLAGS = ['--kubeconfig', '--context', '--site', '--dist', '--timeout', '--endpoint', '--field-manager', '--only'] as const;
const EXAMPLES: Record<(typeof VALUE_FLAGS)[number], string> = {
  '--kubeconfig': '--kubeconfig ~/.kube/config',
  '--context': '--context admin@pve01-monitoring',
  '--site': '--site site.yaml',
  '--dist': '--dist dist',
  '--timeout': '--timeout 5m',
  '--endpoint': '--endpoint prometheus=http://127.0.0.1:9090',
  '--field-manager': '--field-manager argocd-controller',
  '--only': '--only drift,health',
};

export function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): VerifyArgs {
  let kubeconfig: string | undefined;
  let context: string | undefined;
  let siteFile = env.SITE || undefined;
  let distDir = 'dist';
  let json = false;
  let direct = false;
  let timeoutSeconds = 300;
  let fieldManager: string | undefined;
  let only: CheckGroup[] = [...CHECK_GROUPS];
  const endpoints: Partial<Record<EndpointName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') { json = true; continue; }
    if (arg === '--direct') { direct = true; continue; }
    // --flag value or --flag=value (split at the first "=": --endpoint=prometheus=http://… works).
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    const f = flag as (typeof VALUE_FLAGS)[number];
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${f} needs a value, e.g. ${EXAMPLES[f]}`);
    switch (f) {
      case '--kubeconfig': kubeconfig = value; break;
      case '--context': context = value; break;
      case '--site': siteFile = value; break;
      case '--dist': distDir = value; break;
      case '--field-manager': fieldManager = value; break;
      case '--timeout': timeoutSeconds = parseTimeout(value); break;
      case '--only': only = parseOnly(value); break;
      case '--endpoint': {
        const [name, url] = parseEndpoint(value);
        endpoints[name] = url;
        break;
      }
    }
  }
  return { kubeconfig, context, siteFile, distDir, json, timeoutSeconds, direct, endpoints, fieldManager, only };
}

function parseTimeout(value: string): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined || seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout "${value}" is not a duration between 1s and 1h; use e.g. --timeout 90s or --timeout 5m`);
  return seconds;
}

function parseOnly(value: string): CheckGroup[] {
  const groups = value.split(',').map((g) => g.trim()).filter(Boolean);
  const unknown = groups.filter((g) => !(CHECK_GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0 || groups.length === 0) throw new UsageError(`--only "${value}": ${unknown.length ? `unknown group ${unknown.map((g) => `"${g}"`).join(', ')}` : 'no group given'}; choose from ${CHECK_GROUPS.join(',')}`);
  return CHECK_GROUPS.filter((g) => groups.includes(g));
}

function parseEndpoint(value: string): [EndpointName, string] {
  const eq = value.indexOf('=');
  const name = value.slice(0, Math.max(eq, 0));
  const url = value.slice(eq + 1);
  if (eq < 1 || !(ENDPOINT_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--endpoint "${value}": expected NAME=URL with NAME one of ${ENDPOINT_NAMES.join(', ')}, e.g. ${EXAMPLES['--endpoint']}`);
  }
  if (name === 'syslog') {
    if (!/^[\w.-]+:\d{1,5}$/.test(url)) throw new UsageError(`--endpoint syslog=${url}: expected HOST:PORT (UDP and TCP), e.g. --endpoint syslog=10.70.0.12:514`);
  } else {
    let parsed: URL | undefined;
    try { parsed = new URL(url); } catch { parsed = undefined; }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new UsageError(`--endpoint ${name}=${url}: expected an http:// or https:// URL, e.g. --endpoint ${name}=http://127.0.0.1:8080`);
  }
  return [name as EndpointName, url];
}
