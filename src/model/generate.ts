// Generation with the encoder run once and a decoder key/value cache, so each new token costs one decoder step.
// Greedy matches HF generate (first argmax on ties, finished rows padded, stop when every row has emitted eos);
// beam search follows HF's BeamSearchScorer (2*beams candidates, eos ranked below the beam count skipped,
// score = sum of log-probs / length^lengthPenalty, early_stopping=false stop rule).
import type { Gpu } from '../gpu/gpu';
import { embeddingForward } from '../gpu/kernels/embedding';
import { matmul } from '../gpu/kernels/matmul';
import { positionBiasForward, relativePositionBuckets } from '../gpu/kernels/position-bias';
import { rmsnormForward } from '../gpu/kernels/rmsnorm';
import { backingTensor, type Bindable, type Tensor } from '../gpu/tensor';
import { encRows } from './dims';
import { blockStream, DROPOUT_STREAMS } from './dropout-streams';
import { hfName } from './hf-names';
import { mergeDecoderAdapters, type MergedParameters } from './generate-merge';
import type { LinearContext } from './linear-module';
import type { ParameterStore } from './parameters';
import type { T5Model } from './t5-model';
import { RecordArena, type Extent } from './records';
import { attentionForwardSite, feedForwardSite, fillCrossAttentionCache, type KvCache, type StackContext } from './sublayers';
import { T5Runner } from './t5-runner';

/** Per-step hooks: constrained decoding edits the logits; streaming and stopping follow the chosen tokens. */
export interface DecodeHooks {
  /** Before each choice: this step's logits (rows x V, row-major), to edit in place (-Infinity forbids a token). */
  processLogits?(logits: Float32Array, V: number, t: number): void;
  /** After each choice: row r continues row from[r] (beam search reorders) with tokens[r]. A throw stops generation. */
  onStep?(tokens: number[], from: number[], t: number): void | Promise<void>;
}

export interface GenerateOptions {
  maxNewTokens: number;
  hooks?: DecodeHooks;
  /** 1 = greedy. */
  numBeams?: number;
  lengthPenalty?: number;
}

export interface GeneratorOptions {
  /** Most bytes of decoder weights merged with their LoRA adapters for the decode (0: never merge). */
  mergeBudgetBytes?: number;
}

const stepRows: Extent = (s) => s.B;
const SUBLAYER_STREAM = DROPOUT_STREAMS.sublayer;

export class T5Generator {
  private readonly runner: T5Runner;
  private readonly cache: RecordArena;
  private readonly gpu: Gpu;
  /** The encoder output of the current input (the runner's record), read by the cross-attention caches. */
  private encOut: Bindable | null = null;
  /** The decoder's LoRA adapters folded into weight copies (generate-merge.ts), or null (none, NF4, too large). */
  private readonly merged: MergedParameters | null;
  /** What the decoder steps read: the merged view when there is one, else the model's parameters. */
  private readonly params: ParameterStore;
  /** Self-attention keys per step: always the cache's capacity, later positions masked as causal (see step). */
  private readonly selfKeys: number;
  /** Each step's relative position buckets (1, selfKeys) as a row of this table, written once. */
  private readonly buckets: Tensor;
  /** Elements between two steps' rows of the bucket table (a multiple of the storage offset alignment). */
  private readonly bucketStride: number;

