/**
 * What goes into each container: the service configs from the shared builders (the very
 * functions the Kubernetes charts call, with the LXC topology), the systemd units that run the
 * daemons with the Kubernetes path's flags, and what the operator must supply out of band.
 */
import type { Site } from '../site';
import { alertmanagerConfigYaml, HEARTBEAT_URL_FILE, SMTP_PASSWORD_DIR, WEBHOOK_URL_DIR } from '../charts/alertmanager/alertmanager-config';
import { IMAGES, type ImageName } from '../charts/common/images';
import { blackboxConfigYaml } from '../charts/exporters/blackbox-config';
import { PVE_EXPORTER_SECRET } from '../charts/exporters/exporters-chart';
import { lokiConfigYaml } from '../charts/loki/loki-config';
import { lokiRulerFiles } from './loki-ruler-files';
import { PROMETHEUS_PASSWORD_FILE, PROMETHEUS_WEB_CONFIG_FILE } from '../charts/prometheus/prometheus-args';
import { prometheusConfigYaml } from '../charts/prometheus/prometheus-config';
import { prometheusRulesYaml, RULES_FILE_NAME } from '../charts/prometheus/rules';
import { UPTIME_KUMA_API_KEY, UPTIME_KUMA_API_KEY_FILE } from '../charts/prometheus/uptime-kuma';
import { REMOTE_WRITE_PASSWORD_KEY, REMOTE_WRITE_USERNAME_KEY, remoteWriteAuthDir, remoteWriteAuthSecrets } from '../charts/prometheus/remote-write';
import { uptimeKumaInstances } from '../site/derived';
import { alloySyslogConfig } from '../charts/syslog/alloy-config';
import { PORTS, stackTopology, type StackTopology } from '../charts/topology';
import type { LxcService } from './containers';
import { alertmanagerArgs, alloyArgs, LXC_PATHS, lokiArgs, prometheusArgs } from './daemon-args';
import { grafanaContainerFiles } from './grafana-files';
import { systemdOneshot, systemdService } from './systemd-unit';

/** A file placed inside a container. */
export interface ContainerFile {
  /** Absolute path inside the container. */
  readonly path: string;
  readonly content: string;
  /** @default 0o644 */
  readonly mode?: number;
}

/** A daemon the container runs: enabled by the script once its binary is installed. */
export interface ContainerDaemon {
  /** systemd unit name. */
  readonly unit: string;
  /** Binary the unit starts; the script enables the unit only when it exists. */
  readonly binary: string;
  /** Upstream release to install, the same version as the Kubernetes path's image. */
  readonly release: string;
}

/** A file holding secret material: never generated, the operator creates it. */
export interface OutOfBandSecret {
  readonly path: string;
  readonly owner: string;
  readonly what: string;
}

export interface ContainerPayload {
  readonly service: LxcService;
  /** System users the daemons run as (created by the script when missing). */
  readonly users: readonly string[];
  readonly files: readonly ContainerFile[];
  readonly daemons: readonly ContainerDaemon[];
  readonly secrets: readonly OutOfBandSecret[];
}

const UNIT_DIR = '/etc/systemd/system';
const BLACKBOX_CONFIG = '/etc/blackbox/blackbox.yml';
/** API token for pve_exporter, the same variables as the Kubernetes Secret. */
const PVE_EXPORTER_ENV = '/etc/pve-exporter/token.env';

function release(image: ImageName): string {
  return `${image} ${IMAGES[image].tag.replace(/^v/, '')}`;
}

function nodeExporter(): { daemon: ContainerDaemon; file: ContainerFile; user: string } {
  return {
    user: 'node-exporter',
    daemon: { unit: 'node-exporter.service', binary: '/usr/local/bin/node_exporter', release: release('nodeExporter') },
    file: {
      path: `${UNIT_DIR}/node-exporter.service`,
      content: systemdService({
        description: 'Prometheus node_exporter (scraped by the node job)',
        binary: '/usr/local/bin/node_exporter',
        args: [`--web.listen-address=:${PORTS.nodeExporter}`],
        user: 'node-exporter',
      }),
    },
  };
}

