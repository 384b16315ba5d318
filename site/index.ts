export * from './schema';
export * from './load';
export * from './rules';
export * from './net';
export { cronRunsPerDay, durationSeconds } from './primitives';
export { ASSUMED_DEFAULTS } from './assumed';
