/**
 * Every namespace of the stack, with its Pod Security level. Created in the first layer (and
 * the first Argo CD sync wave) so no later object waits for its namespace; no other layer may
 * create a Namespace.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { usesProxmoxCsi, type Site } from '../../site';
import { componentLabels } from '../common/labels';
import {
  ETCD_BACKUP_NAMESPACE, HOST_METRICS_NAMESPACE, KUBELET_CSR_APPROVER_NAMESPACE, LOCAL_PATH_NAMESPACE, METALLB_NAMESPACE, PROXMOX_CSI_NAMESPACE, VELERO_NAMESPACE,
} from './constants';
import { ARGOCD_SYNC_WAVE, KEEP_ON_PRUNE } from './sync-options';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface NamespaceSpec {
  readonly name: string;
  /** Pod Security Admission level that is enforced. */
  readonly enforce: PodSecurityLevel;
  /** Why a namespace is not "restricted" (kept next to the exception, shown in the YAML). */
  readonly reason?: string;
}

/**
 * The namespaces for a site; `monitoring` is restricted, exceptions carry their reason. Only
 * namespaces something is deployed into: an empty privileged namespace is an open door.
 */
export function platformNamespaces(site: Site): NamespaceSpec[] {
  const namespaces: NamespaceSpec[] = [
    { name: site.kubernetes.namespace, enforce: 'restricted' },
    { name: METALLB_NAMESPACE, enforce: 'privileged', reason: 'the MetalLB speaker uses the host network and NET_RAW to answer ARP' },
    usesProxmoxCsi(site)
      ? { name: PROXMOX_CSI_NAMESPACE, enforce: 'privileged', reason: 'the Proxmox CSI node plugin runs privileged as root with the host\'s /dev, /sys and the kubelet directory (bidirectional mount propagation) to format and mount the attached disks; its controller is restricted-compatible' }
      : { name: LOCAL_PATH_NAMESPACE, enforce: 'privileged', reason: 'local-path helper pods mount the node data disk (hostPath) as root to create volume directories' },
    { name: ETCD_BACKUP_NAMESPACE, enforce: 'restricted' },
    { name: KUBELET_CSR_APPROVER_NAMESPACE, enforce: 'restricted' },
    { name: HOST_METRICS_NAMESPACE, enforce: 'privileged', reason: 'node_exporter reads the Talos host\'s /proc, /sys and / (read-only hostPath) in its network and PID namespaces; it runs as nobody, read-only, without capabilities' },
  ];
  if (site.backups.velero) {
    namespaces.push({ name: VELERO_NAMESPACE, enforce: 'privileged', reason: 'the Velero node-agent reads pod volumes through hostPath' });
  }
  return namespaces;
}

/** `v1.36` from `1.36.3`: pin the Pod Security policy version so a cluster upgrade cannot tighten it silently. */
function podSecurityVersion(site: Site): string {
  const [major, minor] = site.kubernetes.version.split('.');
  return `v${major}.${minor}`;
}

export interface PlatformNamespacesProps {
  readonly site: Site;
}

export class PlatformNamespaces extends Chart {
  constructor(scope: Construct, id: string, props: PlatformNamespacesProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const version = podSecurityVersion(props.site);
    for (const ns of platformNamespaces(props.site)) {
      new k8s.KubeNamespace(this, ns.name, {
        metadata: {
          name: ns.name,
          labels: {
            ...componentLabels('platform', '1'),
            'pod-security.kubernetes.io/enforce': ns.enforce,
            'pod-security.kubernetes.io/enforce-version': version,
            // Warn and audit at "restricted" everywhere, so exceptions stay visible.
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/warn-version': version,
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/audit-version': version,
          },
          annotations: {
            // Namespaces first within their Argo CD application.
            [ARGOCD_SYNC_WAVE]: '-1',
            // Argo CD and Flux must never delete a namespace (and everything in it) because a
            // file went missing from dist/ or a layer was removed.
            ...KEEP_ON_PRUNE,
            ...(ns.reason ? { 'monitoring-stack/pod-security-exception': ns.reason } : {}),
          },
        },
      });
    }
  }
}
