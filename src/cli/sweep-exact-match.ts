// The exact-match column of a sweep's results: each finished configuration's best checkpoint generates labels for
// the eval split its run held out (the same seeded split), and the share that equal the reference after canonical
// JSON is its exact match. Generation is greedy, labels only, up to the run's max target length. The queue asks again
// each time it saves results, so an answer is reused: from this process, or stored with the run by an earlier one.
import type { Engine } from '../engine/engine';
import type { RunData } from '../engine/run-api';

export function sweepExactMatch(engine: Engine, data: RunData): (runId: string) => Promise<number | null> {
  const known = new Map<string, number | null>();
  return async (runId) => {
    const record = await engine.getRun(runId);
    const best = record?.checkpoints.best;
    if (!record || !best) return null;
    const key = `${runId}@${best.step}`;
    if (known.has(key)) return known.get(key) ?? null;
    const stored = (await engine.runEvaluations(runId)).find((e) => e.checkpoint === 'best' && e.step === best.step && !e.report.options.rationales);
    if (stored) {
      known.set(key, stored.report.summary.exactMatch);
      return stored.report.summary.exactMatch;
    }
    const rows = (await engine.runEvalRows(runId)).map(({ id, question, label }) => ({ id, question, label }));
    if (rows.length === 0) return null;
    const report = await engine.evaluateGeneration({
      rows,
      options: { maxNewTokens: record.config.maxTargetLength, rationales: false },
      answerWith: { kind: 'run', runId, checkpoint: 'best' },
      dataset: { name: data.name, evalRows: rows.length },
    });
    known.set(key, report.summary.exactMatch);
    return report.summary.exactMatch;
  };
}
