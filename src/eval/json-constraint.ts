// JSON-constrained decoding over a SentencePiece vocabulary: at each step only tokens that keep the decoded output a
// JSON prefix are allowed, and </s> only once it is a whole JSON text, so every finished output parses.
//
// Each token's text is its piece with "▁" as a space. The JSON-safe tokenizer's decoder drops the space right after
// one of its added characters ("{", "}" ...; see src/model/json-safe-tokenizer.ts), so the state carries whether the
// previous token was one. The vocabulary is a byte trie built once per tokenizer; a step's mask is a walk of the
// trie from the current automaton state, pruned at the first refused byte, and cached by what the mask depends on
// (lexer state, the innermost containers a token could close, the dropped-space flag), so repeated states (every
// step inside a string, say) cost one lookup.
import type { T5Tokenizer } from '../model/tokenizer';
import { JsonPrefixAutomaton, type JsonPrefixOptions, type JsonPrefixState } from './json-prefix';

/** What each token adds to the decoded text. */
export interface TokenTexts {
  /** Per id: the text (a "▁" is a space), or null when it decodes to nothing (special tokens, unused rows). */
  texts: (string | null)[];
  eosId: number;
  /** What the generator writes after </s> (greedy's finished rows, beam search's closed ones). */
  padId: number;
  /** Ids after which the decoder drops the next token's leading space. */
  dropSpaceAfter: Set<number>;
}

/** Token texts of a T5 tokenizer, for a model whose embedding has `rows` rows (rows past the tokenizer are null). */
export function tokenTextsOf(tok: T5Tokenizer, rows: number): TokenTexts {
  const texts: (string | null)[] = new Array<string | null>(rows).fill(null);
  // A word piece to decode after a candidate: tells whether the candidate swallows the space before it.
  let probe = -1;
  for (let id = 0; id < tok.size && probe < 0; id++) if (/^▁[a-z]{2,}$/.test(tok.idToPiece(id) ?? '')) probe = id;
  const probeText = probe >= 0 ? tok.idToPiece(probe)!.slice(1) : '';
  const dropSpaceAfter = new Set<number>();
  for (let id = 0; id < Math.min(rows, tok.size); id++) {
    const piece = tok.idToPiece(id);
    if (piece === undefined || id === tok.padId || id === tok.eosId || id === tok.unkId) continue;
    // Special tokens (<extra_id_0>, ...) are skipped by decode: they add nothing.
    if (/^<.+>$/.test(piece) && probe >= 0 && tok.decode([probe, id]) === tok.decode([probe])) continue;
    texts[id] = piece.replaceAll('▁', ' ');
    if ([...piece].length === 1 && piece !== '▁' && probe >= 0 && tok.decode([id, probe]) === piece + probeText) dropSpaceAfter.add(id);
  }
  return { texts, eosId: tok.eosId, padId: tok.padId, dropSpaceAfter };
}

export interface ConstraintState {
  json: JsonPrefixState;
  /** The previous token was one after which the decoder drops a leading space. */
  dropSpace: boolean;
  /** </s> was chosen. */
  finished: boolean;
}

const utf8 = new TextEncoder();

/** The vocabulary as a byte trie in flat arrays: node 0 is the root. */
class ByteTrie {
  readonly byte: Uint8Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  /** Tokens ending at node n: ids[idStart[n] .. idStart[n+1]). */
  readonly idStart: Int32Array;
  readonly ids: Int32Array;

  constructor(texts: (string | null)[]) {
    const encoded = texts.map((t) => (t ? utf8.encode(t) : null));
    // At most one node per byte, plus the root. Edges live in one Map keyed node * 256 + byte (fast to build);
    // children are linked first-child / next-sibling for the walk.
    const capacity = 1 + encoded.reduce((n, b) => n + (b?.length ?? 0), 0);
    const byte = new Uint8Array(capacity);
    const firstChild = new Int32Array(capacity).fill(-1);
    const nextSibling = new Int32Array(capacity).fill(-1);
    const endOf = new Int32Array(texts.length).fill(-1);
    const edges = new Map<number, number>();
    let n = 1;
    encoded.forEach((bytes, id) => {
      if (!bytes || bytes.length === 0) return;
      let node = 0;
      for (const b of bytes) {
        let next = edges.get(node * 256 + b);
        if (next === undefined) {
          next = n++;
          edges.set(node * 256 + b, next);
          byte[next] = b;
          nextSibling[next] = firstChild[node];
          firstChild[node] = next;
        }
        node = next;
      }
      endOf[id] = node;
    });
    this.byte = byte.slice(0, n);
    this.firstChild = firstChild.slice(0, n);
    this.nextSibling = nextSibling.slice(0, n);
    this.idStart = new Int32Array(n + 1);
    for (const node of endOf) if (node >= 0) this.idStart[node + 1]++;
    for (let p = 0; p < n; p++) this.idStart[p + 1] += this.idStart[p];
    const fill = this.idStart.slice(0, n);
    this.ids = new Int32Array(this.idStart[n]);
    endOf.forEach((node, id) => {
      if (node >= 0) this.ids[fill[node]++] = id;
    });
  }

