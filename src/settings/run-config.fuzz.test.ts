// Property test of parseRunConfig on generated run settings: the defaults with up to 5 keys (known, nested, misspelled
// or prototype-named) set to odd values, random JSON, and settings nested thousands deep. Whatever comes in: no crash,
// and either a complete RunConfig whose numbers are sane or an Error that names the source and the key. Replay a
// failure with FC_SEED=<seed>.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTally, fuzzSeed, reliabilityRecord, tallyAdd } from '../testing/reliability';
import { parseRunConfig, RUN_DEFAULTS, type RunConfig } from './run-config';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

const RUNS = 10_000;
const SOURCE = 'run.json';

const KEYS = [...Object.keys(RUN_DEFAULTS), 'lora.rank', 'lora.alpha', 'lora.dropout', 'lora.targets', 'lora.rslora', 'lora.extra',
  'learningRate', 'batch_size', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''];
const odd = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 0.5, 1, 8, 1e308, -1e308, 2 ** 53 + 1, '', 'lora', 'qlora', 'full', 'plateau', 'cosine',
    'accepted', 'not-rejected', [], {}, ['q', 'v'], ['q', 'nope'], { rank: 4 }, { __proto__: 1 }),
  fc.integer({ min: -3, max: 600 }),
  fc.double(),
  fc.string({ maxLength: 6 }),
  fc.json({ maxDepth: 2 }).map((t) => JSON.parse(t) as unknown),
);

/** Defaults with keys overridden; dotted keys go into the nested lora object. */
const settings = fc.array(fc.tuple(fc.constantFrom(...KEYS), odd), { maxLength: 5 }).map((pairs) => {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(RUN_DEFAULTS));
  for (const [key, value] of pairs) {
    if (key.startsWith('lora.')) {
      const lora = out.lora;
      if (typeof lora === 'object' && lora !== null && !Array.isArray(lora)) Object.defineProperty(lora, key.slice(5), { value, enumerable: true, configurable: true, writable: true });
    } else {
      Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return out as unknown;
});
const deep = fc.tuple(fc.constantFrom('lora', 'lr', 'method'), fc.integer({ min: 1, max: 5000 })).map(([key, depth]) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return { [key]: v } as unknown;
});
const input = fc.oneof({ weight: 6, arbitrary: settings }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });

function saneConfig(c: RunConfig): void {
  expect(['full', 'lora', 'qlora']).toContain(c.method);
  expect(Number.isInteger(c.lora.rank) && c.lora.rank >= 1).toBe(true);
  expect(Number.isFinite(c.lora.alpha) && Number.isFinite(c.lr) && c.lr > 0).toBe(true);
  expect(c.a >= 0 && c.a <= 1).toBe(true);
  expect(Number.isInteger(c.batchSize) && c.batchSize >= 1 && Number.isInteger(c.gradAccum) && c.gradAccum >= 1).toBe(true);
  expect(c.maxSteps === null || (Number.isInteger(c.maxSteps) && c.maxSteps >= 1)).toBe(true);
  expect(Array.isArray(c.lora.targets) && c.lora.targets.every((t) => typeof t === 'string')).toBe(true);
  expect(Object.keys(c).sort()).toEqual(Object.keys(RUN_DEFAULTS).sort());
}

describe('run settings parsing, fuzzed', () => {
  it('gives a complete, sane RunConfig or an Error naming the source and the key', () => {
    const seed = fuzzSeed();
    const tally = new Map<string, number>();
    try {
      fc.assert(
        fc.property(input, (json) => {
          try {
            saneConfig(parseRunConfig(json, SOURCE));
            tallyAdd(tally, 'read');
          } catch (e) {
            if (!(e instanceof Error) || e.constructor !== Error) throw e; // a TypeError or RangeError is a crash
            expect(e.message.startsWith(`${SOURCE}: `)).toBe(true);
            expect(e.message.length).toBeLessThan(600);
            tallyAdd(tally, 'refused');
          }
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({
      area: 'Run settings (parseRunConfig)',
      input: 'the defaults with up to 5 keys (known, nested lora.*, misspelled, prototype-named) set to odd values, settings nested up to 5,000 deep, random values',
      cases: RUNS,
      outcome: `no crash; ${describeTally(tally)}`,
    });
  });
});