  /** rows = batch x beams the generator can hold; maxTin, maxNew = longest input and output. */
  constructor(
    private readonly model: T5Model,
    gpu: Gpu,
    readonly rows: number,
    readonly maxTin: number,
    readonly maxNew: number,
    options: GeneratorOptions = {},
  ) {
    this.gpu = gpu;
    this.runner = new T5Runner(gpu, model.dims, model.params, { B: rows, Tin: maxTin, Tout: 1 });
    this.cache = new RecordArena(gpu, { B: rows, Tin: maxTin, Tout: maxNew + 1 }, 'activations', 'kv:');
    this.merged = mergeDecoderAdapters(gpu, model.params, options.mergeBudgetBytes);
    this.params = this.merged?.params ?? model.params;
    const { NH, numBuckets, maxDistance } = model.dims;
    // Every step attends over the whole cache: one attention program (its workgroup follows the key count) serves the
    // whole decode instead of a new one compiled as the keys pass 8, 16, 32, ...; keys after position t are masked
    // by the causal test (queryOffset t), so they add exact zeros.
    this.selfKeys = maxNew + 1;
    const align = gpu.device.limits.minStorageBufferOffsetAlignment / 4;
    this.bucketStride = Math.ceil(this.selfKeys / align) * align;
    const table = new Uint32Array(maxNew * this.bucketStride);
    for (let t = 0; t < maxNew; t++) {
      table.set(relativePositionBuckets({ queryLength: 1, keyLength: this.selfKeys, bidirectional: false, numBuckets, maxDistance, queryOffset: t }), t * this.bucketStride);
    }
    this.buckets = this.cache.tensor('step.buckets', () => table.length, 'u32');
    gpu.write(this.buckets, table);
    // Cross-attention adds a zero bias: the same program (scores + bias + key mask) as the encoder's self-attention,
    // so generation compiles one attention-scores program fewer; adding 0 leaves the scores bit for bit.
    gpu.zero(this.cache.tensor('cross.zero_bias', (x) => NH * x.Tin));
  }

  private get stack(): StackContext {
    const ctx: LinearContext = { gpu: this.gpu, params: this.params, records: this.cache, train: false, seed: 0 };
    // Inference draws no dropout, so the forward sub-layers take no scratch; it is named per size like the runner's.
    const scratch = (name: string, extent: Extent) => this.cache.take(`tmp.${name}#${extent(this.cache.capacity)}`, extent);
    return { ctx, dims: this.model.dims, rows: stepRows, scratch };
  }

  /** Decoder block j's self-attention keys and values, (rows, maxNew + 1, I) each. */
  private selfKeysValues(j: number) {
    const extent: Extent = (x) => x.B * (this.maxNew + 1) * this.model.dims.I;
    return { k: this.cache.tensor(`${j}.sk`, extent), v: this.cache.tensor(`${j}.sv`, extent) };
  }

  /** Decoder block j's self-attention cache as step t sees it: it appends at position t. */
  private selfCache(j: number, t: number): KvCache {
    return { ...this.selfKeysValues(j), append: { position: t, capacity: this.maxNew + 1 } };
  }

  /** Decoder block j's cross-attention keys and values (rows, Tin, I), filled once per input by encode. */
  private crossCache(j: number): KvCache {
    const extent: Extent = (x) => encRows(x) * this.model.dims.I;
    return { k: this.cache.take(`${j}.ck`, extent), v: this.cache.take(`${j}.cv`, extent), append: null };
  }

  /** Decoder block j's cross-attention reading the encoder output (its rows are encRows of the cache's shape). */
  private crossSource(j: number, encOut: Bindable) {
    const stream = blockStream(0, 'decoder', j) + SUBLAYER_STREAM.crossAttention;
    return { hf: hfName.crossAttentionLayer(j), module: 'EncDecAttention' as const, kv: { input: encOut, rows: encRows }, stream };
  }

