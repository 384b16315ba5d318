/**
 * Blackbox probes of the estate's services (jobs blackbox-*, both platforms). Metric names as
 * blackbox_exporter 0.28.0 exposes them (prober/prober.go: probe_success, probe_duration_seconds;
 * prober/tls.go: probe_ssl_earliest_cert_expiry).
 */
import { isMultiHost, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import { CERT_EXPIRY_CRITICAL_DAYS, CERT_EXPIRY_WARNING_DAYS, slowProbeSeconds } from '../../common/thresholds';
import type { AlertDefinition, AlertDefinitionGroup, Runbook } from './alert';
import { proxmoxHostNames } from './proxmox';

const dashboard = DASHBOARD_UIDS.probes;

const certificateRunbook: Runbook = {
  meaning: 'The TLS certificate a probed service presents expires soon. After that, browsers and clients refuse the connection.',
  check: ['`echo | openssl s_client -connect <host:port> -servername <host> 2>/dev/null | openssl x509 -noout -dates -issuer`.', 'Nginx Proxy Manager UI → SSL Certificates: the renewal status of Let\'s Encrypt certificates.'],
  fix: ['Renew it (NPM: "Renew Now"; a Proxmox self-signed one: `pvecm updatecerts --force`), and find why automatic renewal failed (DNS, port 80 closed).'],
};

function certificateExpiring(days: number, severity: 'warning' | 'critical'): AlertDefinition {
  return {
    alert: 'TlsCertificateExpiring', expr: `probe_ssl_earliest_cert_expiry - time() < ${days} * 86400`, for: '1h', severity,
    summary: `TLS certificate of {{ $labels.instance }} expires within ${days} days`,
    description: 'It expires in {{ $value | humanizeDuration }}.',
    dashboard, runbook: certificateRunbook,
  };
}

export function probeRules(site: Site): AlertDefinitionGroup {
  const slow = slowProbeSeconds(site);
  return {
    name: 'probes',
    rules: [
      {
        alert: 'EndpointDown', expr: 'probe_success == 0', for: '5m', severity: 'critical',
        summary: '{{ $labels.name }} ({{ $labels.instance }}) is unreachable',
        description: 'Blackbox probe failing for 5 minutes (probe_success = {{ $value }}).',
        dashboard,
        runbook: {
          meaning: 'The service does not answer the probe (HTTP status, TCP connect, TLS handshake) from the monitoring network: users cannot reach it either.',
          check: [
            'Debug the probe: `curl \'http://<blackbox>:9115/probe?target=<instance>&module=<module>&debug=true\'`.',
            `The guest behind it: \`pct status <vmid>\` on ${site.proxmox.node}; the service in it: \`pct exec <vmid> -- systemctl --failed\`.`,
            // With several hosts, the probe's name says whose API it is.
            ...(isMultiHost(site) ? [`A Proxmox API (\`<node>-api\`, <node> one of ${proxmoxHostNames(site)}): \`systemctl status pveproxy\` on that host.`] : []),
          ],
          fix: ['Restart the service or the guest; a firewall change that closed the port: reopen it for the monitoring network.'],
        },
      },
      {
        // Successful probes only: a probe that hits its deadline fails and EndpointDown covers it.
        alert: 'EndpointSlow', expr: `probe_duration_seconds > ${slow} and probe_success == 1`, for: '15m', severity: 'warning',
        summary: '{{ $labels.name }} answers slowly', description: `Probe takes {{ $value }}s (slow above ${slow}s).`,
        dashboard,
        runbook: {
          meaning: `The probe succeeds but takes more than ${slow}s (60% of its deadline): the service is overloaded, or a dependency (DNS, database) is slow.`,
          check: ['Probe debug output (see EndpointDown) shows the phases (resolve, connect, tls, processing).', 'The Hosts dashboard for the guest\'s CPU and memory.'],
          fix: ['Relieve the guest (HostHighCpu, HostMemoryPressure); a slow TLS handshake on the Proxmox API: `systemctl restart pveproxy`.'],
        },
      },
      certificateExpiring(CERT_EXPIRY_WARNING_DAYS, 'warning'),
      certificateExpiring(CERT_EXPIRY_CRITICAL_DAYS, 'critical'),
    ],
  };
}
