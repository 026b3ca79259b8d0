// The report's figures as SVG text (pure string code, so Node writes files and the studio shows or rasterizes the
// same markup): Figure 6's quad chart (four bar panels per model x method) and Figure 7's rank x alpha heatmaps.
import type { Heatmap, QuadCell } from './tables';
import { formatBytes, formatSeconds } from './recommend';

export const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const FONT = 'font-family="system-ui, sans-serif"';
export const METHOD_COLORS: Record<string, string> = { full: '#4c72b0', lora: '#dd8452', qlora: '#55a868' };

interface Bar {
  label: string;
  value: number | null;
  color: string;
}

/** One bar panel at (x, y) of size w x h: title, bars with values, labels under them. */
function barPanel(x: number, y: number, w: number, h: number, title: string, bars: Bar[], format: (v: number) => string): string {
  const top = y + 28;
  const bottom = y + h - 44;
  const max = Math.max(...bars.map((b) => b.value ?? 0), 0) || 1;
  const slot = (w - 20) / Math.max(1, bars.length);
  const parts = [`<text x="${x + w / 2}" y="${y + 16}" text-anchor="middle" font-size="13" font-weight="600" ${FONT}>${esc(title)}</text>`,
    `<line x1="${x + 10}" y1="${bottom}" x2="${x + w - 10}" y2="${bottom}" stroke="#333"/>`];
  bars.forEach((b, i) => {
    const bx = x + 10 + i * slot + slot * 0.15;
    const bw = slot * 0.7;
    const cx = bx + bw / 2;
    if (b.value !== null && Number.isFinite(b.value)) {
      const bh = ((bottom - top - 14) * b.value) / max;
      parts.push(`<rect x="${bx.toFixed(1)}" y="${(bottom - bh).toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="${b.color}"><title>${esc(`${b.label}: ${format(b.value)}`)}</title></rect>`);
      parts.push(`<text x="${cx.toFixed(1)}" y="${(bottom - bh - 3).toFixed(1)}" text-anchor="middle" font-size="9" ${FONT}>${esc(format(b.value))}</text>`);
    } else parts.push(`<text x="${cx.toFixed(1)}" y="${bottom - 3}" text-anchor="middle" font-size="9" fill="#888" ${FONT}>n/a</text>`);
    const [first, second] = b.label.split('\n');
    parts.push(`<text x="${cx.toFixed(1)}" y="${bottom + 14}" text-anchor="middle" font-size="10" ${FONT}>${esc(first)}</text>`);
    if (second) parts.push(`<text x="${cx.toFixed(1)}" y="${bottom + 27}" text-anchor="middle" font-size="10" fill="#555" ${FONT}>${esc(second)}</text>`);
  });
  return parts.join('\n');
}

export function svg(width: number, height: number, body: string, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">
<rect width="100%" height="100%" fill="#fff"/>
${body}
</svg>
`;
}

/** Figure 6: mean eval loss, samples/s, GPU memory and training time per model x method, in four panels. */
export function quadChartSvg(cells: readonly QuadCell[]): string {
  const w = 360 + Math.max(0, cells.length - 6) * 40;
  const h = 240;
  const bars = (pick: (c: QuadCell) => number | null): Bar[] => cells.map((c) => ({ label: `${c.method}\n${c.model}`, value: pick(c), color: METHOD_COLORS[c.method] ?? '#888' }));
  const body = [
    barPanel(0, 30, w, h, 'Mean eval loss', bars((c) => c.meanEvalLoss), (v) => v.toFixed(4)),
    barPanel(w, 30, w, h, 'Training samples/s', bars((c) => c.meanSamplesPerSecond), (v) => v.toFixed(2)),
    barPanel(0, 30 + h, w, h, 'Peak GPU memory', bars((c) => c.meanPeakGpuBytes), formatBytes),
    barPanel(w, 30 + h, w, h, 'Mean training time', bars((c) => c.meanTrainSeconds), formatSeconds),
    `<text x="${w}" y="20" text-anchor="middle" font-size="15" font-weight="700" ${FONT}>Per model x method (means over finished runs)</text>`,
  ].join('\n');
  return svg(2 * w, 30 + 2 * h, body, 'Quad chart: eval loss, samples/s, GPU memory, training time per model and method');
}

/** Viridis-like ramp from low (good) to high loss. */
function color(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const p = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(p);
  const f = p - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c.join(',')})`;
}

/** Figure 7: mean eval loss over rank (rows) x alpha (columns), the heatmaps side by side on one color scale. */
export function heatmapSvg(maps: readonly Heatmap[]): string {
  const cell = 56;
  const values = maps.flatMap((m) => m.cells.flat()).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const parts: string[] = [];
  let x0 = 0;
  let height = 120;
  for (const m of maps) {
    const left = x0 + 60;
    const top = 64;
    parts.push(`<text x="${left + (m.alphas.length * cell) / 2}" y="52" text-anchor="middle" font-size="14" font-weight="700" ${FONT}>${m.method === 'lora' ? 'LoRA' : 'QLoRA'}</text>`);
    m.ranks.forEach((rank, i) => {
      parts.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11" ${FONT}>r ${rank}</text>`);
      m.alphas.forEach((alpha, j) => {
        const v = m.cells[i][j];
        const x = left + j * cell;
        const y = top + i * cell;
        const fill = v === null ? '#eee' : color(hi > lo ? (v - lo) / (hi - lo) : 0.5);
        const tip = v === null ? `r ${rank}, alpha ${alpha}: no run` : `r ${rank}, alpha ${alpha}: ${v.toFixed(5)} (${m.counts[i][j]} runs)`;
        parts.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"><title>${esc(tip)}</title></rect>`);
        if (v !== null) {
          const light = hi > lo && (v - lo) / (hi - lo) < 0.6;
          parts.push(`<text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 3}" text-anchor="middle" font-size="10" fill="${light ? '#fff' : '#000'}" ${FONT}>${v.toFixed(4)}</text>`);
        }
      });
    });
    m.alphas.forEach((alpha, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + m.ranks.length * cell + 14}" text-anchor="middle" font-size="11" ${FONT}>${alpha}</text>`));
    parts.push(`<text x="${left + (m.alphas.length * cell) / 2}" y="${top + m.ranks.length * cell + 32}" text-anchor="middle" font-size="11" ${FONT}>alpha</text>`);
    height = Math.max(height, top + m.ranks.length * cell + 44);
    x0 = left + Math.max(1, m.alphas.length) * cell + 30;
  }
  // Two short lines: one long title ran past a small grid's right edge.
  parts.push(`<text x="10" y="16" font-size="13" font-weight="600" ${FONT}>Mean best eval loss over rank x alpha</text>`);
  parts.push(`<text x="10" y="32" font-size="11" fill="#555" ${FONT}>${values.length ? `dark = lowest (${lo.toFixed(4)}), light = highest (${hi.toFixed(4)})` : 'no LoRA or QLoRA runs yet'}</text>`);
  return svg(Math.max(x0, 320), height, parts.join('\n'), 'Heatmap of mean eval loss over rank and alpha for LoRA and QLoRA');
}
