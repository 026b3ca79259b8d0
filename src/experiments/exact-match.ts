// The exact-match column of a sweep's results, the same in the CLI and the studio: each finished configuration's best
// checkpoint generates labels for the eval split its run held out (the engine's runEvalRows: the run's own data
// snapshot and split), and the share that equal the reference after canonical JSON is its exact match. Generation is
// greedy, labels only, up to the run's max target length. The queue asks again each time it saves results, so an
// answer is reused: from this session, or stored with the run by an earlier one (runEvaluations).
import type { EngineApi, GenerationEvalProgress } from '../engine/api';
import type { RunApi, RunData } from '../engine/run-api';

/** The engine methods exact match needs: the Node engine, or the studio's worker proxy. */
export type ExactMatchApi = Pick<RunApi, 'getRun' | 'runEvalRows'> & Pick<EngineApi, 'runEvaluations' | 'evaluateGeneration'>;

export interface ExactMatchHooks {
  /** Generation progress of the run being evaluated. */
  onProgress?: (runId: string, p: GenerationEvalProgress) => void;
  /**
   * A failed evaluation (a busy engine, a lost device): with this hook the row keeps an empty exact match and the next
   * save of the results tries again; without it the error propagates.
   */
  onError?: (runId: string, error: unknown) => void;
}

export function sweepExactMatch(api: ExactMatchApi, data: Pick<RunData, 'name'>, hooks: ExactMatchHooks = {}): (runId: string) => Promise<number | null> {
  const known = new Map<string, number | null>();
  const measure = async (runId: string): Promise<number | null> => {
    const record = await api.getRun(runId);
    const best = record?.checkpoints.best;
    if (!record || !best) return null;
    const key = `${runId}@${best.step}`;
    if (known.has(key)) return known.get(key) ?? null;
    const stored = (await api.runEvaluations(runId)).find((e) => e.checkpoint === 'best' && e.step === best.step && !e.report.options.rationales);
    if (stored) {
      known.set(key, stored.report.summary.exactMatch);
      return stored.report.summary.exactMatch;
    }
    const rows = (await api.runEvalRows(runId)).map(({ id, question, label }) => ({ id, question, label }));
    if (rows.length === 0) return null;
    const onProgress = hooks.onProgress && ((p: GenerationEvalProgress) => hooks.onProgress?.(runId, p));
    const report = await api.evaluateGeneration(
      {
        rows,
        options: { maxNewTokens: record.config.maxTargetLength, rationales: false },
        answerWith: { kind: 'run', runId, checkpoint: 'best' },
        dataset: { name: data.name, evalRows: rows.length },
      },
      onProgress,
    );
    known.set(key, report.summary.exactMatch);
    return report.summary.exactMatch;
  };
  return async (runId) => {
    if (!hooks.onError) return measure(runId);
    try {
      return await measure(runId);
    } catch (e) {
      hooks.onError(runId, e);
      return null;
    }
  };
}