  /** Run the encoder on rows of ids and fill the cross-attention keys and values of every decoder layer. */
  private encode(inputIds: number[][], attentionMask: number[][]): void {
    const B = inputIds.length;
    const Tin = inputIds[0].length;
    const Ld = this.model.dims.Ld;
    const ids = Int32Array.from(inputIds.flat());
    const keyMask = Uint32Array.from(attentionMask.flat());
    const shape = { B, Tin, Tout: 1 };
    this.runner.records.use(shape);
    this.cache.use({ B, Tin, Tout: this.maxNew + 1 });
    this.merged?.refresh();
    // Positions not yet written are read (and masked) by every step: zero them, never last decode's values or NaN.
    for (let j = 0; j < Ld; j++) {
      const { k, v } = this.selfKeysValues(j);
      this.gpu.zero(k);
      this.gpu.zero(v);
    }
    const { encOut } = this.runner.encode({ B, Tin, inputIds: ids, keyMask }, { train: false, seed: 0, task: 0, backward: false });
    this.encOut = encOut;
    this.gpu.write(this.cache.tensor('enc.mask', encRows, 'u32'), keyMask);
    const sc = this.stack;
    for (let j = 0; j < Ld; j++) fillCrossAttentionCache(sc, this.crossSource(j, encOut), this.crossCache(j));
  }

  /** Reorder cached self-attention keys/values: row r takes what row from[r] held (beam search). */
  private reorderCache(from: number[], length: number): void {
    const { I, Ld } = this.model.dims;
    const cap = this.maxNew + 1;
    // One temporary serves every layer: copies are recorded in order.
    const tmp = this.cache.tensor('reorder.tmp', (x) => x.B * cap * I);
    for (let j = 0; j < Ld; j++) {
      const { k, v } = this.selfKeysValues(j);
      for (const src of [k, v]) {
        from.forEach((f, r) => this.gpu.copy(src, tmp, length * I * 4, f * cap * I * 4, r * cap * I * 4));
        from.forEach((_, r) => this.gpu.copy(tmp, src, length * I * 4, r * cap * I * 4, r * cap * I * 4));
      }
    }
  }

  /**
   * One decoder step for every row: feed token ids at position t, return logits (rows, V) on the host. The blocks
   * are the training sub-layers with one query per row, their keys and values in the caches.
   */
  private async step(tokens: number[], t: number): Promise<Float32Array> {
    const gpu = this.gpu;
    const { C, NH, V, Ld, eps, tied, numBuckets } = this.model.dims;
    const B = tokens.length;
    const encOut = this.encOut;
    if (!encOut) throw new Error('generation step before encode');
    const rec = this.cache;
    rec.use({ B, Tin: rec.shape.Tin, Tout: t + 1 });
    const p = this.params;
    const ids = rec.tensor('step.ids', stepRows, 'i32');
    gpu.write(ids, Int32Array.from(tokens));
    const xs = [rec.take('step.x0', (x) => x.B * C), rec.take('step.x1', (x) => x.B * C)];
    embeddingForward(gpu, xs[0], gpu.slice(ids, 0, B), p.value(hfName.shared), B, C);
    const Tk = this.selfKeys;
    const buckets = gpu.slice(this.buckets, t * this.bucketStride, Tk);
    const bias = rec.take('step.bias', () => NH * Tk);
    positionBiasForward(gpu, bias, buckets, p.value(hfName.relativeBias('decoder')), 1, Tk, NH, numBuckets);
    const keyMask = rec.take('enc.mask', encRows, 'u32');
    const zeroBias = rec.take('cross.zero_bias', (x) => NH * x.Tin);
    const sc = this.stack;
    // The residual stream alternates between two rows buffers, one sub-layer at a time.
    let cur = 0;
    const residual = () => {
      const site = { resIn: xs[cur], resOut: xs[1 - cur] };
      cur = 1 - cur;
      return site;
    };
    const one = () => 1;
    for (let j = 0; j < Ld; j++) {
      const stream = blockStream(0, 'decoder', j);
      attentionForwardSite(sc, {
        hf: hfName.selfAttentionLayer('decoder', j), module: 'SelfAttention', rec: 'step.sa', ...residual(),
        kv: null, bias, keyMask: null, causal: true, Tq: one, Tk: () => Tk, stream: stream + SUBLAYER_STREAM.selfAttention,
      }, this.selfCache(j, t));
      attentionForwardSite(sc, {
        ...this.crossSource(j, encOut), rec: 'step.ca', ...residual(), bias: zeroBias, keyMask, causal: false, Tq: one, Tk: (x) => x.Tin,
      }, this.crossCache(j));
      feedForwardSite(sc, { hf: hfName.feedForwardLayer('decoder', j), rec: 'step.ff', ...residual(), stream: stream + SUBLAYER_STREAM.decoderFeedForward });
    }
    const out = rec.take('step.out', (x) => x.B * C);
    rmsnormForward(gpu, out, rec.take('step.out.rstd', stepRows), xs[cur], p.value(hfName.finalLayerNorm('decoder')), B, C, eps);
    const logits = rec.take('step.logits', (x) => x.B * V);
    // A tied head scales its input by C^-0.5 (HF); here the matmul's alpha does it, with no dispatch of its own.
    matmul(gpu, logits, out, tied ? p.value(hfName.shared) : p.value(hfName.lmHead), { M: B, N: V, K: C }, { transB: true, ...(tied ? { alpha: C ** -0.5 } : {}) });
    return (await gpu.readF32(backingTensor(logits))).slice(0, B * V);
  }

