/**
 * A vega-lite spec rendered to SVG text in Node, synchronously and deterministically: no canvas
 * (text widths are estimated), SVG ids reset. Used by `npm run readme` for docs/dashboards.svg;
 * synth does not load vega (comparison.svg is drawn by lxc/comparison/chart-svg.ts).
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Exports of vega 5.33 its typings omit (vega-scenegraph's headless SVG renderer). */
interface VegaHeadless {
  resetSVGDefIds(): void;
  SVGStringRenderer: new (loader: unknown) => {
    initialize(el: null, width: number, height: number, origin: [number, number]): unknown;
    background(color: unknown): unknown;
    render(scene: unknown): unknown;
    svg(): string;
  };
}

/** Renders a vega-lite spec to SVG text synchronously (the same markup as vega's async toSVG). */
export function renderSvg(spec: TopLevelSpec): string {
  const compiled = vegaLite.compile(spec).spec;
  // Clip-path and gradient ids come from a module-level counter: reset it so output is stable.
  const headless = vega as unknown as VegaHeadless;
  headless.resetSVGDefIds();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  view.run();
  // vega keeps the full view size (data area + axes + legends) in these two fields; 5.33 has no getter.
  const internal = view as unknown as { _viewWidth?: number; _viewHeight?: number };
  if (typeof internal._viewWidth !== 'number' || typeof internal._viewHeight !== 'number') {
    throw new Error('vega View internals changed (no _viewWidth/_viewHeight): check the pinned vega version (5.33.1)');
  }
  const padding = view.padding() as { left: number; right: number; top: number; bottom: number };
  const origin = view.origin();
  const renderer = new headless.SVGStringRenderer(view.loader());
  renderer.initialize(
    null,
    internal._viewWidth + padding.left + padding.right,
    internal._viewHeight + padding.top + padding.bottom,
    [padding.left + origin[0], padding.top + origin[1]],
  );
  renderer.background(view.background());
  renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
  const svg = renderer.svg();
  view.finalize();
  return `${svg}\n`;
}
