import * as path from 'node:path';
import { sharedAvailable, SHARED_DIR } from './support/shared-dir';
import { tempDir } from './support/synth-once';

describe('../shared, the upstream schemas the tests read in place', () => {
  const missing = path.join(tempDir('no-shared-'), 'shared');

  test('fails when CI=true and ../shared is missing, naming the directory', () => {
    expect(() => sharedAvailable('schemas', missing, 'true')).toThrow(new RegExp(`${missing.replace(/[/.]/g, '\\$&')}/schemas is missing; CI must run with \\.\\./shared`));
  });

  test('outside CI a missing ../shared means a visible skip, not a failure', () => {
    expect(sharedAvailable('schemas', missing, 'false')).toBe(false);
  });

  test('is found beside the checkout (or where SHARED_DIR points) in this run', () => {
    expect(sharedAvailable('schemas', SHARED_DIR, process.env.CI)).toBe(true);
  });
});
