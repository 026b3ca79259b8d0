import { describe, expect, it } from 'vitest';
import { makeTinyTokenizer } from '../io/tiny-tokenizer';
import { createTextTokenizer } from '../model/tokenizer';
import { buildDssExamples, dssBatches, truncateKeepingEos } from './dss-examples';
import { assignSplits } from './split';
import { T5_EOS_ID, type TextTokenizer } from '../common/tokenizer-types';

/** Test tokenizer: one id per character (code + 2, clear of pad 0 and eos 1), then </s>. */
const chars: TextTokenizer = {
  encode: (text) => [...text].map((c) => c.codePointAt(0)! + 2).concat(T5_EOS_ID),
  decode: (ids) => String.fromCodePoint(...ids.filter((i) => i > 1).map((i) => i - 2)),
};

const rows = [
  { id: 'r1', question: 'How many?', label: '{ "size": 0,\n  "track_total_hits": true }', rationale: 'Count.' },
  { id: 'r2', question: 'Sales in Europe over the last ten years, by year?', label: '{"query":{"term":{"region":"Europe"}}}', rationale: 'Filter region, then a yearly histogram of amount.' },
  { id: 'r3', question: 'Q?', label: 'not json', rationale: 'R' },
];

describe('buildDssExamples', () => {
  it('builds predict:/explain: inputs and label/rationale targets with </s>', () => {
    const { examples, report } = buildDssExamples(rows, chars);
    const e = examples[0];
    expect(chars.decode(e.label.inputIds)).toBe('predict: How many?');
    expect(chars.decode(e.rationale.inputIds)).toBe('explain: How many?');
    expect(chars.decode(e.label.labels)).toBe('{"size":0,"track_total_hits":true}');
    expect(chars.decode(e.rationale.labels)).toBe('Count.');
    expect(e.label.inputIds.at(-1)).toBe(T5_EOS_ID);
    expect(chars.decode(examples[2].label.labels)).toBe('not json');
    const splits = assignSplits(rows);
    expect(examples.map((x) => x.split)).toEqual(rows.map((r) => splits.get(r.id)));
    expect(report).toMatchObject({ rows: 3, labelInputsTruncated: 0, labelTargetsTruncated: 0, longestLabel: 39, longestRationale: 50 });
  });

  it('truncates keeping </s>, and counts each kind of cut', () => {
    expect(truncateKeepingEos([5, 6, 7, 8, 1], 3)).toEqual([5, 6, 1]);
    expect(truncateKeepingEos([5, 1], 3)).toEqual([5, 1]);
    const { examples, report } = buildDssExamples(rows, chars, { maxInputLength: 20, maxTargetLength: 10, labelPrefix: 'sql: ', rationalePrefix: 'why: ', compactLabels: false });
    for (const e of examples) {
      for (const ids of [e.label.inputIds, e.rationale.inputIds]) expect(ids.length).toBeLessThanOrEqual(20);
      for (const ids of [e.label.labels, e.rationale.labels]) expect(ids.length).toBeLessThanOrEqual(10);
      expect(e.label.labels.at(-1)).toBe(T5_EOS_ID);
    }
    expect(chars.decode(examples[1].label.inputIds)).toBe('sql: Sales in Europ');
    expect(chars.decode(examples[0].label.labels)).toBe('{ "size":');
    expect(report).toEqual({
      rows: 3, maxInputLength: 20, maxTargetLength: 10,
      labelInputsTruncated: 1, rationaleInputsTruncated: 1, labelTargetsTruncated: 2, rationaleTargetsTruncated: 1,
      longestInput: 55, longestLabel: 42, longestRationale: 50,
      unrepresentable: { question: [], label: [], rationale: [] },
    });
    expect(() => buildDssExamples(rows, chars, { splits: new Map([['r1', 'train']]) })).toThrow(/row "r2" has no train\/eval split/);
  });
});

describe('buildDssExamples label compaction', () => {
  it('leaves a label with a repeated key as written instead of silently dropping one value', () => {
    const dup = [{ id: 'd', question: 'Q?', label: '{"size": 1, "size": 2}', rationale: 'R' }];
    const { examples } = buildDssExamples(dup, chars);
    expect(chars.decode(examples[0].label.labels)).toBe('{"size": 1, "size": 2}');
  });
});

