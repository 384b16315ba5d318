/** The cluster half of `npm run verify`: connection, dist/ objects, drift and health. */
export * from './access';
export * from './connect';
export * from './dist-objects';
export * from './drift';
export * from './health';
