// NF4 (QLoRA) weights on the GPU: quantize, dequantize, and matmuls that dequantize in registers as they read.
// Shapes: N rows of activations (B*T), C in_features, OC out_features; a weight is HF Linear (OC, C).
// Codes are bitsandbytes' uint8 array packed four bytes per u32 word (byte j is byte j % 4, little-endian,
// of word j >> 2; element 2j is the high nibble of byte j). The CPU algorithm lives in nf4-cpu.ts.
import type { Gpu } from '../gpu';
import type { ConstantValue, ProgramSpec } from '../program';
import type { Bindable, Tensor } from '../tensor';
import { checkDropoutOptions, DROP_UNIFORMS, dropUniforms, type DropoutOptions } from './dropout';
import { expectBinding, expectFloatPair, expectIntegers, expectOutputsDistinct, expectTensor } from './kernel-args';
import { secondUniforms, type MatmulSecond } from './matmul';
import { SEG2_UNIFORMS, secondIsVec4, secondShader, type SecondLayout } from './matmul-programs';
import { bytesToWords, nf4Blocks, wordsToBytes } from './nf4-cpu';
import { DYNAMIC_MAP, NF4_BLOCK, NF4_CODE_F32, NF4_DOUBLE_BLOCK, NF4_THRESHOLDS, NF4_ZERO_CODE } from './nf4-tables';

export { NF4_BLOCK, NF4_CODE } from './nf4-tables';
export { nf4DequantizeCpu, nf4DoubleDequantizeCpu, nf4DoubleQuantizeCpu, nf4QuantizeCpu } from './nf4-cpu';

export interface Nf4Weight {
  /** Logical weight (rows, cols) = HF Linear (out_features, in_features). */
  rows: number;
  cols: number;
  /** u32, ceil(rows*cols/8) words of packed codes. */
  codes: Tensor;
  /** f32 (nblocks) when not double-quantized. */
  absmax: Tensor | null;
  /**
   * Double quantization: qabsmax u32 words packing one uint8 code per block; absmax2 f32 (nblocks2 + 1): one
   * scale per 256 blocks followed by the offset, so kernels read it without a host round trip; offset is its
   * host copy (NaN after a GPU quantize until nf4Read fetches it).
   */
  double: { qabsmax: Tensor; absmax2: Tensor; offset: number } | null;
  label: string;
}

const f32 = (value: number): ConstantValue => ({ type: 'f32', value: Math.fround(value) });

function tableConstants(prefix: string, values: ArrayLike<number>): Record<string, ConstantValue> {
  const out: Record<string, ConstantValue> = {};
  for (let i = 0; i < values.length; i++) out[`${prefix}${i}`] = f32(values[i]);
  return out;
}

export const nf4QuantizeProgram: ProgramSpec = {
  name: 'nf4_quantize',
  shader: 'nf4-quantize',
  workgroupSize: [64],
  bindings: [
    { name: 'codes', access: 'read_write', type: 'u32' },
    { name: 'absmax', access: 'read_write', type: 'f32' },
    { name: 'w', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'nblocks', type: 'u32' },
  ],
  constants: { BLOCK: NF4_BLOCK, ZERO_CODE: NF4_ZERO_CODE, ...tableConstants('NF4_T', NF4_THRESHOLDS) },
  includes: ['nf4-common'],
};

export const nf4DoubleQuantizeProgram: ProgramSpec = {
  name: 'nf4_double_quantize',
  shader: 'nf4-double-quantize',
  // one workgroup does everything; its size is the fixed lane count of the mean (f32Mean) and the 256-block
  workgroupSize: [NF4_DOUBLE_BLOCK],
  bindings: [
    { name: 'qabsmax', access: 'read_write', type: 'u32' },
    { name: 'absmax2', access: 'read_write', type: 'f32' },
    { name: 'absmax', access: 'read', type: 'f32' },
    { name: 'dynmap', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'nblocks', type: 'u32' },
    { name: 'nb2', type: 'u32' },
  ],
  includes: ['nf4-common'],
};

const SCALE_BINDINGS = [
  { name: 'codes', access: 'read', type: 'u32' },
  { name: 'absmax', access: 'read', type: 'f32' },
  { name: 'qabsmax', access: 'read', type: 'u32' },
  { name: 'absmax2', access: 'read', type: 'f32' },
  { name: 'dynmap', access: 'read', type: 'f32' },
] as const;

// nf4-decode.wgsl reads SCALE_BINDINGS, the uniform nb2 and the constants DOUBLE and NF4_C0..15.
const DECODE_INCLUDES = ['nf4-common', 'nf4-decode'];

