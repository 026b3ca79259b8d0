// A run's loss curves as a standalone SVG (training loss per step, eval loss per evaluation, axes with ticks and a
// legend), and the same picture as PNG through a canvas. The SVG is a pure string, tested without a browser.
import type { MetricRow } from '../../engine/run-api';

const W = 720;
const H = 400;
const PAD = { left: 64, right: 20, top: 36, bottom: 48 };
const COLORS = { train: '#2563eb', eval: '#dc2626' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2));

function ticks(lo: number, hi: number, n: number): number[] {
  if (hi <= lo) return [lo];
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

/** Train and eval loss against the optimizer step, as an SVG document. */
export function lossChartSvg(rows: readonly MetricRow[], title: string): string {
  const train = rows.filter((r) => r.kind === 'train').map((r) => [r.step, r.loss] as const).filter(([, y]) => Number.isFinite(y));
  const evals = rows.flatMap((r) => (r.kind === 'eval' && Number.isFinite(r.eval_loss) ? [[r.step, r.eval_loss] as const] : []));
  const all = [...train, ...evals];
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const x0 = all.length ? Math.min(0, ...xs) : 0;
  const x1 = all.length ? Math.max(...xs, x0 + 1) : 1;
  const y0 = all.length ? Math.min(...ys) : 0;
  const y1 = all.length ? Math.max(...ys, y0 + 1e-6) : 1;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const line = (pts: readonly (readonly [number, number])[], color: string) =>
    pts.length ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>` : '';
  const dots = (pts: readonly (readonly [number, number])[], color: string) => pts.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${color}"/>`).join('');
  const xt = ticks(x0, x1, 5).map((x) => `<line x1="${px(x)}" x2="${px(x)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 5}" stroke="#444"/><text x="${px(x)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${num(x)}</text>`);
  const yt = ticks(y0, y1, 5).map((y) => `<line x1="${PAD.left - 5}" x2="${W - PAD.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/><text x="${PAD.left - 8}" y="${py(y) + 4}" text-anchor="end">${num(y)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    ...yt,
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#444"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#444"/>`,
    ...xt,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 10}" text-anchor="middle">optimizer step</text>`,
    `<text transform="translate(16 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">loss</text>`,
    line(train, COLORS.train),
    line(evals, COLORS.eval),
    dots(evals, COLORS.eval),
    `<g transform="translate(${W - PAD.right - 150} ${PAD.top})"><rect width="150" height="40" fill="#fff" stroke="#ccc"/>`,
    `<line x1="8" x2="28" y1="13" y2="13" stroke="${COLORS.train}" stroke-width="2"/><text x="34" y="17">train loss (${train.length})</text>`,
    `<line x1="8" x2="28" y1="30" y2="30" stroke="${COLORS.eval}" stroke-width="2"/><text x="34" y="34">eval loss (${evals.length})</text></g>`,
    all.length ? '' : `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no metrics yet</text>`,
    '</svg>',
  ].join('\n');
}

/** The SVG drawn on a canvas at `scale`, as a PNG Blob. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((ok, fail) => {
      img.onload = () => ok();
      img.onerror = () => fail(new Error('the chart SVG could not be drawn'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = img.width * scale;
    canvas.height = img.height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this browser');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('canvas.toBlob gave nothing'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
