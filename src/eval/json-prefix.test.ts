// The byte-level JSON prefix automaton against JSON.parse as the oracle: random JSON texts (every prefix accepted,
// the whole one complete), random corruptions (a text is accepted as complete exactly when JSON.parse takes it), and
// every accepted prefix finishes into parsing JSON with completion(). Seeded, so failures replay.
import { describe, expect, it } from 'vitest';
import { JsonPrefixAutomaton, type JsonPrefixState } from './json-prefix';
import { seededRandom } from '../common/random';
import { randomJsonText } from './testing-random';

const utf8 = new TextEncoder();

/** The state after text, or null when some prefix of it is refused. */
function feed(a: JsonPrefixAutomaton, text: string): JsonPrefixState | null {
  return a.run(a.start(), utf8.encode(text));
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('JsonPrefixAutomaton', () => {
  const any = new JsonPrefixAutomaton();

  it('accepts every prefix of random JSON texts and calls only the whole text complete', () => {
    const rng = seededRandom(7);
    for (let n = 0; n < 300; n++) {
      const text = randomJsonText(rng, 4);
      const bytes = utf8.encode(text);
      let s: JsonPrefixState | null = any.start();
      for (let i = 0; i < bytes.length; i++) {
        s = any.step(s!, bytes[i]);
        if (!s) throw new Error(`refused byte ${i} of ${JSON.stringify(text)}`);
      }
      expect(any.complete(s!), text).toBe(true);
    }
  });

  it('agrees with JSON.parse on corrupted texts, and every accepted prefix completes into parsing JSON', () => {
    const rng = seededRandom(11);
    const alphabet = ' {}[]":,\\-+.0123456789eEtrufalsn/u\tx\u00e9';
    let accepted = 0;
    for (let n = 0; n < 1500; n++) {
      const chars = [...randomJsonText(rng, 3)];
      const edits = 1 + Math.floor(rng() * 3);
      for (let e = 0; e < edits; e++) {
        const i = Math.floor(rng() * (chars.length + 1));
        const c = alphabet[Math.floor(rng() * alphabet.length)];
        const op = rng();
        if (op < 0.4) chars.splice(i, 1);
        else if (op < 0.7) chars.splice(i, 0, c);
        else chars[i] = c;
      }
      const text = chars.join('');
      const s = feed(any, text);
      expect(s !== null && any.complete(s), text).toBe(parses(text));
      if (s) {
        accepted++;
        const finished = text + any.completion(s);
        expect(parses(finished), `${text} + ${any.completion(s)}`).toBe(true);
        expect(any.complete(feed(any, finished)!), finished).toBe(true);
      }
    }
    // The corruptions must exercise both sides of the property.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(1400);
  });

  it('knows the edge cases of numbers, escapes and literals', () => {
    const ok = (t: string) => feed(any, t) !== null;
    const done = (t: string) => any.complete(feed(any, t)!);
    expect(ok('-')).toBe(true);
    expect(ok('01')).toBe(false);
    expect(ok('1.')).toBe(true);
    expect(done('1.')).toBe(false);
    expect(ok('1.e')).toBe(false);
    expect(done('1e+5')).toBe(true);
    expect(ok('"\\x')).toBe(false);
    expect(ok('"\\u12g')).toBe(false);
    expect(done('"\\u00e9\\n"')).toBe(true);
    expect(ok('"a\nb"')).toBe(false);
    expect(ok('tru')).toBe(true);
    expect(ok('trux')).toBe(false);
    expect(ok('{"a":1,}')).toBe(false);
    expect(ok('[1,]')).toBe(false);
    expect(ok('{"a" 1')).toBe(false);
    expect(ok('{} {}')).toBe(false);
    expect(done(' {"a":[1,{"b":null}]} \n')).toBe(true);
    expect(feed(any, '{"a":[1,{"b":')!.stack).toBe('{[{');
  });

  it('rootObject refuses anything but an object at the top', () => {
    const obj = new JsonPrefixAutomaton({ rootObject: true });
    expect(feed(obj, '  {')).not.toBeNull();
    expect(feed(obj, '[')).toBeNull();
    expect(feed(obj, '1')).toBeNull();
    expect(obj.completion(obj.start())).toBe('{}');
  });
});
