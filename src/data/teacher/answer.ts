// From the teacher's replies to one question to a dataset row: extract rationale and label from each sample,
// validate, vote, and keep the chosen raw reply on the row. A reply the extractor cannot read (cut off, ambiguous)
// is an invalid row that says why, never a guessed label; a validator that fails on odd input marks the row
// invalid instead of losing the answer.
import type { DatasetRow, RowValidity } from '../records';
import { extractReply, type ExtractedReply } from './extract';
import { chooseByVote, type Sample, type Vote } from './vote';

export interface AnswerContext {
  datasetId: string;
  teacherModel: string;
  validate: (label: string) => RowValidity;
  canonical: (label: string) => string;
  newId: () => string;
  now: () => number;
}

function validityOf(extracted: ExtractedReply, validate: (label: string) => RowValidity): RowValidity {
  if (extracted.problem) return { parses: false, valid: false, problems: [{ path: '$', message: extracted.problem }] };
  try {
    return validate(extracted.label);
  } catch (e) {
    return { parses: false, valid: false, problems: [{ path: '$', message: `the label could not be checked: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

/** `raws` are already redacted, so what is validated is exactly what is stored. */
export function answerRow(question: string, raws: string[], ctx: AnswerContext): { row: DatasetRow; vote: Vote; samples: number } {
  const samples: Sample[] = raws.map((raw) => {
    const extracted = extractReply(raw);
    return { raw, extracted, validity: validityOf(extracted, ctx.validate) };
  });
  let vote: Vote;
  try {
    vote = chooseByVote(samples, ctx.canonical);
  } catch {
    vote = chooseByVote(samples, (label) => label);
  }
  const chosen = samples[vote.index];
  const t = ctx.now();
  const row: DatasetRow = {
    id: ctx.newId(),
    datasetId: ctx.datasetId,
    question,
    label: chosen.extracted.label,
    rationale: chosen.extracted.rationale,
    source: 'teacher',
    status: 'pending',
    teacherModel: ctx.teacherModel,
    rawReply: chosen.raw,
    validity: chosen.validity,
    createdAt: t,
    updatedAt: t,
  };
  return { row, vote, samples: samples.length };
}
