// Random JSON texts with random whitespace for the eval tests (driven by common/random's seededRandom).

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const STRINGS = ['', 'a', 'match', 'date_histogram', 'é', 'x y', 'q"t', 'b\\s', 'line\nfeed', '\u0001', '{[,:]}', '日本'];
const NUMBERS = ['0', '-0', '7', '-12', '3.25', '1e5', '2E-3', '-0.5e+10', '10'];

/** A random JSON value's text, up to `depth` levels deep, with random whitespace between tokens. */
export function randomJsonText(rng: () => number, depth: number): string {
  const ws = () => pick(rng, ['', '', '', ' ', '\n  ', '\t']);
  const value = (d: number): string => {
    const r = rng();
    if (d > 0 && r < 0.3) {
      const n = Math.floor(rng() * 4);
      const members = Array.from({ length: n }, () => `${ws()}${JSON.stringify(pick(rng, STRINGS))}${ws()}:${ws()}${value(d - 1)}${ws()}`);
      return `{${members.join(',') || ws()}}`;
    }
    if (d > 0 && r < 0.5) {
      const n = Math.floor(rng() * 4);
      const items = Array.from({ length: n }, () => `${ws()}${value(d - 1)}${ws()}`);
      return `[${items.join(',') || ws()}]`;
    }
    if (r < 0.7) return JSON.stringify(pick(rng, STRINGS));
    if (r < 0.9) return pick(rng, NUMBERS);
    return pick(rng, ['true', 'false', 'null']);
  };
  return `${ws()}${value(depth)}${ws()}`;
}
