// BLEU, TER and their tokenizers against sacreBLEU. Expected values are either sacreBLEU outputs recorded in its own
// test suite (mjpost/sacrebleu test/test_bleu.py, test_sentence_bleu.py, test_ter.py, test_tokenizer_ter.py; cited
// per case) or computed by hand here from the definitions (sacreBLEU cannot be installed in this environment).
import { describe, expect, it } from 'vitest';
import { bleuFromStats, bleuStats, corpusBleu, sentenceBleu } from './bleu';
import { tokenize13a, tokenizeTercom } from './sacre-tokenize';
import { corpusTer, sentenceTer, translationEditRate } from './ter';

describe('13a tokenization', () => {
  it('splits JSON punctuation, underscores and dots between letters, keeps decimals', () => {
    expect(tokenize13a('{"date_histogram":{"field":"a.b","x":1.5}}').join(' ')).toBe('{ " date _ histogram " : { " field " : " a . b " , " x " : 1.5 } }');
  });
  it('splits a dash after a digit, a period before a non-digit, and unescapes XML', () => {
    expect(tokenize13a('now-1d 2019-01 end. &amp; &lt;x&gt;').join(' ')).toBe('now-1d 2019 - 01 end . & < x >');
  });
});

describe('tercom tokenization (sacreBLEU test_tokenizer_ter.py)', () => {
  it('default: lower-cases and splits on whitespace only', () => {
    expect(tokenizeTercom('A B C D.').join(' ')).toBe('a b c d.');
    expect(tokenizeTercom('')).toEqual([]);
  });
  it('no_punct and normalized', () => {
    expect(tokenizeTercom('A ; B ) C : D.', { noPunct: true }).join(' ')).toBe('a b c d');
    expect(tokenizeTercom('a b (c) d.', { normalized: true }).join(' ')).toBe('a b ( c ) d .');
    expect(tokenizeTercom("Jim's car.", { normalized: true }).join(' ')).toBe("jim 's car .");
    expect(tokenizeTercom('4.2', { normalized: true }).join(' ')).toBe('4.2');
  });
});

describe('BLEU', () => {
  it('statistics (test_bleu.py test_case_statistics)', () => {
    const s = bleuStats('am I am a character sequence', 'I am a symbol string sequence a a');
    expect(s.correct).toEqual([4, 2, 1, 0]);
    expect(s.total).toEqual([6, 5, 4, 3]);
  });

  it('score from statistics (test_bleu.py test_case_scoring: 0.8375922397)', () => {
    const b = bleuFromStats({ sysLen: 11, refLen: 11, correct: [9, 7, 5, 3], total: [10, 8, 6, 4] });
    expect(b.score).toBeCloseTo(83.75922397, 6);
  });

  it('corpus BLEU of the README example with two references (test_bleu.py: 48.530827)', () => {
    const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
    const refs = [
      ['The dog bit the man.', 'The dog had bit the man.'],
      ['It was not unexpected.', 'No one was surprised.'],
      ['The man bit him first.', 'The man had bitten the dog.'],
    ];
    expect(corpusBleu(hyps, refs).score).toBeCloseTo(48.530827, 5);
    expect(corpusBleu(['', '', ''], refs).score).toBe(0);
  });

  it('sentence BLEU with exp smoothing and effective order (test_sentence_bleu.py #98: 8.493)', () => {
    const ref = 'producţia de zahăr brut se exprimă în zahăr alb;';
    const sys = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
    expect(Math.abs(sentenceBleu(sys, ref).score - 8.493)).toBeLessThan(1e-3);
  });

  it('hand-computed: one wrong word of four, and a DSL label with one changed number', () => {
    // p = 3/4, 2/3, 1/2, and 4-grams 0/1 smoothed to 1/(2*1): (0.75 * 2/3 * 0.5 * 0.5)^(1/4).
    expect(corpusBleu(['this is a fest'], ['this is a test']).score).toBeCloseTo(100 * 0.125 ** 0.25, 9);
    // 13a words: { " size " : 5 } vs { " size " : 10 }: p = 6/7, 4/6, 3/5, 2/4, same length.
    const b = corpusBleu(['{"size": 5}'], ['{"size":10}']);
    expect(b.correct).toEqual([6, 4, 3, 2]);
    expect(b.score).toBeCloseTo(100 * ((6 / 7) * (4 / 6) * (3 / 5) * (2 / 4)) ** 0.25, 9);
  });

  it('hand-computed: brevity penalty and effective order', () => {
    // "test" vs "a test": p1 = 1, no bigrams, effective order 1, BP = exp(1 - 2/1).
    expect(sentenceBleu('test', 'a test').score).toBeCloseTo(100 * Math.exp(-1), 9);
    // "a little test" vs "a test": p1 = 2/3, bigrams 0/2 -> 1/(2*2), trigrams 0/1 -> 1/(4*1); order 3; BP 1.
    expect(sentenceBleu('a little test', 'a test').score).toBeCloseTo(100 * ((2 / 3) * 0.25 * 0.25) ** (1 / 3), 9);
    // Corpus BLEU keeps order 4: a segment with no 4-grams scores ~0 (sacreBLEU's log(0) = -9999999999).
    expect(corpusBleu(['a test'], ['a test']).score).toBeLessThan(1e-9);
    // No match at all is exactly 0 (sacreBLEU #141).
    expect(sentenceBleu('this is a cat', 'okay thanks').score).toBe(0);
  });

  it('refuses mismatched corpora', () => {
    expect(() => corpusBleu(['a'], [])).toThrow(/1 hypotheses but 0 references/);
  });
});

