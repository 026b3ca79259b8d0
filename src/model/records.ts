// Activation records, llm.c style: every buffer the forward pass keeps for the backward pass, named, sized once
// for a capacity shape (batch, input length, target length) and reused by every step. A pass with a smaller
// shape binds the leading elements of each record.
import type { MemoryCategory } from '../settings/memory';
import type { Gpu } from '../gpu/gpu';
import type { Bindable, DType, Tensor } from '../gpu/tensor';

export interface PassShape {
  B: number;
  Tin: number;
  Tout: number;
}

/** Element count of a record as a function of the pass shape. */
export type Extent = (s: PassShape) => number;

export class RecordArena {
  private readonly records = new Map<string, Tensor>();
  shape: PassShape;

  constructor(
    private readonly gpu: Gpu,
    readonly capacity: PassShape,
    private readonly category: MemoryCategory,
    private readonly prefix: string,
  ) {
    this.shape = capacity;
  }

  /** Whether a pass of this shape fits the capacity. */
  fits(shape: PassShape): boolean {
    const c = this.capacity;
    return shape.B <= c.B && shape.Tin <= c.Tin && shape.Tout <= c.Tout;
  }

  /** Set the shape of the next pass; it must fit the capacity. */
  use(shape: PassShape): void {
    const c = this.capacity;
    if (!this.fits(shape)) {
      throw new RangeError(`batch ${shape.B}x${shape.Tin}->${shape.Tout} exceeds the records' capacity ${c.B}x${c.Tin}->${c.Tout}`);
    }
    this.shape = shape;
  }

  /** The whole record (capacity elements), allocated on first use. */
  tensor(name: string, extent: Extent, dtype: DType = 'f32'): Tensor {
    let t = this.records.get(name);
    if (!t) {
      t = this.gpu.tensor([extent(this.capacity)], dtype, this.category, `${this.prefix}${name}`);
      this.records.set(name, t);
    }
    return t;
  }

  /** The record bound at exactly the current pass's size. */
  take(name: string, extent: Extent, dtype: DType = 'f32'): Bindable {
    const t = this.tensor(name, extent, dtype);
    const n = extent(this.shape);
    return n === t.size ? t : this.gpu.slice(t, 0, n);
  }

  bytes(): number {
    let n = 0;
    for (const t of this.records.values()) n += t.bytes;
    return n;
  }

  free(): void {
    for (const t of this.records.values()) this.gpu.free(t);
    this.records.clear();
  }
}
