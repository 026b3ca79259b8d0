// Forward and backward of T5ForConditionalGeneration for one batch, on records sized once for a capacity shape.
// The DSS step (dss-step.ts) runs it once over both tasks' rows (or once per task) and mixes the losses.
import type { Gpu } from '../gpu/gpu';
import { crossEntropy } from '../gpu/kernels/cross-entropy';
import { dropoutBackward, dropoutForward, type DropoutOptions } from '../gpu/kernels/dropout';
import { scaleInto, sum } from '../gpu/kernels/elementwise';
import { embeddingBackward, embeddingForward, embeddingGradIndex, EmbeddingGradIndexBuffers, type EmbeddingGradIndexGpu } from '../gpu/kernels/embedding';
import { matmul } from '../gpu/kernels/matmul';
import { positionBiasBackward, positionBiasForward, relativePositionBuckets } from '../gpu/kernels/position-bias';
import { rmsnormBackward, rmsnormForward } from '../gpu/kernels/rmsnorm';
import { backingTensor, type Bindable, type Tensor } from '../gpu/tensor';
import type { PreparedTask } from './batch';
import { decRows, encRows, type T5Dims } from './dims';
import type { LinearContext } from './linear-module';
import type { ParameterStore } from './parameters';
import { blockStream, DROPOUT_STREAMS, modelStream, type ModelDropoutSite } from './dropout-streams';
import { hfName } from './hf-names';
import { RecordArena, type Extent, type PassShape } from './records';
import { syncTokenRows, tokenRowsEmbeddingBackward, tokenRowsHeadBackward } from './trainable-tokens';
import { attentionBackwardSite, attentionForwardSite, feedForwardBackwardSite, feedForwardSite, type AttentionSite, type FeedForwardSite, type StackContext } from './sublayers';

export interface PassOptions {
  train: boolean;
  /** Dropout seed of this step. */
  seed: number;
  /** Distinguishes the dropout streams of passes within a step (one pass per DSS task). */
  task: number;
  /** Also compute gradients. */
  backward: boolean;
}

/**
 * Consecutive decoder rows scored as one task: the sum of their token losses lands in `sum`, their gradient is
 * scaled by gradScale (the task's weight over its target count: a / n_label, (1-a) / n_rationale). A pass has one
 * segment, or two when it holds both DSS tasks.
 */
export interface LossSegment {
  rows: number;
  gradScale: number;
  sum: Tensor;
}

const SUBLAYER_STREAM = DROPOUT_STREAMS.sublayer;
const MAX_BUCKET_TABLES = 4;

/** A stack's sub-layers in order, and its residual stream: res(k) enters sub-layer k. */
interface EncoderSites {
  attn: AttentionSite[];
  ffn: FeedForwardSite[];
  res: (k: number) => Bindable;
}

interface DecoderSites {
  self: AttentionSite[];
  cross: AttentionSite[];
  ffn: FeedForwardSite[];
  res: (k: number) => Bindable;
}

/** What the encoder forward leaves for the decoder (encOut) and for backward. */
export interface EncoderPass {
  enc: EncoderSites;
  encSc: StackContext;
  encBuckets: Tensor;
  encOut: Bindable;
  encRstd: Bindable;
}

/** What the decoder forward leaves for the head and for backward. */
interface DecoderPass {
  dec: DecoderSites;
  decSc: StackContext;
  decBuckets: Tensor;
  decOut: Bindable;
  decRstd: Bindable;
}

/** The head's input (the decoder output, scaled when tied), its weight and the logits. */
interface HeadPass {
  headIn: Bindable;
  headScale: number;
  headWeight: Tensor;
  logits: Bindable;
}

export class T5Runner {
  readonly records: RecordArena;
  private readonly scratchArena: RecordArena;
  private readonly buckets = new Map<string, Tensor>();
  /** The embedding gradient's index buffers, reused every step. */
  private readonly gradIndex: EmbeddingGradIndexBuffers;

  constructor(
    private readonly gpu: Gpu,
    private readonly dims: T5Dims,
    private readonly params: ParameterStore,
    capacity: PassShape,
  ) {
    this.records = new RecordArena(gpu, capacity, 'activations', 'act:');
    this.scratchArena = new RecordArena(gpu, capacity, 'scratch', 'tmp:');
    this.gradIndex = new EmbeddingGradIndexBuffers(gpu);
  }

  /** Scratch by name, one buffer per (name, capacity size) so different extents never share a too-small one. */
  private scratch = (name: string, extent: Extent): Bindable => this.scratchArena.take(`${name}#${extent(this.scratchArena.capacity)}`, extent);

