// Questions for a teacher run. The paste box and .txt files are plain text, one question per line. Other files go
// through the dataset importer (src/data/import), so a question file is read exactly like a dataset file: JSONL, a
// JSON array (of objects, or of plain strings), CSV with a header naming the question column; a ".json" that is
// really JSONL is sniffed. A one-column CSV without a recognised header is taken as a list of questions.
import { importRows, previewImport, type ImportProblem } from '../../data/import';
import { normalizeQuestion } from '../../data/split';

export interface QuestionList {
  questions: string[];
  /** Lines or records that held no question, with why. */
  skipped: string[];
  /** Repeats of an earlier question (after normalisation), dropped. */
  duplicates: number;
}

/** Pasted text (or a .txt file): one question per line; blank lines and repeats are dropped. */
export function parseQuestionList(text: string): QuestionList {
  const seen = new Set<string>();
  const questions: string[] = [];
  let duplicates = 0;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t) continue;
    const k = normalizeQuestion(t);
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    seen.add(k);
    questions.push(t);
  }
  return { questions, skipped: [], duplicates };
}

/** Only these problems matter for a question list (a label column, if the file has one, is not used). */
const QUESTION_PROBLEMS = new Set<ImportProblem['reason']>(['unparseable', 'missing-field', 'duplicate-id']);

/** A question file picked by the user; throws when no column can be taken as the question. */
export async function readQuestionFile(text: string, fileName: string): Promise<QuestionList> {
  if (/\.txt$/i.test(fileName)) return parseQuestionList(text);
  const head = text.slice(0, 65536);
  const preview = previewImport(head, { fileName, stringsAs: 'question' });
  // A one-column CSV whose first line is not a known column name has no header: every line is a question.
  const headerless = preview.format === 'csv' && preview.columns.length === 1 && !preview.detected.question;
  const source = headerless ? `question\n${text}` : text;
  const shift = headerless ? 1 : 0;
  const res = await importRows(source, {
    fileName,
    format: preview.format,
    ...(preview.delimiter ? { csvDelimiter: preview.delimiter } : {}),
    require: ['question'],
    invalidLabels: 'keep',
    stringsAs: 'question',
  });
  const skipped = res.problems.filter((p) => QUESTION_PROBLEMS.has(p.reason)).map((p) => `line ${p.line - shift}: ${p.message}`);
  const duplicates = res.problems.filter((p) => p.reason === 'duplicate-question').length;
  return { questions: res.rows.map((r) => r.question), skipped, duplicates };
}
