// The engine's handle on one GPU device: memory (BufferPool), programs (pipeline cache), and a recorder
// that batches dispatches into one command buffer per flush. Host-agnostic: the caller brings the device
// and a way to read WGSL sources.
import type { MemoryCategory, MemoryStats } from '../settings/memory';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import type { AcquiredDevice, GpuInfo } from './device';
import { GpuProgramError, programsNamedIn, type GpuErrorReport } from './errors';
import { TimestampProfiler, type ProgramTime } from './profiler';
import { assembleWgsl, packUniforms, programKey, uniformBytes, workgroupDims, type ProgramSpec } from './program';
import { bindingRange, DTYPE_BYTES, hostArrayFor, numel, type Bindable, type DType, type HostArray, type Tensor, type TensorSlice } from './tensor';
import { GPUBufferUsageFlags, GPUMapModeFlags } from './usage';

/** Reads shaders/<name>.wgsl. The browser host bundles them with Vite; Node reads them from disk. */
export type ShaderSource = (name: string) => string;

export type Workgroups = number | readonly [number, number?, number?];

/** An arena buffer: its whole-buffer tensor (null once freed) and the views cut from it still alive. */
interface ArenaEntry {
  owner: Tensor | null;
  readonly views: Set<Tensor>;
}

interface Pipeline {
  spec: ProgramSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const UNIFORM_CHUNK_BYTES = 64 * 1024;
/** The shared readback buffer: losses, norms, and a generation step's logits up to two rows of flan-t5's vocabulary. */
const READBACK_STAGING_BYTES = 256 * 1024;

/** Small host writes recorded mid-flush go through this many bytes of staging chunks, not through a submit. */
const STAGED_WRITE_CHUNK_BYTES = 256 * 1024;

/**
 * Host data for one flush (uniform blocks, or small tensor writes recorded as copies), packed at an alignment in
 * reusable chunks that are written to the GPU once, just before the flush's submit.
 */
class UniformArena {
  private chunks: { buffer: GPUBuffer; data: ArrayBuffer }[] = [];
  private chunk = 0;
  private offset = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly align: number,
    private readonly chunkBytes = UNIFORM_CHUNK_BYTES,
    private readonly usage: number = GPUBufferUsageFlags.UNIFORM | GPUBufferUsageFlags.COPY_DST,
    private readonly label = 'uniforms',
  ) {}

  /** Make the first chunk now, so the first use allocates nothing. */
  reserve(): this {
    if (this.chunks.length === 0) this.addChunk();
    return this;
  }

  private addChunk(): void {
    const { buffer } = this.pool.alloc('scratch', this.chunkBytes, `${this.label}#${this.chunks.length}`, this.usage);
    this.chunks.push({ buffer, data: new ArrayBuffer(this.chunkBytes) });
  }

  take(bytes: number): { buffer: GPUBuffer; offset: number; view: DataView } {
    if (bytes > this.chunkBytes) throw new RangeError(`${this.label} block of ${bytes} bytes is too large`);
    if (this.offset + bytes > this.chunkBytes) {
      this.chunk += 1;
      this.offset = 0;
    }
    if (this.chunk === this.chunks.length) this.addChunk();
    const c = this.chunks[this.chunk];
    const at = this.offset;
    this.offset = Math.ceil((at + bytes) / this.align) * this.align;
    return { buffer: c.buffer, offset: at, view: new DataView(c.data) };
  }

  /** Queue the writes of everything taken since the last upload; chunks are reusable afterwards. */
  upload(): void {
    const used = this.offset > 0 ? this.chunk + 1 : this.chunk;
    for (let i = 0; i < used; i++) {
      const size = i === this.chunk ? this.offset : this.chunkBytes;
      this.device.queue.writeBuffer(this.chunks[i].buffer, 0, this.chunks[i].data, 0, size);
    }
    this.chunk = 0;
    this.offset = 0;
  }

  destroy(): void {
    for (const c of this.chunks) this.pool.release(c.buffer);
    this.chunks = [];
  }
}

