// The tokenizers sacreBLEU applies before counting: mteval-v13a (BLEU's default, sacrebleu/tokenizers/tokenizer_13a.py
// with tokenizer_re.py) and tercom (TER, sacrebleu/tokenizers/tokenizer_ter.py). Both split punctuation off words, so
// Query DSL text like {"match":{"x":1}} becomes words: { " match " : { " x " : 1 } }.

// Punctuation 13a and tercom split off: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
// (apostrophe, comma, dash and period are handled by the number-aware rules below).
const PUNCT = /([{-~[-` -&(-+:-@/])/g;

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

/** sacreBLEU's "13a" tokenization of one line, as words. */
export function tokenize13a(line: string): string[] {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  s = s.replace(PUNCT, ' $1 ');
  // period and comma split unless preceded by a digit, then unless followed by a digit; dash after a digit
  s = s.replace(/([^0-9])([.,])/g, '$1 $2 ');
  s = s.replace(/([.,])([^0-9])/g, ' $1 $2');
  s = s.replace(/([0-9])(-)/g, '$1 $2 ');
  return splitWords(s);
}

export interface TercomOptions {
  /** tercom's normalisation (punctuation split as 13a does, possessives); sacreBLEU's default is false. */
  normalized?: boolean;
  /** Remove . , ? : ; ! " ( ) before scoring; default false. */
  noPunct?: boolean;
  /** sacreBLEU's TER lower-cases by default (case_sensitive=False). */
  caseSensitive?: boolean;
}

/** sacreBLEU's tercom tokenization (Western languages), as words. The line is right-stripped first, as TER does. */
export function tokenizeTercom(line: string, o: TercomOptions = {}): string[] {
  let s = line.trimEnd();
  if (!s) return [];
  if (!o.caseSensitive) s = s.toLowerCase();
  if (o.normalized) {
    s = s.replaceAll('\n-', '').replaceAll('\n', ' ');
    s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
    s = ` ${s} `;
    s = s.replace(PUNCT, ' $1 ');
    s = s.replaceAll("'s ", " 's ").replace(/'s$/, " 's");
    s = s.replace(/([^0-9])([.,])/g, '$1 $2 ');
    s = s.replace(/([.,])([^0-9])/g, ' $1 $2');
    s = s.replace(/([0-9])(-)/g, '$1 $2 ');
  }
  if (o.noPunct) s = s.replace(/[.,?:;!"()]/g, '');
  return splitWords(s);
}
