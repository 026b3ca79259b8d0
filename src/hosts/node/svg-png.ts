// SVG -> PNG in Node for the CLI's report figures, through @resvg/resvg-js (prebuilt native binaries, no browser).
// Kept Node-only: the studio rasterizes the same SVG strings with a canvas.
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

// The figures ask for "system-ui, sans-serif"; resvg does not resolve those generic names reliably, so name concrete
// families that Debian's font packages (dejavu, liberation) install.
const FONT_OPTIONS: ResvgRenderOptions = {
  font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  background: '#fff',
};

/** The PNG bytes of an SVG document, at the SVG's own width and height. */
export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, FONT_OPTIONS).render().asPng();
}

/** Whether resvg finds a font to draw text with: without one, PNG figures come out with no labels. */
export function canRenderText(): boolean {
  const probe = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="15" font-size="14" font-family="sans-serif">Ag</text></svg>';
  const { pixels } = new Resvg(probe, { font: FONT_OPTIONS.font }).render();
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
  return false;
}
