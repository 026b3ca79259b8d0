// One checkpoint read from a CheckpointSource and uploaded to the GPU for inference (frozen f32 weights), with its
// tokenizer; generate() runs the KV-cached T5Generator. Progress and cancellation come from the Engine.
import type { Gpu } from '../gpu/gpu';
import { MEMORY_CATEGORIES, type ByCategory } from '../settings/memory';
import type { ByteSource } from '../io/byte-source';
import { type CheckpointSource, type LoadedCheckpoint, loadCheckpoint } from '../io/checkpoint';
import { T5Generator } from '../model/generate';
import { loadT5, type T5Model } from '../model/t5-model';
import { createTextTokenizer, type T5Tokenizer } from '../model/tokenizer';
import type { GenerateRequestOptions, LoadReport } from './api';

export const CANCELLED = 'load cancelled';
export const GENERATE_LIMITS = { texts: 16, inputTokens: 512, maxNewTokens: 512, beams: 8 } as const;

type Report = Omit<LoadReport, 'loadId'>;

/** Every read of the source first checks the signal, so a cancel stops at the next file or tensor. */
export function abortableSource(source: CheckpointSource, signal: AbortSignal): CheckpointSource {
  const check = () => {
    if (signal.aborted) throw new Error(CANCELLED);
  };
  const wrapBytes = (b: ByteSource): ByteSource => ({
    size: b.size,
    read: async (offset, length) => {
      check();
      return b.read(offset, length);
    },
  });
  return {
    label: source.label,
    list: async () => (check(), source.list()),
    open: async (name) => (check(), wrapBytes(await source.open(name))),
    text: async (name) => (check(), source.text(name)),
  };
}

/** Read and check a checkpoint's files (config, tokenizer, safetensors headers): nothing touches the GPU yet. */
export async function readCheckpoint(source: CheckpointSource, report: (r: Report) => void): Promise<{ checkpoint: LoadedCheckpoint; tokenizer: T5Tokenizer }> {
  const checkpoint = await loadCheckpoint(source, (p) =>
    report({ stage: 'read', file: p.file, loadedBytes: 0, totalBytes: undefined, done: p.done, total: p.total, cached: false }),
  );
  let tokenizer: T5Tokenizer;
  try {
    tokenizer = createTextTokenizer(checkpoint.tokenizerJson, checkpoint.tokenizerConfig);
  } catch (e) {
    throw new Error(`${checkpoint.label}: ${(e as Error).message}`);
  }
  if (tokenizer.size > checkpoint.config.vocab_size) {
    throw new Error(`${checkpoint.label}: tokenizer.json has ${tokenizer.size} pieces but config.json vocab_size is ${checkpoint.config.vocab_size}; they belong to different models`);
  }
  return { checkpoint, tokenizer };
}

export class LoadedModel {
  private constructor(
    private readonly gpu: Gpu,
    readonly model: T5Model,
    readonly tokenizer: T5Tokenizer,
    readonly bytesOnGpu: ByCategory,
  ) {}

  /** Upload every parameter (frozen); on failure or cancel whatever was uploaded is freed. */
  static async upload(gpu: Gpu, checkpoint: LoadedCheckpoint, tokenizer: T5Tokenizer, signal: AbortSignal, report: (r: Report) => void): Promise<LoadedModel> {
    const before = gpu.memory().live;
    const totalBytes = checkpoint.specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    let loadedBytes = 0;
    const model = await loadT5(gpu, checkpoint.config, async (name, shape) => {
      if (signal.aborted) throw new Error(CANCELLED);
      const data = await checkpoint.readTensor(name);
      loadedBytes += 4 * shape.reduce((a, b) => a * b, 1);
      return data;
    }, {
      trainBase: false,
      onProgress: (done, total, name) => report({ stage: 'upload', file: name, loadedBytes, totalBytes, done, total, cached: false }),
    });
    // The upload may still be queued: wait, so errors surface here and the bytes are really there.
    try {
      await gpu.finish();
    } catch (e) {
      model.params.free();
      throw e;
    }
    const after = gpu.memory().live;
    const bytes = Object.fromEntries(MEMORY_CATEGORIES.map((c) => [c, after[c] - before[c]])) as ByCategory;
    return new LoadedModel(gpu, model, tokenizer, bytes);
  }

  get parameterCount(): number {
    let n = 0;
    for (const p of this.model.params.params.values()) n += p.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  async generate(texts: string[], o: GenerateRequestOptions): Promise<string[]> {
    const L = GENERATE_LIMITS;
    const beams = o.numBeams ?? 1;
    if (!Array.isArray(texts) || texts.length === 0 || texts.length > L.texts) throw new Error(`generate: give 1 to ${L.texts} texts (got ${Array.isArray(texts) ? texts.length : typeof texts})`);
    if (texts.some((t) => typeof t !== 'string')) throw new Error('generate: every text must be a string');
    if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1 || o.maxNewTokens > L.maxNewTokens) throw new Error(`generate: maxNewTokens must be an integer from 1 to ${L.maxNewTokens} (got ${o.maxNewTokens})`);
    if (!Number.isInteger(beams) || beams < 1 || beams > L.beams) throw new Error(`generate: numBeams must be an integer from 1 to ${L.beams} (got ${beams})`);
    const encoded = texts.map((t) => this.tokenizer.encode(t));
    const Tin = Math.max(...encoded.map((e) => e.length));
    if (Tin > L.inputTokens) throw new Error(`generate: an input is ${Tin} tokens long; the limit here is ${L.inputTokens}`);
    const pad = this.tokenizer.padId;
    const ids = encoded.map((e) => [...e, ...new Array<number>(Tin - e.length).fill(pad)]);
    const mask = encoded.map((e) => Array.from({ length: Tin }, (_, i) => (i < e.length ? 1 : 0)));
    const gen = new T5Generator(this.model, this.gpu, texts.length * beams, Tin, o.maxNewTokens);
    try {
      const tokens = await gen.generate(ids, mask, { maxNewTokens: o.maxNewTokens, numBeams: beams });
      return tokens.map((t) => this.tokenizer.decode(t));
    } finally {
      gen.free();
    }
  }

  free(): void {
    this.model.params.free();
  }
}
