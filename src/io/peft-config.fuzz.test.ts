// Property test of adapter_config.json parsing on generated configs: PEFT-shaped objects with every field given odd
// values (wrong types, NaN-like numbers, prototype-named keys, huge or deep values), mutated texts and random JSON.
// Whatever the text: no crash, and each config is either read into sane numbers or refused with an Error naming
// the file. Replay a failure with FC_SEED=<seed>.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTally, fuzzSeed, reliabilityRecord, tallyAdd } from '../testing/reliability';
import { parsePeftConfig } from './peft-config';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

const RUNS = 10_000;
const FILE = 'adapter_config.json';

const odd = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 8, 16, 1e308, -1e308, 2 ** 53 + 1, '', 'LORA', 'SEQ_2_SEQ_LM', 'none', 'all', [], {}, ['q', 'v'], { q: 4 }, { __proto__: 1 }),
  fc.integer({ min: -4, max: 300 }),
  fc.double(),
  fc.string({ maxLength: 6 }),
  fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('shared', 'lm_head', 'embed_tokens', 'encoder.embed_tokens', 'q', '__proto__', 'constructor'), fc.oneof(fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 3 }), fc.integer())),
);
const FIELDS = ['peft_type', 'task_type', 'r', 'lora_alpha', 'lora_dropout', 'target_modules', 'bias', 'use_dora', 'use_rslora', 'fan_in_fan_out', 'modules_to_save', 'rank_pattern', 'alpha_pattern', 'trainable_token_indices', 'base_model_name_or_path', 'inference_mode', '__proto__', 'constructor', 'toString'];

const plausible = fc.record({ r: fc.integer({ min: 1, max: 64 }), lora_alpha: fc.integer({ min: 1, max: 128 }) }).map((c) => ({ peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', target_modules: ['q', 'v'], bias: 'none', ...c }));
const config = fc.tuple(plausible, fc.dictionary(fc.constantFrom(...FIELDS), odd, { maxKeys: 4 })).map(([base, over]) => {
  const parts = Object.entries(base).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(over)) parts.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{${parts.join(', ')}}`;
});
const deep = fc.tuple(fc.constantFrom('lora_alpha', 'r', 'rank_pattern', 'trainable_token_indices', 'task_type'), fc.integer({ min: 1, max: 5000 })).map(
  ([field, depth]) => `{"peft_type": "LORA", "r": 8, ${JSON.stringify(field)}: ${'['.repeat(depth)}${']'.repeat(depth)}}`,
);
const text = fc.oneof(
  { weight: 6, arbitrary: config },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.tuple(config, fc.nat(), fc.constantFrom('', '"', '}', '{', ',', ']')).map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s) },
);

describe('adapter_config.json parsing, fuzzed', () => {
  it('reads sane numbers or refuses with an Error naming the file', () => {
    const seed = fuzzSeed();
    const tally = new Map<string, number>();
    try {
      fc.assert(
        fc.property(text, (t) => {
          try {
            const c = parsePeftConfig(t, FILE);
            expect(Number.isInteger(c.r) && c.r >= 1).toBe(true);
            expect(Number.isFinite(c.alpha) && Number.isFinite(c.dropout)).toBe(true);
            for (const v of [...Object.values(c.rankPattern), ...Object.values(c.alphaPattern)]) expect(typeof v).toBe('number');
            if (c.tokenIndices) expect(c.tokenIndices.shared.every((i) => Number.isInteger(i) && i >= 0)).toBe(true);
            tallyAdd(tally, 'read');
          } catch (e) {
            if (!(e instanceof Error) || e.constructor !== Error) throw e; // a TypeError or RangeError is a crash
            expect(e.message.startsWith(`${FILE}: `)).toBe(true);
            const m = e.message.slice(FILE.length + 2);
            tallyAdd(tally, `refused (${m.startsWith('not valid JSON') ? 'not JSON' : m.replace(/ (is|must|got|of|has|gives|names|\().*$/, '').replace(/\[.*$/, '').slice(0, 40)})`);
          }
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({
      area: 'PEFT adapter_config.json',
      input: 'PEFT-shaped configs with up to 4 fields set to odd values (wrong types, huge numbers, prototype-named keys), a field nested up to 5,000 deep, random JSON, texts cut or with a stray character',
      cases: RUNS,
      outcome: `no crash; ${describeTally(tally)}`,
    });
  });
});
