import { describe, expect, it } from 'vitest';
import { parseRunConfig, RUN_DEFAULTS } from './run-config';

describe('parseRunConfig', () => {
  it('completes partial settings from the defaults, lora key by key', () => {
    const c = parseRunConfig({ lr: 1e-3, lora: { rank: 8 }, maxSteps: 20 }, 'cfg');
    expect(c).toEqual({ ...RUN_DEFAULTS, lr: 1e-3, maxSteps: 20, lora: { ...RUN_DEFAULTS.lora, rank: 8 } });
    expect(parseRunConfig(undefined)).toEqual(RUN_DEFAULTS);
    // The defaults are copied, never shared.
    c.lora.targets.push('x');
    expect(RUN_DEFAULTS.lora.targets).not.toContain('x');
  });

  it('refuses unknown keys and wrong types, naming the source and the key path', () => {
    expect(() => parseRunConfig({ lora: { rank: 0 } }, 'run.json')).toThrow('run.json: lora.rank must be a positive integer (got 0)');
    expect(() => parseRunConfig({ lora: { rnak: 8 } }, 'run.json')).toThrow(/unknown key lora\.rnak/);
    expect(() => parseRunConfig({ learningRate: 1 })).toThrow(/unknown key learningRate/);
    expect(() => parseRunConfig({ method: 'prefix' })).toThrow(/method must be one of "full", "lora", "qlora"/);
    expect(() => parseRunConfig({ a: 1.5 })).toThrow(/a must be a number in \[0, 1\]/);
    expect(() => parseRunConfig({ batchSize: '8' })).toThrow(/batchSize must be a positive integer/);
    expect(() => parseRunConfig({ maxSteps: -1 })).toThrow(/maxSteps must be a positive integer or null/);
    expect(() => parseRunConfig({ lora: { targets: ['q', 'lm_head'] } })).toThrow(/lora\.targets has "lm_head"/);
    expect(() => parseRunConfig([1])).toThrow(/expected an object/);
    expect(parseRunConfig({ maxSteps: null, dropoutRate: 0 }).dropoutRate).toBe(0);
  });
});
