/**
 * No test passes because its validator is missing: with CI=true a missing tool fails the run;
 * elsewhere the skip is visible and counted at the end of the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireTool, SKIP_LOG } from './support/binaries';
import { tempDir } from './support/synth-once';

describe('validators are required in CI', () => {
  afterEach(() => jest.restoreAllMocks());

  test('fails when a validator is missing and CI=true, naming the tool and what installs it', () => {
    expect(() => requireTool('no-such-validator-xyz', 'some check', { CI: 'true' }))
      .toThrow(/no-such-validator-xyz is required with CI=true \("some check"\); \.ci\/run installs it/);
  });

  test('outside CI a missing validator is a visible, recorded skip', () => {
    const root = tempDir('skips-');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requireTool('no-such-validator-xyz', 'some check', { TEST_TMP_ROOT: root })).toBe(false);
    expect(warn).toHaveBeenCalledWith('SKIPPED "some check": no-such-validator-xyz not installed (.ci/run installs it)');
    expect(fs.readFileSync(path.join(root, SKIP_LOG), 'utf8')).toBe('no-such-validator-xyz\tsome check\n');
  });

  test('a present tool is simply used', () => {
    expect(requireTool('sh', 'a shell', { CI: 'true' })).toBe(true);
  });
});