const specCache = new Map<string, ProgramSpec>();
function cached(key: string, make: () => ProgramSpec): ProgramSpec {
  let spec = specCache.get(key);
  if (!spec) specCache.set(key, (spec = make()));
  return spec;
}

export function nf4DequantizeProgram(double: boolean): ProgramSpec {
  return cached(`dequantize:${double}`, () => ({
    name: double ? 'nf4_dequantize_double' : 'nf4_dequantize',
    shader: 'nf4-dequantize',
    workgroupSize: [256],
    bindings: [{ name: 'out', access: 'read_write', type: 'f32' }, ...SCALE_BINDINGS],
    uniforms: [
      { name: 'n', type: 'u32' },
      { name: 'nb2', type: 'u32' },
    ],
    constants: { DOUBLE: double, ...tableConstants('NF4_C', NF4_CODE_F32) },
    includes: DECODE_INCLUDES,
  }));
}

/** Invocations per workgroup of the dequantize-matmul, and out rows and columns per invocation. */
const MATMUL_WG: readonly [number, number] = [8, 8];
const MATMUL_ROWS = 16;
const MATMUL_COLS = 8;

/**
 * The dequantize-matmul: forward (a . W^T) or backward-input (a . W), f32 or f16 storage, plain or double scales.
 * aligned: the weight's row length is a multiple of 8, so every 8 weights decoded are one packed word in one block.
 */
export function nf4MatmulProgram(
  backward: boolean, double: boolean, dtype: 'f32' | 'f16', aligned = false, second: Nf4Second | null = null, drop: 'second' | 'out' | null = null,
): ProgramSpec {
  if ((second || drop) && dtype !== 'f32') throw new Error('nf4 matmul: a second product or a dropout needs f32 activations');
  if (drop === 'second' && !second) throw new Error('nf4 matmul: dropout on the second product needs a second product');
  const seg2 = `${second ? `_plus${second.transA ? 't' : 'n'}${second.transB ? 't' : 'n'}${second.vec4 ? '4' : ''}` : ''}${drop ? `_drop_${drop}` : ''}`;
  const sec = secondShader(second);
  return cached(`matmul:${backward}:${double}:${dtype}:${aligned}${seg2}`, () => ({
    name: `nf4_matmul_${backward ? 'bwd' : 'fwd'}${double ? '_double' : ''}${dtype === 'f16' ? '_f16' : ''}${aligned ? '_aligned' : ''}${seg2}`,
    shader: 'nf4-matmul',
    workgroupSize: MATMUL_WG,
    bindings: [
      { name: 'out', access: 'read_write', type: dtype },
      { name: 'a', access: 'read', type: dtype },
      ...SCALE_BINDINGS,
      // The second product's operands, only when there is one: they make 9 storage buffers.
      ...(second ? [{ name: 'a2', access: 'read', type: sec.type } as const, { name: 'b2', access: 'read', type: sec.type } as const] : []),
    ],
    uniforms: [
      { name: 'M', type: 'u32' },
      { name: 'J', type: 'u32' },
      { name: 'K', type: 'u32' },
      { name: 'wcols', type: 'u32' },
      { name: 'nb2', type: 'u32' },
      { name: 'accum', type: 'u32' },
      { name: 'alpha', type: 'f32' },
      ...SEG2_UNIFORMS,
      ...DROP_UNIFORMS,
    ],
    constants: {
      BACKWARD: backward, DOUBLE: double, ALIGNED: aligned, ...tableConstants('NF4_C', NF4_CODE_F32),
      SEG2: !!second, TRANS_A2: !!second?.transA, TRANS_B2: !!second?.transB, DROP_SEG2: drop === 'second', DROP_OUT: drop === 'out',
    },
    aliases: { T: dtype },
    includes: [...DECODE_INCLUDES, 'philox', 'dropout-fused', sec.include],
    f16: dtype === 'f16',
  }));
}

type Nf4Second = SecondLayout;

/** A LoRA layer added in the NF4 matmul's store: alpha * op(a) op(b) (see MatmulSecond), optionally dropped out. */
export type Nf4SecondProduct = MatmulSecond & { dropout?: DropoutOptions };

/** Whether this device binds the NF4 matmul with a second product (9 storage buffers; WebGPU's default is 8). */
export function nf4SecondProductFits(gpu: Gpu): boolean {
  return gpu.device.limits.maxStorageBuffersPerShaderStage >= 9;
}

// ---- memory ----