  get size(): number {
    return this.byte.length;
  }
}

export interface JsonConstraintStats {
  trieNodes: number;
  masksComputed: number;
  maskCacheHits: number;
  /** Time spent computing masks (not cache lookups), ms. */
  maskMillis: number;
}

export class JsonConstraint {
  readonly automaton: JsonPrefixAutomaton;
  readonly rows: number;
  private readonly trie: ByteTrie;
  private readonly encoded: (Uint8Array | null)[];
  /** How many containers one token can close at most: masks depend on that many innermost stack entries. */
  private readonly stackDepthSeen: number;
  private readonly cache = new Map<string, Uint8Array>();
  private readonly nearEnd = new Map<string, Uint8Array>();
  /** How much one token can lengthen the shortest completion, plus one. */
  private readonly maxGrowth: number;
  readonly stats: JsonConstraintStats = { trieNodes: 0, masksComputed: 0, maskCacheHits: 0, maskMillis: 0 };

  constructor(readonly tokens: TokenTexts, options: JsonPrefixOptions = { rootObject: true }) {
    // The closing guarantee needs each character a completion can ask for as a token of its own (alone or after
    // "▁"). T5's own vocabulary has no "{" or "}": it needs the JSON-safe tokenizer a run adds them with.
    const single = new Set(tokens.texts.filter((t): t is string => t !== null).map((t) => t.trimStart()).filter((t) => [...t].length === 1));
    const needed = ['{', '}', '"', ':', '0', ...(tokens.texts.some((t) => t?.includes('[')) ? [']'] : [])];
    const missing = needed.filter((c) => !single.has(c));
    if (missing.length > 0) {
      throw new Error(
        `JSON-constrained decoding: the tokenizer has no token for ${missing.map((c) => JSON.stringify(c)).join(', ')}, so it cannot always close ` +
          'the JSON; use the JSON-safe tokenizer (a run\'s tokenizer, or src/model/json-safe-tokenizer.ts adds the characters)',
      );
    }
    this.automaton = new JsonPrefixAutomaton(options);
    this.rows = tokens.texts.length;
    this.trie = new ByteTrie(tokens.texts);
    this.stats.trieNodes = this.trie.size;
    this.encoded = tokens.texts.map((t) => (t ? utf8.encode(t) : null));
    let closers = 0;
    for (const t of tokens.texts) if (t) closers = Math.max(closers, [...t].filter((c) => c === '}' || c === ']').length);
    this.stackDepthSeen = closers + 1;
    this.maxGrowth = 4 * this.encoded.reduce((m, b) => Math.max(m, b?.length ?? 0), 0) + 1;
  }

  start(): ConstraintState {
    return { json: this.automaton.start(), dropSpace: false, finished: false };
  }

  private key(s: ConstraintState): string {
    const { stack, lex, literal, pos } = s.json;
    const k = this.stackDepthSeen;
    const st = stack.length > k ? `…${stack.slice(-k)}` : stack;
    return `${s.dropSpace ? 1 : 0}|${lex}|${literal ?? ''}${pos ?? ''}|${st}`;
  }

