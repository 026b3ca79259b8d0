// T5's two pre-norm residual sub-layers, forward and backward, for either stack:
//   attention: out = res + dropout(o(attention(q(h), k(kv), v(kv)))),  h = rmsnorm(res)
//   feed-forward: out = res + dropout(wo(dropout(act(h)))),  act = gelu_new(wi_0 h) * wi_1 h  or  relu(wi h)
// Forward keeps in records exactly what backward reads; backward adds into the residual-stream gradient.
// Generation runs the same forward one position at a time, with the attention's keys and values in a KvCache.
import { gatedGeluBackward, gatedGeluForward, reluBackward, reluForward } from '../gpu/kernels/activation';
import { attentionBackward, attentionForward } from '../gpu/kernels/attention';
import { add } from '../gpu/kernels/add';
import { dropoutBackward, dropoutForward, dropoutScaleMask, type DropoutOptions } from '../gpu/kernels/dropout';
import { rmsnormBackward, rmsnormForward } from '../gpu/kernels/rmsnorm';
import { backingTensor, type Bindable } from '../gpu/tensor';
import type { T5Dims } from './dims';
import { fusesOutputDropout, linearBackward, linearForward, type LinearContext } from './linear-module';
import { DROPOUT_STREAMS } from './dropout-streams';
import { hfName, type AttentionModule } from './hf-names';
import type { Extent, PassShape } from './records';

const ATT = DROPOUT_STREAMS.attention;
const FF = DROPOUT_STREAMS.feedForward;

export interface StackContext {
  ctx: LinearContext;
  dims: T5Dims;
  /** Rows of this stack's hidden states (B*Tin or B*Tout). */
  rows: Extent;
  /** Scratch shared by all backward steps (sized at capacity). */
  scratch: (name: string, extent: Extent) => Bindable;
}

export interface AttentionSite {
  /** HF sub-layer prefix, e.g. "decoder.block.1.layer.1". */
  hf: string;
  module: AttentionModule;
  /** Record prefix, e.g. "dec.1.ca". */
  rec: string;
  resIn: Bindable;
  resOut: Bindable;
  /** Cross-attention: the encoder output and its rows; self-attention uses h. */
  kv: { input: Bindable; rows: Extent } | null;
  bias: Bindable | null;
  keyMask: Bindable | null;
  causal: boolean;
  Tq: (s: PassShape) => number;
  Tk: (s: PassShape) => number;
  /** Dropout stream base of this sub-layer; its sites add DROPOUT_STREAMS.attention offsets. */
  stream: number;
  /** Gradient of the kv input (cross-attention), accumulated. */
  dkvInput?: Bindable;
  /** Position-bias gradient (NH, Tq, Tk), accumulated over layers; null when the bias is frozen or absent. */
  dbias?: Bindable | null;
}

/**
 * Keys and values that outlive one decoder step (generation), each (B, capacity, I). A self-attention cache grows:
 * the step's key and value are projected from h and written at `append.position` before attending. A
 * cross-attention cache was filled once from the encoder output (append null) and is read as it is.
 */
export interface KvCache {
  k: Bindable;
  v: Bindable;
  append: { position: number; capacity: number } | null;
}

function dropoutOn(sc: StackContext): boolean {
  return sc.ctx.train && sc.dims.dropout > 0;
}

/** What an attention sub-layer's forward keeps for its backward, sized once per site. */
interface AttentionRecords {
  /** rmsnorm(resIn) (rows, C) and its reciprocal RMS (rows). */
  h: Bindable;
  rstd: Bindable;
  /** Queries (rows, I). */
  q: Bindable;
  /** Attention output, the input of o (rows, I). */
  ctx: Bindable;
  /** Softmax probabilities (B, NH, Tq, Tk). */
  probs: Bindable;
}

function attentionRecords(sc: StackContext, a: AttentionSite): AttentionRecords {
  const { C, I, NH } = sc.dims;
  const take = (field: string, extent: Extent) => sc.ctx.records.take(`${a.rec}.${field}`, extent);
  return {
    h: take('h', (x) => sc.rows(x) * C),
    rstd: take('rstd', sc.rows),
    q: take('q', (x) => sc.rows(x) * I),
    ctx: take('ctx', (x) => sc.rows(x) * I),
    probs: take('probs', (x) => x.B * NH * a.Tq(x) * a.Tk(x)),
  };
}

/** Keys and values (key rows, I) projected from h (self-attention) or the cross-attention input. */
interface KeyValueRecords {
  k: Bindable;
  v: Bindable;
}

function keyValueRows(sc: StackContext, a: AttentionSite): Extent {
  return a.kv ? a.kv.rows : sc.rows;
}

