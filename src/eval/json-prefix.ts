// A byte-level JSON prefix automaton (RFC 8259): a stack of open containers plus a lexer state. step() accepts a
// byte exactly when the bytes so far are still the start of some JSON text; complete() says when they already are
// one; completion() gives the shortest bytes that finish it (a witness that every accepted prefix can end well, and
// what a decoder must still write). Bytes >= 0x80 are accepted inside strings only, as parts of UTF-8 characters
// (tokenizer pieces are whole characters, so they arrive well-formed).

/** Lexer states. String and number states name the part of the token being read. */
export enum Lex {
  Root, // before the top-level value
  Value, // after ":" or "," in an array
  ArrayFirst, // after "[": a value or "]"
  ObjectFirst, // after "{": a key or "}"
  ObjectKey, // after "," in an object: a key
  Colon, // after a key
  After, // after a value: "," or a closer (top level: only whitespace)
  Str, StrEsc, StrU1, StrU2, StrU3, StrU4, // StrUk: k hex digits of \uXXXX still to come
  Key, KeyEsc, KeyU1, KeyU2, KeyU3, KeyU4,
  NumMinus, NumZero, NumInt, NumDot, NumFrac, NumE, NumESign, NumExp,
  Lit, // inside true/false/null: `literal` and `pos` say where
}

export interface JsonPrefixState {
  /** Open containers, innermost last: "{" or "[". */
  readonly stack: string;
  readonly lex: Lex;
  /** Lit only: the literal and how many of its bytes are read. */
  readonly literal?: string;
  readonly pos?: number;
}

export interface JsonPrefixOptions {
  /** Only an object at the top level (a search request body). Default false: any JSON value. */
  rootObject?: boolean;
}

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const LITERALS: Record<number, string> = { 0x74: 'true', 0x66: 'false', 0x6e: 'null' };

const at = (stack: string, lex: Lex): JsonPrefixState => ({ stack, lex });

export class JsonPrefixAutomaton {
  readonly rootObject: boolean;

  constructor(o: JsonPrefixOptions = {}) {
    this.rootObject = o.rootObject ?? false;
  }

  start(): JsonPrefixState {
    return at('', Lex.Root);
  }

  /** The state after byte c, or null when no JSON text starts with the bytes so far plus c. */
  step(s: JsonPrefixState, c: number): JsonPrefixState | null {
    const { stack, lex } = s;
    switch (lex) {
      case Lex.Root:
        if (isWs(c)) return s;
        if (this.rootObject && c !== 0x7b) return null;
        return this.startValue(stack, c);
      case Lex.Value:
        return isWs(c) ? s : this.startValue(stack, c);
      case Lex.ArrayFirst:
        if (isWs(c)) return s;
        if (c === 0x5d) return at(stack.slice(0, -1), Lex.After);
        return this.startValue(stack, c);
      case Lex.ObjectFirst:
        if (isWs(c)) return s;
        if (c === 0x7d) return at(stack.slice(0, -1), Lex.After);
        return c === 0x22 ? at(stack, Lex.Key) : null;
      case Lex.ObjectKey:
        if (isWs(c)) return s;
        return c === 0x22 ? at(stack, Lex.Key) : null;
      case Lex.Colon:
        if (isWs(c)) return s;
        return c === 0x3a ? at(stack, Lex.Value) : null;
      case Lex.After: {
        if (isWs(c)) return s;
        const top = stack[stack.length - 1];
        if (c === 0x2c) return top === '{' ? at(stack, Lex.ObjectKey) : top === '[' ? at(stack, Lex.Value) : null;
        if (c === 0x7d) return top === '{' ? at(stack.slice(0, -1), Lex.After) : null;
        if (c === 0x5d) return top === '[' ? at(stack.slice(0, -1), Lex.After) : null;
        return null;
      }
      case Lex.Str:
      case Lex.Key: {
        const key = lex === Lex.Key;
        if (c === 0x22) return at(stack, key ? Lex.Colon : Lex.After);
        if (c === 0x5c) return at(stack, key ? Lex.KeyEsc : Lex.StrEsc);
        return c < 0x20 ? null : s;
      }
      case Lex.StrEsc:
      case Lex.KeyEsc: {
        const key = lex === Lex.KeyEsc;
        if (c === 0x75) return at(stack, key ? Lex.KeyU4 : Lex.StrU4);
        // " \ / b f n r t
        if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return at(stack, key ? Lex.Key : Lex.Str);
        return null;
      }
      case Lex.StrU1: case Lex.StrU2: case Lex.StrU3: case Lex.StrU4:
        return isHex(c) ? at(stack, lex === Lex.StrU1 ? Lex.Str : lex - 1) : null;
      case Lex.KeyU1: case Lex.KeyU2: case Lex.KeyU3: case Lex.KeyU4:
        return isHex(c) ? at(stack, lex === Lex.KeyU1 ? Lex.Key : lex - 1) : null;
      case Lex.NumMinus:
        return c === 0x30 ? at(stack, Lex.NumZero) : isDigit(c) ? at(stack, Lex.NumInt) : null;
      case Lex.NumZero:
        if (c === 0x2e) return at(stack, Lex.NumDot);
        if (c === 0x65 || c === 0x45) return at(stack, Lex.NumE);
        return this.step(at(stack, Lex.After), c);
      case Lex.NumInt:
        if (isDigit(c)) return s;
        if (c === 0x2e) return at(stack, Lex.NumDot);
        if (c === 0x65 || c === 0x45) return at(stack, Lex.NumE);
        return this.step(at(stack, Lex.After), c);
      case Lex.NumDot:
        return isDigit(c) ? at(stack, Lex.NumFrac) : null;
      case Lex.NumFrac:
        if (isDigit(c)) return s;
        if (c === 0x65 || c === 0x45) return at(stack, Lex.NumE);
        return this.step(at(stack, Lex.After), c);
      case Lex.NumE:
        return c === 0x2b || c === 0x2d ? at(stack, Lex.NumESign) : isDigit(c) ? at(stack, Lex.NumExp) : null;
      case Lex.NumESign:
        return isDigit(c) ? at(stack, Lex.NumExp) : null;
      case Lex.NumExp:
        return isDigit(c) ? s : this.step(at(stack, Lex.After), c);
      case Lex.Lit: {
        const word = s.literal!;
        const pos = s.pos!;
        if (c !== word.charCodeAt(pos)) return null;
        return pos + 1 === word.length ? at(stack, Lex.After) : { stack, lex: Lex.Lit, literal: word, pos: pos + 1 };
      }
    }
  }

