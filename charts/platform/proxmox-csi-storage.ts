/**
 * The StorageClasses of the Proxmox CSI plugin (kubernetes.storage: proxmox-csi), one per
 * kubernetes.proxmoxCsi.storages[]. Synthesized here rather than by the plugin's chart, so they
 * are validated with the rest of dist/ and exist in platform-base, before any claim. Parameters
 * as the plugin reads them at v0.19.1 (docs/options.md, pkg/csi/parameters.go).
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Site } from '../../site';
import { componentLabels } from '../common/labels';
import { PLATFORM_VERSIONS } from './versions';

/** The plugin's CSI driver name (values.yaml provisionerName: "cannot be customized"). */
export const PROXMOX_CSI_PROVISIONER = 'csi.proxmox.sinextra.dev';

export interface ProxmoxCsiStorageClassesProps {
  readonly site: Site;
}

export class ProxmoxCsiStorageClasses extends Chart {
  constructor(scope: Construct, id: string, props: ProxmoxCsiStorageClassesProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = componentLabels('proxmox-csi-plugin', PLATFORM_VERSIONS.proxmoxCsiChart.appVersion);
    for (const storage of props.site.kubernetes.proxmoxCsi?.storages ?? []) {
      new k8s.KubeStorageClass(this, storage.storageClass, {
        metadata: { name: storage.storageClass, labels },
        provisioner: PROXMOX_CSI_PROVISIONER,
        parameters: {
          storage: storage.id,
          'csi.storage.k8s.io/fstype': storage.fstype,
          ...(storage.ssd ? { ssd: 'true' } : {}),
        },
        // Create the disk where the pod is scheduled: on local storage it can only ever be attached
        // to VMs of that host. No allowedTopologies: the plugin publishes each volume's own.
        volumeBindingMode: 'WaitForFirstConsumer',
        // Retain: a PVC deleted by a prune (or by hand) leaves the Proxmox disk and its data.
        reclaimPolicy: 'Retain',
        // The plugin grows the Proxmox disk and the filesystem on it.
        allowVolumeExpansion: true,
      });
    }
  }
}