  /** Generated token ids per row (without the decoder start token), padded with pad after eos. */
  async generate(inputIds: number[][], attentionMask: number[][], o: GenerateOptions): Promise<number[][]> {
    const beams = o.numBeams ?? 1;
    if (o.maxNewTokens > this.maxNew) throw new RangeError(`maxNewTokens ${o.maxNewTokens} exceeds this generator's ${this.maxNew}`);
    if (inputIds.length * beams > this.rows) throw new RangeError(`${inputIds.length} rows x ${beams} beams exceed this generator's ${this.rows} rows`);
    if (inputIds[0].length > this.maxTin) throw new RangeError(`input length ${inputIds[0].length} exceeds this generator's ${this.maxTin}`);
    return beams === 1 ? this.greedy(inputIds, attentionMask, o) : this.beamSearch(inputIds, attentionMask, o, beams);
  }

  /** Beam search even for one beam (HF routes num_beams=1 to greedy; tests use this to compare the two). */
  async generateBeams(inputIds: number[][], attentionMask: number[][], o: GenerateOptions & { numBeams: number }): Promise<number[][]> {
    if (inputIds.length * o.numBeams > this.rows) throw new RangeError(`${inputIds.length} rows x ${o.numBeams} beams exceed this generator's ${this.rows} rows`);
    return this.beamSearch(inputIds, attentionMask, o, o.numBeams);
  }

  private async greedy(inputIds: number[][], attentionMask: number[][], o: GenerateOptions): Promise<number[][]> {
    const { V, eos, pad, decoderStart } = this.model.dims;
    const B = inputIds.length;
    this.encode(inputIds, attentionMask);
    const out: number[][] = inputIds.map(() => []);
    const done = new Array<boolean>(B).fill(false);
    let tokens = new Array<number>(B).fill(decoderStart);
    for (let t = 0; t < o.maxNewTokens && !done.every(Boolean); t++) {
      const logits = await this.step(tokens, t);
      o.hooks?.processLogits?.(logits, V, t);
      tokens = tokens.map((_, b) => (done[b] ? pad : argmax(logits, b * V, V)));
      await o.hooks?.onStep?.(tokens, tokens.map((_, b) => b), t);
      tokens.forEach((tok, b) => {
        out[b].push(tok);
        if (tok === eos) done[b] = true;
      });
    }
    return out;
  }

