// Where many tensors go when they share a few arena buffers (gpu.arena / gpu.view): each at an aligned offset, so it
// binds like a buffer of its own, and no buffer larger than one binding, so a kernel can also sweep a whole arena.

/** Where one tensor lands: which arena, and its first byte there. */
export interface ArenaPlacement {
  readonly arena: number;
  readonly byteOffset: number;
}

export interface ArenaPlan {
  /** Bytes of each arena (the end of its last tensor). */
  readonly arenaBytes: number[];
  /** One per tensor, in the order given. */
  readonly placements: ArenaPlacement[];
}

/**
 * Lay tensors of the given byte sizes end to end, in order, each at a multiple of align; a tensor that would end past
 * maxBytes starts the next arena (tensors never straddle two). A tensor larger than maxBytes on its own throws,
 * named by name(i).
 */
export function planArenas(bytes: readonly number[], align: number, maxBytes: number, name: (i: number) => string = (i) => `tensor ${i}`): ArenaPlan {
  if (!Number.isInteger(align) || align < 4 || align % 4 !== 0) throw new RangeError(`planArenas: align must be a positive multiple of 4, got ${align}`);
  const arenaBytes: number[] = [];
  const placements: ArenaPlacement[] = [];
  let end = Infinity;
  bytes.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0) throw new RangeError(`planArenas: ${name(i)} has ${b} bytes`);
    // A view binds at least one 4-byte word.
    const size = Math.max(4, Math.ceil(b / 4) * 4);
    if (size > maxBytes) throw new RangeError(`${name(i)} needs ${size} bytes, more than one binding may hold (${maxBytes})`);
    let at = Math.ceil(end / align) * align;
    if (at + size > maxBytes) {
      arenaBytes.push(0);
      at = 0;
    }
    placements.push({ arena: arenaBytes.length - 1, byteOffset: at });
    end = at + size;
    arenaBytes[arenaBytes.length - 1] = end;
  });
  return { arenaBytes, placements };
}