function doubleBlocks(nblocks: number): number {
  return Math.ceil(nblocks / NF4_DOUBLE_BLOCK);
}

function checkShape(rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`${what}: NF4 weight shape must be positive integers, got (${rows}, ${cols})`);
  }
}

/** GPU storage for an NF4 weight (rows, cols), category 'weights'; fill it with nf4Quantize or nf4Upload. */
export function allocNf4(gpu: Gpu, rows: number, cols: number, label: string, opts: { double?: boolean } = {}): Nf4Weight {
  checkShape(rows, cols, `allocNf4 "${label}"`);
  const n = rows * cols;
  const nblocks = nf4Blocks(n);
  const codes = gpu.tensor([Math.ceil(n / 8)], 'u32', 'weights', `${label}.nf4`);
  if (!opts.double) return { rows, cols, codes, absmax: gpu.tensor([nblocks], 'f32', 'weights', `${label}.absmax`), double: null, label };
  return {
    rows,
    cols,
    codes,
    absmax: null,
    double: {
      qabsmax: gpu.tensor([Math.ceil(nblocks / 4)], 'u32', 'weights', `${label}.qabsmax`),
      absmax2: gpu.tensor([doubleBlocks(nblocks) + 1], 'f32', 'weights', `${label}.absmax2`),
      offset: Number.NaN,
    },
    label,
  };
}

export function freeNf4(gpu: Gpu, w: Nf4Weight): void {
  gpu.free(w.codes, w.absmax, w.double?.qabsmax, w.double?.absmax2);
}

/** Theoretical bytes: codes (n/2), plus f32 absmax per 64, or uint8 codes per 64 + f32 per 256*64 + the offset. */
export function nf4Bytes(rows: number, cols: number, double: boolean): number {
  const n = rows * cols;
  const nblocks = nf4Blocks(n);
  const codes = Math.ceil(n / 2);
  return double ? codes + nblocks + 4 * doubleBlocks(nblocks) + 4 : codes + 4 * nblocks;
}

/** Upload a CPU quantization (nf4QuantizeCpu, and nf4DoubleQuantizeCpu if double) into fresh GPU storage. */
export function nf4Upload(
  gpu: Gpu,
  rows: number,
  cols: number,
  q: { codes: Uint8Array; absmax?: Float32Array; double?: { qabsmax: Uint8Array; absmax2: Float32Array; offset: number } },
  label: string,
): Nf4Weight {
  checkShape(rows, cols, `nf4Upload "${label}"`);
  const n = rows * cols;
  const nblocks = nf4Blocks(n);
  if (q.codes.length !== Math.ceil(n / 2)) throw new RangeError(`nf4Upload "${label}": codes has ${q.codes.length} bytes, (${rows}, ${cols}) needs ${Math.ceil(n / 2)}`);
  const w = allocNf4(gpu, rows, cols, label, { double: !!q.double });
  gpu.write(w.codes, bytesToWords(q.codes));
  if (q.double) {
    const { qabsmax, absmax2, offset } = q.double;
    if (qabsmax.length !== nblocks || absmax2.length !== doubleBlocks(nblocks)) {
      freeNf4(gpu, w);
      throw new RangeError(`nf4Upload "${label}": qabsmax (${qabsmax.length}) / absmax2 (${absmax2.length}) do not fit ${nblocks} blocks`);
    }
    gpu.write(w.double!.qabsmax, bytesToWords(qabsmax));
    const withOffset = new Float32Array(absmax2.length + 1);
    withOffset.set(absmax2);
    withOffset[absmax2.length] = offset;
    gpu.write(w.double!.absmax2, withOffset);
    w.double!.offset = Math.fround(offset);
  } else {
    if (!q.absmax || q.absmax.length !== nblocks) {
      freeNf4(gpu, w);
      throw new RangeError(`nf4Upload "${label}": absmax has ${q.absmax?.length ?? 'no'} values, (${rows}, ${cols}) needs ${nblocks}`);
    }
    gpu.write(w.absmax!, q.absmax);
  }
  return w;
}