function keyValueRecords(sc: StackContext, a: AttentionSite): KeyValueRecords {
  const I = sc.dims.I;
  const kvRows = keyValueRows(sc, a);
  const take = (field: string) => sc.ctx.records.take(`${a.rec}.${field}`, (x) => kvRows(x) * I);
  return { k: take('k'), v: take('v') };
}

type KeyValueSource = Pick<AttentionSite, 'hf' | 'module' | 'kv' | 'stream'>;

/** k and v of `input` (rows of it) into `into`. */
function projectInto(sc: StackContext, a: KeyValueSource, input: Bindable, rows: Extent, into: KeyValueRecords): void {
  const m = hfName.attention(a.hf, a.module);
  linearForward(sc.ctx, hfName.linear(m, 'k'), into.k, input, rows, { stream: a.stream + ATT.k });
  linearForward(sc.ctx, hfName.linear(m, 'v'), into.v, input, rows, { stream: a.stream + ATT.v });
}

function projectKeysValues(sc: StackContext, a: AttentionSite, h: Bindable): KeyValueRecords {
  const kv = keyValueRecords(sc, a);
  projectInto(sc, a, a.kv ? a.kv.input : h, keyValueRows(sc, a), kv);
  return kv;
}

/** Generation: a cross-attention's keys and values, projected once from the encoder output into its cache. */
export function fillCrossAttentionCache(sc: StackContext, a: KeyValueSource, cache: KvCache): void {
  if (!a.kv) throw new Error(`${a.hf}: only a cross-attention's keys and values can be computed ahead of the steps`);
  projectInto(sc, a, a.kv.input, a.kv.rows, cache);
}

/** Self-attention in generation: this step's key and value (one row per batch item) go into the cache at `position`. */
function appendKeysValues(sc: StackContext, a: AttentionSite, h: Bindable, cache: KvCache, at: { position: number; capacity: number }): void {
  const { gpu, records } = sc.ctx;
  const I = sc.dims.I;
  const kv = projectKeysValues(sc, a, h);
  for (const [step, all] of [[kv.k, cache.k], [kv.v, cache.v]] as const) {
    for (let b = 0; b < records.shape.B; b++) gpu.copy(backingTensor(step), backingTensor(all), I * 4, b * I * 4, (b * at.capacity + at.position) * I * 4);
  }
}

/** Forward of an attention sub-layer; with a cache (generation) its keys and values come from it. */
export function attentionForwardSite(sc: StackContext, a: AttentionSite, cache?: KvCache): void {
  const { gpu, records } = sc.ctx;
  const { C, NH, D } = sc.dims;
  const s = records.shape;
  const N = sc.rows(s);
  const r = attentionRecords(sc, a);
  rmsnormForward(gpu, r.h, r.rstd, a.resIn, sc.ctx.params.value(hfName.layerNorm(a.hf)), N, C, sc.dims.eps);
  const m = hfName.attention(a.hf, a.module);
  linearForward(sc.ctx, hfName.linear(m, 'q'), r.q, r.h, sc.rows, { stream: a.stream + ATT.q });
  const kv = cache ?? projectKeysValues(sc, a, r.h);
  if (cache?.append) appendKeysValues(sc, a, r.h, cache, cache.append);
  const layout = cache?.append ? { queryOffset: cache.append.position, kvCapacity: cache.append.capacity } : {};
  const dims = { B: s.B, Tq: a.Tq(s), Tk: a.Tk(s), NH, D, causal: a.causal, ...layout };
  attentionForward(gpu, r.ctx, r.probs, r.q, kv.k, kv.v, a.bias, a.keyMask, dims, { probsDropoutScale: probsDropout(sc, a) });
  outputProjection(sc, hfName.linear(m, 'o'), r.ctx, a, a.stream + ATT.o, a.stream + ATT.output);
}

