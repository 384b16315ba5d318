export * from './age';
export * from './sops-value';
export * from './sops-file';
export * from './keep-unchanged';
