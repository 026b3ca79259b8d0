// Kernel variant choice per adapter. Dispatch is synchronous (it only records work), so a timed trial
// cannot run inside the first call: `pick` answers at once with the cached winner or the heuristic
// default and, when trials are on, queues the shape class; `tunePending()` (awaited between steps, e.g.
// after a warm-up step) times every candidate on the queued shapes, keeps the fastest and saves it.
// `choose` is the awaitable one-shot form. Attach a tuner to a Gpu with setAutotuner; without one,
// autotunerFor(gpu) gives a tuner that never runs trials (defaults only).
import { describeAdapter } from '../settings/adapter-name';
import type { GpuInfo } from './device';
import type { Gpu } from './gpu';
import type { AutotuneChoices, AutotuneStore } from './autotune-store';

/** Runs one candidate on the queued shape and returns its time in seconds (lower wins). */
export type TrialRunner = (candidate: string) => Promise<number>;

export interface AutotunerOptions {
  /** Persisted choices; none = this process only. */
  store?: AutotuneStore;
  /** Queue unseen shape classes for timed trials (default true when created with createAutotuner). */
  trials?: boolean;
}

interface Pending {
  op: string;
  shapeKey: string;
  candidates: readonly string[];
  runTrial: TrialRunner;
}

export interface TrialResult {
  op: string;
  shapeKey: string;
  seconds: Record<string, number>;
  chosen: string;
}

/** A file- and key-safe name for an adapter. */
export function adapterKey(info: GpuInfo): string {
  const raw = [info.host, info.vendor, info.architecture, info.device, info.description.split(' — ')[0]].filter(Boolean).join('-');
  return raw.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'unknown-adapter';
}

export class Autotuner {
  private choices: AutotuneChoices = {};
  private readonly pending = new Map<string, Pending>();
  readonly trials: boolean;
  private readonly store: AutotuneStore | undefined;
  /** Every trial run by this tuner, for logs and the benchmark. */
  readonly history: TrialResult[] = [];

  constructor(readonly adapterKey: string, options: AutotunerOptions = {}) {
    this.store = options.store;
    this.trials = options.trials ?? false;
  }

  /** Read saved choices (call once before use). */
  async load(): Promise<void> {
    const saved = (await this.store?.load(this.adapterKey)) ?? {};
    this.choices = { ...saved, ...this.choices };
  }

  private static id(op: string, shapeKey: string): string {
    return `${op}|${shapeKey}`;
  }

  /** The cached choice if it is still a candidate. */
  cached(op: string, shapeKey: string, candidates: readonly string[]): string | undefined {
    const c = this.choices[Autotuner.id(op, shapeKey)];
    return c !== undefined && candidates.includes(c) ? c : undefined;
  }

  /** Synchronous choice: cached winner, else `fallback` (and the shape class is queued when trials are on). */
  pick(op: string, shapeKey: string, candidates: readonly string[], fallback: string, runTrial?: TrialRunner): string {
    const hit = this.cached(op, shapeKey, candidates);
    if (hit) return hit;
    const id = Autotuner.id(op, shapeKey);
    if (this.trials && runTrial && candidates.length > 1 && !this.pending.has(id)) {
      this.pending.set(id, { op, shapeKey, candidates: [...candidates], runTrial });
    }
    return fallback;
  }

  /** Awaitable choice: cached winner, or time every candidate now. */
  async choose(op: string, shapeKey: string, candidates: readonly string[], runTrial: TrialRunner): Promise<string> {
    const hit = this.cached(op, shapeKey, candidates);
    if (hit) return hit;
    const chosen = await this.trial({ op, shapeKey, candidates, runTrial });
    await this.persist();
    return chosen;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Time the candidates of every queued shape class, remember the winners, save them. */
  async tunePending(): Promise<TrialResult[]> {
    const done: TrialResult[] = [];
    for (const [id, p] of [...this.pending]) {
      this.pending.delete(id);
      await this.trial(p);
      done.push(this.history[this.history.length - 1]);
    }
    if (done.length) await this.persist();
    return done;
  }

  /** Record a choice directly (tests, or a choice made elsewhere). */
  set(op: string, shapeKey: string, variant: string): void {
    this.choices[Autotuner.id(op, shapeKey)] = variant;
  }

  snapshot(): AutotuneChoices {
    return { ...this.choices };
  }

  private async trial(p: Pending): Promise<string> {
    const seconds: Record<string, number> = {};
    let chosen = p.candidates[0];
    for (const c of p.candidates) {
      seconds[c] = await p.runTrial(c);
      if (seconds[c] < seconds[chosen]) chosen = c;
    }
    this.choices[Autotuner.id(p.op, p.shapeKey)] = chosen;
    this.history.push({ op: p.op, shapeKey: p.shapeKey, seconds, chosen });
    return chosen;
  }

  private async persist(): Promise<void> {
    await this.store?.save(this.adapterKey, this.snapshot());
  }
}

const tuners = new WeakMap<Gpu, Autotuner>();

export function setAutotuner(gpu: Gpu, tuner: Autotuner): void {
  tuners.set(gpu, tuner);
}

/** The Gpu's tuner; a trial-free one (heuristic defaults) unless setAutotuner attached another. */
export function autotunerFor(gpu: Gpu): Autotuner {
  let t = tuners.get(gpu);
  if (!t) {
    t = new Autotuner(adapterKey(gpu.info), { trials: false });
    tuners.set(gpu, t);
  }
  return t;
}

/** A tuner with timed trials and saved choices, loaded and attached to the Gpu. */
export async function createAutotuner(gpu: Gpu, store?: AutotuneStore, options: Omit<AutotunerOptions, 'store'> = {}): Promise<Autotuner> {
  const t = new Autotuner(adapterKey(gpu.info), { store, trials: options.trials ?? true });
  await t.load();
  setAutotuner(gpu, t);
  return t;
}

/** SwiftShader and other CPU fallbacks: workgroup memory buys nothing there. */
export function isCpuAdapter(info: GpuInfo): boolean {
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp/i.test(describeAdapter(info));
}
