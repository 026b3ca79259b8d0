// JSON-constrained decoding over real tokenizers: the tiny T5 tokenizer (braces are pieces, T5's Metaspace decoder)
// and its JSON-safe variant (braces and backslash as added tokens, whose decoder drops the space after them). Random
// walks through the allowed tokens check that the text the tokenizer really decodes is always a JSON prefix, that a
// finished output parses, and that the cached trie masks equal trying every token one by one.
import { describe, expect, it } from 'vitest';
import { makeTinyTokenizer } from '../io/tiny-tokenizer';
import { addCharacterTokens } from '../model/json-safe-tokenizer';
import { createTextTokenizer, type T5Tokenizer } from '../model/tokenizer';
import { ConstrainedRows, JsonConstraint, jsonConstraintFor, tokenTextsOf, type ConstraintState } from './json-constraint';
import { JsonPrefixAutomaton } from './json-prefix';
import { seededRandom } from '../common/random';

const ROWS = 160;
const tiny = makeTinyTokenizer(ROWS);
const plainTok = createTextTokenizer(tiny.tokenizerJson, tiny.tokenizerConfig);
function jsonSafeTok(): T5Tokenizer {
  const json = structuredClone(tiny.tokenizerJson) as { model: { vocab: [string, number][] } };
  json.model.vocab = json.model.vocab.filter(([piece]) => !piece.includes('{') && !piece.includes('}'));
  return createTextTokenizer(addCharacterTokens(json, ['{', '}', '\\'], { vocabSize: ROWS }), tiny.tokenizerConfig);
}
const safeTok = jsonSafeTok();

const tryAdvance = (c: JsonConstraint, s: ConstraintState, id: number) => {
  try {
    return c.advance(s, id);
  } catch {
    return null;
  }
};

/** The decoded text is the start of a JSON object: it runs through the automaton, and its completion parses. */
function assertJsonPrefix(text: string): void {
  const a = new JsonPrefixAutomaton({ rootObject: true });
  const s = a.run(a.start(), new TextEncoder().encode(text));
  if (!s) throw new Error(`decoded text is not a JSON prefix: ${JSON.stringify(text)}`);
  JSON.parse(text + a.completion(s));
}

describe.each([
  ['tiny tokenizer (braces are pieces)', plainTok],
  ['JSON-safe tokenizer (braces are added tokens)', safeTok],
])('JsonConstraint over the %s', (_, tok) => {
  const c = new JsonConstraint(tokenTextsOf(tok, ROWS));

  it('finds the added characters whose following space the decoder drops, and no text for special tokens', () => {
    const t = tokenTextsOf(tok, ROWS);
    const dropped = [...t.dropSpaceAfter].map((id) => t.texts[id]).sort();
    expect(dropped).toEqual(tok === safeTok ? ['\\', '{', '}'] : []);
    expect([t.texts[tok.padId], t.texts[tok.eosId], t.texts[tok.unkId]]).toEqual([null, null, null]);
    // Embedding rows past the tokenizer decode to nothing.
    expect(tokenTextsOf(tok, tok.size + 2).texts.slice(tok.size)).toEqual([null, null]);
  });

  it('random walks: decoded text always a JSON prefix, finished output parses, masks equal brute force', () => {
    const rng = seededRandom(tok === safeTok ? 3 : 5);
    let finished = 0;
    for (let walk = 0; walk < 60; walk++) {
      let s = c.start();
      const ids: number[] = [];
      for (let step = 0; step < 80 && !s.finished; step++) {
        const mask = c.allowed(s);
        const allowed = [...mask.keys()].filter((id) => mask[id]);
        // The cached trie walk must say exactly what trying each token says.
        const brute = Array.from({ length: ROWS }, (_, id) => id).filter((id) => tryAdvance(c, s, id) !== null && !(id === tok.padId));
        expect(allowed).toEqual(brute);
        expect(allowed.length).toBeGreaterThan(0);
        // Steer half the time towards closing, so walks finish: </s>, else a token that starts the completion.
        const completion = c.automaton.completion(s.json);
        const closing = allowed.filter((id) => id === tok.eosId || (c.tokens.texts[id] !== null && completion.startsWith(c.tokens.texts[id]!.trimStart()) && c.tokens.texts[id]!.trim() !== ''));
        const pool = rng() < 0.5 && closing.length > 0 ? closing : allowed;
        const id = pool[Math.floor(rng() * pool.length)];
        s = c.advance(s, id);
        ids.push(id);
        const text = tok.decode(ids);
        if (s.finished) {
          expect(() => JSON.parse(text), text).not.toThrow();
          finished++;
        } else assertJsonPrefix(text);
      }
    }
    expect(finished).toBeGreaterThan(20);
  });

  it('refuses what breaks JSON and </s> before the end', () => {
    let s = c.start();
    expect(() => c.advance(s, tok.eosId)).toThrow(/before the JSON is complete/);
    for (const id of tok.encode('{"size":1').slice(0, -1)) s = c.advance(s, id);
    const mask = c.allowed(s);
    const idOf = (piece: string) => [...Array(ROWS).keys()].find((id) => tok.idToPiece(id) === piece)!;
    expect(mask[idOf('}')]).toBe(1);
    expect(mask[idOf(',')]).toBe(1);
    expect(mask[idOf('2')]).toBe(1);
    expect(mask[idOf(':')]).toBe(0);
    expect(mask[idOf('a')]).toBe(0);
    expect(mask[tok.eosId]).toBe(0);
    s = c.advance(s, idOf('}'));
    expect(c.allowed(s)[tok.eosId]).toBe(1);
    expect(c.allowed(s).reduce((n, v) => n + v, 0)).toBe(2); // </s> or the word boundary "▁" (whitespace)
  });
});

