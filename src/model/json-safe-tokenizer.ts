// JSON-safe tokenization for T5 students. T5's SentencePiece vocabulary (FLAN-T5 uses the same one) has no piece
// for "{" or "}" and some other characters: they encode to <unk> or vanish, so a student trained on Query DSL labels
// could never write valid JSON. FLAN-T5's embedding has 32128 rows for 32100 tokenizer ids (32000 pieces + 100
// extra_ids), so the missing characters become added tokens on the unused rows without touching the checkpoint.
//
// Spacing: T5's pre-tokenizer (WhitespaceSplit, then Metaspace with prepend "always") tokenizes the text between
// added tokens as separate sections, and each section gets a "▁" prepended; T5's Metaspace decoder turns that "▁"
// back into a space, so `{"size":0}` would decode as `{ "size":0}`. addCharacterTokens therefore also rewrites the
// decoder so the "▁" right after an added character decodes to nothing. Whitespace next to an added character is
// dropped by WhitespaceSplit when encoding and cannot come back. docs/tokenization.md has the details and what was
// checked against Hugging Face tokenizers.

import type { TextTokenizer } from '../common/tokenizer-types';

type Json = Record<string, unknown>;

export interface CharacterToken {
  char: string;
  id: number;
}

export interface AddCharacterOptions {
  /** config.json vocab_size: rows of the embedding and lm_head. Every new id must be below it. */
  vocabSize: number;
  /**
   * Id for the first new token. Hugging Face tokenizers number added tokens themselves, one past the model vocabulary
   * and every added token (32100 for FLAN-T5), so that is the default and the only value accepted.
   */
  firstFreeId?: number;
}

/**
 * Characters of `texts` that the tokenizer cannot represent: encoding the character alone gives <unk>, or decoding
 * does not give the character back (newline and tab vanish into word boundaries; NFKC maps "²" to "2"). The plain
 * space is the word boundary itself and is never reported. Counts are occurrences, most frequent first.
 */
export function findUnrepresentable(tokenizer: TextTokenizer & { unkId?: number }, texts: Iterable<string>): Map<string, number> {
  const verdict = new Map<string, boolean>();
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const ch of text) {
      if (ch === ' ') continue;
      let bad = verdict.get(ch);
      if (bad === undefined) {
        const ids = tokenizer.encode(ch);
        bad = (tokenizer.unkId !== undefined && ids.includes(tokenizer.unkId)) || tokenizer.decode(ids) !== ch;
        verdict.set(ch, bad);
      }
      if (bad) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!);
  return new Map(sorted);
}

function parse(tokenizerJson: string | object): Json {
  const json = (typeof tokenizerJson === 'string' ? JSON.parse(tokenizerJson) : structuredClone(tokenizerJson)) as Json;
  const model = json.model as { type?: string; vocab?: unknown } | undefined;
  if (!model || (model.type !== undefined && model.type !== 'Unigram') || !Array.isArray(model.vocab)) {
    throw new Error(`tokenizer.json: model type ${JSON.stringify(model?.type)} is not T5's Unigram`);
  }
  if (!Array.isArray(json.added_tokens)) json.added_tokens = [];
  return json;
}

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

const modelPieces = (json: Json) => ((json.model as { vocab: [string, number][] }).vocab).map(([piece]) => piece);
const addedTokens = (json: Json) => json.added_tokens as AddedTokenJson[];

const nextId = (json: Json) => Math.max(modelPieces(json).length, ...addedTokens(json).map((t) => t.id + 1));
const charTokens = (json: Json): CharacterToken[] =>
  addedTokens(json)
    .filter((t) => !t.special && [...t.content].length === 1)
    .map((t) => ({ char: t.content, id: t.id }))
    .sort((a, b) => a.id - b.id);

/** The id Hugging Face tokenizers give the next added token: one past the model vocabulary and every added token. */
export function nextTokenId(tokenizerJson: string | object): number {
  return nextId(parse(tokenizerJson));
}

/** Added tokens that are one non-special character (what addCharacterTokens adds), in id order. */
export function characterTokens(tokenizerJson: string | object): CharacterToken[] {
  return charTokens(parse(tokenizerJson));
}

/** Metaspace inside the pre-tokenizer (alone or in a Sequence), if any. */
function findMetaspace(preTokenizer: unknown): Json | undefined {
  const p = preTokenizer as Json | null | undefined;
  if (!p) return undefined;
  if (p.type === 'Metaspace') return p;
  if (p.type === 'Sequence' && Array.isArray(p.pretokenizers)) return p.pretokenizers.map(findMetaspace).find((m) => m);
  return undefined;
}

/** Whether every section of text gets a "▁" prepended, as in T5 (legacy add_prefix_space true means "always"). */
function prependsAlways(metaspace: Json): boolean {
  const scheme = metaspace.prepend_scheme ?? (metaspace.add_prefix_space === false ? 'never' : 'always');
  return scheme === 'always';
}

/**
 * The decoder that addCharacterTokens writes: Metaspace's work ("▁" to space, drop the first leading space) done
 * on the fused text, with the space after each added character removed. The same shape Llama's tokenizer.json uses
 * (Replace, Fuse, Strip), so Rust, Python and JS tokenizers all read it.
 */
