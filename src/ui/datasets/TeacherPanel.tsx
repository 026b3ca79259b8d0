import { useEffect, useMemo } from 'react';
import { normalizeQuestion } from '../../data/split';
import { DEFAULT_PROMPT_TEMPLATE } from '../../data/teacher';
import { useDatasets } from './datasets-slice';
import { PromptEditor } from './PromptEditor';
import { parseQuestionList } from './question-list';
import { QuestionInput } from './QuestionInput';
import { TeacherRunControls } from './TeacherRunControls';
import { TeacherSettings } from './TeacherSettings';
import { useTeacher } from './teacher-slice';

/** Generate rows with a teacher LLM: settings, prompt, questions, and the run. */
export function TeacherPanel() {
  const meta = useDatasets((s) => s.current);
  const rows = useDatasets((s) => s.rows);
  const text = useTeacher((s) => s.questionsText);
  const setTemplate = useTeacher((s) => s.setTemplate);

  // The template editor follows the open dataset.
  const datasetId = meta?.id;
  useEffect(() => {
    const m = useDatasets.getState().current;
    if (m && !useTeacher.getState().running) setTemplate(m.task.promptTemplate || DEFAULT_PROMPT_TEMPLATE);
  }, [datasetId, setTemplate]);

  const questions = useMemo(() => parseQuestionList(text).questions, [text]);
  const answered = useMemo(() => {
    const have = new Set(rows.map((r) => normalizeQuestion(r.question)));
    return questions.filter((q) => have.has(normalizeQuestion(q))).length;
  }, [questions, rows]);

  if (!meta) return <p className="muted">Open a dataset to generate rows for it.</p>;
  return (
    <section className="teacher-panel" data-testid="teacher-panel" aria-label="Teacher">
      <p className="muted small">
        A teacher LLM answers each question with a short rationale and a Query DSL label (the Distilling Step-by-Step data step). Rows are added to
        “{meta.name}” as they arrive; questions already in it are not asked again.
      </p>
      <TeacherSettings />
      <QuestionInput count={questions.length} answered={answered} />
      <details className="prompt-details">
        <summary>Prompt template and preview</summary>
        <PromptEditor questions={questions} />
      </details>
      <TeacherRunControls toAsk={questions.length - answered} />
    </section>
  );
}
