// Pull the rationale and the Query DSL JSON out of a free-form teacher reply. Replies come as ```json fences, bare
// JSON with prose around it, "Rationale:" / "Query:" headings, trailing commentary, or truncated by max_tokens.
// We never repair JSON and never guess: a reply cut off inside a JSON object or a <think> block, or one offering two
// different queries with nothing to choose between them, gives no label and says why (the runner keeps the raw
// reply on the row). A complete but malformed object is returned as written, so validation reports where it breaks.
//
// Every scan here is a single forward pass (no backtracking regular expressions, no recursion): model output can be
// degenerate (10,000 backticks, 30,000 spaces or braces, JSON nested thousands deep) and must cost linear time.

import { nestingDepth } from '../import/json-source';

export interface JsonSpan {
  start: number;
  /** Exclusive; for an unbalanced (truncated) object this is the end of the scanned text. */
  end: number;
  text: string;
  balanced: boolean;
}

/** Labels nested deeper than this are refused (no Query DSL comes close; checkers must not run out of stack). */
export const MAX_LABEL_DEPTH = 256;

/** An unclosed '{' that starts a JSON object ('{' then a key or '}') rather than a brace in prose. */
function looksLikeObjectStart(text: string, at: number): boolean {
  let i = at + 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i >= text.length || text[i] === '"' || text[i] === '}';
}

/**
 * Top-level {...} spans of `text` in one pass: braces inside JSON strings (with escapes) are skipped, a span is
 * top-level when no other balanced span contains it. Unclosed braces that start a JSON object give an unbalanced
 * span to the end of the text (a truncated object); a stray brace in prose neither hides the objects after it nor
 * makes a span of its own. Strings are tracked only inside braces, and end at a newline (JSON strings cannot hold
 * one), so quotes in prose cannot swallow the rest of the reply.
 */
export function scanJsonObjects(text: string): JsonSpan[] {
  const open: number[] = [];
  const pairs: { start: number; end: number }[] = [];
  let inString = false;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (inString) {
      if (c === 92) j++;
      else if (c === 34 || c === 10) inString = false;
      continue;
    }
    if (c === 34 && open.length > 0) inString = true;
    else if (c === 123) open.push(j);
    else if (c === 125 && open.length > 0) pairs.push({ start: open.pop()!, end: j + 1 });
  }
  // Pairs close in order of their ends; a pair is contained in a later-closing one that started before it.
  pairs.sort((a, b) => a.start - b.start || b.end - a.end);
  const spans: JsonSpan[] = [];
  let coveredTo = -1;
  for (const p of pairs) {
    if (p.end <= coveredTo) continue;
    spans.push({ start: p.start, end: p.end, text: text.slice(p.start, p.end), balanced: true });
    coveredTo = p.end;
  }
  const cut = open.find((at) => looksLikeObjectStart(text, at));
  if (cut !== undefined) spans.push({ start: cut, end: text.length, text: text.slice(cut), balanced: false });
  return spans.sort((a, b) => a.start - b.start);
}

interface Fence {
  /** Offset of the opening ``` (where the label region starts for rationale purposes). */
  open: number;
  bodyStart: number;
  bodyEnd: number;
  /** Offset just after the closing ``` (or end of text when the fence was cut off). */
  close: number;
  lang: string;
  closed: boolean;
}

/**
 * The closing run of a fence: the first `marker` not inside a JSON string (a query may quote ``` in a value), at
 * the start of a line or not (models often close right after the JSON). Strings end at a newline, as in JSON.
 */
function findCloser(text: string, marker: string, from: number): number {
  let inString = false;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (inString) {
      if (c === 92) j++;
      else if (c === 34 || c === 10) inString = false;
    } else if (c === 34) inString = true;
    else if (c === marker.charCodeAt(0) && text.startsWith(marker, j)) return j;
  }
  return -1;
}

/** Fences: a line starting (after spaces, tabs or '>') with 3+ backticks or tildes; closed by the same run. */
function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) break; // an opener needs its line to end; a last line of backticks is not a fence
    let i = lineStart;
    while (i < nl && (text[i] === ' ' || text[i] === '\t' || text[i] === '>')) i++;
    const ch = text[i];
    let run = i;
    if (ch === '`' || ch === '~') while (run < nl && text[run] === ch) run++;
    if (run - i < 3) {
      lineStart = nl + 1;
      continue;
    }
    const marker = text.slice(i, run);
    let langEnd = run;
    while (langEnd < nl && (text[langEnd] === ' ' || text[langEnd] === '\t')) langEnd++;
    const langStart = langEnd;
    while (langEnd < nl && /[\w+-]/.test(text[langEnd])) langEnd++;
    const bodyStart = nl + 1;
    const closeAt = findCloser(text, marker, bodyStart);
    const closed = closeAt >= 0;
    const bodyEnd = closed ? closeAt : text.length;
    const close = closed ? closeAt + marker.length : text.length;
    fences.push({ open: i, bodyStart, bodyEnd, close, lang: text.slice(langStart, langEnd).toLowerCase(), closed });
    const after = text.indexOf('\n', close);
    lineStart = after < 0 ? text.length : after + 1;
  }
  return fences;
}

