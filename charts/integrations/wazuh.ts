/**
 * Wazuh (site.integrations.wazuh): what a Wazuh manager needs to forward its alerts to the log
 * gateway, under dist/integrations/wazuh/. Loki's ruler then turns them into Alertmanager alerts
 * (wazuh-rules.ts, charts/loki/loki-ruler.ts). docs/integrations/wazuh.md explains the flow.
 *
 * One file set for all managers: the block names only the gateway (site.loki.address and
 * site.syslog.port) and the site's minimum level, none of them differs per manager, and the
 * gateway tells managers apart by the host name csyslogd sends. The README lists the managers.
 * No file when the integration is off or no Wazuh guest has an address.
 */
import type { Site } from '../../site';
import type { OutputFile } from '../../render/output-file';
import { wazuhManagers } from '../../site/derived';
import { SYSLOG_JOB, UDP_MAX_MESSAGE_BYTES } from '../syslog/alloy-config';
import { OSSEC_CONF, CSYSLOGD_APP_NAME, WAZUH_CRITICAL_RULE_LEVEL, wazuhSyslogOutputXml } from './wazuh-csyslogd';
import { WAZUH_ALERT_WINDOW } from './wazuh-rules';

/** Folder below dist/ (charts/integrations/index.ts INTEGRATIONS_DIR, plus the integration). */
export const WAZUH_DIR = 'integrations/wazuh';
export const WAZUH_SYSLOG_OUTPUT_FILE = `${WAZUH_DIR}/syslog-output.xml`;
export const WAZUH_README_FILE = `${WAZUH_DIR}/README.md`;

function readme(site: Site): string {
  const min = site.integrations.wazuh.minRuleLevel;
  const managers = wazuhManagers(site).map((g) => `- \`${g.name}\` (${g.address}, VMID ${g.vmid})`);
  const severities = min < WAZUH_CRITICAL_RULE_LEVEL
    ? `levels ${min}-${WAZUH_CRITICAL_RULE_LEVEL - 1} as \`warning\`, ${WAZUH_CRITICAL_RULE_LEVEL} and up as \`critical\``
    : `levels ${min} and up as \`critical\``;
  return [
    '# Wazuh alerts into the monitoring stack',
    '',
    `Generated from the site description. The Wazuh manager forwards every alert of rule level ${min} or higher`,
    `by syslog (UDP) to the log gateway on ${site.loki.address}:${site.syslog.port}; Loki stores it and its ruler`,
    `sends \`WazuhHighSeverityAlert\` to Alertmanager (${severities}), one per agent and rule, firing for`,
    `${WAZUH_ALERT_WINDOW} after the last occurrence. See docs/integrations/wazuh.md in the generator's repository.`,
    '',
    'Wazuh managers of this site:',
    '',
    ...managers,
    '',
    '## Install (on each manager, as root)',
    '',
    `1. Paste the \`<ossec_config>\` block of \`syslog-output.xml\` at the end of \`${OSSEC_CONF}\`. ossec.conf`,
    '   holds several `<ossec_config>` blocks; this one only adds a `<syslog_output>`. Keep',
    '   `<jsonout_output>yes</jsonout_output>` in `<global>` (the default): with `<format>json</format>`',
    '   csyslogd reads the alerts from alerts.json.',
    '2. Check the configuration: `/var/ossec/bin/wazuh-csyslogd -t` (prints nothing and exits 0 when valid).',
    '3. Restart the manager: `systemctl restart wazuh-manager` (or `/var/ossec/bin/wazuh-control restart`).',
    '   wazuh-control starts wazuh-csyslogd with the other daemons; it exits at once when ossec.conf has no',
    '   `<syslog_output>`. Wazuh 4.x needs no `wazuh-control enable`: its `enable client-syslog` only',
    '   prints that client syslog is enabled by default.',
    '4. Check that it runs: `/var/ossec/bin/wazuh-control status` lists `wazuh-csyslogd is running...`.',
    '',
    '## Check',
    '',
    'In Grafana (Explore, Loki), the forwarded alerts:',
    '',
    '```logql',
    `{job="${SYSLOG_JOB}", app="${CSYSLOGD_APP_NAME}"} | json`,
    '```',
    '',
    'The gateway labels them `host` (the manager\'s short host name), `app="ossec"`, `level="warning"` and',
    '`facility="local0"` (csyslogd sends every alert with priority local0.warning; the Wazuh level is',
    '`rule_level` after `| json`), `source_ip` (the manager\'s address).',
    '',
    `The gateway reads UDP messages of up to ${UDP_MAX_MESSAGE_BYTES} bytes, csyslogd's own limit, so an alert arrives whole.`,
    '',
    '## Remove',
    '',
    `Delete the block from ${OSSEC_CONF} and restart the manager.`,
    '',
  ].join('\n');
}

export function wazuhIntegrationFiles(site: Site): OutputFile[] {
  if (wazuhManagers(site).length === 0) return [];
  return [
    { path: WAZUH_SYSLOG_OUTPUT_FILE, content: wazuhSyslogOutputXml(site) },
    { path: WAZUH_README_FILE, content: readme(site) },
  ];
}
