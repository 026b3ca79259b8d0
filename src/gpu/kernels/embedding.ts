// Token embedding: lookup forward, deterministic scatter-add backward grouped by id on the host.
// Shapes: N positions (B*T), V vocabulary, C channels.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import { elements, type Bindable, type Tensor } from '../tensor';
import { checkDropoutOptions, DROP_UNIFORMS, dropUniforms, fusedDropoutProgram, type DropoutOptions } from './dropout';
import { dtypeOf, expectTensor } from './kernel-args';

export const embeddingForwardProgram: ProgramSpec = {
  name: 'embedding_forward',
  shader: 'embedding',
  workgroupSize: [256],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'ids', access: 'read', type: 'i32' },
    { name: 'table', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'N', type: 'u32' },
    { name: 'C', type: 'u32' },
    ...DROP_UNIFORMS,
  ],
  constants: { DROP: false },
  includes: ['philox', 'dropout-fused'],
};


export const embeddingBackwardProgram: ProgramSpec = {
  name: 'embedding_backward',
  shader: 'embedding-backward',
  workgroupSize: [64],
  bindings: [
    { name: 'dtable', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'f32' },
    { name: 'uniqueIds', access: 'read', type: 'i32' },
    { name: 'offsets', access: 'read', type: 'i32' },
    { name: 'positions', access: 'read', type: 'i32' },
  ],
  uniforms: [
    { name: 'count', type: 'u32' },
    { name: 'C', type: 'u32' },
  ],
};

// ids (N) i32, table (V,C), out (N,C) = [dropout](table[ids]); ids are validated on the host (0 <= id < V) by the caller
export function embeddingForward(gpu: Gpu, out: Bindable, ids: Bindable, table: Bindable, N: number, C: number, dropout?: DropoutOptions): void {
  const k = 'embeddingForward';
  if (!Number.isInteger(N) || N < 0 || !Number.isInteger(C) || C < 1) throw new RangeError(`${k}: bad sizes N=${N}, C=${C}`);
  expectTensor(k, 'out', out, 'f32', N * C, `(N,C) = (${N},${C})`);
  expectTensor(k, 'ids', ids, 'i32', N, `(N) = (${N})`);
  if (dtypeOf(table) !== 'f32' || elements(table) % C !== 0) {
    throw new RangeError(`${k}: table must be f32 (V,C) with C = ${C}, got ${dtypeOf(table)} with ${elements(table)} elements`);
  }
  if (dropout) checkDropoutOptions(k, dropout);
  const drop = dropout && dropout.p > 0 ? dropout : undefined;
  // With the model's input dropout drawn as the rows are written.
  const program = drop ? fusedDropoutProgram(embeddingForwardProgram) : embeddingForwardProgram;
  gpu.dispatch(program, { out, ids, table }, { N, C, ...dropUniforms(drop) }, gpu.grid1d(program, N * C));
}

/** Positions grouped by id: id uniqueIds[k] occurs at positions[offsets[k] .. offsets[k+1]), ascending. */
export interface EmbeddingGradIndex {
  uniqueIds: Int32Array;
  offsets: Int32Array /* length unique+1 */;
  positions: Int32Array;
}

/** Deterministic backward: no float atomics in WGSL, so the host groups positions by id (it knows the batch ids). */
export function embeddingGradIndex(ids: ArrayLike<number>): EmbeddingGradIndex {
  const N = ids.length;
  for (let p = 0; p < N; p++) {
    if (!Number.isInteger(ids[p]) || ids[p] < 0 || ids[p] > 0x7fffffff) throw new RangeError(`embeddingGradIndex: ids[${p}] = ${ids[p]} is not a token id`);
  }
  // Stable sort by id keeps positions ascending within each id.
  const positions = Int32Array.from({ length: N }, (_, p) => p).sort((a, b) => ids[a] - ids[b] || a - b);
  const uniqueIds: number[] = [];
  const offsets: number[] = [];
  for (let j = 0; j < N; j++) {
    const id = ids[positions[j]];
    if (j === 0 || id !== uniqueIds[uniqueIds.length - 1]) {
      uniqueIds.push(id);
      offsets.push(j);
    }
  }
  offsets.push(N);
  return { uniqueIds: Int32Array.from(uniqueIds), offsets: Int32Array.from(offsets), positions };
}