  /** Bucket tables by shape; a few are kept (batches of other lengths come and go) so memory stays bounded. */
  private bucketTable(Tq: number, Tk: number, bidirectional: boolean): Tensor {
    const key = `${Tq}x${Tk}:${bidirectional}`;
    let t = this.buckets.get(key);
    if (t) {
      this.buckets.delete(key);
      this.buckets.set(key, t); // most recently used last
    } else {
      while (this.buckets.size >= MAX_BUCKET_TABLES) {
        const [oldest, table] = this.buckets.entries().next().value as [string, Tensor];
        this.buckets.delete(oldest);
        this.gpu.free(table);
      }
      const d = this.dims;
      const table = relativePositionBuckets({ queryLength: Tq, keyLength: Tk, bidirectional, numBuckets: d.numBuckets, maxDistance: d.maxDistance });
      t = this.gpu.upload(table, [Tq, Tk], 'u32', 'scratch', `buckets:${key}`);
      this.buckets.set(key, t);
    }
    return t;
  }

  private linearContext(o: PassOptions): LinearContext {
    return { gpu: this.gpu, params: this.params, records: this.records, train: o.train, seed: o.seed };
  }

  /** Upload a task's decoder ids and targets into the records. */
  private upload(task: PreparedTask): void {
    const r = this.records;
    this.gpu.write(r.tensor('dec.ids', decRows, 'i32'), task.decoderInputIds);
    this.gpu.write(r.tensor('dec.targets', decRows, 'i32'), task.targets);
  }

  private encoderSites(o: PassOptions): EncoderSites {
    const { C, NH, L } = this.dims;
    const r = this.records;
    const res = (i: number) => r.take(`enc.res.${i}`, (x) => encRows(x) * C);
    const bias = r.take('enc.bias', (x) => NH * x.Tin * x.Tin);
    const attn: AttentionSite[] = [];
    const ffn: FeedForwardSite[] = [];
    for (let i = 0; i < L; i++) {
      const stream = blockStream(o.task, 'encoder', i);
      attn.push({
        hf: hfName.selfAttentionLayer('encoder', i), module: 'SelfAttention', rec: `enc.${i}.sa`, resIn: res(2 * i), resOut: res(2 * i + 1),
        kv: null, bias, keyMask: r.take('enc.mask', encRows, 'u32'), causal: false, Tq: (x) => x.Tin, Tk: (x) => x.Tin, stream: stream + SUBLAYER_STREAM.selfAttention,
        dbias: null,
      });
      ffn.push({ hf: hfName.feedForwardLayer('encoder', i), rec: `enc.${i}.ff`, resIn: res(2 * i + 1), resOut: res(2 * i + 2), stream: stream + SUBLAYER_STREAM.encoderFeedForward });
    }
    return { attn, ffn, res };
  }

  private decoderSites(o: PassOptions, encOut: Bindable): DecoderSites {
    const { C, NH, Ld } = this.dims;
    const r = this.records;
    const res = (i: number) => r.take(`dec.res.${i}`, (x) => decRows(x) * C);
    const bias = r.take('dec.bias', (x) => NH * x.Tout * x.Tout);
    const self: AttentionSite[] = [];
    const cross: AttentionSite[] = [];
    const ffn: FeedForwardSite[] = [];
    for (let j = 0; j < Ld; j++) {
      const stream = blockStream(o.task, 'decoder', j);
      self.push({
        hf: hfName.selfAttentionLayer('decoder', j), module: 'SelfAttention', rec: `dec.${j}.sa`, resIn: res(3 * j), resOut: res(3 * j + 1),
        kv: null, bias, keyMask: null, causal: true, Tq: (x) => x.Tout, Tk: (x) => x.Tout, stream: stream + SUBLAYER_STREAM.selfAttention,
      });
      cross.push({
        hf: hfName.crossAttentionLayer(j), module: 'EncDecAttention', rec: `dec.${j}.ca`, resIn: res(3 * j + 1), resOut: res(3 * j + 2),
        kv: { input: encOut, rows: encRows }, bias: null, keyMask: r.take('enc.mask', encRows, 'u32'), causal: false,
        Tq: (x) => x.Tout, Tk: (x) => x.Tin, stream: stream + SUBLAYER_STREAM.crossAttention,
      });
      ffn.push({ hf: hfName.feedForwardLayer('decoder', j), rec: `dec.${j}.ff`, resIn: res(3 * j + 2), resOut: res(3 * j + 3), stream: stream + SUBLAYER_STREAM.decoderFeedForward });
    }
    return { self, cross, ffn, res };
  }

