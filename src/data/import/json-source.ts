// Source text of JSON values, so an import can keep a value exactly as the file wrote it: JSON.parse followed by
// JSON.stringify would collapse duplicate keys, round integers beyond 2^53, turn 1e400 into null and respell 1.0.
// Both scans are single passes with no recursion: any nesting depth, linear time.

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** Index just past the string token starting at `i` (a '"'); text.length when it is not closed. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return text.length;
}

/** Index just past the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return skipString(text, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) j = skipString(text, j) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || isSpace(d)) break;
    j++;
  }
  return j;
}

/**
 * The source text of each top-level member of a JSON object, by key (the last of duplicate keys wins, as in
 * JSON.parse; `repeated` names the keys that appear more than once). `text` must already be known to be a valid
 * JSON object (JSON.parse accepted it).
 */
export function memberSources(text: string): Map<string, string> & { repeated: Set<string> } {
  const out = Object.assign(new Map<string, string>(), { repeated: new Set<string>() });
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  };
  skipSpace();
  if (text.charCodeAt(i) !== 123) return out;
  i++;
  for (;;) {
    skipSpace();
    if (i >= text.length || text.charCodeAt(i) === 125) return out;
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = keyEnd;
    skipSpace();
    i++; // ':'
    skipSpace();
    const start = i;
    i = skipValue(text, i);
    if (out.has(key)) out.repeated.add(key);
    out.set(key, text.slice(start, i));
    skipSpace();
    if (text.charCodeAt(i) === 44) i++;
  }
}

/** Deepest bracket nesting in `text`, brackets inside strings not counted (any text, valid JSON or not). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = skipString(text, i) - 1;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if ((c === 125 || c === 93) && depth > 0) depth--;
  }
  return max;
}
