/**
 * Alert thresholds, named once: the Prometheus rules (charts/prometheus/rules/) compare against
 * them and the Grafana dashboards draw them, so a panel turns red where the alert fires.
 * Ratios are 0..1, as the PromQL compares them.
 */
import { durationSeconds, type Site } from '../../site';
import { probeDeadlineSeconds } from '../exporters/blackbox-config';

/** HostFilesystemAlmostFull: a writable filesystem with less free space than this (node_exporter). */
export const DISK_FREE_RATIO_WARNING = 0.10;
/** HostMemoryPressure: less available memory than this share of the total. */
export const MEMORY_AVAILABLE_RATIO_WARNING = 0.10;
/** HostHighCpu: busy (non-idle) share of all CPUs above this, for 30 minutes. */
export const CPU_BUSY_RATIO_WARNING = 0.90;
/** HostClockSkew: NTP offset beyond this, either way. */
export const CLOCK_OFFSET_SECONDS_WARNING = 0.05;
/** ProxmoxStorageAlmostFull: a Proxmox storage used beyond this share. */
export const PVE_STORAGE_USED_RATIO_WARNING = 0.85;
/** TlsCertificateExpiring (blackbox): days before a certificate's expiry that the warning starts. */
export const CERT_EXPIRY_WARNING_DAYS = 14;
/** EtcdFrequentLeaderChanges: this many leader changes within ETCD_LEADER_CHANGES_WINDOW (etcd-mixin). */
export const ETCD_LEADER_CHANGES_WARNING = 4;
export const ETCD_LEADER_CHANGES_WINDOW = '15m';
/** EtcdDatabaseQuotaLowSpace: the database beyond this share of its backend quota (etcd-mixin). */
export const ETCD_DB_QUOTA_RATIO_CRITICAL = 0.8;

/** HostInodesAlmostExhausted: a writable filesystem with fewer free inodes than this share (node-mixin's 5%). */
export const INODES_FREE_RATIO_WARNING = 0.05;
/** HostConntrackNearLimit: conntrack table used beyond this share of its limit (node-mixin). */
export const CONNTRACK_USED_RATIO_WARNING = 0.75;
/** HostNetworkReceiveErrors / HostNetworkTransmitErrors: errored share of an interface's packets (node-mixin's 1%). */
export const NETWORK_ERROR_RATIO_WARNING = 0.01;
/** TlsCertificateExpiring, critical: days before a certificate's expiry that someone is paged. */
export const CERT_EXPIRY_CRITICAL_DAYS = 3;
/** LokiRequestErrors: share of Loki's requests on a route answered with 5xx. */
export const LOKI_REQUEST_ERROR_RATIO_WARNING = 0.05;
/** KubeApiServerErrors: share of API server requests answered with 5xx. */
export const APISERVER_ERROR_RATIO_WARNING = 0.05;
/** EtcdHighFsyncDurations: 99th percentile of WAL fsync above this, seconds (etcd-mixin). */
export const ETCD_WAL_FSYNC_P99_SECONDS_WARNING = 0.5;
/** EtcdHighFailedProposals: failed Raft proposals per second beyond this, over 15 minutes (etcd-mixin). */
export const ETCD_FAILED_PROPOSALS_PER_SECOND_WARNING = 5;
/** KubeletTooManyPods: pods a kubelet runs beyond this share of its node's pod capacity (kubernetes-mixin). */
export const KUBELET_PODS_RATIO_WARNING = 0.95;

/**
 * A successful probe slower than this share of its deadline is slow. The deadline ends the probe
 * (probe_duration_seconds stops there and the probe fails), so a threshold at or past it could
 * never fire for an answer that is merely slow.
 */
const SLOW_PROBE_SHARE = 0.6;

/** EndpointSlow: a successful blackbox probe that took longer than this, in seconds. */
export function slowProbeSeconds(site: Site): number {
  return Math.round(probeDeadlineSeconds(durationSeconds(site.prometheus.scrapeInterval)!) * SLOW_PROBE_SHARE * 10) / 10;
}

/** Filesystems node_exporter reports that cannot fill from the host's own writes (in-memory, images). */
export const WATCHED_FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs"';
/**
 * Interfaces whose counters say nothing about the host's own wire: loopback, containers' and the
 * cluster network's (veth, cali, cilium, lxc, flannel, cni, docker, bridges) and Proxmox's per-guest
 * tap and firewall interfaces (tap, fwpr, fwln), which the guests' own node_exporters cover.
 */
export const WATCHED_INTERFACES = 'device!~"lo|veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|docker.*|br-.*|fwpr.*|fwln.*|tap.*"';