it('refuses a tokenizer that cannot write braces (T5 without the JSON-safe tokens)', () => {
  const json = structuredClone(tiny.tokenizerJson) as { model: { vocab: [string, number][] } };
  json.model.vocab = json.model.vocab.filter(([piece]) => !piece.includes('{') && !piece.includes('}'));
  const braceless = createTextTokenizer(json, tiny.tokenizerConfig);
  expect(() => new JsonConstraint(tokenTextsOf(braceless, ROWS))).toThrow(/no token for "\{", "\}".*JSON-safe tokenizer/);
});

describe('ConstrainedRows', () => {
  it('masks logits per row and follows beam parents', () => {
    const c = jsonConstraintFor(safeTok, ROWS);
    expect(jsonConstraintFor(safeTok, ROWS)).toBe(c);
    const rows = new ConstrainedRows(c, 2);
    const logits = new Float32Array(2 * ROWS).fill(1);
    rows.processLogits(logits, ROWS);
    const open = safeTok.encode('{')[0];
    expect(logits[open]).toBe(1);
    expect(logits[safeTok.eosId]).toBe(-Infinity);
    // Row 0 writes "{", row 1 a space; then both rows continue row 0 (a beam reorder).
    const space = [...Array(ROWS).keys()].find((id) => safeTok.idToPiece(id) === '▁')!;
    rows.onStep([open, space], [0, 1]);
    expect(rows.state(0)!.json.stack).toBe('{');
    expect(rows.state(1)!.json.stack).toBe('');
    const close = safeTok.encode('}')[0];
    rows.onStep([close, close], [0, 0]);
    expect(rows.state(1)!.json.stack).toBe('');
    expect(c.automaton.complete(rows.state(1)!.json)).toBe(true);
    // A forbidden token (beam search can keep one at -Infinity) kills the row instead of throwing.
    rows.onStep([close, safeTok.eosId], [0, 1]);
    expect(rows.state(0)).toBeNull();
    expect(rows.state(1)!.finished).toBe(true);
    expect(rows.tokens).toBe(6);
  });
});

describe('closing within a token budget', () => {
  it('random logits under a budget always end in whole JSON, for budgets from 3 tokens up', () => {
    for (const tok of [plainTok, safeTok]) {
      const c = new JsonConstraint(tokenTextsOf(tok, ROWS));
      const rng = seededRandom(17);
      for (let walk = 0; walk < 40; walk++) {
        const budget = 3 + Math.floor(rng() * 30);
        const rows = new ConstrainedRows(c, 1, budget);
        const ids: number[] = [];
        for (let t = 0; t < budget; t++) {
          const logits = Float32Array.from({ length: ROWS }, () => rng());
          // Make </s> unlikely, as an untrained model might: only the budget should force the end.
          logits[tok.eosId] = -5;
          rows.processLogits(logits, ROWS, t);
          let best = 0;
          for (let v = 1; v < ROWS; v++) if (logits[v] > logits[best]) best = v;
          rows.onStep([best], [0]);
          ids.push(best);
          if (best === tok.eosId) break;
        }
        expect(rows.state(0)!.finished, tok.decode(ids)).toBe(true);
        expect(() => JSON.parse(tok.decode(ids))).not.toThrow();
      }
    }
  });
});

describe('dataset labels', () => {
  it('the tokenization of every sample label is allowed step by step, and </s> after it', async () => {
    const { readFileSync } = await import('node:fs');
    const labels = readFileSync(new URL('../../public/sample/sales-reports.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 200)
      .map((l) => (JSON.parse(l) as { label: string }).label);
    for (const tok of [plainTok, safeTok]) {
      const c = new JsonConstraint(tokenTextsOf(tok, ROWS));
      let checked = 0;
      for (const label of labels) {
        let s = c.start();
        const ids = tok.encode(label);
        // Skip labels this small vocabulary cannot spell (<unk>): the model could not write them either.
        if (ids.includes(tok.unkId)) continue;
        checked++;
        for (const id of ids) {
          expect(c.allowed(s)[id], `${label}: token ${JSON.stringify(tok.idToPiece(id))}`).toBe(1);
          s = c.advance(s, id);
        }
        expect(s.finished).toBe(true);
      }
      expect(checked).toBeGreaterThan(150);
    }
  });
});
