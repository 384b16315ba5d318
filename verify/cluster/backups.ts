/**
 * The etcd-backup CronJob (charts/platform/etcd-backup.ts) succeeded at its last scheduled run:
 * status.lastSuccessfulTime is no older than the latest time site.backups.schedule fired before
 * now minus a grace (how late the job may start and how long it may run). Suspended, never
 * succeeded though a run was due, or missing: the cluster has no fresh etcd snapshot to recover from.
 */
import { ETCD_BACKUP_CRONJOB } from '../../charts/platform/etcd-backup';
import type { Site } from '../../site';
import { type CheckResult, fail, pass, warn } from '../check';
import { nextRun, previousRun } from './cron-schedule';
import type { JsonObjectApi } from './json-api';

/** Slack beyond the job's own deadlines (pod start, image pull, clock skew). */
const EXTRA_GRACE_MS = 10 * 60_000;
/** When the job sets no activeDeadlineSeconds, how long a run is assumed to take at most. */
const DEFAULT_RUN_MS = 60 * 60_000;

interface CronJobFields {
  spec?: { suspend?: boolean; startingDeadlineSeconds?: number; jobTemplate?: { spec?: { activeDeadlineSeconds?: number } } };
  status?: { lastSuccessfulTime?: string; lastScheduleTime?: string };
}

export async function backupCheck(api: JsonObjectApi, site: Site, now: Date): Promise<CheckResult> {
  const { namespace, name } = ETCD_BACKUP_CRONJOB;
  const id = `health/backup/${namespace}/${name}`;
  const schedule = site.backups.schedule;
  const title = `CronJob ${namespace}/${name} succeeded at its last scheduled run (${schedule} UTC)`;
  const logs = `kubectl -n ${namespace} get jobs, then kubectl -n ${namespace} logs job/JOB -c snapshot`;
  const live = (await api.get({ ...ETCD_BACKUP_CRONJOB, metadata: { name, namespace } })) as (CronJobFields & { metadata: { creationTimestamp?: string } }) | undefined;
  if (!live) return fail('health', id, title, 'missing: not in the cluster', 'see the drift checks: the GitOps controller has not applied the backups layer');
  if (live.spec?.suspend) return fail('health', id, title, 'suspended: no snapshot is taken', `kubectl -n ${namespace} patch cronjob ${name} -p '{"spec":{"suspend":false}}' (and find who suspended it)`);
  const graceMs = (live.spec?.startingDeadlineSeconds ?? 0) * 1000 + ((live.spec?.jobTemplate?.spec?.activeDeadlineSeconds ?? 0) * 1000 || DEFAULT_RUN_MS) + EXTRA_GRACE_MS;
  const due = previousRun(schedule, new Date(now.getTime() - graceMs));
  const last = live.status?.lastSuccessfulTime ? new Date(live.status.lastSuccessfulTime) : undefined;
  const created = live.metadata.creationTimestamp ? new Date(live.metadata.creationTimestamp) : undefined;
  if (due === undefined || (created !== undefined && created > due)) {
    // Nothing was due since the CronJob exists: a fresh install is not a failed backup.
    const next = nextRun(schedule, created && created > now ? created : now);
    return warn('health', id, title, `no run due yet since it was created${created ? ` (${created.toISOString()})` : ''}; first run ${next?.toISOString() ?? 'unknown'}`, 'check again after that run');
  }
  const lastText = last ? `last success ${last.toISOString()}` : 'never succeeded';
  if (last && last >= due) return pass('health', id, title, lastText);
  const scheduled = live.status?.lastScheduleTime ? `; last scheduled ${live.status.lastScheduleTime}` : '; never scheduled (is the controller-manager running?)';
  return fail('health', id, title, `${lastText}, yet a run was due at ${due.toISOString()}${scheduled}`, logs);
}