/** dres holds d(resOut) on entry and d(resIn) on return. */
export function attentionBackwardSite(sc: StackContext, a: AttentionSite, dres: Bindable): void {
  const { gpu, records, params } = sc.ctx;
  const { C, I, NH, D } = sc.dims;
  const s = records.shape;
  const N = sc.rows(s);
  const kvRows = keyValueRows(sc, a);
  const m = hfName.attention(a.hf, a.module);
  const r = attentionRecords(sc, a);
  const kv = keyValueRecords(sc, a);
  const dy = sublayerOutputGrad(sc, dres, N, a.stream + ATT.output);
  const dctx = sc.scratch('dctx', (x) => sc.rows(x) * I);
  linearBackward(sc.ctx, hfName.linear(m, 'o'), dctx, dy, r.ctx, sc.rows, { stream: a.stream + ATT.o, scratch: sc.scratch });
  const dq = sc.scratch('dq', (x) => sc.rows(x) * I);
  const dk = sc.scratch('dk', (x) => kvRows(x) * I);
  const dv = sc.scratch('dv', (x) => kvRows(x) * I);
  const dscores = sc.scratch('dscores', (x) => x.B * NH * a.Tq(x) * a.Tk(x));
  const dims = { B: s.B, Tq: a.Tq(s), Tk: a.Tk(s), NH, D, causal: a.causal };
  attentionBackward(gpu, dq, dk, dv, a.dbias ?? null, dscores, dctx, r.q, kv.k, kv.v, r.probs, dims, { probsDropoutScale: probsDropout(sc, a) });
  const dh = sc.scratch('dh', (x) => sc.rows(x) * C);
  linearBackward(sc.ctx, hfName.linear(m, 'q'), dh, dq, r.h, sc.rows, { stream: a.stream + ATT.q, scratch: sc.scratch });
  if (a.kv) {
    linearBackward(sc.ctx, hfName.linear(m, 'k'), a.dkvInput ?? null, dk, a.kv.input, kvRows, { accumulateInput: true, stream: a.stream + ATT.k, scratch: sc.scratch });
    linearBackward(sc.ctx, hfName.linear(m, 'v'), a.dkvInput ?? null, dv, a.kv.input, kvRows, { accumulateInput: true, stream: a.stream + ATT.v, scratch: sc.scratch });
  } else {
    linearBackward(sc.ctx, hfName.linear(m, 'k'), dh, dk, r.h, sc.rows, { accumulateInput: true, stream: a.stream + ATT.k, scratch: sc.scratch });
    linearBackward(sc.ctx, hfName.linear(m, 'v'), dh, dv, r.h, sc.rows, { accumulateInput: true, stream: a.stream + ATT.v, scratch: sc.scratch });
  }
  const norm = params.dense(hfName.layerNorm(a.hf));
  rmsnormBackward(gpu, dres, norm.grad, dh, a.resIn, norm.value, r.rstd, N, C);
}

export interface FeedForwardSite {
  hf: string;
  rec: string;
  resIn: Bindable;
  resOut: Bindable;
  /** Dropout stream base of this sub-layer; its sites add DROPOUT_STREAMS.feedForward offsets. */
  stream: number;
}

/** What a feed-forward sub-layer's forward keeps for its backward, sized once per site. */
interface FeedForwardRecords {
  /** rmsnorm(resIn) (rows, C) and its reciprocal RMS (rows). */
  h: Bindable;
  rstd: Bindable;
  /** wi_0 h (gated) or wi h (relu), (rows, F). */
  a: Bindable;
  /** wi_1 h (rows, F); null for relu. */
  b: Bindable | null;
  /** The activation, wo's input (rows, F); in training the dropped-out one. */
  g: Bindable;
}

function feedForwardRecords(sc: StackContext, f: FeedForwardSite): FeedForwardRecords {
  const { C, F } = sc.dims;
  const take = (field: string, extent: Extent) => sc.ctx.records.take(`${f.rec}.${field}`, extent);
  return {
    h: take('h', (x) => sc.rows(x) * C),
    rstd: take('rstd', sc.rows),
    a: take('a', (x) => sc.rows(x) * F),
    g: take('g', (x) => sc.rows(x) * F),
    b: sc.dims.gated ? take('b', (x) => sc.rows(x) * F) : null,
  };
}

export function feedForwardSite(sc: StackContext, f: FeedForwardSite): void {
  const { gpu, records } = sc.ctx;
  const { C, F } = sc.dims;
  const N = sc.rows(records.shape);
  const r = feedForwardRecords(sc, f);
  rmsnormForward(gpu, r.h, r.rstd, f.resIn, sc.ctx.params.value(hfName.layerNorm(f.hf)), N, C, sc.dims.eps);
  const m = hfName.feedForward(f.hf);
  // wo reads the dropped hidden state, and its weight gradient must see the same one: g is kept dropped.
  const hidden = hiddenDropout(sc, f);
  if (r.b) {
    linearForward(sc.ctx, hfName.linear(m, 'wi_0'), r.a, r.h, sc.rows, { stream: f.stream + FF.wi });
    linearForward(sc.ctx, hfName.linear(m, 'wi_1'), r.b, r.h, sc.rows, { stream: f.stream + FF.wi_1 });
    gatedGeluForward(gpu, r.g, r.a, r.b, N * F, hidden);
  } else {
    linearForward(sc.ctx, hfName.linear(m, 'wi'), r.a, r.h, sc.rows, { stream: f.stream + FF.wi });
    reluForward(gpu, r.g, r.a, N * F, hidden);
  }
  outputProjection(sc, hfName.linear(m, 'wo'), r.g, f, f.stream + FF.wo, f.stream + FF.output);
}

/**
 * resOut = resIn + dropout(linear(x)): a sub-layer's output projection (o or wo), with the dropout and the residual
 * add in the matmul's store where it can take them, else as two more dispatches.
 */
