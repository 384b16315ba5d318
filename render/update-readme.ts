/** `npm run readme`: regenerate the README's comparison block from the embedded default site. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSite } from '../site';
import { readmeWithComparison } from './readme-section';

const file = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(file, readmeWithComparison(fs.readFileSync(file, 'utf8'), loadSite().site));
console.log('README.md comparison block regenerated');
