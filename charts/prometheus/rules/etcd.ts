/**
 * etcd on the Talos control-plane nodes (job etcd, Kubernetes only), after etcd-mixin's alerts
 * (etcd-io/etcd contrib/mixin): its thresholds; the texts count the members and the quorum from
 * the talos.nodes with role controlplane. Metric names as etcd 3.6 registers them
 * (server/etcdserver/metrics.go, server/storage/wal/metrics.go, server/storage/mvcc/metrics.go);
 * the backup's freshness from kube-state-metrics' CronJob metrics.
 */
import { controlPlanes, cronRunsPerDay, etcdQuorum, isMultiHost, type Site } from '../../../site';
import { DASHBOARD_UIDS } from '../../grafana/dashboards/catalog';
import { ETCD_BACKUP_CRONJOB_NAME, ETCD_BACKUP_NAMESPACE } from '../../common/cluster-contract';
import {
  ETCD_DB_QUOTA_RATIO_CRITICAL, ETCD_FAILED_PROPOSALS_PER_SECOND_WARNING, ETCD_LEADER_CHANGES_WARNING, ETCD_LEADER_CHANGES_WINDOW,
  ETCD_WAL_FSYNC_P99_SECONDS_WARNING,
} from '../../common/thresholds';
import type { AlertDefinition } from './alert';
import { proxmoxHostNames, talosVmHosts, talosVmPlacement } from './proxmox';
import { spelled } from '../../../site/words';

const JOB = 'job="etcd"';
const dashboard = DASHBOARD_UIDS.kubernetes;

/**
 * Seconds after which the etcd backup has missed two scheduled runs: twice the interval between
 * runs (a schedule limited to some days counts a skipped day in its interval), plus an hour for
 * the run itself.
 */
export function etcdBackupStaleSeconds(site: Site): number {
  const [, , dayOfMonth, , dayOfWeek] = site.backups.schedule.trim().split(/\s+/);
  const everyDay = dayOfMonth === '*' && dayOfWeek === '*';
  const interval = everyDay ? 86400 / cronRunsPerDay(site.backups.schedule) : 2 * 86400;
  return 2 * interval + 3600;
}

/** The etcd members (one per control plane) and the votes a commit needs, for the texts. */
export interface EtcdMembers {
  /** Members: the control planes of talos.nodes. */
  readonly total: number;
  /** Members that must answer for etcd to commit: a majority. */
  readonly quorum: number;
  /** Members that may still fail once one is lost (0 of 3, 1 of 5). */
  readonly spareAfterOneLoss: number;
}

export function etcdMembers(site: Site): EtcdMembers {
  const total = controlPlanes(site).length;
  const quorum = etcdQuorum(total);
  return { total, quorum, spareAfterOneLoss: Math.max(0, total - 1 - quorum) };
}

/** How the cluster stands with one member lost: `none` when no more may go, else "with room for one more loss". */
export function roomAfterOneLoss(members: EtcdMembers, none: string): string {
  const spare = members.spareAfterOneLoss;
  return spare === 0 ? none : `with room for ${spelled(spare)} more loss${spare === 1 ? '' : 'es'}`;
}