/** Read an NF4 weight back in bitsandbytes' layout (and fill w.double.offset). */
export async function nf4Read(
  gpu: Gpu,
  w: Nf4Weight,
): Promise<{ codes: Uint8Array; absmax: Float32Array | null; double: { qabsmax: Uint8Array; absmax2: Float32Array; offset: number } | null }> {
  const n = w.rows * w.cols;
  const codes = wordsToBytes((await gpu.read(w.codes)) as Uint32Array, Math.ceil(n / 2));
  if (!w.double) return { codes, absmax: Float32Array.from(await gpu.readF32(w.absmax!)), double: null };
  const nblocks = nf4Blocks(n);
  const qabsmax = wordsToBytes((await gpu.read(w.double.qabsmax)) as Uint32Array, nblocks);
  const all = await gpu.readF32(w.double.absmax2);
  const offset = all[all.length - 1];
  w.double.offset = offset;
  return { codes, absmax: null, double: { qabsmax, absmax2: Float32Array.from(all.subarray(0, all.length - 1)), offset } };
}

const dynamicMaps = new WeakMap<Gpu, Tensor>();

/** bitsandbytes' dynamic 8-bit map on this device (1 KiB, uploaded once, kept for the device's life). */
function dynamicMapTensor(gpu: Gpu): Tensor {
  let t = dynamicMaps.get(gpu);
  if (!t) dynamicMaps.set(gpu, (t = gpu.upload(DYNAMIC_MAP, [256], 'f32', 'scratch', 'nf4.dynamic_map')));
  return t;
}

/** The five scale bindings; the ones a variant does not read get harmless stand-ins. */
function scaleBindings(gpu: Gpu, w: Nf4Weight): Record<(typeof SCALE_BINDINGS)[number]['name'], Tensor> {
  if (w.double) return { codes: w.codes, absmax: w.double.absmax2, qabsmax: w.double.qabsmax, absmax2: w.double.absmax2, dynmap: dynamicMapTensor(gpu) };
  return { codes: w.codes, absmax: w.absmax!, qabsmax: w.codes, absmax2: w.absmax!, dynmap: w.absmax! };
}

function nb2Of(w: Nf4Weight): number {
  return w.double ? w.double.absmax2.size - 1 : 0;
}

// ---- kernels ----

/**
 * w (rows*cols) f32 -> out's codes and absmax, bit-identical to nf4QuantizeCpu (and nf4DoubleQuantizeCpu when
 * out is double-quantized). Exact for blocks whose absmax is 0 or a normal float; NaN inputs are not defined.
 */
export function nf4Quantize(gpu: Gpu, out: Nf4Weight, w: Bindable): void {
  const n = out.rows * out.cols;
  expectTensor(`nf4Quantize "${out.label}"`, 'input', w, 'f32', n, `the weight (${out.rows},${out.cols})`);
  const nblocks = nf4Blocks(n);
  const absmax = out.double ? gpu.tensor([nblocks], 'f32', 'scratch', `${out.label}.absmax (double-quantized)`) : out.absmax!;
  gpu.dispatch(nf4QuantizeProgram, { codes: out.codes, absmax, w }, { n, nblocks }, gpu.grid1d(nf4QuantizeProgram, nblocks));
  if (!out.double) return;
  const { qabsmax, absmax2 } = out.double;
  gpu.dispatch(nf4DoubleQuantizeProgram, { qabsmax, absmax2, absmax, dynmap: dynamicMapTensor(gpu) }, { nblocks, nb2: doubleBlocks(nblocks) }, 1);
  out.double.offset = Number.NaN; // known on the GPU (absmax2's last value); nf4Read brings it back
  gpu.flush(); // the scratch absmax may only be destroyed once the work using it is submitted
  gpu.free(absmax);
}

/** out (rows*cols) f32 = dequant(w), row-major. */
export function nf4Dequantize(gpu: Gpu, out: Bindable, w: Nf4Weight): void {
  const n = w.rows * w.cols;
  expectTensor(`nf4Dequantize "${w.label}"`, 'output', out, 'f32', n, `the weight (${w.rows},${w.cols})`);
  const spec = nf4DequantizeProgram(!!w.double);
  gpu.dispatch(spec, { out, ...scaleBindings(gpu, w) }, { n, nb2: nb2Of(w) }, gpu.grid1d(spec, n));
}

function checkLinear(fn: string, w: Nf4Weight, N: number, C: number, OC: number, outName: string, out: Bindable, outSize: number, inName: string, inp: Bindable, inSize: number): 'f32' | 'f16' {
  expectIntegers(fn, { N: [N, 1], C: [C, 1], OC: [OC, 1] });
  if (w.rows !== OC || w.cols !== C) throw new RangeError(`${fn}: weight "${w.label}" is (${w.rows}, ${w.cols}), expected (OC, C) = (${OC}, ${C})`);
  const dt = expectFloatPair(fn, [outName, out], [inName, inp]);
  expectBinding(fn, outName, out, outSize, dt);
  expectBinding(fn, inName, inp, inSize, dt);
  return dt;
}

