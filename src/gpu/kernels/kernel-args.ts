// Binding helpers shared by the kernels. Checks make a bad size or dtype fail on the host with the
// op, the tensor and the shapes named, instead of as a silent out-of-bounds read on the GPU.
import type { Gpu } from '../gpu';
import { bindingRange, DTYPE_BYTES, elements, isSlice, type Bindable, type DType, type Tensor } from '../tensor';

export function describe(b: Bindable): string {
  if (isSlice(b)) return `"${b.tensor.label}"[${b.offset}, ${b.offset + b.size}) of (${b.tensor.shape.join(',')})`;
  return `"${b.label}" (${b.shape.join(',')})`;
}

export function dtypeOf(b: Bindable): DType {
  return isSlice(b) ? b.tensor.dtype : b.dtype;
}

/**
 * Throws unless b is of the dtype and holds at least `need` elements (buffers sized once for the longest sequence
 * may be larger: the leading elements are used). shape names the need, e.g. `(B,Tq,NH*D) = (1,3,4)`.
 */
export function expectBinding(op: string, field: string, b: Bindable, need: number, dtype: DType = 'f32', shape?: string): void {
  if (dtypeOf(b) !== dtype) throw new TypeError(`${op}: ${field} ${describe(b)} is ${dtypeOf(b)}, expected ${dtype}`);
  if (b.size < need) throw new RangeError(`${op}: ${field} ${describe(b)} has ${b.size} elements, needs ${need}${shape ? ` for ${shape}` : ''}`);
}

/** Throws unless every value is an integer at least its minimum: `{ M: [M, 1], strideA: [sA, 0] }`. */
export function expectIntegers(op: string, values: Readonly<Record<string, readonly [value: number, min: number]>>): void {
  for (const [field, [value, min]] of Object.entries(values)) {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${op}: ${field} must be an integer >= ${min}, got ${value}`);
  }
}

/** The float type two operands share (f32, or f16 for kernels with an f16 variant); throws when they differ. */
export function expectFloatPair(op: string, first: readonly [string, Bindable], second: readonly [string, Bindable]): 'f32' | 'f16' {
  const [na, a] = first;
  const [nb, b] = second;
  const dt = dtypeOf(a);
  if (dt !== dtypeOf(b) || (dt !== 'f32' && dt !== 'f16')) {
    throw new TypeError(`${op}: ${na} ${describe(a)} is ${dt} and ${nb} ${describe(b)} is ${dtypeOf(b)}; both must be f32 or both f16`);
  }
  return dt;
}

/** Throws unless t is of the dtype and holds exactly `size` elements; shape names them, e.g. `(N,C) = (2,8)`. */
export function expectTensor(kernel: string, name: string, t: Bindable, dtype: DType, size: number, shape: string): void {
  if (dtypeOf(t) !== dtype) throw new TypeError(`${kernel}: ${name} must be ${dtype}, got ${dtypeOf(t)}`);
  if (elements(t) !== size) throw new RangeError(`${kernel}: ${name} has ${elements(t)} elements, expected ${shape} = ${size}`);
}

export function expectCount(op: string, field: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${op}: ${field} must be a u32 count, got ${n}`);
}

/** The tensor a binding is cut from and its element offset in that tensor. */
function base(b: Bindable): { tensor: Tensor; offset: number } {
  return isSlice(b) ? { tensor: b.tensor, offset: b.offset } : { tensor: b, offset: 0 };
}

/**
 * Whether out and inp name the same n elements (the in-place form). Throws when they share a buffer any
 * other way: WebGPU forbids one buffer in a read_write and a read binding of the same dispatch.
 */
export function isInPlace(op: string, out: Bindable, inp: Bindable): boolean {
  const a = bindingRange(out);
  const b = bindingRange(inp);
  if (a.buffer !== b.buffer) return false;
  if (a.offset === b.offset) return true;
  throw new RangeError(`${op}: output ${describe(out)} and input ${describe(inp)} share a buffer without being the same elements`);
}

/** Record a copy of the first n elements of src into dst (in order with dispatches). */
export function copyElements(gpu: Gpu, dst: Bindable, src: Bindable, n: number): void {
  if (n === 0) return;
  const s = base(src);
  const d = base(dst);
  const per = DTYPE_BYTES[s.tensor.dtype];
  // copyBufferToBuffer moves whole 4-byte words.
  const bytes = Math.ceil((n * per) / 4) * 4;
  gpu.copy(s.tensor, d.tensor, bytes, s.offset * per, d.offset * per);
}

/** Throws when two of the named bindings share a GPU buffer (a kernel that reads and writes them cannot alias). */
export function expectDistinct(op: string, bindings: Readonly<Record<string, Bindable>>): void {
  const seen = new Map<GPUBuffer, string>();
  for (const [name, b] of Object.entries(bindings)) {
    const { buffer } = bindingRange(b);
    const other = seen.get(buffer);
    if (other) throw new RangeError(`${op}: ${name} ${describe(b)} shares its buffer with ${other}; they must be separate tensors`);
    seen.set(buffer, name);
  }
}

/**
 * Throws when an output shares a GPU buffer with an input, or overlaps another output, of the call: WebGPU forbids a
 * buffer written and read by one dispatch, and overlapping writable bindings; outputs in one buffer (tensors of one
 * arena) are fine apart, and inputs may share buffers among themselves. Absent (null) inputs are skipped.
 */
export function expectOutputsDistinct(
  op: string,
  outputs: Readonly<Record<string, Bindable>>,
  inputs: Readonly<Record<string, Bindable | null | undefined>>,
  hint = '',
): void {
  const outs = Object.entries(outputs);
  const ins = Object.entries(inputs).filter((e): e is [string, Bindable] => !!e[1]);
  outs.forEach(([name, t], i) => {
    const a = bindingRange(t);
    const clash = (other: string, u: Bindable) => {
      throw new RangeError(`${op}: output ${name} shares a buffer with ${other} ${describe(u)}${hint ? ` (${hint})` : ''}`);
    };
    for (const [other, u] of ins) if (bindingRange(u).buffer === a.buffer) clash(other, u);
    for (const [other, u] of outs.slice(i + 1)) {
      const b = bindingRange(u);
      if (b.buffer === a.buffer && a.offset < b.offset + b.size && b.offset < a.offset + a.size) clash(other, u);
    }
  });
}
