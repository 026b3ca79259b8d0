// Pull the rationale and the Query DSL JSON out of a free-form teacher reply. Replies come as ```json fences, bare
// JSON with prose around it, "Rationale:" / "Query:" headings, trailing commentary, or truncated by max_tokens.
// We never repair JSON: a malformed label is returned as written so validation reports where it breaks.

export interface JsonSpan {
  start: number;
  /** Exclusive; for an unbalanced (truncated) object this is the end of the scanned text. */
  end: number;
  text: string;
  balanced: boolean;
}

/**
 * Top-level {...} spans of `text`, found by brace counting that skips braces inside JSON strings (with escapes).
 * An unbalanced '{' yields a span to the end and scanning resumes after it, so a stray brace in prose cannot hide
 * the real object behind it.
 */
export function scanJsonObjects(text: string): JsonSpan[] {
  const spans: JsonSpan[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '{') {
      i++;
      continue;
    }
    let depth = 0;
    let inString = false;
    let escaped = false;
    let end = -1;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        end = j + 1;
        break;
      }
    }
    if (end > 0) {
      spans.push({ start: i, end, text: text.slice(i, end), balanced: true });
      i = end;
    } else {
      spans.push({ start: i, end: text.length, text: text.slice(i), balanced: false });
      i++;
    }
  }
  return spans;
}

interface Fence {
  /** Offset of the opening ``` (where the label region starts for rationale purposes). */
  open: number;
  /** Offsets of the fence body. */
  bodyStart: number;
  bodyEnd: number;
  /** Offset just after the closing ``` (or end of text when the fence was cut off). */
  close: number;
  lang: string;
}

function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  const re = /(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const bodyStart = m.index + m[0].length;
    const closeAt = text.indexOf(m[1], bodyStart);
    const bodyEnd = closeAt < 0 ? text.length : closeAt;
    const close = closeAt < 0 ? text.length : closeAt + m[1].length;
    fences.push({ open: m.index, bodyStart, bodyEnd, close, lang: m[2].toLowerCase() });
    re.lastIndex = close;
  }
  return fences;
}

const MD = String.raw`(?:\*\*|__)?`;
const heading = (names: string) =>
  new RegExp(String.raw`^[ \t>]*(?:#{1,6}[ \t]*)?${MD}(?:${names})${MD}[ \t]*(?::${MD}|${MD}[ \t]*$)`, 'gim');
const RATIONALE_HEADING = heading('rationale|reasoning|explanation|step[- ]by[- ]step(?: rationale| explanation)?');
const QUERY_HEADING = heading('query|final query|query dsl|opensearch query|json|answer|label|final answer');

function lastMatch(re: RegExp, text: string): { index: number; end: number } | null {
  let found: { index: number; end: number } | null = null;
  for (const m of text.matchAll(re)) found = { index: m.index, end: m.index + m[0].length };
  return found;
}

function firstMatch(re: RegExp, text: string, from = 0): { index: number; end: number } | null {
  for (const m of text.matchAll(re)) if (m.index >= from) return { index: m.index, end: m.index + m[0].length };
  return null;
}

interface Candidate {
  span: JsonSpan;
  /** Where the label region starts (the fence opener for fenced JSON). */
  regionStart: number;
  regionEnd: number;
  /** 3 = ```json fence, 2 = other fence, 1 = bare. */
  kind: number;
  parsed: unknown;
  parses: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function candidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  const fences = findFences(text);
  const inFence = (pos: number) => fences.some((f) => pos >= f.bodyStart && pos < f.bodyEnd);
  const make = (span: JsonSpan, kind: number, regionStart: number, regionEnd: number): Candidate => {
    let parsed: unknown;
    let parses = false;
    try {
      parsed = JSON.parse(span.text);
      parses = isPlainObject(parsed);
    } catch {
      parses = false;
    }
    return { span, kind, regionStart, regionEnd, parsed, parses };
  };
  for (const f of fences) {
    const body = text.slice(f.bodyStart, f.bodyEnd);
    const kind = f.lang === 'json' || f.lang === 'jsonc' ? 3 : 2;
    for (const s of scanJsonObjects(body)) {
      const span = { ...s, start: s.start + f.bodyStart, end: s.end + f.bodyStart };
      out.push(make(span, kind, f.open, f.close));
    }
  }
  for (const s of scanJsonObjects(text)) if (!inFence(s.start)) out.push(make(s, 1, s.start, s.end));
  return out;
}

