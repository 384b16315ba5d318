/**
 * Daily Talos etcd snapshot onto the data disk, so the Proxmox vzdump of the VMs (which includes
 * that disk) carries a consistent etcd snapshot: a vzdump of the etcd members taken one VM
 * after the other is not one, a snapshot file is (`talosctl bootstrap --recover-from`).
 *
 * Needs the Talos feature `machine.features.kubernetesTalosAPIAccess` with role
 * `os:etcd:backup` for namespace ETCD_BACKUP_NAMESPACE (set by the Talos renderer). Talos then
 * turns the `talos.dev/v1alpha1` ServiceAccount below into a Secret of the same name holding a
 * talosconfig limited to that role.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { controlPlanes, cronRunsPerDay, type Site } from '../../site';
import { ETCD_BACKEND_QUOTA_GIB } from '../common/cluster-contract';
import { componentLabels, selectorLabels } from '../common/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { ETCD_BACKUP_NAMESPACE, ETCD_BACKUP_TALOS_ROLE } from './constants';
import { ETCD_BACKUP_CRONJOB_NAME } from '../common/cluster-contract';
import { KEEP_ON_PRUNE, SKIP_DRY_RUN_ON_MISSING_RESOURCE } from './sync-options';
import { PLATFORM_VERSIONS, busyboxImage } from './versions';

const COMPONENT = ETCD_BACKUP_CRONJOB_NAME;
const UID = 65534;
const BACKUP_DIR = '/backup';
const TALOS_SECRET_DIR = '/var/run/secrets/talos.dev';
/**
 * The snapshot volume holds every copy the rotation keeps (retention days x runs a day, plus the
 * new one before the oldest goes), each at most etcd's backend quota. A small cluster's database
 * is far smaller; the bound keeps the claim honest whatever the cluster grows to.
 */
export function etcdSnapshotVolumeGiB(site: Site): number {
  return (site.backups.retentionDays * cronRunsPerDay(site.backups.schedule) + 1) * ETCD_BACKEND_QUOTA_GIB;
}

/** The Talos API access CRD's kind (installed by Talos when machine.features.kubernetesTalosAPIAccess is on). */
export const TALOS_SERVICE_ACCOUNT_TYPE = { apiVersion: 'talos.dev/v1alpha1', kind: 'ServiceAccount' } as const;

/**
 * The CronJob, as a GitOps health check: healthy as soon as it is applied (kstatus), unlike the
 * snapshot claim, which stays Pending until the first scheduled run mounts it.
 */
export const ETCD_BACKUP_CRONJOB = { apiVersion: 'batch/v1', kind: 'CronJob', name: COMPONENT, namespace: ETCD_BACKUP_NAMESPACE } as const;

/** Shell for the rotation step: timestamp the fresh snapshot, keep `retentionDays` of them. */
export function rotationScript(retentionDays: number): string {
  // -mmin with an hour of slack: a job that starts a little late must not delete day N-7's copy early.
  const maxAgeMinutes = retentionDays * 24 * 60 - 60;
  return [
    'set -eu',
    `cd ${BACKUP_DIR}`,
    'test -s etcd.snapshot',
    'mv etcd.snapshot "etcd-$(date -u +%Y%m%dT%H%M%SZ).snapshot"',
    `find . -maxdepth 1 -name 'etcd-*.snapshot' -mmin +${maxAgeMinutes} -print -exec rm -f {} +`,
    'ls -l',
  ].join('\n');
}

export interface EtcdBackupProps {
  readonly site: Site;
}

export class EtcdBackup extends Chart {
  constructor(scope: Construct, id: string, props: EtcdBackupProps) {
    super(scope, id, { namespace: ETCD_BACKUP_NAMESPACE, disableResourceNameHashes: true });
    const { site } = props;
    const talosVersion = site.talos.version;
    const labels = componentLabels(COMPONENT, talosVersion);

    // Talos CRD (installed by Talos itself when the feature is on): no schema in ../shared.
    new ApiObject(this, 'TalosServiceAccount', {
      ...TALOS_SERVICE_ACCOUNT_TYPE,
      metadata: { name: COMPONENT, labels, annotations: { ...SKIP_DRY_RUN_ON_MISSING_RESOURCE } },
      spec: { roles: [ETCD_BACKUP_TALOS_ROLE] },
    });

    const claim = new k8s.KubePersistentVolumeClaim(this, 'Snapshots', {
      // The snapshots are the cluster's last resort: never pruned or deleted with the Application.
      metadata: { name: 'etcd-snapshots', labels, annotations: { ...KEEP_ON_PRUNE } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: site.kubernetes.storageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(`${etcdSnapshotVolumeGiB(site)}Gi`) } },
      },
    });

    const resources = {
      requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
      limits: { memory: k8s.Quantity.fromString('256Mi') },
    };
    const backupMount = { name: 'snapshots', mountPath: BACKUP_DIR };

    new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: ETCD_BACKUP_CRONJOB.name, labels },
      spec: {
        schedule: site.backups.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 900,
            template: {
              metadata: { labels: selectorLabels(COMPONENT) },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: restrictedPodSecurity(UID),
                // talosctl's image has no shell: it only takes the snapshot; busybox rotates.
                initContainers: [{
                  name: 'snapshot',
                  image: `${PLATFORM_VERSIONS.talosctlRepository}:${talosVersion}`,
                  imagePullPolicy: 'IfNotPresent',
                  // One member's snapshot is the whole database; the first control plane is the one asked.
                  args: ['--nodes', controlPlanes(site)[0].address, 'etcd', 'snapshot', `${BACKUP_DIR}/etcd.snapshot`],
                  env: [{ name: 'TALOSCONFIG', value: `${TALOS_SECRET_DIR}/config` }],
                  securityContext: restrictedContainerSecurity(),
                  resources,
                  volumeMounts: [backupMount, { name: 'talos-secrets', mountPath: TALOS_SECRET_DIR, readOnly: true }],
                }],
                containers: [{
                  name: 'rotate',
                  image: busyboxImage(),
                  imagePullPolicy: 'IfNotPresent',
                  command: ['/bin/sh', '-c', rotationScript(site.backups.retentionDays)],
                  securityContext: restrictedContainerSecurity(),
                  resources,
                  volumeMounts: [backupMount],
                }],
                volumes: [
                  { name: 'snapshots', persistentVolumeClaim: { claimName: claim.name } },
                  { name: 'talos-secrets', secret: { secretName: COMPONENT } },
                ],
              },
            },
          },
        },
      },
    });
  }
}