/** The index on the GPU; `count` is the number of unique ids. Free the tensors with gpu.free(...). */
export interface EmbeddingGradIndexGpu {
  uniqueIds: Tensor;
  offsets: Tensor;
  positions: Tensor;
  count: number;
}

function checkIndex(index: EmbeddingGradIndex): void {
  const count = index.uniqueIds.length;
  if (index.offsets.length !== count + 1 || index.offsets[count] !== index.positions.length) {
    throw new RangeError(`uploadEmbeddingGradIndex: offsets (${index.offsets.length}) must have ${count + 1} entries ending at positions.length (${index.positions.length})`);
  }
}

export function uploadEmbeddingGradIndex(gpu: Gpu, index: EmbeddingGradIndex, label: string): EmbeddingGradIndexGpu {
  checkIndex(index);
  const count = index.uniqueIds.length;
  return {
    uniqueIds: gpu.upload(index.uniqueIds, [count], 'i32', 'scratch', `${label}.uniqueIds`),
    offsets: gpu.upload(index.offsets, [count + 1], 'i32', 'scratch', `${label}.offsets`),
    positions: gpu.upload(index.positions, [index.positions.length], 'i32', 'scratch', `${label}.positions`),
    count,
  };
}

/**
 * The index's GPU buffers kept across steps: each upload writes into buffers sized for the batch's positions (grown
 * when a batch has more), so a training step allocates nothing for it. The tensors upload returns are views of the
 * held buffers, valid until the next upload under the same label; free the holder, not them.
 */
export class EmbeddingGradIndexBuffers {
  private readonly held = new Map<string, Tensor>();

  constructor(private readonly gpu: Gpu) {}

  upload(index: EmbeddingGradIndex, label: string): EmbeddingGradIndexGpu {
    checkIndex(index);
    const N = index.positions.length;
    const view = (name: string, data: Int32Array, capacity: number): Tensor => {
      const key = `${label}.${name}`;
      let t = this.held.get(key);
      if (!t || t.size < data.length) {
        this.gpu.free(t);
        t = this.gpu.tensor([Math.max(1, capacity)], 'i32', 'scratch', key);
        this.held.set(key, t);
      }
      this.gpu.write(t, data);
      return { ...t, shape: [data.length], size: data.length, bytes: Math.max(4, data.length * 4) };
    };
    return {
      uniqueIds: view('uniqueIds', index.uniqueIds, N),
      offsets: view('offsets', index.offsets, N + 1),
      positions: view('positions', index.positions, N),
      count: index.uniqueIds.length,
    };
  }

  free(): void {
    for (const t of this.held.values()) this.gpu.free(t);
    this.held.clear();
  }
}

// dtable (V,C) += sum over positions p with ids[p]==id of dout[p]; dout (N,C); index from uploadEmbeddingGradIndex
/** dtable accumulates (+=); zero it with gpu.zero first when that is not wanted. */
export function embeddingBackward(gpu: Gpu, dtable: Bindable, dout: Bindable, index: EmbeddingGradIndexGpu, C: number): void {
  const k = 'embeddingBackward';
  if (!Number.isInteger(C) || C < 1) throw new RangeError(`${k}: bad size C=${C}`);
  const N = index.positions.size;
  expectTensor(k, 'dout', dout, 'f32', N * C, `(N,C) = (${N},${C})`);
  if (dtypeOf(dtable) !== 'f32' || elements(dtable) % C !== 0) {
    throw new RangeError(`${k}: dtable must be f32 (V,C) with C = ${C}, got ${dtypeOf(dtable)} with ${elements(dtable)} elements`);
  }
  const { uniqueIds, offsets, positions, count } = index;
  if (uniqueIds.size !== count || offsets.size !== count + 1) throw new RangeError(`${k}: index tensors do not hold ${count} unique ids`);
  if (count === 0) return;
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const z = Math.ceil(count / max);
  const y = Math.ceil(count / z);
  const x = Math.ceil(C / embeddingBackwardProgram.workgroupSize[0]);
  gpu.dispatch(embeddingBackwardProgram, { dtable, dout, uniqueIds, offsets, positions }, { count, C }, [x, y, z]);
}