  private startValue(stack: string, c: number): JsonPrefixState | null {
    if (c === 0x7b) return at(stack + '{', Lex.ObjectFirst);
    if (c === 0x5b) return at(stack + '[', Lex.ArrayFirst);
    if (c === 0x22) return at(stack, Lex.Str);
    if (c === 0x2d) return at(stack, Lex.NumMinus);
    if (c === 0x30) return at(stack, Lex.NumZero);
    if (isDigit(c)) return at(stack, Lex.NumInt);
    const word = LITERALS[c];
    return word ? { stack, lex: Lex.Lit, literal: word, pos: 1 } : null;
  }

  /** Run a whole byte string; null as soon as a byte is refused. */
  run(s: JsonPrefixState | null, bytes: Uint8Array): JsonPrefixState | null {
    for (let i = 0; i < bytes.length && s; i++) s = this.step(s, bytes[i]);
    return s;
  }

  /** The bytes so far are a whole JSON text (trailing whitespace may follow; nothing else). */
  complete(s: JsonPrefixState): boolean {
    if (s.stack.length > 0) return false;
    return s.lex === Lex.After || s.lex === Lex.NumZero || s.lex === Lex.NumInt || s.lex === Lex.NumFrac || s.lex === Lex.NumExp;
  }

  /** Shortest text that makes the prefix a whole JSON text. */
  completion(s: JsonPrefixState): string {
    const closers = [...s.stack].reverse().map((c) => (c === '{' ? '}' : ']')).join('');
    const head = ((): string => {
      switch (s.lex) {
        case Lex.Root: return this.rootObject ? '{}' : '0';
        case Lex.Value: return '0';
        case Lex.ArrayFirst: case Lex.ObjectFirst: case Lex.After: return '';
        case Lex.ObjectKey: return '"":0';
        case Lex.Colon: return ':0';
        case Lex.Str: return '"';
        case Lex.StrEsc: return 'n"';
        case Lex.Key: return '":0';
        case Lex.KeyEsc: return 'n":0';
        case Lex.NumMinus: case Lex.NumDot: case Lex.NumE: case Lex.NumESign: return '0';
        case Lex.NumZero: case Lex.NumInt: case Lex.NumFrac: case Lex.NumExp: return '';
        case Lex.Lit: return s.literal!.slice(s.pos!);
        default: {
          // \uXXXX: StrU1..StrU4 / KeyU1..KeyU4 need 1..4 more hex digits.
          const isKey = s.lex >= Lex.KeyU1 && s.lex <= Lex.KeyU4;
          const need = isKey ? s.lex - Lex.KeyU1 + 1 : s.lex - Lex.StrU1 + 1;
          return '0'.repeat(need) + (isKey ? '":0' : '"');
        }
      }
    })();
    return head + closers;
  }
}