const RATIONALE_NAMES = ['step-by-step rationale', 'step by step rationale', 'step-by-step explanation', 'step by step explanation', 'step-by-step', 'step by step', 'rationale', 'reasoning', 'explanation'];
const QUERY_NAMES = ['final answer', 'final query', 'query dsl', 'opensearch query', 'query', 'json', 'answer', 'label'];

interface Heading {
  /** Start of the heading's line. */
  index: number;
  /** Just past the heading (its colon, or the end of its line). */
  end: number;
  /** Nothing else on the line. */
  alone: boolean;
}

const skipMarkdown = (line: string, i: number): number => (line.startsWith('**', i) || line.startsWith('__', i) ? i + 2 : i);
const skipBlank = (line: string, i: number): number => {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
};

/**
 * A heading line: optional '>' and '#'s, optional ** or __, one of `names`, optional ** or __, then a colon or the
 * end of the line ("Query:", "**Rationale:**", "### Query"). One pass over the line.
 */
function headingAt(line: string, names: readonly string[]): { end: number; alone: boolean } | null {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '>')) i++;
  let hashes = 0;
  while (line[i] === '#' && hashes < 6) {
    i++;
    hashes++;
  }
  i = skipMarkdown(line, skipBlank(line, i));
  const lower = line.slice(i, i + 40).toLowerCase();
  const name = names.find((n) => lower.startsWith(n) && !/[a-z0-9]/.test(lower[n.length] ?? ''));
  if (name === undefined) return null;
  i = skipBlank(line, skipMarkdown(line, i + name.length));
  if (line[i] === ':') {
    i = skipMarkdown(line, i + 1);
    return { end: i, alone: skipBlank(line, i) === line.length };
  }
  i = skipBlank(line, skipMarkdown(line, i));
  return i === line.length ? { end: i, alone: true } : null;
}