  private async beamSearch(inputIds: number[][], attentionMask: number[][], o: GenerateOptions, K: number): Promise<number[][]> {
    const { V, eos, pad, decoderStart } = this.model.dims;
    const lp = o.lengthPenalty ?? 1;
    const B = inputIds.length;
    this.encode(
      inputIds.flatMap((r) => Array.from({ length: K }, () => r)),
      attentionMask.flatMap((r) => Array.from({ length: K }, () => r)),
    );
    // Per batch item: K running beams (token lists and scores) and finished hypotheses.
    const seqs: number[][] = Array.from({ length: B * K }, () => []);
    const scores: number[] = Array.from({ length: B * K }, (_, i) => (i % K === 0 ? 0 : -1e9));
    const finished: { tokens: number[]; score: number }[][] = Array.from({ length: B }, () => []);
    const closed = new Array<boolean>(B).fill(false);
    let tokens = new Array<number>(B * K).fill(decoderStart);
    for (let t = 0; t < o.maxNewTokens; t++) {
      const logits = await this.step(tokens, t);
      o.hooks?.processLogits?.(logits, V, t);
      const from: number[] = [];
      const nextTokens: number[] = [];
      const nextScores: number[] = [];
      for (let b = 0; b < B; b++) {
        if (closed[b]) {
          for (let k = 0; k < K; k++) {
            from.push(b * K + k);
            nextTokens.push(pad);
            nextScores.push(scores[b * K + k]);
          }
          continue;
        }
        const candidates: { score: number; beam: number; token: number }[] = [];
        for (let k = 0; k < K; k++) {
          const row = b * K + k;
          const lsm = logSoftmax(logits, row * V, V);
          for (let v = 0; v < V; v++) candidates.push({ score: scores[row] + lsm[v], beam: row, token: v });
        }
        candidates.sort((x, y) => y.score - x.score || x.beam - y.beam || x.token - y.token);
        let taken = 0;
        for (let rank = 0; rank < 2 * K && taken < K; rank++) {
          const c = candidates[rank];
          if (c.token === eos) {
            if (rank >= K) continue;
            const hyp = [...seqs[c.beam], eos];
            finished[b].push({ tokens: hyp, score: c.score / hyp.length ** lp });
            continue;
          }
          from.push(c.beam);
          nextTokens.push(c.token);
          nextScores.push(c.score);
          taken++;
        }
        // HF's is_done: the best of all 2K candidates (eos included) against the worst kept hypothesis.
        const best = candidates[0].score;
        const worst = finished[b].length >= K ? Math.min(...topK(finished[b], K).map((h) => h.score)) : -Infinity;
        if (finished[b].length >= K && best / (t + 1) ** lp <= worst) closed[b] = true;
      }
      const prev = seqs.map((s) => [...s]);
      from.forEach((f, r) => (seqs[r] = [...prev[f], nextTokens[r]]));
      from.forEach((_, r) => (scores[r] = nextScores[r]));
      this.reorderCache(from, t + 1);
      await o.hooks?.onStep?.(nextTokens, from, t);
      tokens = nextTokens;
      if (closed.every(Boolean)) break;
    }
    return Array.from({ length: B }, (_, b) => {
      const pool = [...finished[b]];
      // Lengths count the decoder start token, as HF's hypotheses do: a finished one holds start + tokens before eos.
      if (!closed[b]) for (let k = 0; k < K; k++) pool.push({ tokens: seqs[b * K + k], score: scores[b * K + k] / (seqs[b * K + k].length + 1) ** lp });
      return topK(pool, 1)[0].tokens;
    });
  }

  free(): void {
    this.runner.free();
    this.cache.free();
    this.merged?.free();
  }
}

/** First index of the maximum, as torch.argmax. NaN counts as the maximum (torch propagates NaN). */
export function argmax(x: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) {
    const v = x[offset + i];
    const b = x[offset + best];
    if (v > b || (Number.isNaN(v) && !Number.isNaN(b))) best = i;
  }
  return best;
}

export function logSoftmax(x: Float32Array, offset: number, n: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(x[offset + i] - max);
  const lse = max + Math.log(s);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[offset + i] - lse;
  return out;
}

function topK<T extends { score: number }>(xs: T[], k: number): T[] {
  return [...xs].sort((a, b) => b.score - a.score).slice(0, k);
}