/** What the engine has asked of the device so far; a profile reports the differences over a step. */
export interface GpuCounters {
  dispatches: number;
  submits: number;
  /** GPU -> host reads (each one waits for the queue). */
  readbacks: number;
  /** Buffers created through the pool. */
  allocations: number;
  bindGroups: number;
  /** clearBuffer commands (gpu.zero). */
  clears: number;
  /** Host -> GPU writes of tensor data (uniform uploads not included). */
  writes: number;
}

export interface GpuOptions {
  /** Check every flush with error scopes and make finish() throw on the first error (tests, CLI). */
  strict?: boolean;
}

export class Gpu {
  readonly device: GPUDevice;
  readonly info: GpuInfo;
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly arenas = new Map<GPUBuffer, ArenaEntry>();
  private readonly uniforms: UniformArena;
  /** Small tensor writes recorded between dispatches (copied from here in order), so a write need not submit. */
  private readonly stagedWrites: UniformArena;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchPrograms = new Set<string>();
  private pendingChecks: Promise<GpuErrorReport | null>[] = [];
  private readonly listeners = new Set<(r: GpuErrorReport) => void>();
  private lastSubmitted: string[] = [];
  private lost = false;
  private readonly counts = { dispatches: 0, submits: 0, readbacks: 0, bindGroups: 0, clears: 0, writes: 0 };
  private profiler: TimestampProfiler | null = null;
  private readonly staging: PooledBuffer;
  private stagingBusy = false;
  readonly strict: boolean;

  constructor(acquired: AcquiredDevice, private readonly shaderSource: ShaderSource, options: GpuOptions = {}) {
    this.device = acquired.device;
    this.info = acquired.info;
    this.strict = options.strict ?? false;
    this.pool = new BufferPool(this.device);
    this.uniforms = new UniformArena(this.device, this.pool, this.device.limits.minUniformBufferOffsetAlignment);
    const copySource = GPUBufferUsageFlags.COPY_SRC | GPUBufferUsageFlags.COPY_DST;
    this.stagedWrites = new UniformArena(this.device, this.pool, 4, STAGED_WRITE_CHUNK_BYTES, copySource, 'staged writes').reserve();
    this.staging = this.pool.alloc('scratch', READBACK_STAGING_BYTES, 'readback staging', GPUBufferUsageFlags.MAP_READ | GPUBufferUsageFlags.COPY_DST);
    this.device.addEventListener('uncapturederror', (ev) => {
      const error = (ev as GPUUncapturedErrorEvent).error;
      // Class names rather than instanceof: not every host exposes the error classes as globals.
      const cls = error.constructor?.name ?? '';
      const kind = cls.includes('OutOfMemory') ? 'out-of-memory' : cls.includes('Validation') ? 'validation' : 'internal';
      const named = programsNamedIn(error.message);
      this.report({ kind, message: error.message, programs: named.length ? named : [...this.lastSubmitted] });
    });
    void this.device.lost.then((info) => {
      this.lost = true;
      if (info.reason === 'destroyed') return;
      this.report({ kind: 'device-lost', message: info.message || 'the GPU device was lost', programs: [...this.lastSubmitted] });
    });
  }