describe('TER', () => {
  // sacreBLEU test_ter.py cases (corpus_score, default options), scores in percent.
  it.each([
    [['aaaa bbbb cccc dddd'], ['aaaa bbbb cccc dddd'], 0],
    [['dddd eeee ffff'], ['aaaa bbbb cccc'], 100],
    [[''], ['a'], 100],
    [['a'], [''], 100],
    [[''], [''], 0],
    [['d e f g h a b c'], ['a b c d e f g h'], 100 / 8],
  ])('%j vs %j = %d', (hyps, refs, expected) => {
    expect(corpusTer(hyps, refs).score).toBeCloseTo(expected, 9);
  });

  it('WMT dev example (test_ter.py: 0.136)', () => {
    const hyps = [
      'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .',
      'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
      'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie Werte für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " ein .',
      'Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .',
      'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
    ];
    const refs = [
      'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .',
      'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
      'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " niedrigere Werte ein .',
      'Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .',
      'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
    ];
    expect(Math.abs(corpusTer(hyps, refs).score - 13.6)).toBeLessThan(1e-3);
  });

  it('hand-computed: substitution, insertion, deletion and a two-word shift', () => {
    expect(translationEditRate(['a', 'x', 'c'], ['a', 'b', 'c'])).toEqual({ edits: 1, refLen: 3 });
    expect(translationEditRate(['a', 'c'], ['a', 'b', 'c'])).toEqual({ edits: 1, refLen: 3 });
    expect(translationEditRate(['a', 'b', 'b', 'c'], ['a', 'b', 'c'])).toEqual({ edits: 1, refLen: 3 });
    // Moving "c d" to the front is one shift (Levenshtein alone would need 4 edits).
    expect(translationEditRate(['a', 'b', 'c', 'd'], ['c', 'd', 'a', 'b'])).toEqual({ edits: 1, refLen: 4 });
    // DSL with tercom normalisation: { " size " : 5 } vs { " size " : 10 }: one substitution in 7 words.
    expect(sentenceTer('{"size": 5}', '{"size":10}', { normalized: true, caseSensitive: true }).score).toBeCloseTo(100 / 7, 9);
    // Swapped keys: { " from " : 0 , " size " : 5 } -> shift `" size " : 5` to the front (one edit) gives
    // { " size " : 5 " from " : 0 , }; then shifting the lone "," behind the 5 (one edit, cheaper than a deletion
    // plus an insertion) gives the reference: 2 edits / 13 words.
    const swapped = sentenceTer('{"from":0,"size":5}', '{"size":5,"from":0}', { normalized: true, caseSensitive: true });
    expect(swapped.refLen).toBe(13);
    expect(swapped.edits).toBe(2);
  });
});
