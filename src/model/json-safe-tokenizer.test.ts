import { describe, expect, it } from 'vitest';
import { makeTinyTokenizer } from '../io/tiny-tokenizer';
import { addCharacterTokens, characterTokens, findUnrepresentable, nextTokenId, withCharacterTokensInConfig } from './json-safe-tokenizer';
import { createTextTokenizer } from './tokenizer';

// The tiny tokenizer has "{" and "}" pieces; a FLAN-T5-like one is made by removing every piece that holds a brace.
// 154 pieces remain, so with vocab_size 160 there are 6 free embedding rows (ids 154..159).
const tiny = makeTinyTokenizer(160);
function braceless(): Record<string, unknown> {
  const json = structuredClone(tiny.tokenizerJson) as { model: { vocab: [string, number][] } };
  json.model.vocab = json.model.vocab.filter(([piece]) => !piece.includes('{') && !piece.includes('}'));
  return json;
}
const VOCAB_SIZE = 160;

const labels = [
  '{"size":0,"query":{"bool":{"filter":[{"range":{"date":{"gte":"now-1y"}}}]}},"aggs":{"total":{"sum":{"field":"price"}}}}',
  '{"query":{"term":{"region":"Europe"}}}',
  '{"query":{"match":{"name":"a{b}c\\\\d"}},"sort":[{"price":"desc"}]}',
];

describe('findUnrepresentable', () => {
  it('finds braces and newline (not space, quotes or letters) with occurrence counts, most frequent first', () => {
    const tok = createTextTokenizer(braceless(), tiny.tokenizerConfig);
    const found = findUnrepresentable(tok, [...labels, 'two\nlines', 'plain words']);
    const braces = labels.join('').split('{').length - 1;
    expect(braces).toBe(17);
    expect([...found]).toEqual([['{', braces], ['}', braces], ['\\', 2], ['\n', 1]]);
    expect(findUnrepresentable(createTextTokenizer(tiny.tokenizerJson, tiny.tokenizerConfig), labels)).toEqual(new Map([['\\', 2]]));
  });
});