function findHeadings(text: string, names: readonly string[]): Heading[] {
  const out: Heading[] = [];
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const h = headingAt(text.slice(start, end), names);
    if (h) out.push({ index: start, end: start + h.end, alone: h.alone });
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

interface Candidate {
  span: JsonSpan;
  /** Where the label region starts (the fence opener for fenced JSON). */
  regionStart: number;
  regionEnd: number;
  /** 3 = ```json fence, 2 = other fence, 1 = bare. */
  kind: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function candidates(text: string, fences: Fence[]): Candidate[] {
  const out: Candidate[] = [];
  let f = 0;
  for (const fence of fences) {
    const body = text.slice(fence.bodyStart, fence.bodyEnd);
    const kind = fence.lang === 'json' || fence.lang === 'jsonc' ? 3 : 2;
    for (const s of scanJsonObjects(body)) {
      out.push({ span: { ...s, start: s.start + fence.bodyStart, end: s.end + fence.bodyStart }, kind, regionStart: fence.open, regionEnd: fence.close });
    }
  }
  // Bare objects outside fences; spans are sorted, fences are sorted: one merge pass.
  for (const s of scanJsonObjects(text)) {
    while (f < fences.length && fences[f].close <= s.start) f++;
    const fence = fences[f];
    if (fence && s.start >= fence.open && s.start < fence.close) continue;
    out.push({ span: s, kind: 1, regionStart: s.start, regionEnd: s.end });
  }
  return out;
}

/** Lowest position of a case-insensitive `needle` at or after `from`, or -1. */
function indexOfIgnoreCase(text: string, needle: string, from: number): number {
  const first = needle[0];
  const upper = first.toUpperCase();
  for (let i = from; i <= text.length - needle.length; i++) {
    const c = text[i];
    if ((c === first || c === upper) && text.slice(i, i + needle.length).toLowerCase() === needle) return i;
  }
  return -1;
}

/**
 * Reasoning models (DeepSeek-R1, Qwen3...) think aloud in <think> blocks, often drafting JSON there: drop them.
 * A block that never closes means the reply was cut while thinking.
 */
function withoutThinking(text: string): { text: string; cut: boolean } {
  let out = '';
  let at = 0;
  // Some servers strip the opening tag and send "...reasoning...</think> answer": drop up to the first close.
  const firstClose = indexOfIgnoreCase(text, '</think', 0);
  if (firstClose >= 0 && indexOfIgnoreCase(text.slice(0, firstClose), '<think', 0) < 0) {
    const end = text.indexOf('>', firstClose);
    if (end >= 0) at = end + 1;
  }
  for (;;) {
    const open = indexOfIgnoreCase(text, '<think', at);
    if (open < 0) return { text: out + text.slice(at), cut: false };
    const tagEnd = text.indexOf('>', open);
    const name = tagEnd < 0 ? '' : text.slice(open + 1, tagEnd).toLowerCase();
    if (name !== 'think' && name !== 'thinking') {
      out += text.slice(at, open + 1);
      at = open + 1;
      continue;
    }
    const close = indexOfIgnoreCase(text, `</${name}>`, tagEnd);
    if (close < 0) return { text: out + text.slice(at, open), cut: true };
    out += text.slice(at, open);
    at = close + name.length + 3;
  }
}

/** Drop heading-only lines ("Query:", "### JSON") and a trailing "Here is the final query:" line; squeeze blank lines. */
function tidy(s: string): string {
  const lines = s.split('\n').filter((line) => !headingAt(line, QUERY_NAMES.filter((n) => n !== 'label' && n !== 'final answer'))?.alone);
  let text = lines.join('\n').trim();
  const lastNl = text.lastIndexOf('\n');
  const last = text.slice(lastNl + 1);
  // Bounded quantifiers on one line (checked for length first): no catastrophic backtracking.
  if (last.length <= 10_000) {
    text = (text.slice(0, lastNl + 1) + last.replace(/(?:here is|here's|the final|final)[^\n]{0,40}(?:query|json)[^\n]{0,20}:[ \t]*$/i, '')).trim();
  }
  const out: string[] = [];
  let blank = 0;
  for (const line of text.split('\n')) {
    blank = line === '' ? blank + 1 : 0;
    if (blank < 2) out.push(line);
  }
  return out.join('\n').trim();
}

export interface ExtractedReply {
  rationale: string;
  /** Compact JSON when it parses; a complete but malformed object as written; '' when there is no label. */
  label: string;
  /** The label parsed as a JSON object. */
  parses: boolean;
  /** Where the label came from. */
  from: 'json-fence' | 'fence' | 'bare' | 'none';
  /** Why there is no label although the reply has JSON: cut off, ambiguous, nested too deeply. */
  problem?: string;
}

export function extractReply(raw: string): ExtractedReply {
  const thinking = withoutThinking(raw.replace(/\r\n?/g, '\n'));
  const text = thinking.text;
  const queryHeadings = findHeadings(text, QUERY_NAMES);
  const qh = queryHeadings.at(-1);
  const fences = findFences(text);
  const rationaleHeading = findHeadings(text, RATIONALE_NAMES)[0];
  const quoted = quoteFilter(text, rationaleHeading, queryHeadings);
  const all = candidates(text, fences).filter((c) => !quoted(c));

  const none = (problem?: string, regionStart = text.length): ExtractedReply => ({
    rationale: rationaleOf(text, qh, regionStart, text.length), label: '', parses: false, from: 'none', ...(problem ? { problem } : {}),
  });
  if (thinking.cut) return none('the reply ends inside its <think> block (cut off before the answer)');
  const cut = all.find((c) => !c.span.balanced);
  if (cut) {
    return none(`the reply is cut off inside a JSON object (starting at character ${cut.span.start}); no label is taken from a partial reply`, cut.regionStart);
  }
  if (all.length === 0) return none();

  // The label is the object right under the last "Query:" heading, else the objects after it, else the best fenced
  // ones; among equals, two different objects are ambiguous.
  const directlyUnder = (c: Candidate) => (qh && c.regionStart >= qh.end && text.slice(qh.end, c.regionStart).trim() === '' ? 1 : 0);
  const score = (c: Candidate) => [directlyUnder(c), qh && c.regionStart >= qh.index ? 1 : 0, c.kind];
  const better = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] > b[k] ? 1 : -1;
    return 0;
  };
  let top: Candidate[] = [];
  let topScore: number[] = [];
  for (const c of all) {
    const s = score(c);
    const cmp = top.length === 0 ? 1 : better(s, topScore);
    if (cmp > 0) {
      top = [c];
      topScore = s;
    } else if (cmp === 0) top.push(c);
  }
  let depth = 0;
  for (const c of top) depth = Math.max(depth, nestingDepth(c.span.text));
  if (depth > MAX_LABEL_DEPTH) return none(`the JSON in the reply is nested ${depth} levels deep (more than ${MAX_LABEL_DEPTH})`, top[0].regionStart);
  const forms = new Set(top.map((c) => compactOrRaw(c.span.text).label));
  if (forms.size > 1) {
    return none(`the reply has ${forms.size} different JSON objects and nothing says which is the query (no "Query:" heading or json fence sets one apart)`, top[0].regionStart);
  }
  const best = top[top.length - 1];
  const { label, parses } = compactOrRaw(best.span.text);
  let regionStart = best.regionStart;
  // A "Query:" heading directly above the JSON belongs to the label region, not to the rationale.
  if (directlyUnder(best)) regionStart = qh!.index;
  return {
    rationale: rationaleOf(text, qh, regionStart, best.regionEnd),
    label,
    parses,
    from: best.kind === 3 ? 'json-fence' : best.kind === 2 ? 'fence' : 'bare',
  };
}

/** Is `c` a letter or a digit (of any script)? */
function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return /[\p{L}\p{N}]/u.test(String.fromCharCode(code));
}

/**
 * A bare object that is part of a sentence is a quote, not the answer: words on both sides of it on its line
 * ("I would start from {...} and then..."), or words before it inside the rationale's section with no query heading
 * between ("Rationale: I would start from {...}": when the reply stops there, the query was never given).
 * Lookups are O(1) per candidate from tables built in one pass, so a reply of 30,000 "{}" stays linear.
 */
function quoteFilter(text: string, rh: Heading | undefined, queryHeadings: Heading[]): (c: Candidate) => boolean {
  const n = text.length;
  const lastWord = new Int32Array(n + 1); // last word character before i, or -1
  const lastNewline = new Int32Array(n + 1); // last '\n' before i, or -1
  lastWord[0] = -1;
  lastNewline[0] = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    lastWord[i + 1] = isWordChar(c) ? i : lastWord[i];
    lastNewline[i + 1] = c === 10 ? i : lastNewline[i];
  }
  const nextWord = new Int32Array(n + 1); // first word character at or after i, or n
  const nextNewline = new Int32Array(n + 1); // first '\n' at or after i, or n
  nextWord[n] = n;
  nextNewline[n] = n;
  for (let i = n - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    nextWord[i] = isWordChar(c) ? i : nextWord[i + 1];
    nextNewline[i] = c === 10 ? i : nextNewline[i + 1];
  }
  const headingStarts = queryHeadings.map((q) => q.index);
  const lastHeadingAtOrBefore = (pos: number) => {
    let lo = 0;
    let hi = headingStarts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (headingStarts[mid] <= pos) {
        found = headingStarts[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  return (c) => {
    if (c.kind !== 1) return false;
    const { start, end } = c.span;
    const lineStart = lastNewline[start] + 1;
    const lineEnd = nextNewline[end];
    const wordsBefore = lastWord[start] >= lineStart;
    if (wordsBefore && nextWord[end] < lineEnd) return true;
    if (!rh || start < rh.end || lastHeadingAtOrBefore(start) >= rh.end) return false;
    if (lastWord[start] < Math.max(lineStart, rh.end)) return false;
    let k = start - 1;
    while (k >= 0 && (text[k] === ' ' || text[k] === '\t')) k--;
    return text[k] !== ':';
  };
}

function compactOrRaw(text: string): { label: string; parses: boolean } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) return { label: JSON.stringify(parsed), parses: true };
  } catch {
    // returned as written
  }
  return { label: text.trim(), parses: false };
}

function rationaleOf(text: string, qh: Heading | undefined, regionStart: number, regionEnd: number): string {
  const rationaleHeadings = findHeadings(text, RATIONALE_NAMES);
  const rh = rationaleHeadings[0];
  const queryAfter = (from: number) => findHeadings(text, QUERY_NAMES).find((h) => h.index >= from);
  let rationale: string;
  if (rh && rh.end <= regionStart) {
    const q = queryAfter(rh.end);
    rationale = text.slice(rh.end, q && q.index < regionStart ? q.index : regionStart);
  } else if (rh && rh.index >= regionEnd) {
    // Query first, rationale after it.
    const next = queryAfter(rh.end);
    rationale = text.slice(rh.end, next ? next.index : text.length);
  } else {
    const start = regionStart === text.length && qh ? qh.index : regionStart;
    rationale = text.slice(0, start);
    if (!tidy(rationale)) rationale = text.slice(regionEnd);
  }
  return tidy(rationale);
}
