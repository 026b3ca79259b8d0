// A tiny T5-style Unigram tokenizer.json for test and demo checkpoints: pad 0 "<pad>", eos 1 "</s>", unk 2 "<unk>",
// Metaspace "▁" word boundaries, every single character needed for English questions and Query DSL JSON, then
// whole-word pieces from a small built-in list until the vocabulary is full. Scores are log-probabilities: words
// score far above spelling them out, so common words come out as one piece.

const SPECIALS = ['<pad>', '</s>', '<unk>'];
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '{}[]":,._-?!\'()/*';

/** Word-initial pieces (get "▁") in priority order: question words first, then Query DSL keys. */
const WORDS = [
  'the', 'in', 'of', 'How', 'many', 'sales', 'Europe', 'what', 'is', 'are', 'show', 'total', 'by', 'per', 'and',
  'for', 'last', 'year', 'month', 'top', 'orders', 'with', 'price', 'from', 'to', 'or', 'all', 'average', 'count',
  'customers', 'products', 'region', 'status', 'date', 'between', 'more', 'than', 'less', 'each', 'which', 'What',
  'Show', 'List', 'list', 'day', 'week', 'most', 'over', 'under', 'where', 'not', 'Asia', 'America', 'country',
  'category', 'amount', 'revenue', 'name', 'city', 'order', 'product', 'customer', 'explain', 'predict', 'query',
];
/** Pieces that appear inside JSON tokens (after `{"` and similar), no "▁". */
const INNER = [
  'query', '":', '{"', '"}', '},', '}}', 'match', 'bool', 'must', 'filter', 'range', 'term', 'terms', 'size',
  'aggs', 'sort', 'order', 'desc', 'asc', 'field', 'gte', 'lte', 'gt', 'lt', 'sum', 'avg', 'max', 'min', 'now',
  'should', 'must_not', 'value_count', 'date_histogram', 'calendar_interval', 'keyword', 'region', 'sales',
  'status', 'date', 'price', 'count', 'amount', 'customer', 'product', 'category', 'ing', 'ed', 'es', 's',
];

export interface TinyTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  specialTokensMap: Record<string, unknown>;
  pieces: string[];
}

export function minimumTinyVocab(): number {
  return SPECIALS.length + 1 + LOWER.length + UPPER.length + DIGITS.length + PUNCTUATION.length;
}

export interface TinyTokenizerOptions {
  /**
   * Characters the vocabulary leaves out, with every piece containing them: "{}" gives a tokenizer that, like T5's,
   * cannot write JSON objects (what the JSON-safe repair and trainable tokens are tested on).
   */
  omit?: string;
}

export function makeTinyTokenizer(vocabSize: number, options: TinyTokenizerOptions = {}): TinyTokenizerFiles {
  const omit = [...(options.omit ?? '')];
  const minimum = minimumTinyVocab() - omit.filter((c) => PUNCTUATION.includes(c)).length;
  if (vocabSize < minimum) {
    throw new Error(`vocab ${vocabSize} is too small for the tiny tokenizer: it needs at least ${minimum} (specials and single characters)`);
  }
  const vocab: [string, number][] = SPECIALS.map((s) => [s, 0]);
  const seen = new Set<string>(SPECIALS);
  const push = (piece: string, score: number) => {
    if (vocab.length < vocabSize && !seen.has(piece) && !omit.some((c) => piece.includes(c))) {
      seen.add(piece);
      vocab.push([piece, score]);
    }
  };
  push('▁', -2);
  // Characters are the fallback: low scores so any known word wins.
  [...LOWER, ...UPPER, ...DIGITS, ...PUNCTUATION].forEach((ch, i) => push(ch, -10 - i * 0.01));
  // Interleave word-initial and inner pieces so a small vocabulary gets some of each; scores fall with rank.
  for (let i = 0; i < Math.max(WORDS.length, INNER.length); i++) {
    if (i < WORDS.length) push(`▁${WORDS[i]}`, -3 - i * 0.05);
    if (i < INNER.length) push(INNER[i], -4 - i * 0.05);
  }
  // A larger vocabulary than the lists provide: pad with two-letter pieces so the size is exact.
  for (let a = 0; vocab.length < vocabSize && a < LOWER.length; a++) {
    for (let b = 0; vocab.length < vocabSize && b < LOWER.length; b++) push(`${LOWER[a]}${LOWER[b]}`, -9 - a * 0.01);
  }
  if (vocab.length < vocabSize) throw new Error(`vocab ${vocabSize} is larger than the tiny tokenizer can fill (${vocab.length})`);

  const special = (id: number, content: string) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((s, i) => special(i, s)),
    normalizer: { type: 'NFKC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'WhitespaceSplit' },
        { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      ],
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab, byte_fallback: false },
  };
  const specialTokensMap = { eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>' };
  const tokenizerConfig = {
    tokenizer_class: 'T5Tokenizer',
    model_max_length: 512,
    extra_ids: 0,
    additional_special_tokens: [],
    clean_up_tokenization_spaces: false,
    ...specialTokensMap,
  };
  return { tokenizerJson, tokenizerConfig, specialTokensMap, pieces: vocab.map(([p]) => p) };
}
