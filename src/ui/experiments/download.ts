// Saving a chart from the Experiments page (SVG, PNG).
import { download } from '../download';
import { svgToPng } from '../export/report-chart';

/** A chart as SVG, or rasterized to PNG through a canvas (Node's `report` writes SVG only). */
export async function downloadChart(stem: string, svg: string, as: 'svg' | 'png'): Promise<void> {
  if (as === 'svg') return download(`${stem}.svg`, svg, 'image/svg+xml');
  download(`${stem}.png`, await svgToPng(svg));
}