function matmul(
  gpu: Gpu, backward: boolean, dtype: 'f32' | 'f16', out: Bindable, a: Bindable, w: Nf4Weight, M: number, J: number, K: number, accum: boolean, alpha: number,
  second?: Nf4SecondProduct, outputDropout?: DropoutOptions,
): void {
  const fn = backward ? 'nf4LinearBackwardInput' : 'nf4LinearForward';
  if (second) {
    if (!nf4SecondProductFits(gpu)) throw new Error(`${fn}: a second product needs 9 storage buffers per stage; this device binds ${gpu.device.limits.maxStorageBuffersPerShaderStage}`);
    expectIntegers(fn, { K2: [second.K, 1] });
    expectOutputsDistinct(fn, { out }, { a2: second.a, b2: second.b }, 'the second product reads them while out is written');
    expectBinding(fn, 'a2', second.a, M * second.K, 'f32');
    expectBinding(fn, 'b2', second.b, second.K * J, 'f32');
    if (second.dropout) checkDropoutOptions(fn, second.dropout);
  }
  if (outputDropout) checkDropoutOptions(fn, outputDropout);
  if (second?.dropout && outputDropout) throw new Error(`${fn}: pass one dropout, on the second product or on the output`);
  if ((second || outputDropout) && dtype !== 'f32') throw new Error(`${fn}: a second product or a dropout needs f32 activations`);
  const secondDrop = second?.dropout && second.dropout.p > 0 ? second.dropout : undefined;
  const outDrop = outputDropout && outputDropout.p > 0 ? outputDropout : undefined;
  const layout = second ? { transA: !!second.transA, transB: !!second.transB, vec4: secondIsVec4(!!second.transA, !!second.transB, second.K) } : null;
  const spec = nf4MatmulProgram(backward, !!w.double, dtype, w.cols % 8 === 0, layout, secondDrop ? 'second' : outDrop ? 'out' : null);
  const uniforms = {
    M, J, K, wcols: w.cols, nb2: nb2Of(w), accum: accum ? 1 : 0, alpha,
    ...secondUniforms({ M, N: J }, second), ...dropUniforms(secondDrop ?? outDrop),
  };
  const grid: [number, number] = [Math.ceil(J / (MATMUL_WG[0] * MATMUL_COLS)), Math.ceil(M / (MATMUL_WG[1] * MATMUL_ROWS))];
  gpu.dispatch(spec, { out, a, ...scaleBindings(gpu, w), ...(second ? { a2: second.a, b2: second.b } : {}) }, uniforms, grid);
}

/**
 * inp (N,C), w NF4 (OC,C), out (N,OC): out = alpha * inp . dequant(w)^T [+ a second product, e.g. a LoRA
 * adapter's scaling * xa . B^T], through outputDropout if given (index n * OC + o), or out += that with
 * accumulate (a sub-layer's residual: copy it into out first).
 * f32 or f16 activations (f16 needs shader-f16); the weight is dequantized in that dtype, sums are f32.
 */
export function nf4LinearForward(
  gpu: Gpu,
  out: Bindable,
  inp: Bindable,
  w: Nf4Weight,
  N: number,
  C: number,
  OC: number,
  opts: { accumulate?: boolean; alpha?: number; second?: Nf4SecondProduct; outputDropout?: DropoutOptions } = {},
): void {
  const dt = checkLinear('nf4LinearForward', w, N, C, OC, 'out', out, N * OC, 'inp', inp, N * C);
  matmul(gpu, false, dt, out, inp, w, N, OC, C, !!opts.accumulate, opts.alpha ?? 1, opts.second, opts.outputDropout);
}

/**
 * dout (N,OC), w NF4 (OC,C), dinp (N,C): dinp = dout . dequant(w) [+ a second product, e.g. a LoRA adapter's
 * dropout'(dxa . A)], overwritten, or += with accumulate.
 * The frozen weight gets no gradient.
 */
export function nf4LinearBackwardInput(
  gpu: Gpu,
  dinp: Bindable,
  dout: Bindable,
  w: Nf4Weight,
  N: number,
  C: number,
  OC: number,
  opts: { accumulate?: boolean; second?: Nf4SecondProduct } = {},
): void {
  const dt = checkLinear('nf4LinearBackwardInput', w, N, C, OC, 'dinp', dinp, N * C, 'dout', dout, N * OC);
  matmul(gpu, true, dt, dinp, dout, w, N, C, OC, !!opts.accumulate, 1, opts.second);
}