describe('buildDssExamples with a tokenizer that lacks characters', () => {
  // FLAN-T5-like: the tiny tokenizer without the pieces that hold "{" or "}" (154 pieces, vocab_size 160).
  const tiny = makeTinyTokenizer(160);
  const json = structuredClone(tiny.tokenizerJson) as { model: { vocab: [string, number][] } };
  json.model.vocab = json.model.vocab.filter(([piece]) => !piece.includes('{') && !piece.includes('}'));
  const t5 = createTextTokenizer(json, tiny.tokenizerConfig);
  const jsonRows = [
    { id: 'a', question: 'How many sales in Europe?', label: '{ "size": 0 }', rationale: 'Count only.' },
    { id: 'b', question: 'Total price by region?', label: '{"aggs":{"r":{"terms":{"field":"region"}}}}', rationale: 'Group by region,\nthen sum.' },
    { id: 'c', question: 'What is {x}?', label: '{"query":{"match":{"name":"x"}}}', rationale: 'Match x.' },
  ];

  it('reports unrepresentable characters per field with counts, and keeps the tokenizer unless asked', () => {
    const { examples, report, repaired } = buildDssExamples(jsonRows, t5);
    expect(report.unrepresentable).toEqual({
      question: [{ char: '{', count: 1 }, { char: '}', count: 1 }],
      label: [{ char: '{', count: 8 }, { char: '}', count: 8 }],
      rationale: [{ char: '\n', count: 1 }],
    });
    expect(repaired).toBeUndefined();
    expect(report.addedTokens).toBeUndefined();
    expect(examples[0].label.labels).toContain(t5.unkId);
  });

  it('repairs on request: adds the characters at the free ids, labels round-trip, files come back to be saved', () => {
    const config = { ...tiny.tokenizerConfig, added_tokens_decoder: {} };
    const { examples, report, repaired } = buildDssExamples(jsonRows, t5, { repairTokenizer: { tokenizerJson: json, tokenizerConfig: config, vocabSize: 160 } });
    expect(report.addedTokens).toEqual([{ char: '{', id: 154 }, { char: '}', id: 155 }, { char: '\n', id: 156 }]);
    expect(report.unrepresentable.label).toEqual([{ char: '{', count: 8 }, { char: '}', count: 8 }]);
    const fixed = createTextTokenizer(repaired!.tokenizerJson, repaired!.tokenizerConfig);
    expect(Object.keys(repaired!.tokenizerConfig!.added_tokens_decoder as object)).toEqual(['154', '155', '156']);
    for (const [i, e] of examples.entries()) {
      expect(e.label.labels).not.toContain(fixed.unkId);
      expect(fixed.decode(e.label.labels)).toBe(JSON.stringify(JSON.parse(jsonRows[i].label)));
      expect(fixed.decode(e.rationale.labels)).toBe(jsonRows[i].rationale);
    }
    // Whitespace next to an added character does not survive the pre-tokenizer (docs/tokenization.md).
    expect(examples.map((e) => fixed.decode(e.label.inputIds))).toEqual(['predict: How many sales in Europe?', 'predict: Total price by region?', 'predict: What is{x}?']);
  });

  it('repairs only the chosen fields, and refuses clearly when there are not enough free rows', () => {
    const { report } = buildDssExamples(jsonRows, t5, { repairTokenizer: { tokenizerJson: json, vocabSize: 160, fields: ['label'] } });
    expect(report.addedTokens).toEqual([{ char: '{', id: 154 }, { char: '}', id: 155 }]);
    expect(() => buildDssExamples(jsonRows, t5, { repairTokenizer: { tokenizerJson: json, vocabSize: 155 } })).toThrow(
      /cannot add 3 character tokens \("\{" "\}" "\\n"\): config.vocab_size 155 leaves 1 free embedding rows/,
    );
  });
});

describe('dssBatches', () => {
  const { examples } = buildDssExamples(rows, chars);

  it('pads inputs with 0 and mask, labels with -100, in the BATCH.json shape', () => {
    const [b] = dssBatches(examples.slice(0, 2), 2, 1, { shuffle: false });
    expect(Object.keys(b)).toEqual(['label', 'rationale']);
    const long = examples[1].label.inputIds.length;
    const short = examples[0].label.inputIds.length;
    expect(b.label.input_ids[0]).toEqual([...examples[0].label.inputIds, ...Array(long - short).fill(0)]);
    expect(b.label.attention_mask[0]).toEqual([...Array(short).fill(1), ...Array(long - short).fill(0)]);
    expect(b.label.attention_mask[1]).toEqual(Array(long).fill(1));
    const outLong = examples[1].label.labels.length;
    expect(b.label.labels[0]).toEqual([...examples[0].label.labels, ...Array(outLong - examples[0].label.labels.length).fill(-100)]);
    expect(b.rationale.labels[1]).toEqual(examples[1].rationale.labels);
    for (const t of [b.label, b.rationale]) for (const k of ['input_ids', 'attention_mask', 'labels'] as const) expect(new Set(t[k].map((r) => r.length)).size).toBe(1);
  });

  it('shuffles reproducibly by seed, keeps every example once, and can drop the last batch', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ ...examples[i % 3], id: `x${i}`, label: { inputIds: [i + 10, 1], labels: [1] } }));
    const firsts = (bs: ReturnType<typeof dssBatches>): number[] => bs.flatMap((b) => b.label.input_ids.map((r) => r[0]));
    const a = dssBatches(many, 4, 7);
    expect(a.map((b) => b.label.input_ids.length)).toEqual([4, 4, 2]);
    expect(firsts(a).sort((x, y) => x - y)).toEqual(many.map((_, i) => i + 10));
    expect(firsts(dssBatches(many, 4, 7))).toEqual(firsts(a));
    expect(firsts(dssBatches(many, 4, 8))).not.toEqual(firsts(a));
    expect(dssBatches(many, 4, 7, { dropLast: true })).toHaveLength(2);
    expect(() => dssBatches(many, 0, 1)).toThrow(/batchSize/);
  });
});
