/**
 * What the comparison says about the claims' volumes: where they live and what can move them.
 * local-path keeps a volume on one VM's data disk; the Proxmox CSI plugin makes it a Proxmox disk
 * that can be attached to another VM of its host (local storage) or of any host (shared storage).
 */
import { claimStorage, type Site } from '../../site';

export interface VolumeStory {
  readonly kind: 'local-path' | 'csi-local' | 'csi-shared';
  /** "StorageClass proxmox-local (Proxmox CSI, local-lvm)". */
  readonly classText: string;
  /** Why a volume keeps a service where it is (the reason in the survival verdicts). */
  readonly holds: string;
  /** Where a lost VM's volume stays, for the host-loss rows ("stays on that VM's data disk"). */
  readonly staysOn: (many: boolean, host: string) => string;
}

export function volumeStory(site: Site): VolumeStory {
  const { storageClass } = site.kubernetes;
  const backing = claimStorage(site);
  if (backing) {
    const classText = `StorageClass ${storageClass} (Proxmox CSI, ${backing.shared ? 'shared ' : ''}storage ${backing.id})`;
    return backing.shared
      ? {
        kind: 'csi-shared', classText,
        holds: `${classText} could follow a pod to any host, but the placement holds each service to its planned VM`,
        staysOn: () => 'could follow to another host, but the placement holds it there',
      }
      : {
        kind: 'csi-local', classText,
        holds: `${classText} keeps each volume on its Proxmox host (attachable to that host's VMs only), and the placement holds each service to its planned VM`,
        staysOn: (_many, host) => `cannot leave ${host}'s ${backing.id}`,
      };
  }
  const classText = `StorageClass ${storageClass === 'local-path' ? 'local-path' : `${storageClass} (local-path-provisioner)`}`;
  return {
    kind: 'local-path', classText,
    holds: `${classText} keeps each volume on one VM's data disk`,
    staysOn: (many) => `on ${many ? 'those VMs\'' : 'that VM\'s'} data disk${many ? 's' : ''}`,
  };
}
