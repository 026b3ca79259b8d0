// What the data and model layers need from a tokenizer. The real one (SentencePiece via @huggingface/tokenizers) lives in
// src/model/tokenizer.ts; tests may use any small implementation of this interface.

export interface TextTokenizer {
  /** Token ids of `text`, including the trailing </s> (eos) as T5's tokenizer adds it. */
  encode(text: string): number[];
  decode(ids: number[]): string;
}

/** T5 special ids: pad is also the decoder start token; -100 marks label positions the loss ignores. */
export const T5_PAD_ID = 0;
export const T5_EOS_ID = 1;
export const IGNORE_INDEX = -100;
