// Which method, rank and alpha to train under a memory and a time budget. From measured results when some run fits
// both budgets (the lowest best eval loss among them); otherwise the paper's guidance: full fine-tuning when memory
// allows, LoRA when time and memory are tight, QLoRA when memory is the binding limit, alpha:rank 4:1. Every choice
// comes with the numbers behind it.
import type { TuneMethod } from '../settings/run-config';
import type { ResultRow } from './results';
import { isMeasured } from './tables';

export interface Budget {
  /** GPU bytes available. */
  memoryBytes: number;
  /** Seconds of training available (Infinity: no limit). */
  seconds: number;
}

/** Estimates for the fallback, per method (from estimateMemory and, when known, a timing). */
export interface MethodEstimates {
  memoryBytes: Record<TuneMethod, number>;
  seconds?: Partial<Record<TuneMethod, number>>;
}

export interface Recommendation {
  method: TuneMethod;
  /** null for full fine-tuning. */
  rank: number | null;
  alpha: number | null;
  model?: string;
  source: 'measured' | 'guidance';
  /** false when nothing fits the budget (the choice is then the least demanding one). */
  fits: boolean;
  /** Sentences with the numbers behind the choice. */
  reasons: string[];
}

export const formatBytes = (n: number): string => {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
};

export const formatSeconds = (s: number): string => (s >= 3600 ? `${(s / 3600).toFixed(2)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

const NAMES: Record<TuneMethod, string> = { full: 'full fine-tuning', lora: 'LoRA', qlora: 'QLoRA' };

const describe = (r: { method: TuneMethod; rank: number | null; alpha: number | null }) =>
  r.method === 'full' ? NAMES.full : `${NAMES[r.method]} r ${r.rank}, alpha ${r.alpha}`;

/** The paper's rank for a method under the guidance: its largest (128), with alpha 4:1. */
const GUIDED_RANK = 128;

/** From measured rows first; estimates (per method) drive the fallback when no measured run fits. */
export function recommend(rows: readonly ResultRow[], budget: Budget, estimates?: MethodEstimates, model?: string): Recommendation {
  if (!(budget.memoryBytes > 0)) throw new Error('recommend: the memory budget must be a positive number of bytes');
  if (!(budget.seconds > 0)) throw new Error('recommend: the time budget must be a positive number of seconds');
  const measured = rows.filter((r) => isMeasured(r) && (!model || r.model === model));
  const fitsMemory = (r: ResultRow) => r.peak_gpu_bytes !== null && r.peak_gpu_bytes <= budget.memoryBytes;
  const fitsTime = (r: ResultRow) => r.train_seconds !== null && r.train_seconds <= budget.seconds;
  const candidates = measured.filter((r) => fitsMemory(r) && fitsTime(r)).sort((a, b) => (a.best_eval_loss as number) - (b.best_eval_loss as number));
  if (candidates.length > 0) {
    const best = candidates[0];
    const reasons = [
      `${describe(best)} on ${best.model} had the lowest best eval loss (${(best.best_eval_loss as number).toFixed(5)}) of the ${candidates.length} measured run${candidates.length > 1 ? 's' : ''} within both budgets`,
      `it peaked at ${formatBytes(best.peak_gpu_bytes as number)} of the ${formatBytes(budget.memoryBytes)} memory budget and trained in ${formatSeconds(best.train_seconds as number)} of the ${Number.isFinite(budget.seconds) ? formatSeconds(budget.seconds) : 'unlimited'} time budget`,
    ];
    const overall = [...measured].sort((a, b) => (a.best_eval_loss as number) - (b.best_eval_loss as number))[0];
    if (overall !== best) {
      const why = !fitsMemory(overall) ? `needed ${overall.peak_gpu_bytes === null ? 'an unmeasured amount of' : formatBytes(overall.peak_gpu_bytes)} memory` : `took ${formatSeconds(overall.train_seconds ?? NaN)}`;
      reasons.push(`the best run overall, ${describe(overall)} on ${overall.model} (${(overall.best_eval_loss as number).toFixed(5)}), ${why}`);
    }
    if (best.samples_per_s !== null) reasons.push(`it trained at ${best.samples_per_s.toFixed(2)} samples/s`);
    return { method: best.method, rank: best.rank, alpha: best.alpha, model: best.model, source: 'measured', fits: true, reasons };
  }
  const reasons: string[] = [];
  if (measured.length > 0) reasons.push(`none of the ${measured.length} measured runs fits both budgets (${formatBytes(budget.memoryBytes)}, ${Number.isFinite(budget.seconds) ? formatSeconds(budget.seconds) : 'no time limit'}): falling back to the paper's guidance`);
  else reasons.push(`no measured runs${model ? ` of ${model}` : ''}: following the paper's guidance`);
  return { ...guidance(budget, estimates, reasons), model };
}

function guidance(budget: Budget, estimates: MethodEstimates | undefined, reasons: string[]): Omit<Recommendation, 'model'> {
  const adapter = (method: TuneMethod, fits: boolean, why: string) => {
    reasons.push(why, `alpha:rank 4:1 (r ${GUIDED_RANK}, alpha ${GUIDED_RANK * 4}) as the paper's best adapters used`);
    return { method, rank: GUIDED_RANK, alpha: GUIDED_RANK * 4, source: 'guidance' as const, fits, reasons };
  };
  if (!estimates) {
    reasons.push('without a memory estimate for the model the safe default is LoRA');
    return adapter('lora', true, 'LoRA trains a small share of the weights, so its memory and time stay close to inference');
  }
  const mem = estimates.memoryBytes;
  const sec = estimates.seconds ?? {};
  const m = (k: TuneMethod) => `${NAMES[k]} needs about ${formatBytes(mem[k])}`;
  const timeOk = (k: TuneMethod) => sec[k] === undefined || (sec[k] as number) <= budget.seconds;
  if (mem.full <= budget.memoryBytes && timeOk('full')) {
    reasons.push(`${m('full')}, within the ${formatBytes(budget.memoryBytes)} budget${sec.full !== undefined ? `, and about ${formatSeconds(sec.full)} of the ${formatSeconds(budget.seconds)}` : ''}: full fine-tuning gave the paper's lowest eval loss when memory allowed`);
    return { method: 'full', rank: null, alpha: null, source: 'guidance', fits: true, reasons };
  }
  if (mem.full <= budget.memoryBytes) reasons.push(`${m('full')} (fits) but about ${formatSeconds(sec.full as number)}, over the ${formatSeconds(budget.seconds)} budget`);
  else reasons.push(`${m('full')}, over the ${formatBytes(budget.memoryBytes)} budget`);
  if (mem.lora <= budget.memoryBytes) return adapter('lora', timeOk('lora'), `${m('lora')}, within the budget: LoRA when time and memory are tight`);
  reasons.push(`${m('lora')}, over the budget`);
  if (mem.qlora <= budget.memoryBytes) return adapter('qlora', timeOk('qlora'), `${m('qlora')}, within the budget: QLoRA when memory is the binding limit (its NF4 base trades speed for memory)`);
  reasons.push(`${m('qlora')}: nothing fits ${formatBytes(budget.memoryBytes)}; QLoRA is the least demanding choice (lower the batch size or the lengths)`);
  return adapter('qlora', false, 'QLoRA stores the frozen base in 4 bits');
}
