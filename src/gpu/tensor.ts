import type { MemoryCategory } from '../settings/memory';

/** Element types a kernel binding can hold. f16 tensors are stored two per 32-bit word. */
export type DType = 'f32' | 'f16' | 'u32' | 'i32';

export const DTYPE_BYTES: Record<DType, number> = { f32: 4, f16: 2, u32: 4, i32: 4 };

export type HostArray = Float32Array | Uint32Array | Int32Array | Uint16Array;

/**
 * A GPU buffer, or a range of one, with a shape. Owned by the Gpu's BufferPool; free it with gpu.free(t). A tensor
 * cut from an arena (gpu.arena/gpu.view) starts at byteOffset, a multiple of the storage offset alignment, so it
 * binds like a buffer of its own; every other tensor starts at 0.
 */
export interface Tensor {
  readonly buffer: GPUBuffer;
  readonly byteOffset: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  readonly bytes: number;
  readonly category: MemoryCategory;
  readonly label: string;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function hostArrayFor(dtype: DType, buffer: ArrayBuffer, size: number): HostArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(buffer, 0, size);
    case 'u32':
      return new Uint32Array(buffer, 0, size);
    case 'i32':
      return new Int32Array(buffer, 0, size);
    case 'f16':
      return new Uint16Array(buffer, 0, size);
  }
}

/** A window of a tensor bound to one kernel: elements [offset, offset + size). For inputs too big for one binding. */
export interface TensorSlice {
  readonly tensor: Tensor;
  readonly offset: number;
  readonly size: number;
}

export type Bindable = Tensor | TensorSlice;

export function isSlice(b: Bindable): b is TensorSlice {
  return 'tensor' in b;
}

/** The tensor a binding reads from (itself, or the tensor a slice is cut from). */
export function backingTensor(b: Bindable): Tensor {
  return isSlice(b) ? b.tensor : b;
}

/** Byte range a binding covers. */
export function bindingRange(b: Bindable): { buffer: GPUBuffer; offset: number; size: number } {
  if (!isSlice(b)) return { buffer: b.buffer, offset: b.byteOffset, size: b.bytes };
  const per = DTYPE_BYTES[b.tensor.dtype];
  if (b.offset < 0 || b.size <= 0 || b.offset + b.size > b.tensor.size) {
    throw new RangeError(`slice [${b.offset}, ${b.offset + b.size}) is outside "${b.tensor.label}" (${b.tensor.size} elements)`);
  }
  return { buffer: b.tensor.buffer, offset: b.tensor.byteOffset + b.offset * per, size: Math.ceil((b.size * per) / 4) * 4 };
}

/** Element count of a tensor or slice. */
export function elements(b: Bindable): number {
  return b.size;
}
