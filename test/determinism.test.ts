import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotTree } from './support/dist-tree';
import { synthToTemp } from './support/synth-once';

describe('output is deterministic and committed', () => {
  const first = synthToTemp();
  const second = synthToTemp();

  test('two synths of the same site are byte-identical', () => {
    expect(snapshotTree(second.outDir)).toEqual(snapshotTree(first.outDir));
  });

  test('the committed dist/ is what synth produces now (run `npm run synth` and commit when this fails)', () => {
    const committed = path.join(__dirname, '..', 'dist');
    expect(fs.existsSync(committed)).toBe(true);
    const fresh = snapshotTree(first.outDir);
    const current = snapshotTree(committed);
    expect(Object.keys(current)).toEqual(Object.keys(fresh));
    for (const file of Object.keys(fresh)) expect({ file, content: current[file] }).toEqual({ file, content: fresh[file] });
  });
});
