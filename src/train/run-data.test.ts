// What a run's rows turn into, counted before the start: skipped rows with reasons, invalid labels kept, truncation
// counts, label-only datasets, and the seeded per-epoch order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTextTokenizer } from '../model/tokenizer';
import { parseRunConfig } from '../settings/run-config';
import { FIXTURES } from '../testing/checkpoint';
import { epochOrder, padBatch, prepareRunData, stepsPerEpoch } from './run-data';

const DIR = join(FIXTURES, 'tiny-t5/untied-gated');
const files = { tokenizerJson: readFileSync(join(DIR, 'tokenizer.json'), 'utf8'), tokenizerConfig: JSON.parse(readFileSync(join(DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>, vocabSize: 128 };
const tokenizer = createTextTokenizer(files.tokenizerJson, files.tokenizerConfig);
const row = (id: string, question: string, label: string, rationale = 'because') => ({ id, question, label, rationale });

describe('prepareRunData', () => {
  it('reports skipped rows with reasons, keeps invalid labels counted, and counts truncation', () => {
    const rows = [
      row('a', 'How many sales in Europe?', '{"size":0}'),
      row('b', '  ', '{"size":1}'),
      row('c', 'What is the total?', ''),
      row('a', 'duplicate id', '{"size":2}'),
      row('d', 'How many orders per month in the last year for Europe?', 'not json'),
      row('e', 'Top sales?', '{"size":3}', 'a much longer rationale than the target limit allows'),
    ];
    const config = parseRunConfig({ evalFraction: 0, maxInputLength: 12, maxTargetLength: 10 });
    const d = prepareRunData(rows, tokenizer, files, config);
    expect(d.report.skipped).toEqual([{ rowId: 'b', reason: 'no question' }, { rowId: 'c', reason: 'no label' }, { rowId: 'a', reason: 'duplicate id' }]);
    expect(d.report.rowsGiven).toBe(6);
    expect(d.report.trainRows).toBe(3);
    expect(d.report.invalidLabels).toBe(1);
    expect(d.report.labelInputsTruncated).toBeGreaterThanOrEqual(1);
    expect(d.report.rationaleTargetsTruncated).toBe(1);
    expect(d.report.labelOnly).toBe(false);
    expect(d.report.addedCharacters).toEqual([]);
    expect(d.longestInput).toBeLessThanOrEqual(12);
    expect(d.longestTarget).toBeLessThanOrEqual(10);
    expect(() => prepareRunData([rows[1]], tokenizer, files, config)).toThrow(/no usable rows: 1 given, 1 skipped \(no question\)/);
  });

  it('a dataset without rationales trains label-only; a row without one has no rationale target', () => {
    const config = parseRunConfig({ evalFraction: 0 });
    const none = prepareRunData([row('a', 'q one', '{}', ''), row('b', 'q two', '{}', '')], tokenizer, files, config);
    expect(none.report.labelOnly).toBe(true);
    expect(padBatch(none.train).rationale).toBeUndefined();
    const some = prepareRunData([row('a', 'q one', '{}', ''), row('b', 'q two', '{}', 'why')], tokenizer, files, config);
    expect(some.report.labelOnly).toBe(false);
    const batch = padBatch(some.train);
    const labels = batch.rationale!.labels;
    const withoutRationale = some.train.findIndex((e) => e.id === 'a');
    expect(labels[withoutRationale].every((t) => t === -100)).toBe(true);
  });

  it('the train order is a seeded shuffle per epoch (regenerable from seed and epoch), or dataset order', () => {
    expect(epochOrder(10, 42, 3, true)).toEqual(epochOrder(10, 42, 3, true));
    expect(epochOrder(10, 42, 3, true)).not.toEqual(epochOrder(10, 42, 4, true));
    expect([...epochOrder(10, 42, 3, true)].sort((x, y) => x - y)).toEqual(epochOrder(10, 42, 0, false));
    expect(stepsPerEpoch(10, { batchSize: 3, gradAccum: 2 })).toEqual({ micro: 4, steps: 2 });
  });
});
