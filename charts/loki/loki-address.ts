/**
 * Loki's HTTP API and the syslog gateway share the report's one log address (site.loki.address):
 * MetalLB puts Services with the same `allow-shared-ip` key on one IP as long as their ports differ.
 */
export const LOG_ADDRESS_SHARE_KEY = 'monitoring-logs';
