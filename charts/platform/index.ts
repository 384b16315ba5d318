/**
 * The platform layer: what the monitoring stack needs from the cluster before it can run.
 * Charts are grouped by the dist/ directory (one GitOps layer each) they are written to.
 */
import type { App } from 'cdk8s';
import type { LayerCharts } from '../../render/layer-files';
import { usesProxmoxCsi, type Site } from '../../site';
import { EtcdBackup } from './etcd-backup';
import { KubeletCsrApprover } from './kubelet-csr-approver';
import { LocalPathProvisioner } from './local-path-provisioner';
import { MetalLbAddressPool } from './metallb-address-pool';
import { PlatformNamespaces } from './namespaces';
import { ProxmoxCsiStorageClasses } from './proxmox-csi-storage';
import { VeleroSchedule } from './velero-schedule';

export * from './constants';
export { platformNamespaces } from './namespaces';
export { serviceAddresses } from './metallb-address-pool';
export { ETCD_BACKUP_CRONJOB } from './etcd-backup';
export { PLATFORM_VERSIONS } from './versions';

export type { LayerCharts } from '../../render/layer-files';

/** dist/ directories of the platform layer (see gitops/layers.ts for the order they apply in). */
export const PLATFORM_BASE_DIR = 'platform/base';
export const PLATFORM_CUSTOM_RESOURCES_DIR = 'platform/custom-resources';
export const PLATFORM_BACKUPS_DIR = 'platform/backups';

export function addPlatformLayer(app: App, site: Site): LayerCharts[] {
  const layers: LayerCharts[] = [
    {
      directory: PLATFORM_BASE_DIR,
      charts: [
        new PlatformNamespaces(app, 'namespaces', { site }),
        // One provider of volumes: local-path on each VM's data disk, or Proxmox disks per claim.
        usesProxmoxCsi(site)
          ? new ProxmoxCsiStorageClasses(app, 'proxmox-csi-storage-classes', { site })
          : new LocalPathProvisioner(app, 'local-path-provisioner', { site }),
        new KubeletCsrApprover(app, 'kubelet-csr-approver', { site }),
      ],
    },
    {
      directory: PLATFORM_CUSTOM_RESOURCES_DIR,
      charts: [new MetalLbAddressPool(app, 'metallb-address-pool', { site })],
    },
    {
      // Own layer: objects whose CRDs come from outside this repository (Talos, Velero) must not
      // be able to block the storage and network the stack needs.
      directory: PLATFORM_BACKUPS_DIR,
      charts: [
        new EtcdBackup(app, 'etcd-backup', { site }),
        ...(site.backups.velero ? [new VeleroSchedule(app, 'velero-schedule', { site })] : []),
      ],
    },
  ];
  return layers;
}
