import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSite } from '../site';
import { comparisonBlock } from '../render/readme-section';

describe('README.md', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  test('states the two commands a newcomer runs', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
  });

  test('.ci/run runs exactly the README test command', () => {
    const ci = fs.readFileSync(path.join(__dirname, '..', '.ci', 'run'), 'utf8');
    expect(ci.trim().split('\n').at(-1)).toBe('npm test');
  });

  test('its comparison headline is the generated one (run `npm run readme` when this fails)', () => {
    expect(readme).toContain(comparisonBlock(loadSite().site));
  });
});
