// The growth benchmark's figure as SVG text: step time against input length and against batch, one line per method,
// both x axes doubling (log 2). Built from the report figures' pieces (src/experiments/svg.ts).
import { esc, FONT, METHOD_COLORS, svg } from '../src/experiments/svg';

export interface GrowthSeries {
  method: string;
  /** (x, seconds per step), x ascending. */
  points: [number, number][];
}

export interface GrowthPanel {
  title: string;
  xLabel: string;
  series: GrowthSeries[];
}

const W = 420;
const H = 300;
const PAD = { left: 56, right: 16, top: 34, bottom: 46 };

function panel(x0: number, p: GrowthPanel): string {
  const xs = [...new Set(p.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y));
  const top = Math.max(...ys, 0) * 1.1 || 1;
  const left = x0 + PAD.left;
  const right = x0 + W - PAD.right;
  const bottom = H - PAD.bottom;
  const lo = Math.log2(xs[0]);
  const span = Math.log2(xs[xs.length - 1]) - lo || 1;
  const px = (x: number) => left + ((Math.log2(x) - lo) / span) * (right - left);
  const py = (y: number) => bottom - (y / top) * (bottom - PAD.top);
  const parts = [
    `<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="600" ${FONT}>${esc(p.title)}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${PAD.top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${(left + right) / 2}" y="${H - 8}" text-anchor="middle" font-size="11" ${FONT}>${esc(p.xLabel)}</text>`,
    `<text x="${x0 + 14}" y="${(PAD.top + bottom) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${x0 + 14} ${(PAD.top + bottom) / 2})" ${FONT}>seconds per step</text>`,
  ];
  for (const x of xs) {
    parts.push(`<text x="${px(x).toFixed(1)}" y="${bottom + 15}" text-anchor="middle" font-size="10" ${FONT}>${x}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const y = (top * i) / 4;
    parts.push(`<line x1="${left - 4}" y1="${py(y).toFixed(1)}" x2="${right}" y2="${py(y).toFixed(1)}" stroke="${i ? '#eee' : '#333'}"/>`);
    parts.push(`<text x="${left - 6}" y="${(py(y) + 3).toFixed(1)}" text-anchor="end" font-size="10" ${FONT}>${y.toFixed(y < 10 ? 1 : 0)}</text>`);
  }
  p.series.forEach((s, k) => {
    const color = METHOD_COLORS[s.method] ?? '#888';
    const path = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.method} ${x}: ${y.toFixed(3)} s`)}</title></circle>`);
    }
    parts.push(`<rect x="${left + 10}" y="${PAD.top + 4 + k * 16}" width="10" height="10" fill="${color}"/>`,
      `<text x="${left + 24}" y="${PAD.top + 13 + k * 16}" font-size="11" ${FONT}>${esc(s.method)}</text>`);
  });
  return parts.join('\n');
}

/** The panels side by side. */
export function growthSvg(panels: readonly GrowthPanel[], title: string): string {
  return svg(W * panels.length, H, panels.map((p, i) => panel(i * W, p)).join('\n'), title);
}