function spacingDecoder(replacement: string, chars: string[]): Json {
  return {
    type: 'Sequence',
    decoders: [
      { type: 'Replace', pattern: { String: replacement }, content: ' ' },
      { type: 'Fuse' },
      ...chars.map((c) => ({ type: 'Replace', pattern: { String: `${c} ` }, content: c })),
      { type: 'Strip', content: ' ', start: 1, stop: 0 },
    ],
  };
}

/** The "▁" replacement of a decoder addCharacterTokens can rewrite: T5's Metaspace, or a spacingDecoder. */
function decoderReplacement(decoder: unknown): string | undefined {
  const d = decoder as Json | null | undefined;
  if (d?.type === 'Metaspace') return (d.replacement as string | undefined) ?? '▁';
  if (d?.type === 'Sequence' && Array.isArray(d.decoders)) {
    const [first, second] = d.decoders as Json[];
    const last = d.decoders.at(-1) as Json;
    if (first?.type === 'Replace' && first.content === ' ' && second?.type === 'Fuse' && last?.type === 'Strip') {
      return (first.pattern as { String?: string }).String;
    }
  }
  return undefined;
}

/**
 * A new tokenizer.json text with `chars` as added tokens (special false, normalized false, no strip, not
 * single-word) at the next free ids, which must stay below config.vocab_size, and a decoder that gives the
 * characters back without an inserted space. Characters already added are skipped, so repairing twice is harmless.
 */
export function addCharacterTokens(tokenizerJson: string | object, chars: Iterable<string>, options: AddCharacterOptions): string {
  const json = parse(tokenizerJson);
  const { vocabSize } = options;
  if (!(Number.isInteger(vocabSize) && vocabSize > 0)) throw new Error(`vocabSize (config.vocab_size) must be a whole number > 0, got ${vocabSize}`);
  const pieces = new Map(modelPieces(json).map((p, id) => [p, id]));
  const metaspace = findMetaspace(json.pre_tokenizer);
  const replacement = (metaspace?.replacement as string | undefined) ?? '▁';
  const already = new Set(addedTokens(json).map((t) => t.content));
  const fresh: string[] = [];
  for (const ch of chars) {
    if ([...ch].length !== 1) throw new Error(`added tokens must be single characters, got ${JSON.stringify(ch)}`);
    if (ch === ' ' || ch === replacement) throw new Error(`${JSON.stringify(ch)} is T5's word boundary and cannot be an added token`);
    if (pieces.has(ch)) throw new Error(`${JSON.stringify(ch)} is already a piece of the vocabulary (id ${pieces.get(ch)}); it needs no added token`);
    if (!already.has(ch) && !fresh.includes(ch)) fresh.push(ch);
  }
  const first = nextId(json);
  if (options.firstFreeId !== undefined && options.firstFreeId !== first) {
    throw new Error(`firstFreeId ${options.firstFreeId}: Hugging Face tokenizers number a new added token ${first} (one past the model vocabulary and the added tokens) and would renumber any other id on load`);
  }
  if (first + fresh.length > vocabSize) {
    const free = Math.max(0, vocabSize - first);
    throw new Error(
      `cannot add ${fresh.length} character tokens (${fresh.map((c) => JSON.stringify(c)).join(' ')}): config.vocab_size ${vocabSize} leaves ` +
        `${free} free embedding rows after id ${first - 1}${free > 0 ? ` (ids ${first}..${vocabSize - 1})` : ''}; add fewer characters or resize the embeddings`,
    );
  }
  fresh.forEach((content, i) => {
    addedTokens(json).push({ id: first + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false } as AddedTokenJson);
  });
  if (metaspace && prependsAlways(metaspace)) {
    const decoderRep = decoderReplacement(json.decoder);
    if (decoderRep === undefined) {
      throw new Error(`tokenizer.json: decoder ${JSON.stringify((json.decoder as Json | null)?.type)} is not T5's Metaspace; cannot decode added characters without the space Metaspace inserts`);
    }
    json.decoder = spacingDecoder(decoderRep, charTokens(json).map((t) => t.char));
  }
  return JSON.stringify(json);
}

/**
 * tokenizer_config.json with the tokenizer's character tokens in its added_tokens_decoder, when it has one:
 * Transformers 5.x reads added tokens from there and then ignores tokenizer.json's list. A config without
 * added_tokens_decoder is returned as is (Transformers then reads tokenizer.json's added_tokens).
 */
export function withCharacterTokensInConfig(tokenizerConfig: Record<string, unknown>, tokenizerJson: string | object): Record<string, unknown> {
  const decoder = tokenizerConfig.added_tokens_decoder;
  if (!decoder || typeof decoder !== 'object') return { ...tokenizerConfig };
  const entries = { ...(decoder as Record<string, unknown>) };
  for (const { char, id } of characterTokens(tokenizerJson)) {
    entries[String(id)] = { content: char, lstrip: false, normalized: false, rstrip: false, single_word: false, special: false };
  }
  return { ...tokenizerConfig, added_tokens_decoder: entries };
}
