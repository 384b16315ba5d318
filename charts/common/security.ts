/** Pod Security "restricted" settings, in one place so every workload gets the same ones. */
import { k8s } from 'cdk8s-plus-28';

/** Pod-level context: non-root with a fixed UID/GID, fsGroup so PVC files are writable, RuntimeDefault seccomp. */
export function restrictedPodSecurity(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    // OnRootMismatch: a 100 GiB TSDB is not re-chowned on every restart.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurity(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
