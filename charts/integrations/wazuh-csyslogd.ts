/**
 * What Wazuh's csyslogd (wazuh-csyslogd, src/os_csyslogd in wazuh/wazuh v4.14) puts on the wire,
 * and the `<syslog_output>` block that points it at the log gateway. The facts below are read
 * from its source; the gateway's rules and the tests build on them.
 *
 * With `<format>json</format>` csyslogd reads alerts.json and sends each alert as one UDP
 * datagram (alert.c OS_Alert_SendSyslog_JSON, os_net.c OS_SendUDPbySize; there is no TCP option):
 *
 *     <132>Aug  5 15:22:43 wazuh-manager ossec: {"timestamp":...,"rule":{"level":12,...},...}
 *
 * an RFC 3164 header (priority, "%b %d %T" with the day space-padded, the manager's short host
 * name), the tag `ossec:`, then the whole alert as unformatted JSON: what the gateway's UDP
 * listener (syslog_format rfc3164) parses into host=<manager>, app="ossec", and the JSON as the
 * log line. csyslogd builds the datagram in a 64 KiB buffer (OS_MAXSTR), longer than Alloy's
 * default read size (max_message_length 8192, the rest of the datagram discarded): the gateway's
 * UDP listener raises it to 64 KiB (charts/syslog/alloy-config.ts); see docs/integrations/wazuh.md.
 */
import type { Site } from '../../site';

/** The tag csyslogd writes before the alert (alert.c): the gateway's `app` label. */
export const CSYSLOGD_APP_NAME = 'ossec';

/**
 * The fixed priority of every csyslogd message: facility local0 (16) * 8 + severity warning (4)
 * (csyslogd-config.c Read_CSyslog), so the gateway's `level` is "warning" whatever the rule level.
 */
export const CSYSLOGD_PRIORITY = 16 * 8 + 4;

/** Longest datagram csyslogd sends: its message buffer OS_MAXSTR (defs.h) less the terminating NUL. */
export const CSYSLOGD_MAX_DATAGRAM_BYTES = 65536 - 1;

/**
 * Wazuh's rule classification names levels 12 and up "high importance" (12-14) and "severe
 * attack" (15): these page as critical, the levels below as warning.
 */
export const WAZUH_CRITICAL_RULE_LEVEL = 12;

/** Where the block goes on the manager (Wazuh's default installation prefix). */
export const OSSEC_CONF = '/var/ossec/etc/ossec.conf';

/**
 * The `<ossec_config>` block for ossec.conf. csyslogd accepts exactly these elements (server,
 * port, format, level, rule_id, group, location, use_fqdn) and refuses any other; level is
 * "at or above" (alert.c: skipped when rule.level < level). The gateway listens on the report's
 * syslog port of the log address; UDP is all csyslogd speaks.
 */
export function wazuhSyslogOutputXml(site: Site): string {
  return [
    '<!-- Forward Wazuh alerts to the monitoring stack\'s log gateway (Grafana Alloy, RFC 3164 over UDP). -->',
    '<!-- Generated from the site description; add it to ' + OSSEC_CONF + ' (see README.md). -->',
    '<ossec_config>',
    '  <syslog_output>',
    `    <server>${site.loki.address}</server>`,
    `    <port>${site.syslog.port}</port>`,
    `    <level>${site.integrations.wazuh.minRuleLevel}</level>`,
    '    <format>json</format>',
    '  </syslog_output>',
    '</ossec_config>',
    '',
  ].join('\n');
}