  onError(listener: (r: GpuErrorReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private report(r: GpuErrorReport): void {
    for (const l of this.listeners) l(r);
  }

  // ---- memory ----

  tensor(shape: readonly number[], dtype: DType, category: MemoryCategory, label: string): Tensor {
    const size = numel(shape);
    const { buffer, bytes } = this.pool.alloc(category, size * DTYPE_BYTES[dtype], label);
    return { buffer, byteOffset: 0, shape: [...shape], dtype, size, bytes, category, label };
  }

  /**
   * One buffer of at least `bytes` (f32 elements) to cut tensors from with view(), so that a kernel, a copy or a
   * clear can sweep many tensors at once. The buffer is released when it and every view of it are freed.
   */
  arena(category: MemoryCategory, bytes: number, label: string): Tensor {
    const t = this.tensor([Math.max(1, Math.ceil(bytes / 4))], 'f32', category, label);
    this.arenas.set(t.buffer, { owner: t, views: new Set() });
    return t;
  }

  /**
   * A tensor of `shape` held in arena from byteOffset on (a multiple of the storage offset alignment, so it binds
   * like a buffer of its own); its category is the arena's. Views of one arena never overlap.
   */
  view(arena: Tensor, byteOffset: number, shape: readonly number[], dtype: DType, label: string): Tensor {
    const entry = this.arenas.get(arena.buffer);
    if (!entry || entry.owner !== arena) throw new Error(`"${arena.label}" is not a live arena (gpu.arena)`);
    const align = this.device.limits.minStorageBufferOffsetAlignment;
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % align !== 0) {
      throw new RangeError(`view "${label}" of "${arena.label}" starts at byte ${byteOffset}, not a multiple of ${align}`);
    }
    const size = numel(shape);
    const bytes = Math.max(4, Math.ceil((size * DTYPE_BYTES[dtype]) / 4) * 4);
    if (byteOffset + bytes > arena.bytes) throw new RangeError(`view "${label}" (bytes ${byteOffset}..${byteOffset + bytes}) overflows "${arena.label}" (${arena.bytes} bytes)`);
    for (const v of entry.views) {
      if (byteOffset < v.byteOffset + v.bytes && v.byteOffset < byteOffset + bytes) {
        throw new RangeError(`view "${label}" (bytes ${byteOffset}..${byteOffset + bytes}) overlaps "${v.label}" in "${arena.label}"`);
      }
    }
    const t: Tensor = { buffer: arena.buffer, byteOffset, shape: [...shape], dtype, size, bytes, category: arena.category, label };
    entry.views.add(t);
    return t;
  }

  /** A tensor filled from host data (shape must match the data's length). */
  upload(data: HostArray, shape: readonly number[], dtype: DType, category: MemoryCategory, label: string): Tensor {
    const t = this.tensor(shape, dtype, category, label);
    this.write(t, data);
    return t;
  }

  write(t: Tensor, data: HostArray, elementOffset = 0): void {
    const bytesPer = DTYPE_BYTES[t.dtype];
    if (elementOffset + data.length > t.size) {
      throw new RangeError(`writing ${data.length} elements at ${elementOffset} overflows "${t.label}" (${t.size} elements)`);
    }
    if (t.dtype === 'f16' && elementOffset % 2 !== 0) throw new RangeError(`f16 writes into "${t.label}" must start at an even element, not ${elementOffset}`);
    if (t.dtype === 'f16' && data.length % 2 !== 0 && elementOffset + data.length !== t.size) {
      // The last word would be written whole, clobbering the next half: only the tensor's own padding may be.
      throw new RangeError(`an odd count of f16 values can only be written up to the end of "${t.label}"`);
    }
    this.counts.writes += 1;
    const dstOffset = t.byteOffset + elementOffset * bytesPer;
    if (this.encoder && data.byteLength % 4 === 0 && dstOffset % 4 === 0 && data.byteLength > 0 && data.byteLength <= STAGED_WRITE_CHUNK_BYTES) {
      // Work is recorded: the write becomes a copy recorded after it (from data staged for this flush), so recorded
      // work still sees the buffer as it was and the write costs no submit.
      const slot = this.stagedWrites.take(data.byteLength);
      new Uint8Array(slot.view.buffer, slot.offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.endPass();
      this.encoder.copyBufferToBuffer(slot.buffer, slot.offset, t.buffer, dstOffset, data.byteLength);
      return;
    }
    // Recorded work must see the buffer as it was when it was recorded.
    if (this.encoder) this.flush();
    const byteLength = data.byteLength - (data.byteLength % 4);
    if (byteLength > 0) this.device.queue.writeBuffer(t.buffer, dstOffset, data.buffer, data.byteOffset, byteLength);
    if (byteLength !== data.byteLength) {
      // An odd count of f16 values: the last word is written padded.
      const tail = new Uint16Array(2);
      tail[0] = (data as Uint16Array)[data.length - 1];
      this.device.queue.writeBuffer(t.buffer, dstOffset + byteLength, tail.buffer, 0, 4);
    }
  }

  /** Elements [offset, offset + size) of t, to bind where the whole tensor is too big for one binding. */
  slice(t: Tensor, offset: number, size: number): TensorSlice {
    const slice = { tensor: t, offset, size };
    bindingRange(slice);
    return slice;
  }

  /** Elements per slice offset step: slices must start on the device's storage offset alignment. */
  sliceAlignment(dtype: DType): number {
    return this.device.limits.minStorageBufferOffsetAlignment / DTYPE_BYTES[dtype];
  }

  /** Zero a whole tensor on the GPU (recorded in order with dispatches). */
  zero(t: Tensor): void {
    this.endPass();
    this.commandEncoder().clearBuffer(t.buffer, t.byteOffset, t.bytes);
    this.counts.clears += 1;
  }

  /** Zero every tensor; an arena whose live views are all among them is cleared whole, with one command. */
  zeroAll(tensors: readonly Tensor[]): void {
    const byArena = new Map<GPUBuffer, Set<Tensor>>();
    for (const t of tensors) {
      if (!this.arenas.get(t.buffer)?.views.has(t)) {
        this.zero(t);
        continue;
      }
      const set = byArena.get(t.buffer) ?? new Set<Tensor>();
      set.add(t);
      byArena.set(t.buffer, set);
    }
    for (const [buffer, set] of byArena) {
      const entry = this.arenas.get(buffer)!;
      if (set.size < entry.views.size) {
        for (const t of set) this.zero(t);
        continue;
      }
      // Padding between views is zero already: clearing it too changes nothing a view holds.
      this.endPass();
      this.commandEncoder().clearBuffer(buffer);
      this.counts.clears += 1;
    }
  }

  free(...tensors: (Tensor | null | undefined)[]): void {
    // Recorded work may still use these buffers: a destroyed buffer in a later submit is invalid.
    if (this.encoder && tensors.some(Boolean)) this.flush();
    for (const t of tensors) if (t) this.release(t);
  }

  private release(t: Tensor): void {
    const entry = this.arenas.get(t.buffer);
    if (!entry) {
      this.pool.release(t.buffer);
      return;
    }
    if (t === entry.owner) entry.owner = null;
    else if (!entry.views.delete(t)) throw new Error(`"${t.label}" is not a live tensor of this arena (freed twice?)`);
    if (entry.owner || entry.views.size > 0) return;
    this.arenas.delete(t.buffer);
    this.pool.release(t.buffer);
  }

  memory(): MemoryStats {
    return this.pool.stats();
  }

  async read(t: Tensor): Promise<HostArray> {
    const bytes = Math.ceil((t.size * DTYPE_BYTES[t.dtype]) / 4) * 4;
    // Small reads (losses, norms, a few rows of logits) share one staging buffer kept for the device's life, so a
    // step allocates nothing; a large read, or one while the shared buffer is mapped, gets its own.
    const shared = !this.stagingBusy && bytes <= READBACK_STAGING_BYTES;
    const staging = shared ? this.staging : this.pool.alloc('scratch', bytes, `readback:${t.label}`, GPUBufferUsageFlags.MAP_READ | GPUBufferUsageFlags.COPY_DST);
    if (shared) this.stagingBusy = true;
    this.counts.readbacks += 1;
    try {
      this.endPass();
      this.commandEncoder().copyBufferToBuffer(t.buffer, t.byteOffset, staging.buffer, 0, bytes);
      this.flush();
      await staging.buffer.mapAsync(GPUMapModeFlags.READ, 0, bytes);
      const copy = staging.buffer.getMappedRange(0, bytes).slice(0);
      staging.buffer.unmap();
      await this.check();
      return hostArrayFor(t.dtype, copy, t.size);
    } finally {
      if (shared) this.stagingBusy = false;
      else this.pool.release(staging.buffer);
    }
  }

  async readF32(t: Tensor): Promise<Float32Array> {
    if (t.dtype !== 'f32') throw new TypeError(`"${t.label}" is ${t.dtype}, not f32`);
    return (await this.read(t)) as Float32Array;
  }

  /** Record a copy of bytes from src (at srcOffset bytes into it) to dst (at dstOffset bytes into it). */
  copy(src: Tensor, dst: Tensor, bytes = Math.min(src.bytes, dst.bytes), srcOffset = 0, dstOffset = 0): void {
    if (srcOffset + bytes > src.bytes || dstOffset + bytes > dst.bytes) {
      throw new RangeError(`copy of ${bytes} bytes from "${src.label}" at ${srcOffset} (${src.bytes} bytes) to "${dst.label}" at ${dstOffset} (${dst.bytes} bytes) overflows`);
    }
    if (src.buffer === dst.buffer) throw new RangeError(`copy from "${src.label}" to "${dst.label}": WebGPU cannot copy within one buffer (an arena)`);
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src.buffer, src.byteOffset + srcOffset, dst.buffer, dst.byteOffset + dstOffset, bytes);
  }

  // ---- programs ----

  pipeline(spec: ProgramSpec, compiled?: GPUShaderModule): Pipeline {
    const key = programKey(spec);
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    if (spec.f16 && !this.info.f16) throw new Error(`program "${spec.name}" needs shader-f16, which this adapter lacks`);
    if (spec.subgroups && !this.info.subgroups) throw new Error(`program "${spec.name}" needs subgroups, which this adapter lacks`);
    const module = compiled ?? this.device.createShaderModule({ code: this.wgsl(spec), label: spec.name });
    const pipeline = this.device.createComputePipeline({
      label: spec.name,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main' },
    });
    const entry = { spec, pipeline, layout: pipeline.getBindGroupLayout(0) };
    this.pipelines.set(key, entry);
    return entry;
  }

  /** The whole WGSL of a program: generated header, shared includes, body. */
  wgsl(spec: ProgramSpec): string {
    return assembleWgsl(spec, this.shaderSource(spec.shader), (spec.includes ?? []).map((name) => this.shaderSource(name)));
  }

  /** Compile now and throw a message naming the program if its WGSL is wrong. */
  async compile(spec: ProgramSpec): Promise<void> {
    const module = this.device.createShaderModule({ code: this.wgsl(spec), label: spec.name });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      const text = errors.map((m) => `${spec.shader}.wgsl (generated line ${m.lineNum}:${m.linePos}): ${m.message}`).join('\n');
      throw new GpuProgramError({ kind: 'compile', message: text, programs: [spec.name] });
    }
    this.pipeline(spec, module);
    await this.check();
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** Record one dispatch. Bindings are matched by name against the program table. */
  dispatch(spec: ProgramSpec, bindings: Readonly<Record<string, Bindable>>, uniforms: Readonly<Record<string, number>>, workgroups: Workgroups): void {
    if (this.lost) throw new GpuProgramError({ kind: 'device-lost', message: 'the GPU device is gone; reload to start again', programs: [spec.name] });
    const [x, y = 1, z = 1] = typeof workgroups === 'number' ? [workgroups] : workgroups;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new RangeError(`program "${spec.name}" asked for ${x}x${y}x${z} workgroups; each dimension is limited to ${max}`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    for (const name of Object.keys(bindings)) {
      if (!spec.bindings.some((b) => b.name === name)) throw new Error(`program "${spec.name}" has no binding "${name}"`);
    }
    this.beginBatch();
    const { pipeline, layout } = this.pipeline(spec);
    const entries: GPUBindGroupEntry[] = spec.bindings.map((b, i) => {
      const t = bindings[b.name];
      if (!t) throw new Error(`program "${spec.name}" needs binding "${b.name}"`);
      const range = bindingRange(t);
      if (range.offset % this.device.limits.minStorageBufferOffsetAlignment !== 0) {
        throw new RangeError(`program "${spec.name}": binding "${b.name}" starts at byte ${range.offset}, not a multiple of ${this.device.limits.minStorageBufferOffsetAlignment}`);
      }
      return { binding: i, resource: range };
    });
    if ((spec.uniforms?.length ?? 0) > 0) {
      const size = uniformBytes(spec);
      const slot = this.uniforms.take(size);
      packUniforms(spec, uniforms, slot.view, slot.offset);
      entries.push({ binding: spec.bindings.length, resource: { buffer: slot.buffer, offset: slot.offset, size } });
    } else if (Object.keys(uniforms).length > 0) {
      throw new Error(`program "${spec.name}" takes no uniforms`);
    }
    const group = this.device.createBindGroup({ layout, entries, label: spec.name });
    this.counts.bindGroups += 1;
    // Profiling: a pass per dispatch, so its timestamps time this program alone.
    if (this.profiler) this.endPass();
    const pass = this.computePass(this.profiler?.passFor(spec.name));
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) this.endPass();
    this.counts.dispatches += 1;
    this.batchPrograms.add(spec.name);
  }

  // ---- counting and profiling ----

  /** Totals since the device was made; subtract two snapshots for a span's figures. */
  counters(): GpuCounters {
    return { ...this.counts, allocations: this.pool.allocations };
  }

  /** Start timing every dispatch on the GPU; false (and nothing timed) when the device lacks timestamp queries. */
  startProfile(): boolean {
    if (!this.info.timestamps) return false;
    this.flush();
    this.profiler?.destroy();
    this.profiler = new TimestampProfiler(this.device);
    return true;
  }

  /** Stop timing (flushing what is recorded) and return GPU seconds and dispatches per program. */
  async stopProfile(): Promise<Map<string, ProgramTime>> {
    const profiler = this.profiler;
    if (!profiler) return new Map();
    this.flush();
    this.profiler = null;
    const times = await profiler.results();
    profiler.destroy();
    return times;
  }

  /** Workgroup counts covering n invocations of a 1-D program, folded into y past the per-dimension limit. */
  grid1d(spec: ProgramSpec, n: number): [number, number] {
    const groups = Math.ceil(n / workgroupDims(spec)[0]);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= max) return [groups, 1];
    const y = Math.ceil(groups / max);
    return [Math.ceil(groups / y), y];
  }

