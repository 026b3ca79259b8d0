// Self-consistency (Wang et al. 2023, used by the DSS teacher step as an option): ask for n samples and keep the
// label that most samples agree on, comparing labels in canonical JSON so key order and spacing do not split votes.
import type { RowValidity } from '../records';
import type { ExtractedReply } from './extract';

export interface Sample {
  raw: string;
  extracted: ExtractedReply;
  validity: RowValidity;
}

export interface Vote {
  /** Index of the chosen sample in the input. */
  index: number;
  /** Samples agreeing with the chosen label (0 when no sample was valid). */
  votes: number;
  validSamples: number;
}

/**
 * The most frequent VALID label wins; ties go to the label seen first. With no valid sample we keep the first one
 * that at least parses (else the first), so the row still shows what the teacher said and why it failed.
 */
export function chooseByVote(samples: Sample[], canonical: (label: string) => string): Vote {
  if (samples.length === 0) throw new Error('chooseByVote: no samples');
  const counts = new Map<string, { first: number; n: number }>();
  let validSamples = 0;
  samples.forEach((s, i) => {
    if (!s.validity.valid) return;
    validSamples++;
    const key = canonical(s.extracted.label);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { first: i, n: 1 });
  });
  let best: { first: number; n: number } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n || (c.n === best.n && c.first < best.first)) best = c;
  if (best) return { index: best.first, votes: best.n, validSamples };
  const parsing = samples.findIndex((s) => s.validity.parses);
  return { index: parsing >= 0 ? parsing : 0, votes: 0, validSamples };
}
