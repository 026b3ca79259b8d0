// Scalars a step produces in different kernels (loss sums, token counts, the gradient's sum of squares) gathered into
// one small buffer by recorded copies, so the host reads them all with one readback instead of one each: every
// readback flushes the queue and waits for the GPU.
import type { Gpu } from './gpu';
import type { Tensor } from './tensor';

export class ReadbackSlots {
  private buffer: Tensor;
  private used = 0;

  constructor(
    private readonly gpu: Gpu,
    capacity: number,
    private readonly label: string,
  ) {
    this.buffer = gpu.tensor([Math.max(1, capacity)], 'f32', 'scratch', label);
  }

  get capacity(): number {
    return this.buffer.size;
  }

  /** Start a new set of slots, holding at least capacity (the buffer is replaced only when it must grow). */
  reset(capacity = this.capacity): void {
    if (capacity > this.buffer.size) {
      this.gpu.free(this.buffer);
      this.buffer = this.gpu.tensor([capacity], 'f32', 'scratch', this.label);
    }
    this.used = 0;
  }

  /** Record a copy of src's f32 element at elementOffset into the next slot; returns the slot's index. */
  take(src: Tensor, elementOffset = 0): number {
    if (src.dtype !== 'f32' && src.dtype !== 'u32' && src.dtype !== 'i32') throw new TypeError(`ReadbackSlots: "${src.label}" is ${src.dtype}; slots hold 32-bit values`);
    if (elementOffset < 0 || elementOffset >= src.size) throw new RangeError(`ReadbackSlots: element ${elementOffset} is outside "${src.label}" (${src.size})`);
    if (this.used >= this.buffer.size) throw new RangeError(`ReadbackSlots "${this.label}": all ${this.buffer.size} slots are taken (reset with a larger capacity)`);
    const slot = this.used++;
    this.gpu.copy(src, this.buffer, 4, elementOffset * 4, slot * 4);
    return slot;
  }

  /** One readback of every slot taken since reset (as f32; view the bits of integer sources yourself). */
  async read(): Promise<Float32Array> {
    return (await this.gpu.readF32(this.buffer)).slice(0, this.used);
  }

  free(): void {
    this.gpu.free(this.buffer);
  }
}
