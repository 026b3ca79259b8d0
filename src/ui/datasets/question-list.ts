// Questions for a teacher run, from the paste box or a file: plain text (one per line), JSONL or a JSON array
// (strings, or objects with "question"/"prompt"), or CSV with a "question"/"prompt" column (else the first column).
import Papa from 'papaparse';
import { normalizeQuestion } from '../../data/split';

const FIELDS = ['question', 'prompt', 'input', 'text'];

function fromValue(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    for (const f of FIELDS) {
      const x = (v as Record<string, unknown>)[f];
      if (typeof x === 'string') return x;
    }
  }
  return null;
}

export interface QuestionList {
  questions: string[];
  /** Lines or records that held no question, with why. */
  skipped: string[];
  /** Repeats of an earlier question (after normalisation), dropped. */
  duplicates: number;
}

export function parseQuestionList(text: string, fileName = ''): QuestionList {
  const name = fileName.toLowerCase();
  const raw: string[] = [];
  const skipped: string[] = [];
  if (name.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return { questions: [], skipped: [`${fileName}: not JSON (${e instanceof Error ? e.message : e})`], duplicates: 0 };
    }
    if (!Array.isArray(parsed)) return { questions: [], skipped: [`${fileName}: expected a JSON array`], duplicates: 0 };
    parsed.forEach((v, i) => {
      const q = fromValue(v);
      if (q === null) skipped.push(`item ${i}: no question field`);
      else raw.push(q);
    });
  } else if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) {
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const q = fromValue(JSON.parse(line));
        if (q === null) skipped.push(`line ${i + 1}: no question field`);
        else raw.push(q);
      } catch {
        skipped.push(`line ${i + 1}: not JSON`);
      }
    });
  } else if (name.endsWith('.csv')) {
    const res = Papa.parse<string[]>(text, { skipEmptyLines: true });
    const [header, ...body] = res.data;
    const col = header ? header.findIndex((h) => FIELDS.includes(h.trim().toLowerCase())) : -1;
    const rows = col >= 0 ? body : res.data;
    for (const r of rows) raw.push(r[Math.max(0, col)] ?? '');
    for (const e of res.errors) skipped.push(`row ${e.row ?? '?'}: ${e.message}`);
  } else {
    raw.push(...text.split(/\r?\n/));
  }
  const seen = new Set<string>();
  const questions: string[] = [];
  let duplicates = 0;
  for (const q of raw) {
    const t = q.trim();
    if (!t) continue;
    const k = normalizeQuestion(t);
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    seen.add(k);
    questions.push(t);
  }
  return { questions, skipped, duplicates };
}
