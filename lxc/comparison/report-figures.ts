/**
 * Figures as the assessment report (assessment-mon-001.md) states them, quoted. These are the
 * claims the comparison checks; they never feed the site model (that has its own defaults).
 */
export const REPORT_FIGURES = {
  haClaim: { quote: 'Requires 3+ nodes for HA (36+ vCPU, 72+ GB RAM)', nodes: 3, vcpu: 36, memoryGB: 72 },
  memoryAllocatedAfter: { quote: 'Memory: 24 GB additional (current total would be 41.5 GB allocated)', memoryGB: 41.5 },
  diskAllocatedAfter: { quote: 'Disk: 300 GB additional (current total would be 371 GB)', diskGB: 371 },
  stackTotals: { quote: 'Total | 12 | 24 GB | 300 GB', vcpu: 12, memoryGB: 24, diskGB: 300 },
  utilization: { quote: 'Memory 17.5 GB / 4.1 GB / 23%; Disk 71 GB / 26.8 GB / 38%', memoryPercent: 23, diskPercent: 38 },
  /** Hours, [low, high]. */
  lxcDeployHours: { quote: 'Faster deployment (2-3 hours)', range: [2, 3] },
  talosDeployHours: { quote: 'Longer deployment time (6-8 hours)', range: [6, 8] },
  timelinePhases: {
    quote: 'Phase 2: 2-3 hours; Phase 3: 2-3 hours; Phase 4: 1-2 hours; Total Estimated Time: 6-8 hours',
    phases: [[2, 3], [2, 3], [1, 2]] as ReadonlyArray<readonly [number, number]>,
    total: [6, 8],
  },
} as const;
