// Answering with a run checkpoint, an imported adapter or a merged export, through the Node engine on the tiny
// checkpoint: a LoRA run's best checkpoint, its exported PEFT adapter on the loaded base, and the merged checkpoint
// loaded as a plain model all write the same text; an evaluation of the run checkpoint is kept with the run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../hosts/node/engine';
import { FIXTURES } from '../testing/checkpoint';
import { testGpu } from '../testing/gpu';
import { fileCollector } from '../io/export-stream';
import type { AnswerWith, MergeProgress } from './api';
import type { TrainingRow } from './run-api';
import { safetensorsHeaderKeys } from './answer-models.testing';

const TINY = join(FIXTURES, 'tiny-t5/untied-gated');
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const ROWS: TrainingRow[] = ['Europe', 'Asia', 'Africa', 'America', 'Oceania', 'Arctic', 'Iberia', 'Nordic'].map((region, i) => ({
  id: `r${i}`, question: `How many sales in ${region}?`, label: `{"size":${i}}`, rationale: `count sales in ${region.toLowerCase()}`,
}));

describe('answer with a run, an adapter or a merged model', { timeout: 600_000 }, () => {
  it('all three write the same text; the run evaluation is kept; bad requests name what is missing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stepwise-answer-'));
    roots.push(root);
    const engine = createNodeEngine(await testGpu(), { runsDir: root });
    const record = await engine.startRun({
      id: 'lora', model: { kind: 'folder', path: TINY }, data: { name: 'tiny rows', rows: ROWS },
      config: { method: 'lora', batchSize: 2, evalFraction: 0.25, maxSteps: 3, lr: 0.05, maxInputLength: 16, maxTargetLength: 12, lora: { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'wo'], rslora: false } },
    });
    expect(record.status).toBe('done');
    expect(record.checkpoints.best).toBeTruthy();
    // evaluate() builds the same model through Evaluator.buildModel: the best checkpoint scores the run's best eval loss.
    const scored = await engine.evaluate({ model: { kind: 'folder', path: TINY }, run: { id: 'lora', checkpoint: 'best' }, data: { name: 'tiny rows', rows: ROWS }, split: 'eval' });
    expect(scored.eval_loss).toBeCloseTo(record.best!.eval_loss, 5);

    // Without a model loaded a run checkpoint still answers (its base is reopened); an adapter needs the loaded base.
    const prompt = 'predict: How many sales in Europe?';
    const options = { maxNewTokens: 10 };
    const run: AnswerWith = { kind: 'run', runId: 'lora', checkpoint: 'best' };
    const fromRun = await engine.generateStream(prompt, { ...options, answerWith: run });
    expect(fromRun.tokens).toBeGreaterThan(0);
    const adapterFiles = await engine.exportRunAdapter('lora', 'best');
    const adapter: AnswerWith = { kind: 'adapter', id: 'a1', label: 'lora best', files: adapterFiles };
    await expect(engine.generateStream(prompt, { ...options, answerWith: adapter })).rejects.toMatchObject({ kind: 'not-found', message: /load the adapter's base/ });

    await engine.loadModel({ kind: 'folder', path: TINY });
    const base = await engine.generateStream(prompt, options);
    const fromAdapter = await engine.generateStream(prompt, { ...options, answerWith: adapter });
    expect(fromAdapter.text).toBe(fromRun.text);
    // lr 0.05 for three steps moves the label away from the untrained base's.
    expect(fromRun.text).not.toBe(base.text);

    // The merged export: a plain checkpoint (no LoRA names) that, loaded as the model, writes the same text.
    // It streams: chunks in file order, progress up to the total, and a sink that throws stops it (cancel).
    const collected = fileCollector();
    const progress: MergeProgress[] = [];
    const summary = await engine.exportMergedModel(run, collected.sink, (p) => void progress.push(p));
    const merged = collected.files();
    expect([...merged.keys()]).toEqual(summary.files.map((f) => f.name));
    expect(summary.files.map((f) => f.name)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
    expect(summary.bytes).toBe(summary.files.reduce((n, f) => n + f.size, 0));
    expect(progress.at(-1)).toMatchObject({ stage: 'write', done: summary.bytes, total: summary.bytes });
    expect(safetensorsHeaderKeys(merged.get('model.safetensors') as Uint8Array).some((k) => k.includes('lora'))).toBe(false);
    let chunks = 0;
    const stop = new Error('cancelled by the test');
    await expect(engine.exportMergedModel(run, () => { if (++chunks === 3) throw stop; })).rejects.toBe(stop);
    expect(chunks).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-merged-'));
    roots.push(dir);
    for (const [name, data] of merged) writeFileSync(join(dir, name), data);
    await engine.loadModel({ kind: 'folder', path: dir });
    const fromMerged = await engine.generateStream(prompt, options);
    expect(fromMerged.text).toBe(fromRun.text);

    // An evaluation answered by the run's checkpoint is kept with the run.
    const report = await engine.evaluateGeneration({ rows: ROWS.slice(0, 2), options: { maxNewTokens: 6, rationales: false }, answerWith: run, dataset: { name: 'tiny rows', evalRows: 2 } });
    const kept = await engine.runEvaluations('lora');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ runId: 'lora', checkpoint: 'best', step: record.checkpoints.best!.step, dataset: { name: 'tiny rows', evalRows: 2 } });
    expect(kept[0].report.summary).toEqual(report.summary);
    // The loaded model's evaluations are not a run's.
    await engine.evaluateGeneration({ rows: ROWS.slice(0, 1), options: { maxNewTokens: 4, rationales: false } });
    expect(await engine.runEvaluations('lora')).toHaveLength(1);

    await expect(engine.generateStream(prompt, { ...options, answerWith: { kind: 'run', runId: 'nope', checkpoint: 'best' } })).rejects.toMatchObject({ kind: 'not-found' });
  });
});
