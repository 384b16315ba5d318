import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { DASHBOARDS_PICTURE, dashboardsOverviewSpec, dashboardsOverviewSvg, overviewData } from '../../render/dashboards-picture';
import { renderSvg } from '../../render/vega-svg';
import { grafanaDashboards } from '../../charts/grafana/provisioning';
import { loadSite } from '../../site';
import { panelsOf } from './support';

const { site } = loadSite();

describe('The dashboards picture (docs/dashboards.svg)', () => {
  test('is the one the dashboard definitions draw (run `npm run readme` when this fails)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', DASHBOARDS_PICTURE), 'utf8');
    expect(committed === dashboardsOverviewSvg(site) ? 'up to date' : `${DASHBOARDS_PICTURE} is stale: run npm run readme`).toBe('up to date');
  });

  test('draws every provisioned dashboard under its folder, with every panel at its grid position', () => {
    const files = grafanaDashboards(site, 'kubernetes');
    const data = overviewData(site, 'kubernetes');
    expect(data.map((d) => d.heading)).toEqual(files.map((f) => `${f.folder.title} / ${JSON.parse(f.json).title}`));
    files.forEach((f, i) => {
      const panels = panelsOf(JSON.parse(f.json));
      expect(data[i].panels.map((p) => [p.title, p.type, p.x, p.y, p.x2 - p.x, p.y2 - p.y]))
        .toEqual(panels.map((p) => [p.title, p.type, p.gridPos.x, p.gridPos.y, p.gridPos.w, p.gridPos.h]));
    });
    const svg = dashboardsOverviewSvg(site);
    for (const d of data) expect(svg).toContain(d.heading.replace(/&/g, '&amp;'));
  });

  test('render/vega-svg.ts draws exactly what vega\'s own asynchronous toSVG renders', async () => {
    const spec = dashboardsOverviewSpec(site);
    (vega as unknown as { resetSVGDefIds(): void }).resetSVGDefIds();
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    expect(`${await view.toSVG()}\n`).toBe(renderSvg(spec));
  });

  test('renders the same bytes every time', () => {
    expect(dashboardsOverviewSvg(site)).toBe(dashboardsOverviewSvg(site));
  });
});
