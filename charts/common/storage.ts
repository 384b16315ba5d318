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
