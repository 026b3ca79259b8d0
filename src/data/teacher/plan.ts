// Which questions a teacher run asks: resume skips anything answered before, and a question repeated in the list is
// asked once. Questions are compared with the same normalisation as the split's duplicate groups.
import { normalizeQuestion } from '../split';

export interface QuestionPlan {
  /** Questions to ask, trimmed, in list order. */
  queue: string[];
  /** Already answered, or repeated in the list. */
  skipped: number;
}

export function planQuestions(questions: readonly string[], answered: Iterable<string> = []): QuestionPlan {
  const seen = new Set<string>();
  for (const q of answered) seen.add(normalizeQuestion(q));
  const queue: string[] = [];
  let skipped = 0;
  for (const q of questions) {
    const k = normalizeQuestion(q);
    if (!k) continue;
    if (seen.has(k)) {
      skipped++;
      continue;
    }
    seen.add(k);
    queue.push(q.trim());
  }
  return { queue, skipped };
}
