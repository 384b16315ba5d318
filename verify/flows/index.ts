/** The flow checks of `npm run verify` (the report's Phase 4): metrics, alerts, logs, Grafana. */
export type { BasicAuth, FlowContext } from './context';
export { checkMetrics } from './metrics';
export { checkAlerts } from './alerts';
export { checkLogs, type SyslogTarget } from './logs';
export { checkLogSources, logSourceExpectations } from './log-sources';
export { checkGrafana } from './grafana';
