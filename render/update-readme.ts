/**
 * `npm run readme`: regenerate the README's comparison block and the dashboards picture
 * (docs/dashboards.svg) from the embedded default site; tests fail when either is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS_PICTURE, dashboardsOverviewSvg } from './dashboards-picture';
import { loadSite } from '../site';
import { readmeWithComparison } from './readme-section';

const root = path.join(__dirname, '..');
const file = path.join(root, 'README.md');
const { site } = loadSite();
fs.writeFileSync(file, readmeWithComparison(fs.readFileSync(file, 'utf8'), site));
console.log('README.md comparison block regenerated');
fs.writeFileSync(path.join(root, DASHBOARDS_PICTURE), dashboardsOverviewSvg(site));
console.log(`${DASHBOARDS_PICTURE} regenerated`);
