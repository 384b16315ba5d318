/** The MetalLB Helm release, identical for Argo CD and Flux. */
import { PLATFORM_VERSIONS } from '../charts/platform';

export const METALLB_RELEASE_NAME = 'metallb';

/**
 * Chart values. L2 mode only: FRR (BGP) is off, so the speaker runs without the FRR sidecars.
 * CRDs come with the chart (its `crds` subchart renders them as templates).
 */
export const METALLB_VALUES = {
  crds: { enabled: true },
  speaker: { frr: { enabled: false } },
} as const;

export const METALLB_CHART = PLATFORM_VERSIONS.metallbChart;

/** Objects the chart creates whose readiness means "pools can be created" (webhook served, ARP answered). */
export const METALLB_WORKLOADS = [
  { kind: 'Deployment', name: `${METALLB_RELEASE_NAME}-controller` },
  { kind: 'DaemonSet', name: `${METALLB_RELEASE_NAME}-speaker` },
] as const;
