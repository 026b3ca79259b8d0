import { useState } from 'react';
import { readQuestionFile } from './question-list';
import { useTeacher } from './teacher-slice';

/** Questions for the teacher: typed or pasted one per line, or read from a .txt/.jsonl/.json/.csv file. */
export function QuestionInput({ count, answered }: { count: number; answered: number }) {
  const text = useTeacher((s) => s.questionsText);
  const setText = useTeacher((s) => s.setQuestionsText);
  const running = useTeacher((s) => s.running);
  const [note, setNote] = useState<string | null>(null);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    let list;
    try {
      list = await readQuestionFile(await file.text(), file.name);
    } catch (e) {
      setNote(`Could not read questions from ${file.name}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    setText(list.questions.join('\n'));
    setNote(
      `${list.questions.length} questions from ${file.name}` +
        (list.duplicates ? `, ${list.duplicates} repeats dropped` : '') +
        (list.skipped.length ? `; skipped: ${list.skipped.slice(0, 5).join('; ')}${list.skipped.length > 5 ? '…' : ''}` : ''),
    );
  };
  return (
    <div className="question-input">
      <label className="field">
        Questions (one per line)
        <textarea aria-label="Questions" rows={8} value={text} disabled={running} onChange={(e) => setText(e.target.value)} placeholder="How have sales in Europe changed over the last ten years?" />
      </label>
      <div className="actions">
        <label className="file-button">
          Import questions…
          <input type="file" accept=".txt,.jsonl,.ndjson,.json,.csv" disabled={running} onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
        <span className="muted small" data-testid="question-count">
          {count} questions, {answered} already in the dataset, {count - answered} to ask
        </span>
      </div>
      {note ? <p className="muted small">{note}</p> : null}
    </div>
  );
}
