import { useMemo } from 'react';
import { DEFAULT_PROMPT_TEMPLATE, missingPlaceholders, renderPrompt } from '../../data/teacher';
import { useDatasets } from './datasets-slice';
import { useTeacher } from './teacher-slice';

/** The editable teacher prompt ({{schema}}, {{question}}) and a live preview for one chosen question. */
export function PromptEditor({ questions }: { questions: string[] }) {
  const template = useTeacher((s) => s.template);
  const setTemplate = useTeacher((s) => s.setTemplate);
  const previewIndex = useTeacher((s) => s.previewIndex);
  const setPreviewIndex = useTeacher((s) => s.setPreviewIndex);
  const running = useTeacher((s) => s.running);
  const meta = useDatasets((s) => s.current);
  const saveTask = useDatasets((s) => s.saveTask);
  const missing = missingPlaceholders(template);
  const question = questions[Math.min(previewIndex, questions.length - 1)] ?? 'How have sales in Europe changed over the last ten years?';
  const preview = useMemo(() => (meta ? renderPrompt(template, meta.task.schema, question) : ''), [template, meta, question]);
  const dirty = !!meta && template !== meta.task.promptTemplate;
  return (
    <div className="prompt-editor">
      <div className="prompt-cols">
        <label className="field">
          Prompt template
          <textarea aria-label="Prompt template" className="mono" rows={18} spellCheck={false} value={template} disabled={running} onChange={(e) => setTemplate(e.target.value)} />
        </label>
        <div className="field">
          <span>
            Preview for{' '}
            <select aria-label="Preview question" value={Math.min(previewIndex, Math.max(0, questions.length - 1))} onChange={(e) => setPreviewIndex(Number(e.target.value))}>
              {questions.length === 0 ? <option value={0}>{question}</option> : null}
              {questions.slice(0, 500).map((q, i) => (
                <option key={i} value={i}>
                  {q.length > 80 ? `${q.slice(0, 80)}…` : q}
                </option>
              ))}
            </select>
          </span>
          <pre className="prompt-preview" data-testid="prompt-preview">
            {preview}
          </pre>
        </div>
      </div>
      {missing.length ? <p className="error">The template has no {missing.join(' or ')} placeholder.</p> : null}
      <div className="actions">
        <button type="button" disabled={!dirty || running} onClick={() => meta && saveTask({ ...meta.task, promptTemplate: template })}>
          Save template to dataset
        </button>
        <button type="button" disabled={running || template === DEFAULT_PROMPT_TEMPLATE} onClick={() => setTemplate(DEFAULT_PROMPT_TEMPLATE)}>
          Reset to default
        </button>
        {dirty ? <span className="muted small">unsaved changes (saved automatically when a run starts)</span> : null}
      </div>
    </div>
  );
}
