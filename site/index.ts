export * from './schema';
export * from './load';
export * from './rules';
export * from './net';
export { cronFieldValues, cronRunsPerDay, durationSeconds, isCronSchedule } from './primitives';
export { ASSUMED_DEFAULTS } from './assumed';
export { controlPlanes, etcdQuorum, claimStorage, isMultiHost, proxmoxCsiRegion, proxmoxHosts, replicaDomains, serviceReplicas, usesProxmoxCsi, talosNodeHost, talosNodesOn, topologyLabels, workers, type ProxmoxHost } from './hosts';
