// The categories GPU bytes are counted in, shared by the buffer pool that counts them, the engine that reports them
// and the studio that shows them (WebGPU has no memory query: this ledger is the "GPU memory" figure).

export const MEMORY_CATEGORIES = ['weights', 'grads', 'optimizer', 'activations', 'scratch'] as const;
export type MemoryCategory = (typeof MEMORY_CATEGORIES)[number];

export type ByCategory = Record<MemoryCategory, number>;

export interface MemoryStats {
  live: ByCategory;
  peak: ByCategory;
  liveTotal: number;
  peakTotal: number;
  buffers: number;
}
