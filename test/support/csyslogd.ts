/**
 * Wazuh's csyslogd on the wire, for the tests: the datagram a Wazuh 4.x manager sends for one
 * alert (src/os_csyslogd/alert.c, OS_Alert_SendSyslog_JSON), built from the facts the product
 * module records (charts/integrations/wazuh-csyslogd.ts). The product never builds one.
 */
import { CSYSLOGD_APP_NAME, CSYSLOGD_PRIORITY } from '../../charts/integrations/wazuh-csyslogd';

/** One alert as csyslogd sends it (the tests build sample datagrams with this). */
export interface CsyslogdAlert {
  /** The manager's short host name (gethostname up to the first dot; use_fqdn is off). */
  readonly hostname: string;
  /** The alert's timestamp, as in alerts.json. */
  readonly timestamp: Date;
  /** The alert object as alerts.json holds it. */
  readonly alert: Readonly<Record<string, unknown>>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The datagram csyslogd sends for an alert in format json: `<132>` + strftime("%b %d %T") with
 * the day's leading zero replaced by a space + host + " ossec: " + cJSON_PrintUnformatted(alert).
 * csyslogd prints the time in the manager's local zone; UTC stands in for it here.
 */
export function csyslogdDatagram(a: CsyslogdAlert): string {
  const t = a.timestamp;
  const two = (n: number) => String(n).padStart(2, '0');
  const day = String(t.getUTCDate()).padStart(2, ' ');
  const time = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
  return `<${CSYSLOGD_PRIORITY}>${MONTHS[t.getUTCMonth()]} ${day} ${time} ${a.hostname} ${CSYSLOGD_APP_NAME}: ${JSON.stringify(a.alert)}`;
}

