export * from './schema';
export * from './load';
export * from './rules';
export * from './net';
export { cronFieldValues, cronRunsPerDay, durationSeconds, isCronSchedule } from './primitives';
export { ASSUMED_DEFAULTS } from './assumed';
export { controlPlanes, etcdQuorum, claimStorage, isMultiHost, proxmoxCsiRegion, proxmoxHosts, replicaDomains, usesProxmoxCsi, talosNodeHost, talosNodesOn, topologyLabels, workers, type ProxmoxHost } from './hosts';
export { LOKI_TARGET_SHAPE, LOKI_TARGETS, lokiSimpleScalable, lokiTargetComponent, serviceReplicas, stackWorkload, stackWorkloads, type LokiTarget, type SizedWorkload } from './workloads';
export { guestDisk, type GuestDisk } from './guest-disks';