function outputProjection(sc: StackContext, linear: string, x: Bindable, site: { resIn: Bindable; resOut: Bindable }, stream: number, outputStream: number): void {
  const outputDropout = sublayerOutputDropout(sc, outputStream);
  if (!outputDropout || fusesOutputDropout(sc.ctx, linear)) {
    linearForward(sc.ctx, linear, site.resOut, x, sc.rows, { residual: site.resIn, outputDropout, stream });
    return;
  }
  const { gpu, records } = sc.ctx;
  const C = sc.dims.C;
  const y = sc.scratch('sublayer_out', (e) => sc.rows(e) * C);
  linearForward(sc.ctx, linear, y, x, sc.rows, { stream });
  dropoutForward(gpu, y, y, sc.rows(records.shape) * C, outputDropout);
  add(gpu, site.resOut, site.resIn, y);
}

export function feedForwardBackwardSite(sc: StackContext, f: FeedForwardSite, dres: Bindable): void {
  const { gpu, records, params } = sc.ctx;
  const { C, F } = sc.dims;
  const N = sc.rows(records.shape);
  const m = hfName.feedForward(f.hf);
  const r = feedForwardRecords(sc, f);
  const dy = sublayerOutputGrad(sc, dres, N, f.stream + FF.output);
  const dg = sc.scratch('dg', (x) => sc.rows(x) * F);
  linearBackward(sc.ctx, hfName.linear(m, 'wo'), dg, dy, r.g, sc.rows, { stream: f.stream + FF.wo, scratch: sc.scratch });
  const hidden = hiddenDropout(sc, f);
  const da = sc.scratch('da', (x) => sc.rows(x) * F);
  const dh = sc.scratch('dh', (x) => sc.rows(x) * C);
  if (r.b) {
    const db = sc.scratch('db', (x) => sc.rows(x) * F);
    gatedGeluBackward(gpu, da, db, dg, r.a, r.b, N * F, hidden);
    linearBackward(sc.ctx, hfName.linear(m, 'wi_0'), dh, da, r.h, sc.rows, { stream: f.stream + FF.wi, scratch: sc.scratch });
    linearBackward(sc.ctx, hfName.linear(m, 'wi_1'), dh, db, r.h, sc.rows, { accumulateInput: true, stream: f.stream + FF.wi_1, scratch: sc.scratch });
  } else {
    reluBackward(gpu, da, dg, r.a, N * F, hidden);
    linearBackward(sc.ctx, hfName.linear(m, 'wi'), dh, da, r.h, sc.rows, { stream: f.stream + FF.wi, scratch: sc.scratch });
  }
  const norm = params.dense(hfName.layerNorm(f.hf));
  rmsnormBackward(gpu, dres, norm.grad, dh, f.resIn, norm.value, r.rstd, N, C);
}

/**
 * The sub-layer's output dropout (undefined when off). Without an adapter or NF4 weight on the output projection
 * it runs in that matmul's store, together with the residual add; otherwise as a dropout and an add.
 */
function sublayerOutputDropout(sc: StackContext, stream: number): DropoutOptions | undefined {
  return dropoutOn(sc) ? { p: sc.dims.dropout, seed: sc.ctx.seed, stream } : undefined;
}

/** The FFN's hidden dropout, drawn inside the activation (forward) and its backward; undefined when off. */
function hiddenDropout(sc: StackContext, f: FeedForwardSite): DropoutOptions | undefined {
  return dropoutOn(sc) ? { p: sc.dims.dropout, seed: sc.ctx.seed, stream: f.stream + FF.hidden } : undefined;
}

/**
 * HF drops attention probabilities too. The kernels take the mask as a keep/(1-p) scale tensor; it is drawn
 * from the counter RNG, so backward regenerates exactly the forward's mask instead of storing it.
 */
function probsDropout(sc: StackContext, a: AttentionSite): Bindable | null {
  if (!dropoutOn(sc)) return null;
  const n = sc.ctx.records.shape.B * sc.dims.NH * a.Tq(sc.ctx.records.shape) * a.Tk(sc.ctx.records.shape);
  const scale = sc.scratch('probs_dropout', (x) => x.B * sc.dims.NH * a.Tq(x) * a.Tk(x));
  dropoutScaleMask(sc.ctx.gpu, scale, n, { p: sc.dims.dropout, seed: sc.ctx.seed, stream: a.stream + ATT.probs });
  return scale;
}

/** The gradient entering the sub-layer's output projection: dres itself, or through the output dropout. */
function sublayerOutputGrad(sc: StackContext, dres: Bindable, N: number, stream: number): Bindable {
  if (!dropoutOn(sc)) return dres;
  const dy = sc.scratch('dsublayer_out', (x) => sc.rows(x) * sc.dims.C);
  dropoutBackward(sc.ctx.gpu, dy, dres, N * sc.dims.C, { p: sc.dims.dropout, seed: sc.ctx.seed, stream });
  return dy;
}
