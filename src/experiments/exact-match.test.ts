// The sweep's exact-match hook against a double of the engine methods it calls: it evaluates the run's held-out rows
// with the best checkpoint (greedy labels, the run's max target length), reuses an evaluation stored for that
// checkpoint step, asks once per step, and with onError keeps the row empty and tries again on the next save.
import { describe, expect, it } from 'vitest';
import type { GenerationEvalReport, GenerationEvalRequest, StoredEvaluation } from '../engine/api';
import type { RunRecord } from '../engine/run-api';
import { sweepExactMatch, type ExactMatchApi } from './exact-match';

const report = (exactMatch: number, rationales = false) => ({ summary: { exactMatch }, options: { rationales } }) as GenerationEvalReport;

class EvalDouble implements ExactMatchApi {
  readonly requests: GenerationEvalRequest[] = [];
  stored: StoredEvaluation[] = [];
  bestStep = 4;
  failNext = false;

  async getRun(runId: string) {
    return { id: runId, config: { maxTargetLength: 24 }, checkpoints: { best: { step: this.bestStep, epoch: 1, evalLoss: 1, savedAt: 0 } } } as unknown as RunRecord;
  }
  async runEvalRows() {
    return [
      { id: 'e1', question: 'q1', label: '{"a":1}', rationale: 'r1' },
      { id: 'e2', question: 'q2', label: '{"a":2}', rationale: 'r2' },
    ];
  }
  async runEvaluations() {
    return this.stored;
  }
  async evaluateGeneration(request: GenerationEvalRequest) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('already generating; wait for the previous request');
    }
    this.requests.push(request);
    return report(0.5);
  }
}

describe('sweep exact match', () => {
  it("evaluates the run's held-out rows with its best checkpoint once per step, labels only", async () => {
    const api = new EvalDouble();
    const exact = sweepExactMatch(api, { name: 'sales' });
    expect(await exact('run-a')).toBe(0.5);
    expect(await exact('run-a')).toBe(0.5);
    expect(api.requests).toEqual([{
      rows: [{ id: 'e1', question: 'q1', label: '{"a":1}' }, { id: 'e2', question: 'q2', label: '{"a":2}' }],
      options: { maxNewTokens: 24, rationales: false },
      answerWith: { kind: 'run', runId: 'run-a', checkpoint: 'best' },
      dataset: { name: 'sales', evalRows: 2 },
    }]);
    api.bestStep = 8;
    await exact('run-a');
    expect(api.requests.length).toBe(2);
  });

  it('reuses a stored label evaluation of the same best step, not one with rationales or of another step', async () => {
    const api = new EvalDouble();
    const stored = (step: number, exactMatch: number, rationales: boolean): StoredEvaluation => ({ at: 0, runId: 'run-b', checkpoint: 'best', step, dataset: null, report: report(exactMatch, rationales) });
    api.stored = [stored(4, 0.9, true), stored(3, 0.8, false), stored(4, 0.25, false)];
    expect(await sweepExactMatch(api, { name: 'sales' })('run-b')).toBe(0.25);
    expect(api.requests).toEqual([]);
  });

  it('with onError a failed evaluation leaves the row empty and is tried again; without it the error propagates', async () => {
    const api = new EvalDouble();
    const errors: string[] = [];
    const exact = sweepExactMatch(api, { name: 'sales' }, { onError: (runId, e) => errors.push(`${runId}: ${(e as Error).message}`) });
    api.failNext = true;
    expect(await exact('run-c')).toBeNull();
    expect(errors).toEqual(['run-c: already generating; wait for the previous request']);
    expect(await exact('run-c')).toBe(0.5);
    api.failNext = true;
    await expect(sweepExactMatch(api, { name: 'sales' })('run-d')).rejects.toThrow(/already generating/);
  });
});
