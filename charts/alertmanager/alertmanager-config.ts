/** alertmanager.yml built from the site's receivers, serialized once with `yaml`. */
import { configYaml } from '../common/config-yaml';
import { durationSeconds, Site } from '../../site';
import type { StackTopology } from '../topology';

/** Receiver every alert reaches when no other route sends it on: no integrations, UI and API only. */
export const DEFAULT_RECEIVER = 'default';

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
  const receivers: Receiver[] = [
    { name: DEFAULT_RECEIVER },
    ...webhooks.map((w) => ({
      name: w.name,
      webhook_configs: [w.urlSecret
        ? { url_file: `${WEBHOOK_URL_DIR}/${w.name}/url`, send_resolved: w.sendResolved }
        : { url: w.url!, send_resolved: w.sendResolved }],
    })),
    ...emails.map((e) => ({
      name: e.name,
      email_configs: [{
        to: e.to, from: e.from, smarthost: e.smarthost, require_tls: e.requireTls, send_resolved: true,
        ...(e.authUsername ? { auth_username: e.authUsername } : {}),
        ...(e.authPasswordSecret ? { auth_password_file: `${SMTP_PASSWORD_DIR}/${e.name}/password` } : {}),
      }],
    })),
  ];
  return {
    route: {
      receiver: DEFAULT_RECEIVER,
      group_by: ['alertname', 'instance'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // Watchdog always fires; it must not page anyone through the severity routes below.
        { receiver: DEFAULT_RECEIVER, matchers: ['alertname="Watchdog"'] },
        ...receivers.slice(1).map((r) => ({ receiver: r.name, matchers: ['severity=~"critical|warning"'], continue: true })),
      ],
    },
    inhibit_rules: [
      // A critical alert on an instance silences its warnings: one page per broken thing.
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['instance'] },
    ],
    receivers,
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
