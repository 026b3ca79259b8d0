// T5's SentencePiece Unigram tokenizer from tokenizer.json, through @huggingface/tokenizers (pure JS, browser and
// Node). encode appends </s> as HF's T5TokenizerFast does; decode skips special tokens.
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextTokenizer } from '../common/tokenizer-types';

export interface T5Tokenizer extends TextTokenizer {
  padId: number;
  eosId: number;
  unkId: number;
  /** Pieces in tokenizer.json, added tokens included (may be below config.vocab_size). */
  size: number;
  /** Text pieces of an encoding (for the inspector), "▁" marking word starts. */
  pieces(text: string): string[];
  idToPiece(id: number): string | undefined;
}

/** A special token in tokenizer_config.json is either "</s>" or an AddedToken object {"content": "</s>", ...}. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/**
 * @param tokenizerJson tokenizer.json text or parsed object
 * @param tokenizerConfig tokenizer_config.json (optionally merged over special_tokens_map.json): pad/eos/unk tokens,
 *   additional_special_tokens, clean_up_tokenization_spaces.
 */
export function createTextTokenizer(tokenizerJson: string | object, tokenizerConfig: Record<string, unknown> = {}): T5Tokenizer {
  const json = (typeof tokenizerJson === 'string' ? JSON.parse(tokenizerJson) : tokenizerJson) as Record<string, unknown>;
  const model = json.model as { type?: string } | undefined;
  if (!model || (model.type !== undefined && model.type !== 'Unigram')) {
    throw new Error(`tokenizer.json: model type ${JSON.stringify(model?.type)} is not T5's Unigram`);
  }
  const config: Record<string, unknown> = { ...tokenizerConfig };
  for (const key of ['pad_token', 'eos_token', 'unk_token']) {
    const t = tokenText(config[key]);
    if (t !== undefined) config[key] = t;
  }
  config.eos_token ??= '</s>';
  config.pad_token ??= '<pad>';
  config.unk_token ??= '<unk>';
  if (Array.isArray(config.additional_special_tokens)) {
    config.additional_special_tokens = config.additional_special_tokens.map(tokenText).filter((t) => t !== undefined);
  }
  const tok = new Tokenizer(json, config);
  const idOf = (key: string) => {
    const id = tok.token_to_id(config[key] as string);
    if (id === undefined) throw new Error(`tokenizer.json: ${key} "${String(config[key])}" is not in the vocabulary`);
    return id;
  };
  const eosId = idOf('eos_token');
  const padId = idOf('pad_token');
  const unkId = idOf('unk_token');
  return {
    padId,
    eosId,
    unkId,
    size: tok.get_vocab(true).size,
    encode(text) {
      const ids = tok.encode(text).ids;
      // A tokenizer.json without T5's TemplateProcessing would not add </s>: T5 training needs it.
      if (ids[ids.length - 1] !== eosId) ids.push(eosId);
      return ids;
    },
    decode(ids) {
      const kept = ids.filter((id) => id >= 0);
      if (kept.length === 0) return '';
      return tok.decode(kept, { skip_special_tokens: true });
    },
    pieces: (text) => tok.tokenize(text),
    idToPiece: (id) => tok.id_to_token(id),
  };
}