/** Best candidate: parses > not; after a "Query:" heading > before; fence kind; longer; later. */
function pick(cands: Candidate[], queryHeadingAt: number): Candidate | null {
  let best: Candidate | null = null;
  const score = (c: Candidate) => [c.parses ? 1 : 0, c.regionStart >= queryHeadingAt ? 1 : 0, c.kind, c.span.text.length, c.span.start];
  for (const c of cands) {
    if (!best) {
      best = c;
      continue;
    }
    const a = score(c);
    const b = score(best);
    for (let k = 0; k < a.length; k++) {
      if (a[k] !== b[k]) {
        if (a[k] > b[k]) best = c;
        break;
      }
    }
  }
  return best;
}

function tidy(s: string): string {
  return s
    .replace(/^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:query|final query|query dsl|json|answer)(?:\*\*|__)?[ \t]*:?(?:\*\*|__)?[ \t]*$/gim, '')
    .replace(/(?:here is|here's|the final|final)[^\n]{0,40}(?:query|json)[^\n]{0,20}:[ \t]*$/i, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface ExtractedReply {
  rationale: string;
  /** Compact JSON when it parses; otherwise the object text as written (possibly truncated); '' when none found. */
  label: string;
  /** The label parsed as a JSON object. */
  parses: boolean;
  /** Where the label came from. */
  from: 'json-fence' | 'fence' | 'bare' | 'none';
}

/** Reasoning models (DeepSeek-R1, Qwen3...) think aloud in <think> blocks, often drafting JSON there: skip those. */
const THINK_BLOCK = /<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi;

export function extractReply(raw: string): ExtractedReply {
  const text = raw.replace(/\r\n?/g, '\n').replace(THINK_BLOCK, '');
  const qh = lastMatch(QUERY_HEADING, text);
  const queryHeadingAt = qh ? qh.index : Number.POSITIVE_INFINITY;
  const best = pick(candidates(text), queryHeadingAt);

  let label = '';
  let parses = false;
  let from: ExtractedReply['from'] = 'none';
  let regionStart = qh ? qh.index : text.length;
  let regionEnd = text.length;
  if (best) {
    parses = best.parses;
    label = parses ? JSON.stringify(best.parsed) : best.span.text.trim();
    from = best.kind === 3 ? 'json-fence' : best.kind === 2 ? 'fence' : 'bare';
    regionStart = best.regionStart;
    // A "Query:" heading directly above the JSON belongs to the label region, not to the rationale.
    if (qh && qh.end <= best.regionStart && text.slice(qh.end, best.regionStart).trim() === '') regionStart = qh.index;
    regionEnd = best.regionEnd;
  }

  let rationale: string;
  const rh = firstMatch(RATIONALE_HEADING, text);
  if (rh && rh.end <= regionStart) {
    const q = firstMatch(QUERY_HEADING, text, rh.end);
    rationale = text.slice(rh.end, q && q.index < regionStart ? q.index : regionStart);
  } else if (rh && rh.index >= regionEnd) {
    // Query first, rationale after it.
    const nextQuery = firstMatch(QUERY_HEADING, text, rh.end);
    rationale = text.slice(rh.end, nextQuery ? nextQuery.index : text.length);
  } else {
    rationale = text.slice(0, regionStart);
    if (!tidy(rationale)) rationale = text.slice(regionEnd);
  }
  return { rationale: tidy(rationale), label, parses, from };
}
