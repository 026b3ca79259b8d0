// Evaluation by generation behind the engine (evaluation.ts scores eval loss; this one what the model writes): the
// loaded model's KV-cached generator as the eval runner's SequenceGenerator, and the engine's evaluateGeneration /
// cancelGenerationEval (one at a time, cancelled by id since AbortSignals cannot cross comlink).
import type { Gpu } from '../gpu/gpu';
import { T5Generator } from '../model/generate';
import type { T5Model } from '../model/t5-model';
import type { T5Tokenizer } from '../model/tokenizer';
import { DSS_DEFAULTS } from '../data/dss-examples';
import { EvaluationCancelled, runEvaluation, type EvalReport, type SequenceGenerator } from '../eval/runner';
import type { GenerationEvalProgress, GenerationEvalRequest } from './api';
import { EngineError } from './errors';

export type { GenerationEvalProgress, GenerationEvalReport, GenerationEvalRequest } from './api';

/** Longest input kept (as training cuts it): the question's tail is dropped, </s> kept. */
const MAX_INPUT_TOKENS = DSS_DEFAULTS.maxInputLength;

/** A generator over a model already on the GPU; every call builds and frees its own KV cache. */
export function modelGenerator(gpu: Gpu, model: T5Model, tokenizer: T5Tokenizer): SequenceGenerator {
  return {
    tokenizer,
    vocabRows: model.dims.V,
    async generateIds(inputs, o) {
      const encoded = inputs.map((t) => {
        const ids = tokenizer.encode(t);
        return ids.length > MAX_INPUT_TOKENS ? [...ids.slice(0, MAX_INPUT_TOKENS - 1), tokenizer.eosId] : ids;
      });
      const Tin = Math.max(...encoded.map((e) => e.length));
      const ids = encoded.map((e) => [...e, ...new Array<number>(Tin - e.length).fill(tokenizer.padId)]);
      const mask = encoded.map((e) => Array.from({ length: Tin }, (_, i) => (i < e.length ? 1 : 0)));
      const gen = new T5Generator(model, gpu, inputs.length * o.numBeams, Tin, o.maxNewTokens);
      try {
        return await gen.generate(ids, mask, { maxNewTokens: o.maxNewTokens, numBeams: o.numBeams, hooks: o.hooks });
      } finally {
        gen.free();
      }
    },
  };
}

/** The engine's evaluations: at most one runs; each can be cancelled by its id. */
export class GenerationEvals {
  private running: { id: string; controller: AbortController } | null = null;
  private count = 0;

  async run(gpu: Gpu, loaded: { model: T5Model; tokenizer: T5Tokenizer }, request: GenerationEvalRequest, onProgress?: (p: GenerationEvalProgress) => void): Promise<EvalReport> {
    if (this.running) throw new EngineError('busy', `an evaluation is running (${this.running.id}); wait for it or cancel it`);
    if (!request || !Array.isArray(request.rows) || request.rows.length === 0) throw new EngineError('bad-input', 'evaluate: give at least one row (id, question, label)');
    const id = request.evalId ?? `eval-${++this.count}`;
    const controller = new AbortController();
    this.running = { id, controller };
    try {
      return await runEvaluation(modelGenerator(gpu, loaded.model, loaded.tokenizer), request.rows, request.options ?? {}, {
        signal: controller.signal,
        onProgress: (p) => void Promise.resolve(onProgress?.({ ...p, evalId: id })).catch(() => undefined),
      });
    } catch (e) {
      if (e instanceof EvaluationCancelled) throw new EngineError('cancelled', e.message);
      if (e instanceof Error && /^evaluation row|batchSize|^JSON-constrained decoding/.test(e.message)) throw new EngineError('bad-input', e.message);
      throw e;
    } finally {
      this.running = null;
    }
  }

  cancel(evalId: string): boolean {
    if (!this.running || this.running.id !== evalId) return false;
    this.running.controller.abort();
    return true;
  }
}
