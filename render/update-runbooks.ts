/** `node build/run.cjs runbooks`: regenerate docs/runbooks.md from the alert definitions and the embedded default site. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSite } from '../site';
import { RUNBOOKS_PATH, runbooksMarkdown } from './runbooks';

fs.writeFileSync(path.join(__dirname, '..', RUNBOOKS_PATH), runbooksMarkdown(loadSite().site));
console.log(`${RUNBOOKS_PATH} regenerated`);
