/** PVCs sized from the report, on the site's StorageClass. */
import { k8s } from 'cdk8s-plus-28';
import { quantityGi } from './resources';

export function volumeClaimTemplate(name: string, storageGiB: number, storageClass: string): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(quantityGi(storageGiB)) } },
    },
  };
}

/**
 * StatefulSet claims outlive the StatefulSet: a pruned or re-created StatefulSet finds its TSDB,
 * chunks and silences again. Kubernetes' default today, written out so it cannot change unseen.
 */
export const RETAIN_CLAIMS: k8s.StatefulSetPersistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