describe('addCharacterTokens', () => {
  const json = addCharacterTokens(braceless(), ['{', '}'], { vocabSize: VOCAB_SIZE });
  const tok = createTextTokenizer(json, tiny.tokenizerConfig);

  it('adds the characters at the first free ids as plain (non-special, unnormalized) tokens', () => {
    expect(nextTokenId(braceless())).toBe(154);
    const added = (JSON.parse(json) as { added_tokens: unknown[] }).added_tokens.slice(3);
    expect(added).toEqual([
      { id: 154, content: '{', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
      { id: 155, content: '}', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
    ]);
    expect(characterTokens(json)).toEqual([{ char: '{', id: 154 }, { char: '}', id: 155 }]);
    expect([tok.size, tok.encode('{}')]).toEqual([156, [154, 155, 1]]);
    expect(findUnrepresentable(tok, labels)).toEqual(new Map([['\\', 2]]));
  });

  it('round-trips compact JSON labels exactly, braces inside strings included', () => {
    for (const label of labels.slice(0, 2)) {
      expect(tok.encode(label)).not.toContain(tok.unkId);
      expect(tok.decode(tok.encode(label))).toBe(label);
    }
    // The third label also needs "\\" (an escaped backslash inside a string).
    expect(tok.decode(tok.encode(labels[2]))).not.toBe(labels[2]);
    const withBackslash = createTextTokenizer(addCharacterTokens(json, ['\\'], { vocabSize: VOCAB_SIZE }), tiny.tokenizerConfig);
    for (const label of labels) expect(withBackslash.decode(withBackslash.encode(label))).toBe(label);
  });

  it('gives pretty-printed JSON back with whitespace normalised: equal as canonical JSON', () => {
    const value = JSON.parse(labels[0]) as unknown;
    const pretty = JSON.stringify(value, null, 2);
    const back = tok.decode(tok.encode(pretty));
    expect(back).not.toBe(pretty);
    expect(back).not.toMatch(/\n/);
    expect(JSON.parse(back)).toEqual(value);
    // Whitespace next to an added character is dropped by the pre-tokenizer; elsewhere runs become one space.
    expect(tok.decode(tok.encode('{ "a": [1,  2] }'))).toBe('{"a": [1, 2]}');
    // So inside a string it changes the value: the one case where canonical JSON differs.
    expect(tok.decode(tok.encode('{"a":"x {y} z"}'))).toBe('{"a":"x{y}z"}');
  });

  it('matches Hugging Face tokenizers (Rust, 0.22.2) on ids and decoding', () => {
    // Goldens: tokenizers.Tokenizer.from_str(<this tokenizer.json with "{", "}", "\n", "\\" added>) .encode / .decode,
    // see docs/tokenization.md.
    const hf = createTextTokenizer(addCharacterTokens(braceless(), ['{', '}', '\n', '\\'], { vocabSize: VOCAB_SIZE }), tiny.tokenizerConfig);
    const goldens: [string, number[], string][] = [
      ['{"size":0}', [154, 3, 68, 104, 84, 56, 155, 1], '{"size":0}'],
      ['{ "size": 0,\n  "aggs": {}\n}', [154, 3, 68, 104, 84, 3, 56, 70, 156, 3, 68, 106, 84, 154, 155, 156, 155, 1], '{"size": 0,\n"aggs":{}\n}'],
      ['"a{b"', [3, 68, 4, 154, 3, 5, 68, 1], '"a{b"'],
      ['x {y} z', [3, 27, 154, 3, 28, 155, 3, 29, 1], 'x{y}z'],
      ['{"a":[{"b":1},{"c":"x y"}]}', [154, 3, 68, 4, 84, 66, 154, 3, 68, 5, 84, 57, 155, 3, 70, 154, 3, 68, 6, 84, 68, 27, 3, 28, 68, 155, 3, 67, 155, 1], '{"a":[{"b":1},{"c":"x y"}]}'],
      ['line one\nline two', [3, 15, 12, 17, 8, 3, 18, 17, 8, 156, 3, 15, 12, 17, 8, 3, 23, 26, 18, 1], 'line one\nline two'],
    ];
    for (const [text, ids, decoded] of goldens) {
      expect(hf.encode(text)).toEqual(ids);
      expect(hf.decode(ids)).toBe(decoded);
    }
  });

  it('leaves ordinary text as it was', () => {
    const before = createTextTokenizer(braceless(), tiny.tokenizerConfig);
    for (const text of ['How many sales in Europe?', 'show the total price by region']) {
      expect(tok.encode(text)).toEqual(before.encode(text));
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('refuses clearly when config.vocab_size leaves too few free rows', () => {
    expect(() => addCharacterTokens(braceless(), ['{', '}', '<', '~'], { vocabSize: 156 })).toThrow(
      'cannot add 4 character tokens ("{" "}" "<" "~"): config.vocab_size 156 leaves 2 free embedding rows after id 153 (ids 154..155); add fewer characters or resize the embeddings',
    );
    expect(() => addCharacterTokens(braceless(), ['{'], { vocabSize: 154 })).toThrow(/leaves 0 free embedding rows after id 153;/);
  });

  it('rejects ids Hugging Face would renumber, pieces already in the vocabulary, and non-characters', () => {
    expect(() => addCharacterTokens(braceless(), ['{'], { vocabSize: VOCAB_SIZE, firstFreeId: 158 })).toThrow(/firstFreeId 158: .* number a new added token 154/);
    expect(addCharacterTokens(braceless(), ['{'], { vocabSize: VOCAB_SIZE, firstFreeId: 154 })).toContain('"id":154');
    expect(() => addCharacterTokens(braceless(), ['"'], { vocabSize: VOCAB_SIZE })).toThrow(/"\\"" is already a piece of the vocabulary \(id \d+\)/);
    expect(() => addCharacterTokens(braceless(), ['{}'], { vocabSize: VOCAB_SIZE })).toThrow(/single characters, got "\{\}"/);
    expect(() => addCharacterTokens(braceless(), [' '], { vocabSize: VOCAB_SIZE })).toThrow(/word boundary/);
    expect(() => addCharacterTokens({ model: { type: 'BPE', vocab: {} } }, ['{'], { vocabSize: VOCAB_SIZE })).toThrow(/not T5's Unigram/);
  });

  it('is idempotent: characters already added are skipped, and the decoder covers every added character', () => {
    const again = addCharacterTokens(json, ['}', '{', '<'], { vocabSize: VOCAB_SIZE });
    expect(characterTokens(again)).toEqual([{ char: '{', id: 154 }, { char: '}', id: 155 }, { char: '<', id: 156 }]);
    const t = createTextTokenizer(again, tiny.tokenizerConfig);
    expect(t.decode(t.encode('{"a":"<b"}'))).toBe('{"a":"<b"}');
  });

  it('keeps the decoder when the pre-tokenizer does not prepend "▁" to every section', () => {
    const first = braceless() as { pre_tokenizer: { pretokenizers: Record<string, unknown>[] }; decoder: unknown };
    first.pre_tokenizer.pretokenizers[1] = { ...first.pre_tokenizer.pretokenizers[1], prepend_scheme: 'first' };
    expect(JSON.parse(addCharacterTokens(first, ['{'], { vocabSize: VOCAB_SIZE })).decoder).toEqual(first.decoder);
  });
});

describe('withCharacterTokensInConfig', () => {
  const json = addCharacterTokens(braceless(), ['{', '}'], { vocabSize: VOCAB_SIZE });

  it('adds the tokens to an added_tokens_decoder, and leaves a config without one as it is', () => {
    const config = { ...tiny.tokenizerConfig, added_tokens_decoder: { 0: { content: '<pad>', special: true } } };
    const out = withCharacterTokensInConfig(config, json);
    expect(out.added_tokens_decoder).toEqual({
      0: { content: '<pad>', special: true },
      154: { content: '{', lstrip: false, normalized: false, rstrip: false, single_word: false, special: false },
      155: { content: '}', lstrip: false, normalized: false, rstrip: false, single_word: false, special: false },
    });
    expect(config.added_tokens_decoder).not.toHaveProperty('154');
    expect(withCharacterTokensInConfig(tiny.tokenizerConfig, json)).toEqual(tiny.tokenizerConfig);
  });
});