export function etcdRules(site: Site): AlertDefinition[] {
  const etcd = etcdMembers(site);
  const { total, quorum } = etcd;
  const multi = isMultiHost(site);
  const stale = etcdBackupStaleSeconds(site);
  const backup = `namespace="${ETCD_BACKUP_NAMESPACE}",cronjob="${ETCD_BACKUP_CRONJOB_NAME}"`;
  const members = '`talosctl -n <node-ip> etcd members`; `talosctl -n <node-ip> service etcd`; `talosctl -n <node-ip> logs etcd | tail -50`.';
  return [
    {
      // Silent backup failures are the ones found on the day of the restore.
      alert: 'EtcdBackupMissing',
      // kube-state-metrics has no last-success series until the first success: a backup broken
      // from day one counts from the CronJob's creation instead.
      expr: `(time() - kube_cronjob_status_last_successful_time{${backup}} > ${stale})`
        + ` or (time() - kube_cronjob_created{${backup}} > ${stale} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${backup}})`,
      for: '10m', severity: 'warning',
      summary: 'The etcd backup has not succeeded for {{ $value | humanizeDuration }}',
      description: `Last success {{ $value | humanizeDuration }} ago, two scheduled runs (${site.backups.schedule} UTC) missed: kubectl -n ${ETCD_BACKUP_NAMESPACE} get jobs; kubectl -n ${ETCD_BACKUP_NAMESPACE} logs job/<last>.`,
      dashboard,
      runbook: {
        meaning: 'The etcd snapshot CronJob has not completed for two scheduled runs: a lost cluster could only be restored from an old snapshot.',
        check: [`\`kubectl -n ${ETCD_BACKUP_NAMESPACE} get cronjob,jobs\`; \`kubectl -n ${ETCD_BACKUP_NAMESPACE} logs job/<last>\`.`],
        fix: [`Fix the cause (the Talos API credentials Secret, the target volume), then run it once: \`kubectl -n ${ETCD_BACKUP_NAMESPACE} create job --from=cronjob/${ETCD_BACKUP_CRONJOB_NAME} ${ETCD_BACKUP_CRONJOB_NAME}-manual\`; by hand: \`talosctl -n <node-ip> etcd snapshot db.snapshot\`.`],
      },
    },
    {
      // etcd-mixin's thresholds: no leader is an outage of the API; frequent elections mean a sick member or network.
      alert: 'EtcdNoLeader', expr: `etcd_server_has_leader{${JOB}} == 0`, for: '1m', severity: 'critical',
      summary: 'etcd member {{ $labels.instance }} has no leader',
      description: 'has_leader = {{ $value }}: the Kubernetes API cannot write. talosctl -n <node> service etcd; talosctl -n <node> etcd members.',
      dashboard,
      runbook: {
        meaning: 'The member sees no leader: it is cut off, or the cluster lost quorum. Writes to the Kubernetes API fail.',
        check: [members],
        fix: ['Bring the other members back (KubeNodeNotReady, `qm start <vmid>`); a member that cannot rejoin: `talosctl -n <node-ip> etcd leave` is the last resort, see Talos\' disaster recovery with the latest snapshot.'],
      },
    },
    {
      alert: 'EtcdMemberDown', expr: `up{${JOB}} == 0`, for: '10m', severity: 'warning',
      summary: 'etcd member {{ $labels.instance }} cannot be scraped',
      description: `Prometheus has not reached it for 10 minutes (up = {{ $value }}); ${spelled(quorum)} of ${spelled(total)} members keep quorum.`,
      dashboard,
      runbook: {
        meaning: `One member does not answer on its metrics port: it is down or its node is. The cluster works with ${spelled(total - 1)} of ${spelled(total)}, ${roomAfterOneLoss(etcd, 'with no margin left')}.`,
        check: [members],
        fix: ['Restart it: `talosctl -n <node-ip> service etcd restart`; if its node is down, see KubeNodeNotReady.'],
      },
    },
    {
      // etcd-mixin's etcdInsufficientMembers: fewer members up than a quorum of the cluster.
      alert: 'EtcdInsufficientMembers', expr: `sum by (job) (up{${JOB}} == bool 1) < ((count by (job) (up{${JOB}}) + 1) / 2)`, for: '3m', severity: 'critical',
      summary: 'etcd has lost quorum',
      description: 'Only {{ $value }} members are up: the Kubernetes API is read-only or down.',
      dashboard,
      runbook: {
        meaning: `Fewer than ${spelled(quorum)} of the ${spelled(total)} members answer: etcd cannot commit anything, the cluster is frozen.`,
        check: [members, multi
          ? `Proxmox: \`pvesh get /cluster/resources --type vm\` lists the Talos VMs of every host (control planes: ${talosVmPlacement(site, controlPlanes(site))}).`
          : 'Proxmox: `qm list` for the Talos VMs.'],
        fix: ['Start the stopped VMs; if members are lost for good, recover from the latest snapshot (`talosctl -n <node-ip> bootstrap --recover-from=./db.snapshot`).'],
      },
    },
    {
      alert: 'EtcdFrequentLeaderChanges', expr: `increase(etcd_server_leader_changes_seen_total{${JOB}}[${ETCD_LEADER_CHANGES_WINDOW}]) >= ${ETCD_LEADER_CHANGES_WARNING}`, for: '5m', severity: 'warning',
      summary: `etcd member {{ $labels.instance }} saw {{ $value }} leader changes in ${ETCD_LEADER_CHANGES_WINDOW}`,
      description: `{{ $value }} elections in ${ETCD_LEADER_CHANGES_WINDOW}: usually slow disks or a flaky network between the nodes; check ${multi ? `the I/O wait of the Proxmox hosts (${proxmoxHostNames(site)}) and the network between them` : 'the Proxmox host\'s I/O wait'}.`,
      dashboard,
      runbook: {
        meaning: 'Leaders change often: heartbeats are missed because disks are slow (fsync) or the network between the VMs drops packets.',
        check: [`The Kubernetes dashboard's etcd panels (fsync latency); on ${multi ? `each Proxmox host (${proxmoxHostNames(site)})` : 'the Proxmox host'} \`iostat -x 5\` for the Talos VMs' disks.`],
        fix: ['Move the Talos disks to faster storage or reduce I/O contention on the host; check the bridge for errors (HostNetworkReceiveErrors).'],
      },
    },
    {
      alert: 'EtcdDatabaseQuotaLowSpace', expr: `etcd_mvcc_db_total_size_in_bytes{${JOB}} / etcd_server_quota_backend_bytes{${JOB}} > ${ETCD_DB_QUOTA_RATIO_CRITICAL}`, for: '10m', severity: 'critical',
      summary: 'etcd database of {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its quota',
      description: 'Used {{ $value | humanizePercentage }}. At the quota etcd refuses writes: talosctl -n <node> etcd defrag, and look for an object flood.',
      dashboard,
      runbook: {
        meaning: 'The database approaches its backend quota; at 100% etcd raises the NOSPACE alarm and refuses writes.',
        check: ['`talosctl -n <node-ip> etcd status`; `kubectl get --raw /metrics | grep apiserver_storage_objects | sort -k2 -n | tail` finds an object flood (events, leases).'],
        fix: ['Defragment each member in turn: `talosctl -n <node-ip> etcd defrag`; then clear the alarm: `talosctl -n <node-ip> etcd alarm disarm`.'],
      },
    },
    {
      // etcd-mixin's etcdHighFsyncDurations.
      alert: 'EtcdHighFsyncDurations',
      expr: `histogram_quantile(0.99, sum by (job, instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${JOB}}[5m]))) > ${ETCD_WAL_FSYNC_P99_SECONDS_WARNING}`,
      for: '10m', severity: 'warning',
      summary: 'etcd member {{ $labels.instance }} syncs its log slowly',
      description: '99th percentile of WAL fsync is {{ $value | humanizeDuration }}: the disk is too slow for etcd.',
      dashboard,
      runbook: {
        meaning: 'Writing etcd\'s log to disk takes longer than half a second at the 99th percentile: elections and API latency follow.',
        check: [`On ${talosVmHosts(site)}: \`iostat -x 5\`; the Proxmox dashboard's disk panels for the Talos VMs.`],
        fix: ['Put the Talos VMs\' disks on SSD storage, disable heavy I/O (backups, scrubs) during the day, or use `cache=none` with an SSD-backed pool.'],
      },
    },
    {
      alert: 'EtcdHighFailedProposals', expr: `rate(etcd_server_proposals_failed_total{${JOB}}[15m]) > ${ETCD_FAILED_PROPOSALS_PER_SECOND_WARNING}`, for: '15m', severity: 'warning',
      summary: 'etcd member {{ $labels.instance }} fails many proposals',
      description: '{{ $value | humanize }} failed proposals per second over 15 minutes: leader elections or a partition.',
      dashboard,
      runbook: {
        meaning: 'Raft proposals fail, mostly during leader elections or when a member is partitioned.',
        check: [members, 'EtcdFrequentLeaderChanges usually fires with it.'],
        fix: ['As for EtcdFrequentLeaderChanges: disk latency and the network between the nodes.'],
      },
    },
  ];
}
