import { describe, expect, it } from 'vitest';
import { makeTinyTokenizer } from '../io/tiny-tokenizer';
import { createTextTokenizer } from './tokenizer';

const tiny = makeTinyTokenizer(160);

describe('createTextTokenizer (tiny T5 Unigram)', () => {
  const tok = createTextTokenizer(tiny.tokenizerJson, tiny.tokenizerConfig);

  it('encodes whole words as single pieces, appends </s>, and decodes back', () => {
    expect(tok.pieces('How many sales in Europe?')).toEqual(['▁How', '▁many', '▁sales', '▁in', '▁Europe', '?']);
    const ids = tok.encode('How many sales in Europe?');
    expect(ids).toHaveLength(7);
    expect(ids[6]).toBe(1);
    expect(tok.decode(ids)).toBe('How many sales in Europe?');
    expect([tok.padId, tok.eosId, tok.unkId, tok.size]).toEqual([0, 1, 2, 160]);
  });

  it('round-trips Query DSL JSON exactly', () => {
    const dsl = '{"size": 0, "query": {"bool": {"filter": [{"range": {"date": {"gte": "now-1y"}}}]}}, "aggs": {"total": {"sum": {"field": "price"}}}}';
    const ids = tok.encode(dsl);
    expect(ids).not.toContain(tok.unkId);
    expect(tok.decode(ids)).toBe(dsl);
  });

  it('decode skips pad, eos and -100 label padding; unknown characters become <unk>', () => {
    const ids = tok.encode('total sales');
    expect(tok.decode([0, ...ids, 0, -100, -100])).toBe('total sales');
    expect(tok.decode([])).toBe('');
    const unknown = tok.encode('ä');
    expect(unknown.map((id) => tok.idToPiece(id))).toEqual(['▁', '<unk>', '</s>']);
  });

  it('accepts AddedToken objects in tokenizer_config and a tokenizer.json without a post-processor', () => {
    const json = { ...tiny.tokenizerJson, post_processor: null };
    const t = createTextTokenizer(JSON.stringify(json), { eos_token: { content: '</s>', special: true }, pad_token: '<pad>' });
    expect(t.encode('in')).toEqual([...t.encode('in').slice(0, -1), 1]);
    expect(t.encode('in').filter((id) => id === 1)).toHaveLength(1);
  });

  it('rejects tokenizers that are not T5 Unigram or lack the special tokens', () => {
    expect(() => createTextTokenizer({ ...tiny.tokenizerJson, model: { type: 'BPE', vocab: {}, merges: [] } })).toThrow(/model type "BPE" is not T5's Unigram/);
    expect(() => createTextTokenizer(tiny.tokenizerJson, { eos_token: '<eos>' })).toThrow(/eos_token "<eos>" is not in the vocabulary/);
  });
});
