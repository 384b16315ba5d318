/** Type-checking is done once by `tsc --noEmit` in `npm test`; jest only transpiles (isolatedModules). */
// @kubernetes/client-node 1.x and the packages it imports are ES modules, which Jest's CommonJS
// runtime cannot load on Node 20: they are transpiled to CommonJS (cached after the first run).
const esmPackages = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'rfc4648',
  // age-encryption (encryption/age.ts) and the @noble/@scure packages it is built on.
  'age-encryption', '@noble/ciphers', '@noble/curves', '@noble/hashes', '@noble/post-quantum', '@scure/base'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    [`/node_modules/(${esmPackages.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: 'tsconfig.jest-esm.json' }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
};