  /** 1 for every id allowed next (length = rows). After </s>, nothing is allowed (the generator pads). */
  allowed(s: ConstraintState): Uint8Array {
    if (s.finished) return new Uint8Array(this.rows);
    const key = this.key(s);
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.maskCacheHits++;
      return hit;
    }
    const t0 = performance.now();
    const mask = new Uint8Array(this.rows);
    const a = this.automaton;
    const trie = this.trie;
    const visit = (node: number, state: JsonPrefixState, skipSpace: boolean) => {
      for (let c = trie.firstChild[node]; c >= 0; c = trie.nextSibling[c]) {
        const b = trie.byte[c];
        // The decoder drops one leading space after an added character: the token's text starts after it.
        const next = skipSpace && b === 0x20 ? state : a.step(state, b);
        if (!next) continue;
        for (let i = trie.idStart[c]; i < trie.idStart[c + 1]; i++) mask[trie.ids[i]] = 1;
        visit(c, next, false);
      }
    };
    visit(0, s.json, s.dropSpace);
    if (a.complete(s.json)) mask[this.tokens.eosId] = 1;
    this.cache.set(key, mask);
    this.stats.masksComputed++;
    this.stats.maskMillis += performance.now() - t0;
    return mask;
  }

  /** Tokens (</s> included) the shortest completion needs at most. */
  tokensToClose(s: ConstraintState): number {
    return s.finished ? 0 : this.automaton.completion(s.json).length + 1;
  }

  /** The state after token id; throws when the token is not allowed there. */
  advance(s: ConstraintState, id: number): ConstraintState {
    if (s.finished) return s;
    if (id === this.tokens.padId) return { ...s, finished: true };
    if (id === this.tokens.eosId) {
      if (!this.automaton.complete(s.json)) throw new Error(`</s> before the JSON is complete (state ${this.key(s)})`);
      return { ...s, finished: true };
    }
    let bytes = this.encoded[id];
    if (!bytes) throw new Error(`token ${id} adds no text and is never allowed by the JSON constraint`);
    if (s.dropSpace && bytes[0] === 0x20) bytes = bytes.subarray(1);
    const json = this.automaton.run(s.json, bytes);
    if (!json) throw new Error(`token ${id} (${JSON.stringify(this.tokens.texts[id])}) does not continue the JSON (state ${this.key(s)})`);
    return { json, dropSpace: this.tokens.dropSpaceAfter.has(id), finished: false };
  }

  /**
   * allowed(), narrowed near the end of a token budget (`stepsLeft` counts this step) to the tokens after which the
   * shortest completion still fits, so the output is whole JSON by the last step. A completion of n characters
   * fits in n tokens: each character it can need ("}", "]", '"', ":", "0", letters of true/false/null) is a
   * single-character piece or added token in T5's vocabulary. One byte lengthens the completion by at most 4
   * ("," in an object needs '"":0'), so far from the end nothing is narrowed and the cached mask serves.
   */
  allowedWithin(s: ConstraintState, stepsLeft: number): Uint8Array {
    const base = this.allowed(s);
    if (s.finished || stepsLeft > this.tokensToClose(s) + this.maxGrowth) return base;
    const key = `${s.dropSpace ? 1 : 0}|${s.json.lex}|${s.json.literal ?? ''}${s.json.pos ?? ''}|${s.json.stack}|${stepsLeft}`;
    const hit = this.nearEnd.get(key);
    if (hit) return hit;
    const t0 = performance.now();
    const mask = new Uint8Array(this.rows);
    let any = false;
    for (let id = 0; id < this.rows; id++) {
      if (!base[id]) continue;
      if (id === this.tokens.eosId || this.tokensToClose(this.advance(s, id)) <= stepsLeft - 1) {
        mask[id] = 1;
        any = true;
      }
    }
    if (this.nearEnd.size > 10_000) this.nearEnd.clear();
    this.nearEnd.set(key, any ? mask : base);
    this.stats.maskMillis += performance.now() - t0;
    return any ? mask : base;
  }

  /** Set every disallowed logit of one row to -Infinity (see allowedWithin for stepsLeft). */
  maskLogits(s: ConstraintState, logits: Float32Array, offset: number, V: number, stepsLeft = Infinity): void {
    const mask = this.allowedWithin(s, stepsLeft);
    for (let v = 0; v < V; v++) if (!(v < mask.length && mask[v])) logits[offset + v] = -Infinity;
  }
}

const perTokenizer = new WeakMap<T5Tokenizer, Map<string, JsonConstraint>>();

/** One constraint per tokenizer, model rows and options, built on first use (the trie takes a moment for 32k pieces). */
export function jsonConstraintFor(tok: T5Tokenizer, rows: number, options: JsonPrefixOptions = { rootObject: true }): JsonConstraint {
  let byKey = perTokenizer.get(tok);
  if (!byKey) perTokenizer.set(tok, (byKey = new Map()));
  const key = `${rows}|${options.rootObject ? 1 : 0}`;
  let c = byKey.get(key);
  if (!c) byKey.set(key, (c = new JsonConstraint(tokenTextsOf(tok, rows), options)));
  return c;
}

/**
 * Per-row constraint states for a generator (the DecodeHooks of src/model/generate.ts): mask each row's logits
 * before the choice, then follow the choice. `from[r]` is the row whose history row r continues (identity for
 * greedy; the beam's parent for beam search). Beam search may keep a forbidden token when fewer than 2 x beams
 * tokens are allowed: that row's score is -Infinity, so the row is marked dead and left unmasked (it can never win).
 */
export class ConstrainedRows {
  private states: (ConstraintState | null)[];
  /** Tokens chosen under the constraint and the time spent masking and advancing, ms. */
  tokens = 0;
  millis = 0;

  /** maxNewTokens: the generator's budget; the last steps then close the JSON (see maskLogits). */
  constructor(private readonly constraint: JsonConstraint, rows: number, private readonly maxNewTokens = Infinity) {
    this.states = Array.from({ length: rows }, () => constraint.start());
  }

  processLogits(logits: Float32Array, V: number, t = 0): void {
    const t0 = performance.now();
    this.states.forEach((s, r) => {
      if (s && !s.finished) this.constraint.maskLogits(s, logits, r * V, V, this.maxNewTokens - t);
    });
    this.millis += performance.now() - t0;
  }

  onStep(tokens: number[], from: number[]): void {
    const t0 = performance.now();
    this.states = tokens.map((tok, r) => {
      const s = this.states[from[r]];
      if (!s) return null;
      if (!s.finished) this.tokens++;
      try {
        return this.constraint.advance(s, tok);
      } catch {
        return null;
      }
    });
    this.millis += performance.now() - t0;
  }

  /** null for a dead row (it took a forbidden token). */
  state(row: number): ConstraintState | null {
    return this.states[row];
  }
}
