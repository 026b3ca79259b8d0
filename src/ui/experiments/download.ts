// Saving a generated file from the Experiments page (CSV, JSON, SVG, PNG).
import { svgToPng } from '../export/report-chart';

export function download(name: string, data: Blob | string, type = 'text/plain'): void {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A chart as SVG, or rasterized to PNG through a canvas (Node's `report` writes SVG only). */
export async function downloadChart(stem: string, svg: string, as: 'svg' | 'png'): Promise<void> {
  if (as === 'svg') return download(`${stem}.svg`, svg, 'image/svg+xml');
  download(`${stem}.png`, await svgToPng(svg));
}
