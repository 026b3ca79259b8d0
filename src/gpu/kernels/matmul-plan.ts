// Splitting one matmul into chunks when an operand is bigger than one storage binding may be
// (maxStorageBufferBindingSize) or the grid would need more workgroups than a dimension allows.
// E.g. logits (1024, 32128) f32 are 131 MB: under a 128 MiB binding limit they are written in row chunks.
// Each chunk is a sub-matmul over ranges of (batch, M, N, K); splitting K makes later chunks accumulate.
// Pure arithmetic, so it is tested with tiny artificial limits.

export type Dim = 'b' | 'm' | 'n' | 'k';
export type Ranges = Record<Dim, { start: number; size: number }>;

/** Where element (batch, row, col) of one operand lives: batch * stride + row * ld + col. */
export interface OperandLayout {
  name: string;
  rowDim: Dim;
  colDim: Dim;
  ld: number;
  stride: number;
  bytesPer: number;
  /** The whole operand fits one binding: it is bound as is and never limits the split. */
  fitsWhole: boolean;
}

export interface PlanInput {
  sizes: Record<Dim, number>;
  operands: readonly OperandLayout[];
  maxBindingBytes: number;
  /** Storage binding offsets are multiples of this; a chunk's slice may start up to this much early. */
  offsetAlignBytes: number;
  /** Output rows (M) and columns (N) per workgroup, and the per-dimension workgroup limit. */
  tile: { tm: number; tn: number };
  maxWorkgroups: number;
}

export interface Chunk {
  ranges: Ranges;
  /** First chunk along K: it applies the caller's overwrite/residual; later K chunks accumulate. */
  firstK: boolean;
}

/** Chunk boundaries along M, N, K fall on multiples of this, so vec4 programs stay eligible per chunk. */
export const CHUNK_GRANULE = 4;

const DIMS: readonly Dim[] = ['m', 'n', 'b', 'k'];

function chunkSize(total: number, count: number, dim: Dim): number {
  const g = dim === 'b' ? 1 : CHUNK_GRANULE;
  return Math.min(total, Math.ceil(Math.ceil(total / count) / g) * g);
}

/** Elements from the first to the last one an operand touches in a chunk of the given sizes. */
export function operandSpan(op: OperandLayout, sizes: Record<Dim, number>): number {
  return (sizes.b - 1) * op.stride + (sizes[op.rowDim] - 1) * op.ld + sizes[op.colDim];
}

/** First element an operand touches in a chunk starting at the given offsets. */
export function operandStart(op: OperandLayout, start: Record<Dim, number>): number {
  return start.b * op.stride + start[op.rowDim] * op.ld + start[op.colDim];
}

/** How far over its limit the worst constraint is (<= 1 means the chunk shape fits), plus total excess. */
function overload(p: PlanInput, sizes: Record<Dim, number>): [number, number] {
  const ratios: number[] = [];
  for (const op of p.operands) {
    if (op.fitsWhole) continue;
    const bytes = operandSpan(op, sizes) * op.bytesPer + p.offsetAlignBytes;
    ratios.push(bytes / p.maxBindingBytes);
  }
  ratios.push(Math.ceil(sizes.m / p.tile.tm) / p.maxWorkgroups, Math.ceil(sizes.n / p.tile.tn) / p.maxWorkgroups, sizes.b / p.maxWorkgroups);
  return [Math.max(...ratios), ratios.reduce((s, r) => s + Math.max(0, r - 1), 0)];
}

/** Chunk sizes per dimension, splitting (halving) the dimension that helps most until everything fits. */
export function planChunkSizes(p: PlanInput): Record<Dim, number> {
  const counts: Record<Dim, number> = { b: 1, m: 1, n: 1, k: 1 };
  const sizesFor = (c: Record<Dim, number>) =>
    Object.fromEntries(DIMS.map((d) => [d, chunkSize(p.sizes[d], c[d], d)])) as Record<Dim, number>;
  let sizes = sizesFor(counts);
  let score = overload(p, sizes);
  while (score[0] > 1) {
    let best: { dim: Dim; sizes: Record<Dim, number>; score: [number, number] } | null = null;
    for (const d of DIMS) {
      const trial = { ...counts, [d]: counts[d] * 2 };
      const s = sizesFor(trial);
      if (s[d] === sizes[d]) continue; // this dimension cannot shrink further
      const sc = overload(p, s);
      if (!best || sc[0] < best.score[0] || (sc[0] === best.score[0] && sc[1] < best.score[1])) best = { dim: d, sizes: s, score: sc };
    }
    if (!best || (best.score[0] >= score[0] && best.score[1] >= score[1])) {
      const what = p.operands.map((o) => `${o.name} ${operandSpan(o, sizes) * o.bytesPer} B`).join(', ');
      throw new RangeError(
        `matmul (batch ${p.sizes.b}, M ${p.sizes.m}, N ${p.sizes.n}, K ${p.sizes.k}) cannot be split to fit a ${p.maxBindingBytes}-byte binding limit (${what})`,
      );
    }
    counts[best.dim] *= 2;
    sizes = best.sizes;
    score = best.score;
  }
  return sizes;
}

/** Every chunk, in order (K innermost, so each output block sees its first K chunk first). */
export function planChunks(p: PlanInput): Chunk[] {
  const sizes = planChunkSizes(p);
  const starts = (d: Dim) => {
    const out: number[] = [];
    for (let s = 0; s < p.sizes[d]; s += sizes[d]) out.push(s);
    return out;
  };
  const range = (d: Dim, start: number) => ({ start, size: Math.min(sizes[d], p.sizes[d] - start) });
  const chunks: Chunk[] = [];
  for (const b of starts('b'))
    for (const m of starts('m'))
      for (const n of starts('n'))
        for (const k of starts('k')) {
          chunks.push({ ranges: { b: range('b', b), m: range('m', m), n: range('n', n), k: range('k', k) }, firstK: k === 0 });
        }
  return chunks;
}
