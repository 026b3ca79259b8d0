// Evaluation by generation through the engine on the tiny random checkpoint (Dawn): the runner's reports, metrics
// and samples agree with plain generation, the JSON constraint makes every label parse, progress arrives, and a
// cancel stops it. The tiny model is untrained, so the numbers only show the mechanics (and the constraint's cost).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../data/records';
import type { EvalRow } from '../eval/runner';
import { createNodeEngine } from '../hosts/node/engine';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import type { GenerationEvalProgress } from './generation-eval';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const SAMPLE = join(FIXTURES, '../public/sample');
const rows: EvalRow[] = readFileSync(join(SAMPLE, 'sales-reports.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, 4)
  .map((l) => JSON.parse(l) as EvalRow);
const schema = JSON.parse(readFileSync(join(SAMPLE, 'sales-reports.schema.json'), 'utf8')) as IndexSchema;

describe('engine.evaluateGeneration', () => {
  it('generates, scores, constrains, reports progress and cancels', async () => {
    const gpu = await testGpu();
    const engine = createNodeEngine(gpu);
    await expect(engine.evaluateGeneration({ rows })).rejects.toThrow(/no model is loaded/);
    await engine.loadModel({ kind: 'folder', path: TINY });

    const progress: GenerationEvalProgress[] = [];
    const free = await engine.evaluateGeneration({ rows, options: { maxNewTokens: 12, batchSize: 3, schema } }, (p) => progress.push(p));
    // The labels are what plain generation gives for "predict: <question>".
    expect(free.samples.map((s) => s.prediction)).toEqual(await engine.generate(rows.map((r) => `predict: ${r.question}`), { maxNewTokens: 12 }));
    expect(free.summary.samples).toBe(rows.length);
    expect(free.samples.every((s) => s.rationaleBleu !== null)).toBe(true);
    // Batch boundaries, plus reports inside a batch at most every 250 ms.
    const labelDone = progress.filter((p) => p.phase === 'label').map((p) => p.done);
    expect([...new Set(labelDone)]).toEqual([0, 3, 4]);
    expect(labelDone).toEqual([...labelDone].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ phase: 'rationale', done: 4, total: 4 });

    const constrained = await engine.evaluateGeneration({ rows, options: { maxNewTokens: 12, batchSize: 4, schema, constrained: true, rationales: false } });
    // Within 12 tokens the budget closes every label: all parse.
    expect(constrained.summary.jsonValidity).toBe(1);
    for (const s of constrained.samples) expect(() => JSON.parse(s.prediction), s.prediction).not.toThrow();
    expect(constrained.samples.every((s) => s.predictedRationale === null)).toBe(true);
    console.log(
      `tiny untied-gated, ${rows.length} sample rows, 12 new tokens: JSON validity ${free.summary.jsonValidity} without, ${constrained.summary.jsonValidity} with the constraint; ` +
        `label phase ${(free.labelMillis / free.labelTokens).toFixed(2)} ms/token without, ${(constrained.labelMillis / constrained.labelTokens).toFixed(2)} ms/token with ` +
        `(masking ${(constrained.constraintMillis / constrained.labelTokens).toFixed(3)} ms/token)`,
    );

    // Beam search under the constraint also ends in JSON.
    const beams = await engine.evaluateGeneration({ rows: rows.slice(0, 2), options: { maxNewTokens: 10, numBeams: 2, constrained: true, rationales: false } });
    for (const s of beams.samples) expect(() => JSON.parse(s.prediction), s.prediction).not.toThrow();

    // Cancel from the first progress report: the evaluation rejects as cancelled and the engine is free again.
    const cancelled = engine.evaluateGeneration({ evalId: 'e1', rows, options: { maxNewTokens: 12, batchSize: 1 } }, (p) => {
      if (p.done === 1) void engine.cancelGenerationEval('e1');
    });
    await expect(cancelled).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await engine.cancelGenerationEval('e1')).toBe(false);
    await expect(engine.evaluateGeneration({ rows: [{ id: 'x', question: ' ', label: '{}' }] })).rejects.toMatchObject({ kind: 'bad-input' });
  });
});
