/**
 * comparison.svg from its layout (chart-layout.ts): plain SVG 1.1, no script, no external
 * resources, a <title> and aria-label with the figures for screen readers, a tooltip (<title>)
 * per bar segment. Deterministic: numbers rounded to 1/100 px, nothing random or dated.
 */
import { chartAltText } from './chart-data';
import { CAPACITY_COLOR, comparisonChartLayout, PLOT_HEIGHT, PLOT_WIDTH, px, type ChartLayout } from './chart-layout';
import { fmt, type Comparison } from './model';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

export function chartSvg(layout: ChartLayout, altText: string): string {
  const { width, height, textSize, titleSize, plotTop } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(altText)}" font-family="sans-serif" font-size="${textSize}">`,
    `<title>${escapeXml(layout.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(layout.textLeft, layout.titleY, layout.title, `font-size="${titleSize}" font-weight="bold"`),
    ...layout.subtitle.map((line, i) => text(layout.textLeft, layout.subtitleY[i], line, 'fill="#555"')),
  ];
  const bottom = px(plotTop + PLOT_HEIGHT);
  for (const col of layout.columns) {
    const right = px(col.x + PLOT_WIDTH);
    out.push(`<g class="column" data-resource="${escapeXml(col.resource)}">`);
    out.push(text(col.x + PLOT_WIDTH / 2, plotTop - 8, col.resource, 'text-anchor="middle" font-weight="bold"'));
    for (const t of col.ticks) {
      out.push(`<line class="grid" x1="${col.x}" y1="${t.y}" x2="${right}" y2="${t.y}" stroke="#ddd"/>`);
      out.push(text(col.x - 4, t.y + textSize / 3, fmt(t.value), 'text-anchor="end" fill="#333"'));
    }
    for (const s of col.segments) {
      out.push(`<rect class="bar" data-path="${escapeXml(s.path)}" data-part="${escapeXml(s.part)}" data-value="${s.value}" x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" fill="${s.color}"><title>${escapeXml(`${s.path}, ${s.part}: ${fmt(s.value)}`)}</title></rect>`);
    }
    if (col.capacity) {
      out.push(`<line class="capacity" data-value="${col.capacity.value}" x1="${col.x}" y1="${col.capacity.y}" x2="${right}" y2="${col.capacity.y}" stroke="${CAPACITY_COLOR}" stroke-width="2" stroke-dasharray="6,4"><title>capacity: ${fmt(col.capacity.value)}</title></line>`);
    }
    out.push(`<line x1="${col.x}" y1="${plotTop}" x2="${col.x}" y2="${bottom}" stroke="#888"/>`);
    out.push(`<line x1="${col.x}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#888"/>`);
    for (const l of col.labels) {
      out.push(text(0, 0, l.path, `text-anchor="end" transform="translate(${l.x},${px(bottom + 10)}) rotate(-${layout.labelAngle})"`));
    }
    out.push('</g>');
  }
  for (const item of layout.legend.items) {
    const middle = px(layout.legend.y - textSize / 2 + 1);
    out.push(item.mark === 'box'
      ? `<rect x="${item.x}" y="${px(layout.legend.y - textSize + 1)}" width="11" height="11" fill="${item.color}"/>`
      : `<line x1="${item.x}" y1="${middle}" x2="${px(item.x + 12)}" y2="${middle}" stroke="${item.color}" stroke-width="2" stroke-dasharray="4,2"/>`);
    out.push(text(item.x + 16, layout.legend.y, item.label));
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function comparisonSvg(c: Comparison): string {
  return chartSvg(comparisonChartLayout(c), chartAltText(c));
}
