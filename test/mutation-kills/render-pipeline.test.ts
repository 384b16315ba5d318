/**
 * render/pipeline.ts in-process (mutation testing, issue 18): renderDist gives every file of the
 * committed dist/ for the default site, each part in its place, and the secrets layer only with
 * sops-age. test/determinism.test.ts and the dist/ comparison check the contents.
 */
import * as path from 'node:path';
import { renderDist } from '../../render/pipeline';
import { parseSite } from '../../site';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

const committed = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? committed(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
const DIST = path.join(__dirname, '..', '..', 'dist');

test('the default site gives exactly the files of the committed dist/, each part present', () => {
  const paths = renderDist(parseSite({}).site).map((f) => f.path);
  expect([...paths].sort()).toEqual(committed(DIST).sort());
  // One of each part, so a part dropped from the list is named.
  for (const part of ['monitoring/', 'platform/', 'gitops/', 'proxmox/create-talos-vms.sh', 'syslog/', 'integrations/', 'runbooks.md', 'lxc/', 'comparison/']) {
    expect(`${part}: ${paths.some((p) => p.startsWith(part))}`).toBe(`${part}: true`);
  }
  expect(paths.some((p) => p.startsWith('secrets/'))).toBe(false);
});

test('with sops-age the secrets layer\'s kustomizations join them (the encrypted files come from the encryption step)', () => {
  const site = parseSite({ secrets: { encryption: 'sops-age', ageRecipients: ['age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq'] } }).site;
  const secrets = renderDist(site).map((f) => f.path).filter((p) => p.startsWith('secrets/'));
  expect([...secrets].sort()).toEqual(['secrets/ksops/kustomization.yaml', 'secrets/ksops/secret-generator.yaml', 'secrets/kustomization.yaml']);
});
