import { describe, expect, it } from 'vitest';
import type { IndexSchema } from '../records';
import { DEFAULT_PROMPT_TEMPLATE, formatSchema, missingPlaceholders, renderPrompt } from './prompt';

const SCHEMA: IndexSchema = {
  index: 'sales',
  description: 'sales reports',
  fields: [
    { name: 'date', type: 'date', description: 'day of the sale' },
    { name: 'region', type: 'text', description: 'sales region', keywordSubfield: true },
  ],
};

describe('renderPrompt', () => {
  it('has the three parts in order, then the question', () => {
    const p = renderPrompt(DEFAULT_PROMPT_TEMPLATE, SCHEMA, '  How have sales in Europe changed over the last ten years? ');
    const instructions = p.indexOf('You write OpenSearch Query DSL');
    const schema = p.indexOf('- region (text, has .keyword): sales region');
    const cot = p.indexOf('Think step by step');
    const question = p.indexOf('Question: How have sales in Europe changed over the last ten years?');
    expect(instructions).toBe(0);
    expect(schema).toBeGreaterThan(instructions);
    expect(cot).toBeGreaterThan(schema);
    expect(question).toBeGreaterThan(cot);
    expect(p.endsWith('years?')).toBe(true);
  });
  it('substitutes literally and only once', () => {
    const p = renderPrompt('S={{schema}}\nQ={{question}}', SCHEMA, 'what about $& and {{schema}}?');
    expect(p).toBe(`S=${formatSchema(SCHEMA)}\nQ=what about $& and {{schema}}?`);
  });
  it('lists missing placeholders', () => {
    expect(missingPlaceholders(DEFAULT_PROMPT_TEMPLATE)).toEqual([]);
    expect(missingPlaceholders('only {{question}}')).toEqual(['{{schema}}']);
  });
});
