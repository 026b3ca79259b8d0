// GPU time per program from timestamp queries (where the device has 'timestamp-query'): while profiling, the Gpu
// gives every dispatch its own compute pass whose begin/end timestamps land in a query set; each flush resolves the
// used queries into a buffer read back after the submit. Its buffers are its own, outside the BufferPool, so the
// allocation and readback counts the profile reports are the engine's alone.
import { GPUBufferUsageFlags, GPUMapModeFlags } from './usage';

/** GPU seconds and dispatch count of one program over a profiled span. */
export interface ProgramTime {
  gpuSeconds: number;
  dispatches: number;
}

/** WebGPU caps a query set at 4096 queries: 2048 dispatches per set; a batch takes more sets as it needs them. */
const QUERIES_PER_SET = 4096;

export class TimestampProfiler {
  private readonly sets: GPUQuerySet[] = [];
  /** Program of each dispatch recorded in the current batch, in query-pair order. */
  private batch: string[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly totals = new Map<string, ProgramTime>();

  constructor(private readonly device: GPUDevice) {}

  /** The pass descriptor for the next dispatch of program: its begin and end timestamps. */
  passFor(program: string): GPUComputePassDescriptor {
    const pair = this.batch.length;
    this.batch.push(program);
    const set = Math.floor((2 * pair) / QUERIES_PER_SET);
    while (this.sets.length <= set) this.sets.push(this.device.createQuerySet({ type: 'timestamp', count: QUERIES_PER_SET, label: 'profiler' }));
    const at = (2 * pair) % QUERIES_PER_SET;
    return { timestampWrites: { querySet: this.sets[set], beginningOfPassWriteIndex: at, endOfPassWriteIndex: at + 1 } };
  }

  /** Record the resolve of this batch's queries into encoder; returns what to call once the batch is submitted. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const programs = this.batch;
    this.batch = [];
    if (programs.length === 0) return null;
    const queries = 2 * programs.length;
    const bytes = queries * 8;
    const resolved = this.device.createBuffer({ size: bytes, usage: GPUBufferUsageFlags.QUERY_RESOLVE | GPUBufferUsageFlags.COPY_SRC, label: 'profiler.resolve' });
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsageFlags.MAP_READ | GPUBufferUsageFlags.COPY_DST, label: 'profiler.read' });
    for (let s = 0; s * QUERIES_PER_SET < queries; s++) {
      const count = Math.min(QUERIES_PER_SET, queries - s * QUERIES_PER_SET);
      encoder.resolveQuerySet(this.sets[s], 0, count, resolved, s * QUERIES_PER_SET * 8);
    }
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    return () => {
      this.pending.push(
        staging.mapAsync(GPUMapModeFlags.READ).then(() => {
          const t = new BigInt64Array(staging.getMappedRange());
          programs.forEach((name, i) => {
            const ns = Number(t[2 * i + 1] - t[2 * i]);
            const entry = this.totals.get(name) ?? { gpuSeconds: 0, dispatches: 0 };
            // A pass whose timestamps the driver could not order reads as negative: count it, add no time.
            entry.gpuSeconds += Math.max(0, ns) / 1e9;
            entry.dispatches += 1;
            this.totals.set(name, entry);
          });
          staging.unmap();
          staging.destroy();
          resolved.destroy();
        }),
      );
    };
  }

  /** Every submitted batch's times, by program. */
  async results(): Promise<Map<string, ProgramTime>> {
    await Promise.all(this.pending);
    return new Map(this.totals);
  }

  destroy(): void {
    for (const s of this.sets) s.destroy();
    this.sets.length = 0;
  }
}