function prometheusPayload(site: Site, topology: StackTopology): ContainerPayload {
  const node = nodeExporter();
  return {
    service: 'prometheus',
    users: ['prometheus', node.user, 'blackbox-exporter', 'pve-exporter'],
    files: [
      { path: LXC_PATHS.prometheusConfig, content: prometheusConfigYaml(site, topology) },
      { path: `${topology.prometheusRulesDir}/${RULES_FILE_NAME}`, content: prometheusRulesYaml(site, 'lxc') },
      {
        path: `${UNIT_DIR}/prometheus.service`,
        content: systemdService({
          description: 'Prometheus',
          binary: '/usr/local/bin/prometheus',
          args: prometheusArgs(site, topology),
          user: 'prometheus',
          stateDirectory: 'prometheus',
          // The head block is flushed on shutdown; a kill mid-write costs a long WAL replay.
          stopTimeoutSeconds: 300,
        }),
      },
      node.file,
      // The report puts blackbox_exporter and pve_exporter on the Prometheus VM; Prometheus reaches them on loopback.
      { path: BLACKBOX_CONFIG, content: blackboxConfigYaml() },
      {
        path: `${UNIT_DIR}/blackbox-exporter.service`,
        content: systemdService({
          description: 'Prometheus blackbox_exporter', binary: '/usr/local/bin/blackbox_exporter', user: 'blackbox-exporter',
          args: [`--config.file=${BLACKBOX_CONFIG}`, `--web.listen-address=127.0.0.1:${PORTS.blackboxExporter}`],
        }),
      },
      {
        path: `${UNIT_DIR}/pve-exporter.service`,
        content: systemdService({
          description: 'Prometheus Proxmox VE exporter', binary: '/usr/local/bin/pve_exporter', user: 'pve-exporter',
          args: [`--web.listen-address=127.0.0.1:${PORTS.pveExporter}`],
          environmentFile: PVE_EXPORTER_ENV,
        }),
      },
    ],
    daemons: [
      { unit: 'prometheus.service', binary: '/usr/local/bin/prometheus', release: release('prometheus') },
      node.daemon,
      { unit: 'blackbox-exporter.service', binary: '/usr/local/bin/blackbox_exporter', release: release('blackboxExporter') },
      { unit: 'pve-exporter.service', binary: '/usr/local/bin/pve_exporter', release: `prometheus-pve-exporter ${IMAGES.pveExporter.tag} (pip, into a venv linked as /usr/local/bin/pve_exporter)` },
    ],
    secrets: [
      { path: PROMETHEUS_WEB_CONFIG_FILE, owner: 'prometheus', what: `web config with bcrypt basic_auth_users (the web.yml key of Secret ${site.prometheus.webAuthSecret}), mode 0640` },
      { path: PROMETHEUS_PASSWORD_FILE, owner: 'prometheus', what: `Prometheus' own basic-auth password for its self-scrape (the password key of Secret ${site.prometheus.webAuthSecret}, plain text), mode 0640` },
      { path: topology.alertmanagerPasswordFile, owner: 'prometheus', what: 'the Alertmanager basic-auth password (plain text, mode 0640)' },
      { path: PVE_EXPORTER_ENV, owner: 'pve-exporter', what: `PVE_USER, PVE_TOKEN_NAME, PVE_TOKEN_VALUE, PVE_VERIFY_SSL (the keys of Secret ${PVE_EXPORTER_SECRET}), mode 0640` },
      ...(uptimeKumaInstances(site).length > 0
        ? [{ path: UPTIME_KUMA_API_KEY_FILE, owner: 'prometheus', what: `the UptimeKuma API key for its /metrics (key ${UPTIME_KUMA_API_KEY} of Secret ${site.integrations.uptimeKuma.apiKeySecret}, plain text), mode 0640` }]
        : []),
      ...remoteWriteAuthSecrets(site).flatMap((secret) => [REMOTE_WRITE_USERNAME_KEY, REMOTE_WRITE_PASSWORD_KEY].map((key) => ({
        path: `${remoteWriteAuthDir(secret)}/${key}`, owner: 'prometheus',
        what: `the remote-write ${key} (key ${key} of Secret ${secret}: ${site.prometheus.remoteWrite.filter((r) => r.authSecret === secret).map((r) => r.name).join(', ')}), plain text, mode 0640`,
      }))),
    ],
  };
}

function alertmanagerPayload(site: Site, topology: StackTopology): ContainerPayload {
  const node = nodeExporter();
  return {
    service: 'alertmanager',
    users: ['alertmanager', node.user],
    files: [
      { path: LXC_PATHS.alertmanagerConfig, content: alertmanagerConfigYaml(site, topology) },
      {
        path: `${UNIT_DIR}/alertmanager.service`,
        content: systemdService({
          description: 'Prometheus Alertmanager',
          binary: '/usr/local/bin/alertmanager',
          args: alertmanagerArgs(site, topology),
          user: 'alertmanager',
          stateDirectory: 'alertmanager',
        }),
      },
      node.file,
    ],
    daemons: [
      { unit: 'alertmanager.service', binary: '/usr/local/bin/alertmanager', release: release('alertmanager') },
      node.daemon,
    ],
    secrets: [
      { path: LXC_PATHS.alertmanagerWebConfig, owner: 'alertmanager', what: 'web config with bcrypt basic_auth_users (the web.yml key of the Kubernetes Secret)' },
      ...site.alertmanager.receivers.emails
        .filter((e) => e.authPasswordSecret)
        .map((e) => ({ path: `${SMTP_PASSWORD_DIR}/${e.name}/password`, owner: 'alertmanager', what: `SMTP password of receiver ${e.name}` })),
      ...site.alertmanager.receivers.webhooks
        .filter((w) => w.urlSecret)
        .map((w) => ({ path: `${WEBHOOK_URL_DIR}/${w.name}/url`, owner: 'alertmanager', what: `webhook URL (with its token) of receiver ${w.name}` })),
      ...(site.alertmanager.heartbeat
        ? [{ path: HEARTBEAT_URL_FILE, owner: 'alertmanager', what: `ping URL of the dead man's switch (key url of Secret ${site.alertmanager.heartbeat.urlSecret})` }]
        : []),
    ],
  };
}

