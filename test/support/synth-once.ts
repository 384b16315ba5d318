/** Synthesizes into a fresh temporary directory (never the committed dist/). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize, SynthesisResult } from '../../render/synthesize';

/** A fresh directory below the run's temporary root (removed by the global teardown). */
export function tempDir(prefix = 'case-'): string {
  const base = process.env.TEST_TMP_ROOT ?? os.tmpdir();
  return fs.mkdtempSync(path.join(base, prefix));
}

export function sharedSecretsDir(): string {
  return path.join(process.env.TEST_TMP_ROOT ?? os.tmpdir(), 'secrets');
}

export function synthToTemp(siteFile?: string): SynthesisResult & { root: string } {
  const root = tempDir('synth-');
  // One secrets dir per run: bcrypt and key generation happen once, not once per synth.
  const result = synthesize({ siteFile, projectRoot: root, outDir: 'dist', secretsDir: sharedSecretsDir() });
  return { ...result, root };
}

export function writeSiteFile(root: string, yamlText: string, name = 'site.yaml'): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, yamlText);
  return file;
}
