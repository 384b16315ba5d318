/**
 * Daily Velero backup of the stack's namespace with its volumes (kopia file-system backup), at
 * the site's backup time with the site's retention. Only with `backups.velero: true`: Velero
 * itself (CRDs, BackupStorageLocation "default" on an S3 target off this host, node-agent) is
 * installed separately, because it needs credentials that never belong in dist/.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Schedule } from '../../imports/velero-schedule-velero.io';
import type { Site } from '../../site';
import { componentLabels } from '../common/labels';
import { VELERO_NAMESPACE } from './constants';
import { SKIP_DRY_RUN_ON_MISSING_RESOURCE } from './sync-options';

/** Velero's TTL format for whole days. */
export function veleroTtl(retentionDays: number): string {
  return `${retentionDays * 24}h0m0s`;
}

export interface VeleroScheduleProps {
  readonly site: Site;
}

export class VeleroSchedule extends Chart {
  constructor(scope: Construct, id: string, props: VeleroScheduleProps) {
    super(scope, id, { namespace: VELERO_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    new Schedule(this, 'Resource', {
      metadata: {
        // Neutral: the cadence is the site's cron (backups.schedule), not always daily.
        name: `${site.kubernetes.namespace}-backup`,
        labels: componentLabels('velero-schedule', '1'),
        annotations: { ...SKIP_DRY_RUN_ON_MISSING_RESOURCE },
      },
      spec: {
        // Velero evaluates cron in the server's zone, UTC in its image; the site's schedule is UTC.
        schedule: site.backups.schedule,
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: [site.kubernetes.namespace],
          // local-path volumes are `local` PVs: no CSI snapshots, back the files up instead.
          defaultVolumesToFsBackup: true,
          snapshotVolumes: false,
          ttl: veleroTtl(site.backups.retentionDays),
        },
      },
    });
  }
}