/** Redirects the report's syslog port to Alloy's unprivileged listener, as the Kubernetes Service does. */
function syslogRedirectRules(site: Site): string {
  const protocols = site.syslog.tcp ? ['udp', 'tcp'] : ['udp'];
  return [
    '#!/usr/sbin/nft -f',
    '# Syslog senders use the report\'s port; Alloy listens unprivileged (same config as on Kubernetes).',
    'table ip syslog_redirect',
    'delete table ip syslog_redirect',
    'table ip syslog_redirect {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...protocols.map((p) => `    ${p} dport ${site.syslog.port} redirect to :${PORTS.syslogContainer}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

function lokiPayload(site: Site, topology: StackTopology): ContainerPayload {
  const node = nodeExporter();
  const ruler = lokiRulerFiles(site, topology);
  return {
    service: 'loki',
    users: ['loki', 'alloy', node.user],
    files: [
      { path: LXC_PATHS.lokiConfig, content: lokiConfigYaml(site, topology) },
      {
        path: `${UNIT_DIR}/loki.service`,
        content: systemdService({
          description: 'Grafana Loki (single binary)', binary: '/usr/local/bin/loki', args: lokiArgs(site), user: 'loki', stateDirectory: 'loki',
          environmentFile: ruler.environmentFile,
        }),
      },
      ...ruler.files,
      { path: LXC_PATHS.alloyConfig, content: alloySyslogConfig(site) },
      {
        path: `${UNIT_DIR}/alloy.service`,
        content: systemdService({
          description: 'Grafana Alloy syslog gateway', binary: '/usr/local/bin/alloy', args: alloyArgs(), user: 'alloy',
          stateDirectory: 'alloy', after: ['network-online.target', 'loki.service', 'syslog-redirect.service'],
        }),
      },
      { path: '/etc/syslog-redirect.nft', content: syslogRedirectRules(site) },
      {
        path: `${UNIT_DIR}/syslog-redirect.service`,
        content: systemdOneshot({
          description: `Redirect syslog port ${site.syslog.port} to Alloy on ${PORTS.syslogContainer}`,
          execStart: '/usr/sbin/nft -f /etc/syslog-redirect.nft',
          execStop: '/usr/sbin/nft delete table ip syslog_redirect',
        }),
      },
      node.file,
    ],
    daemons: [
      { unit: 'loki.service', binary: '/usr/local/bin/loki', release: release('loki') },
      { unit: 'syslog-redirect.service', binary: '/usr/sbin/nft', release: 'nftables (Debian package)' },
      { unit: 'alloy.service', binary: '/usr/local/bin/alloy', release: release('alloy') },
      node.daemon,
    ],
    secrets: ruler.secrets,
  };
}

function grafanaPayload(site: Site, topology: StackTopology): ContainerPayload {
  const node = nodeExporter();
  const grafana = grafanaContainerFiles(site, topology);
  return {
    service: 'grafana',
    users: [node.user],
    files: [...grafana.files, node.file],
    daemons: [
      // Grafana's own .deb ships the unit and the grafana user.
      { unit: 'grafana-server.service', binary: '/usr/sbin/grafana-server', release: `${release('grafana')} (.deb from Grafana's APT repository)` },
      node.daemon,
    ],
    secrets: grafana.secrets,
  };
}

const payloadCache = new WeakMap<Site, Readonly<Record<LxcService, ContainerPayload>>>();

/**
 * The four payloads in container order (prometheus, grafana, loki, alertmanager). Built once per
 * site object: the LXC path and the comparison's operations table both read them, and rendering
 * every config file twice was a tenth of a synth.
 */
export function containerPayloads(site: Site): Readonly<Record<LxcService, ContainerPayload>> {
  let payloads = payloadCache.get(site);
  if (!payloads) {
    const topology = stackTopology(site, 'lxc');
    payloads = Object.freeze({
      prometheus: prometheusPayload(site, topology),
      grafana: grafanaPayload(site, topology),
      loki: lokiPayload(site, topology),
      alertmanager: alertmanagerPayload(site, topology),
    });
    payloadCache.set(site, payloads);
  }
  return payloads;
}