  private stack(rows: Extent, o: PassOptions): StackContext {
    return { ctx: this.linearContext(o), dims: this.dims, rows, scratch: this.scratch };
  }

  private dropoutOn(o: PassOptions): boolean {
    return o.train && this.dims.dropout > 0;
  }

  /** A whole-model dropout site's options for this pass, undefined when dropout is off. */
  private modelDropout(o: PassOptions, site: ModelDropoutSite): DropoutOptions | undefined {
    return this.dropoutOn(o) ? { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, site) } : undefined;
  }

  /** The encoder forward of a task batch (ids and mask uploaded); its output stays in the record "enc.out". */
  encode(task: Pick<PreparedTask, 'B' | 'Tin' | 'inputIds' | 'keyMask'>, o: PassOptions): EncoderPass {
    const gpu = this.gpu;
    const { C, NH, L, eps } = this.dims;
    const s = this.records.shape;
    if (task.B !== s.B || task.Tin !== s.Tin) throw new Error(`encode: batch ${task.B}x${task.Tin} but the records are set to ${s.B}x${s.Tin} (call records.use first)`);
    const r = this.records;
    const p = this.params;
    const N = encRows(s);
    syncTokenRows(gpu, p);
    this.gpu.write(r.tensor('enc.ids', encRows, 'i32'), task.inputIds);
    this.gpu.write(r.tensor('enc.mask', encRows, 'u32'), task.keyMask);
    const enc = this.encoderSites(o);
    const encSc = this.stack(encRows, o);
    embeddingForward(gpu, enc.res(0), r.take('enc.ids', encRows, 'i32'), p.value(hfName.shared), N, C, this.modelDropout(o, 'encoderInput'));
    const encBuckets = this.bucketTable(s.Tin, s.Tin, true);
    positionBiasForward(gpu, enc.attn[0].bias!, encBuckets, p.value(hfName.relativeBias('encoder')), s.Tin, s.Tin, NH, this.dims.numBuckets);
    for (let i = 0; i < L; i++) {
      attentionForwardSite(encSc, enc.attn[i]);
      feedForwardSite(encSc, enc.ffn[i]);
    }
    const encOut = r.take('enc.out', (x) => encRows(x) * C);
    const encRstd = r.take('enc.out.rstd', encRows);
    rmsnormForward(gpu, encOut, encRstd, enc.res(2 * L), p.value(hfName.finalLayerNorm('encoder')), N, C, eps);
    if (this.dropoutOn(o)) dropoutForward(gpu, encOut, encOut, N * C, { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, 'encoderOutput') });
    return { enc, encSc, encBuckets, encOut, encRstd };
  }

  /**
   * Forward (and backward when o.backward) of one batch; each segment's token losses are summed into its GPU scalar
   * (its mean is that over its target count). Parameter gradients accumulate (+=).
   */
  run(task: PreparedTask, o: PassOptions, segments: readonly LossSegment[]): void {
    const s: PassShape = { B: task.B, Tin: task.Tin, Tout: task.Tout };
    this.records.use(s);
    this.scratchArena.use(s);
    this.upload(task);
    const encoder = this.encode(task, o);
    const decoder = this.decode(o, encoder.encOut);
    const head = this.headAndLoss(o, decoder.decOut, segments);
    if (!o.backward) return;
    const dDecOut = this.headBackward(o, head);
    const dEncOut = this.scratch('d_enc_out', (x) => encRows(x) * this.dims.C);
    this.gpu.zero(backingTensor(dEncOut));
    this.decoderBackward(task, o, decoder, dDecOut, dEncOut);
    this.encoderBackward(task, o, encoder, dEncOut);
  }

  /** The decoder forward over the records' decoder ids, attending to the encoder output. */
  private decode(o: PassOptions, encOut: Bindable): DecoderPass {
    const gpu = this.gpu;
    const { C, NH, Ld, eps } = this.dims;
    const s = this.records.shape;
    const r = this.records;
    const p = this.params;
    const M = decRows(s);
    const dec = this.decoderSites(o, encOut);
    const decSc = this.stack(decRows, o);
    embeddingForward(gpu, dec.res(0), r.take('dec.ids', decRows, 'i32'), p.value(hfName.shared), M, C, this.modelDropout(o, 'decoderInput'));
    const decBuckets = this.bucketTable(s.Tout, s.Tout, false);
    positionBiasForward(gpu, dec.self[0].bias!, decBuckets, p.value(hfName.relativeBias('decoder')), s.Tout, s.Tout, NH, this.dims.numBuckets);
    for (let j = 0; j < Ld; j++) {
      attentionForwardSite(decSc, dec.self[j]);
      attentionForwardSite(decSc, dec.cross[j]);
      feedForwardSite(decSc, dec.ffn[j]);
    }
    const decOut = r.take('dec.out', (x) => decRows(x) * C);
    const decRstd = r.take('dec.out.rstd', decRows);
    rmsnormForward(gpu, decOut, decRstd, dec.res(3 * Ld), p.value(hfName.finalLayerNorm('decoder')), M, C, eps);
    if (this.dropoutOn(o)) dropoutForward(gpu, decOut, decOut, M * C, { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, 'decoderOutput') });
    return { dec, decSc, decBuckets, decOut, decRstd };
  }

  /** lm_head and each segment's summed token losses; with o.backward the logits record becomes d(loss)/d(logits). */
  private headAndLoss(o: PassOptions, decOut: Bindable, segments: readonly LossSegment[]): HeadPass {
    const gpu = this.gpu;
    const { C, V, tied } = this.dims;
    const r = this.records;
    const M = decRows(r.shape);
    const counted = segments.reduce((n, seg) => n + seg.rows, 0);
    if (segments.length < 1 || segments.length > 2 || counted !== M) {
      throw new RangeError(`a pass scores one or two segments covering its ${M} decoder rows, got ${segments.length} covering ${counted}`);
    }
    // Tied embeddings: HF rescales the decoder output by d_model^-0.5 before the shared projection.
    const headIn = tied ? r.take('dec.out.scaled', (x) => decRows(x) * C) : decOut;
    const headScale = tied ? C ** -0.5 : 1;
    if (tied) scaleInto(gpu, headIn, decOut, headScale, M * C);
    const headWeight = this.params.value(tied ? hfName.shared : hfName.lmHead);
    const logits = r.take('logits', (x) => decRows(x) * V);
    matmul(gpu, logits, headIn, headWeight, { M, N: V, K: C }, { transB: true });
    const losses = r.take('losses', decRows);
    const [first, second] = segments;
    const gradScale = second ? { rows: first.rows, first: first.gradScale, rest: second.gradScale } : first.gradScale;
    crossEntropy(gpu, losses, o.backward ? logits : null, logits, r.take('dec.targets', decRows, 'i32'), M, V, gradScale);
    sum(gpu, first.sum, losses, first.rows);
    if (second) sum(gpu, second.sum, losses, second.rows, first.rows);
    return { headIn, headScale, headWeight, logits };
  }

  /** The head's weight gradient, and the gradient of the decoder output (returned, in scratch). */
  private headBackward(o: PassOptions, head: HeadPass): Bindable {
    const gpu = this.gpu;
    const { C, V, tied } = this.dims;
    const p = this.params;
    const M = decRows(this.records.shape);
    const { headIn, headScale, headWeight, logits } = head;
    const headParam = p.get(tied ? hfName.shared : hfName.lmHead);
    const dDecOut = this.scratch('d_dec_out', (x) => decRows(x) * C);
    if (headParam.grad) matmul(gpu, headParam.grad, logits, headIn, { M: V, N: C, K: M }, { transA: true, accumulate: true });
    tokenRowsHeadBackward(gpu, p, logits, headIn, M, V, C, tied);
    // The decoder output's dropout backward runs in this matmul's store.
    const drop = this.modelDropout(o, 'decoderOutput');
    matmul(gpu, dDecOut, logits, headWeight, { M, N: C, K: V }, { alpha: headScale, dropout: drop && { ...drop, operand: 'out' } });
    return dDecOut;
  }

  /** Backward through the decoder from d(decoder output); adds the cross-attention inputs' gradient into dEncOut. */
  private decoderBackward(task: PreparedTask, o: PassOptions, pass: DecoderPass, dDecOut: Bindable, dEncOut: Bindable): EmbeddingGradIndexGpu | null {
    const gpu = this.gpu;
    const { C, NH, Ld } = this.dims;
    const s = this.records.shape;
    const p = this.params;
    const M = decRows(s);
    const { dec, decSc, decBuckets, decRstd } = pass;
    const dres = this.scratch('d_res_dec', (x) => decRows(x) * C);
    gpu.zero(backingTensor(dres));
    const decNorm = p.dense(hfName.finalLayerNorm('decoder'));
    rmsnormBackward(gpu, dres, decNorm.grad, dDecOut, dec.res(3 * Ld), decNorm.value, decRstd, M, C);
    const decBiasParam = p.get(hfName.relativeBias('decoder'));
    const dDecBias = decBiasParam.grad ? this.scratch('d_dec_bias', (x) => NH * x.Tout * x.Tout) : null;
    if (dDecBias) gpu.zero(backingTensor(dDecBias));
    for (let j = Ld - 1; j >= 0; j--) {
      feedForwardBackwardSite(decSc, dec.ffn[j], dres);
      attentionBackwardSite(decSc, { ...dec.cross[j], dkvInput: dEncOut }, dres);
      attentionBackwardSite(decSc, { ...dec.self[j], dbias: dDecBias }, dres);
    }
    if (dDecBias) positionBiasBackward(gpu, decBiasParam.grad!, dDecBias, decBuckets, s.Tout, s.Tout, NH, this.dims.numBuckets);
    const sharedParam = p.get(hfName.shared);
    const decIds = sharedParam.grad ? embeddingGradIndex(task.decoderInputIds) : null;
    if (this.dropoutOn(o) && embeddingsLearn(p)) dropoutBackward(gpu, dres, dres, M * C, { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, 'decoderInput') });
    const decIndex = decIds ? this.gradIndex.upload(decIds, 'dec.ids') : null;
    if (decIndex) embeddingBackward(gpu, sharedParam.grad!, dres, decIndex, C);
    tokenRowsEmbeddingBackward(gpu, p, dres, task.decoderInputIds, C, 'dec');
    return decIndex;
  }

  /** Backward through the encoder from d(encoder output). */
  private encoderBackward(task: PreparedTask, o: PassOptions, pass: EncoderPass, dEncOut: Bindable): EmbeddingGradIndexGpu | null {
    const gpu = this.gpu;
    const { C, NH, L } = this.dims;
    const s = this.records.shape;
    const p = this.params;
    const N = encRows(s);
    const { enc, encSc, encBuckets, encRstd } = pass;
    if (this.dropoutOn(o)) dropoutBackward(gpu, dEncOut, dEncOut, N * C, { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, 'encoderOutput') });
    const dresE = this.scratch('d_res_enc', (x) => encRows(x) * C);
    gpu.zero(backingTensor(dresE));
    const encNorm = p.dense(hfName.finalLayerNorm('encoder'));
    rmsnormBackward(gpu, dresE, encNorm.grad, dEncOut, enc.res(2 * L), encNorm.value, encRstd, N, C);
    const encBiasParam = p.get(hfName.relativeBias('encoder'));
    const dEncBias = encBiasParam.grad ? this.scratch('d_enc_bias', (x) => NH * x.Tin * x.Tin) : null;
    if (dEncBias) gpu.zero(backingTensor(dEncBias));
    for (let i = L - 1; i >= 0; i--) {
      feedForwardBackwardSite(encSc, enc.ffn[i], dresE);
      attentionBackwardSite(encSc, { ...enc.attn[i], dbias: dEncBias }, dresE);
    }
    if (dEncBias) positionBiasBackward(gpu, encBiasParam.grad!, dEncBias, encBuckets, s.Tin, s.Tin, NH, this.dims.numBuckets);
    if (this.dropoutOn(o) && embeddingsLearn(p)) dropoutBackward(gpu, dresE, dresE, N * C, { p: this.dims.dropout, seed: o.seed, stream: modelStream(o.task, 'encoderInput') });
    const sharedParam = p.get(hfName.shared);
    const encIndex = sharedParam.grad ? this.gradIndex.upload(embeddingGradIndex(task.inputIds), 'enc.ids') : null;
    if (encIndex) embeddingBackward(gpu, sharedParam.grad!, dresE, encIndex, C);
    tokenRowsEmbeddingBackward(gpu, p, dresE, task.inputIds, C, 'enc');
    return encIndex;
  }

  free(): void {
    this.records.free();
    this.scratchArena.free();
    this.gradIndex.free();
    for (const t of this.buckets.values()) this.gpu.free(t);
    this.buckets.clear();
  }
}

/** Whether any embedding row trains (the shared matrix or trainable token rows): else nothing reads d(embeddings). */
function embeddingsLearn(p: ParameterStore): boolean {
  return !!p.get(hfName.shared).grad || !!p.tokens?.shared.grad;
}
