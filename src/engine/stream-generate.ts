// One prompt generated token by token for the Playground: the decoded text of the leading row (for beam search,
// the current best beam) is sent after every step, the JSON constraint can be switched on, and a stop request ends
// generation at the next step with what was written so far.
import type { Gpu } from '../gpu/gpu';
import { ConstrainedRows, jsonConstraintFor } from '../eval/json-constraint';
import type { T5Model } from '../model/t5-model';
import type { T5Tokenizer } from '../model/tokenizer';
import type { StreamRequestOptions, StreamResult, StreamUpdate } from './api';
import { modelGenerator } from './generation-eval';
import { GENERATE_LIMITS } from './loaded-model';
import { EngineError } from './errors';

class Stopped extends Error {}

export class Streams {
  private running: { id: string; controller: AbortController } | null = null;
  private count = 0;

  async run(gpu: Gpu, loaded: { model: T5Model; tokenizer: T5Tokenizer }, text: string, o: StreamRequestOptions, onUpdate?: (u: StreamUpdate) => void, genId?: string): Promise<StreamResult> {
    const L = GENERATE_LIMITS;
    const beams = o.numBeams ?? 1;
    if (typeof text !== 'string' || !text.trim()) throw new EngineError('bad-input', 'generate: the text is empty');
    if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1 || o.maxNewTokens > L.maxNewTokens) throw new EngineError('bad-input', `generate: maxNewTokens must be an integer from 1 to ${L.maxNewTokens} (got ${o.maxNewTokens})`);
    if (!Number.isInteger(beams) || beams < 1 || beams > L.beams) throw new EngineError('bad-input', `generate: numBeams must be an integer from 1 to ${L.beams} (got ${beams})`);
    if (this.running) throw new EngineError('busy', `already generating (${this.running.id})`);
    const id = genId ?? `gen-${++this.count}`;
    const controller = new AbortController();
    this.running = { id, controller };
    const tok = loaded.tokenizer;
    const gen = modelGenerator(gpu, loaded.model, tok);
    let rows: ConstrainedRows | null = null;
    try {
      if (o.jsonConstrained) rows = new ConstrainedRows(jsonConstraintFor(tok, gen.vocabRows), beams, o.maxNewTokens);
    } catch (e) {
      this.running = null;
      throw new EngineError('bad-input', (e as Error).message);
    }
    let seqs: number[][] = Array.from({ length: beams }, () => []);
    const started = performance.now();
    const send = (u: StreamUpdate) => {
      try {
        void Promise.resolve(onUpdate?.(u)).catch(() => undefined);
      } catch {
        // advisory
      }
    };
    try {
      const [ids] = await gen.generateIds([text], {
        maxNewTokens: o.maxNewTokens,
        numBeams: beams,
        hooks: {
          processLogits: rows ? (logits, V, t) => rows.processLogits(logits, V, t) : undefined,
          onStep: (tokens, from) => {
            rows?.onStep(tokens, from);
            seqs = tokens.map((t, r) => [...seqs[from[r]], t]);
            send({ genId: id, text: tok.decode(seqs[0]), tokens: seqs[0].filter((t) => t !== tok.padId).length });
            if (controller.signal.aborted) throw new Stopped();
          },
        },
      });
      return { genId: id, text: tok.decode(ids), tokens: ids.filter((t) => t !== tok.padId).length, finished: ids.includes(tok.eosId), stopped: false, millis: performance.now() - started };
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
      return { genId: id, text: tok.decode(seqs[0]), tokens: seqs[0].length, finished: false, stopped: true, millis: performance.now() - started };
    } finally {
      this.running = null;
    }
  }

  stop(genId: string): boolean {
    if (!this.running || this.running.id !== genId) return false;
    this.running.controller.abort();
    return true;
  }
}