  // ---- submission ----

  private beginBatch(): void {
    if (this.encoder) return;
    if (this.strict) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
    }
    this.encoder = this.device.createCommandEncoder({ label: 'stepwise' });
  }

  private commandEncoder(): GPUCommandEncoder {
    this.beginBatch();
    return this.encoder!;
  }

  private computePass(descriptor?: GPUComputePassDescriptor): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass(descriptor);
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    this.uniforms.upload();
    this.stagedWrites.upload();
    const programs = [...this.batchPrograms];
    const resolved = this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.counts.submits += 1;
    resolved?.();
    this.encoder = null;
    this.batchPrograms = new Set();
    this.lastSubmitted = programs;
    if (this.strict) {
      const scopes = [this.device.popErrorScope(), this.device.popErrorScope()];
      this.pendingChecks.push(
        Promise.all(scopes).then(([validation, oom]) => {
          const e = validation ?? oom;
          if (!e) return null;
          const named = programsNamedIn(e.message);
          return { kind: validation ? 'validation' : 'out-of-memory', message: e.message, programs: named.length ? named : programs };
        }),
      );
    }
  }

  /** Flush and wait for the GPU; in strict mode throws the first error of the work since the last check. */
  async finish(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.check();
  }

  private async check(): Promise<void> {
    const checks = this.pendingChecks;
    this.pendingChecks = [];
    for (const report of await Promise.all(checks)) {
      if (report) throw new GpuProgramError(report);
    }
  }

  destroy(): void {
    if (this.encoder) this.flush();
    this.uniforms.destroy();
    this.stagedWrites.destroy();
    this.pool.release(this.staging.buffer);
    this.profiler?.destroy();
    this.pipelines.clear();
    this.device.destroy();
  }
}
