/** alertmanager.yml built from the site's receivers, serialized once with `yaml`. */
import { configYaml } from '../common/config-yaml';
import { durationSeconds, Site } from '../../site';
import type { StackTopology } from '../topology';

/** Receiver every alert reaches when no other route sends it on: no integrations, UI and API only. */
export const DEFAULT_RECEIVER = 'default';
/** Receiver of the Watchdog alert when site.alertmanager.heartbeat is set: the dead man's switch. */
export const HEARTBEAT_RECEIVER = 'heartbeat';
/** Where the heartbeat URL (Secret heartbeat.urlSecret, key "url") is mounted / placed. */
export const HEARTBEAT_URL_DIR = '/etc/alertmanager/heartbeat';
export const HEARTBEAT_URL_FILE = `${HEARTBEAT_URL_DIR}/url`;

/**
 * Labels that name the object an alert is about: the scrape target (job, instance), the
 * Proxmox object (id: node/…, lxc/…, qemu/…, storage/…), the filesystem (mountpoint), the
 * network interface (device) and the Kubernetes object (namespace with pod, container,
 * deployment, statefulset, daemonset, persistentvolumeclaim or job_name; node). Grouping and
 * inhibition both compare them: one notification per object, and a critical alert mutes only
 * the warnings about the same object. A label neither alert has counts as equal (Alertmanager
 * compares empty values), so two kube-state-metrics alerts about different pods differ by `pod`.
 * Objects behind one target are told apart too: an UptimeKuma monitor (monitor_name), a rule
 * group of Prometheus or Loki (rule_group), a Wazuh agent and rule (agent, rule_id), a Loki
 * route: a down monitor does not mute another monitor's certificate warning.
 */
export const SAME_OBJECT_LABELS = [
  'job', 'instance', 'id', 'mountpoint', 'device',
  'namespace', 'pod', 'container', 'deployment', 'statefulset', 'daemonset', 'persistentvolumeclaim', 'job_name', 'node',
  'monitor_name', 'rule_group', 'agent', 'rule_id', 'route',
];

export interface AlertmanagerConfig {
  route: Route;
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  receivers: Receiver[];
}

interface Route {
  receiver: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  continue?: boolean;
  routes?: Route[];
}

interface Receiver {
  name: string;
  webhook_configs?: ({ url: string; send_resolved: boolean } | { url_file: string; send_resolved: boolean })[];
  email_configs?: {
    to: string; from: string; smarthost: string; require_tls: boolean; send_resolved: boolean;
    auth_username?: string; auth_password_file?: string;
  }[];
}

/** Where SMTP password files live, one subdirectory per receiver (Secret mounts on Kubernetes). */
export const SMTP_PASSWORD_DIR = '/etc/alertmanager/smtp';
/** Where webhook URLs that carry tokens live, one subdirectory per receiver, file "url". */
export const WEBHOOK_URL_DIR = '/etc/alertmanager/webhooks';

export function alertmanagerConfig(site: Site, _topology: StackTopology): AlertmanagerConfig {
  const { webhooks, emails } = site.alertmanager.receivers;
  const { heartbeat } = site.alertmanager;
  const siteReceivers: (Receiver & { severities: readonly string[] })[] = [
    ...webhooks.map((w) => ({
      severities: w.severities,
      name: w.name,
      webhook_configs: [w.urlSecret
        ? { url_file: `${WEBHOOK_URL_DIR}/${w.name}/url`, send_resolved: w.sendResolved }
        : { url: w.url!, send_resolved: w.sendResolved }],
    })),
    ...emails.map((e) => ({
      severities: e.severities,
      name: e.name,
      email_configs: [{
        to: e.to, from: e.from, smarthost: e.smarthost, require_tls: e.requireTls, send_resolved: true,
        ...(e.authUsername ? { auth_username: e.authUsername } : {}),
        ...(e.authPasswordSecret ? { auth_password_file: `${SMTP_PASSWORD_DIR}/${e.name}/password` } : {}),
      }],
    })),
  ];
  const receivers: Receiver[] = [{ name: DEFAULT_RECEIVER }, ...siteReceivers.map(({ severities: _, ...r }) => r)];
  return {
    route: {
      receiver: DEFAULT_RECEIVER,
      // One notification per alert and object (the same labels inhibition compares).
      group_by: ['alertname', ...SAME_OBJECT_LABELS],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // Watchdog always fires; it must not page anyone through the severity routes below.
        heartbeat ? heartbeatRoute(heartbeat.interval) : { receiver: DEFAULT_RECEIVER, matchers: [WATCHDOG_MATCHER] },
        // Each receiver gets the severities it asked for; `continue` lets every receiver see the
        // alert. What no receiver takes stays with the default receiver (UI and API only).
        ...siteReceivers.map((r) => ({ receiver: r.name, matchers: [severityMatcher(r.severities)], continue: true })),
      ],
    },
    inhibit_rules: [
      // A critical alert silences the warnings about the same object (one page per broken thing),
      // not the whole host: a guest down on pve01 leaves pve01's storage warnings alone.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: SAME_OBJECT_LABELS },
      // A warning silences the info about the same object (a rebooted host that is also out of
      // memory: the warning says enough). Never Watchdog: muting it would stop the heartbeat.
      { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"', WATCHDOG_EXCLUDED], equal: SAME_OBJECT_LABELS },
    ],
    receivers: heartbeat
      ? [...receivers, { name: HEARTBEAT_RECEIVER, webhook_configs: [{ url_file: HEARTBEAT_URL_FILE, send_resolved: false }] }]
      : receivers,
  };
}

const WATCHDOG_MATCHER = 'alertname="Watchdog"';
const WATCHDOG_EXCLUDED = 'alertname!="Watchdog"';

/** `severity=~"critical|warning"` for the severities a receiver asked for, in the policy's order. */
function severityMatcher(severities: readonly string[]): string {
  const ordered = ['critical', 'warning', 'info'].filter((s) => severities.includes(s));
  return `severity=~"${ordered.join('|')}"`;
}

/**
 * Watchdog to the dead man's switch, one ping per interval. A repeat is sent only at a
 * group_interval tick, and only when the last send was logged more than repeat_interval before
 * that tick (notify/dedup_stage.go); the log time is taken after sending, so repeat_interval =
 * group_interval skips ticks (test/alertmanager/heartbeat-live). Half the interval keeps every
 * tick. Resolved is not sent: a "resolved" Watchdog means Prometheus stopped, not a ping.
 * Alertmanager logs a warning that repeat_interval is below group_interval: intended here.
 */
function heartbeatRoute(interval: string): Route {
  const seconds = durationSeconds(interval)!;
  return {
    receiver: HEARTBEAT_RECEIVER,
    matchers: [WATCHDOG_MATCHER],
    group_by: ['alertname'],
    group_wait: '0s',
    group_interval: interval,
    repeat_interval: `${Math.max(1, Math.floor(seconds / 2))}s`,
  };
}

export function alertmanagerConfigYaml(site: Site, topology: StackTopology): string {
  return configYaml(alertmanagerConfig(site, topology));
}

/** Alertmanager's --data.retention takes h, m and s only ("30d" is rejected): convert. */
export function alertmanagerRetention(retention: string): string {
  const seconds = durationSeconds(retention)!;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
