import { useMemo, useState } from 'react';
import { validateQueryDsl } from '../../data/query-dsl';
import type { DatasetRow, SplitName } from '../../data/records';
import { useDatasets } from './datasets-slice';
import { JsonView } from './JsonView';
import { ProblemList } from './ProblemList';

interface Draft {
  question: string;
  rationale: string;
  label: string;
}

/** The selected row: question, rationale, highlighted label with its problems; edit, accept, reject, delete. */
export function RowDetail({ row, split }: { row: DatasetRow; split: SplitName | undefined }) {
  const schema = useDatasets((s) => s.current?.task.schema);
  const editRow = useDatasets((s) => s.editRow);
  const setStatus = useDatasets((s) => s.setStatus);
  const deleteRow = useDatasets((s) => s.deleteRow);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Edits re-validate as you type, so a broken label shows its problem before it is saved.
  const draftValidity = useMemo(() => (draft && schema ? validateQueryDsl(draft.label, schema) : null), [draft, schema]);

  const act = (p: Promise<unknown>) => p.then(() => setError(null)).catch((e) => setError(e instanceof Error ? e.message : String(e)));

  if (draft) {
    return (
      <section className="row-detail" data-testid="row-detail" aria-label="Edit row">
        <h2>Edit row</h2>
        <label className="field">
          Question
          <textarea aria-label="Question" rows={2} value={draft.question} onChange={(e) => setDraft({ ...draft, question: e.target.value })} />
        </label>
        <label className="field">
          Rationale
          <textarea aria-label="Rationale" rows={4} value={draft.rationale} onChange={(e) => setDraft({ ...draft, rationale: e.target.value })} />
        </label>
        <label className="field">
          Label (Query DSL JSON)
          <textarea aria-label="Label" className="mono" rows={10} spellCheck={false} value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
        </label>
        {draftValidity ? <ProblemList validity={draftValidity} /> : null}
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() =>
              act(
                editRow(row.id, { question: draft.question.trim(), rationale: draft.rationale.trim(), label: draft.label.trim() }).then(() => setDraft(null)),
              )
            }
          >
            Save
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </div>
        {error ? <p className="error">{error}</p> : null}
      </section>
    );
  }

  return (
    <section className="row-detail" data-testid="row-detail" aria-label="Row detail">
      <h2 className="question" data-testid="detail-question">
        {row.question}
      </h2>
      <p className="muted small">
        {row.source}
        {row.teacherModel ? ` (${row.teacherModel})` : ''} · {row.status} · {split ?? '—'} split · updated {new Date(row.updatedAt).toLocaleString()}
      </p>
      <h3>Rationale</h3>
      <p className="rationale" data-testid="detail-rationale">
        {row.rationale || <span className="muted">(none)</span>}
      </p>
      <h3>Label</h3>
      <JsonView text={row.label} testId="detail-label" />
      <ProblemList validity={row.validity} />
      {row.rawReply ? (
        <details className="raw-reply">
          <summary>Raw teacher reply</summary>
          <pre>{row.rawReply}</pre>
        </details>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => setDraft({ question: row.question, rationale: row.rationale, label: row.label })}>
          Edit
        </button>
        <button type="button" onClick={() => act(setStatus(row.id, 'accepted'))} disabled={row.status === 'accepted'}>
          Accept
        </button>
        <button type="button" onClick={() => act(setStatus(row.id, 'rejected'))} disabled={row.status === 'rejected'}>
          Reject
        </button>
        {confirmDelete ? (
          <>
            <button type="button" className="danger" onClick={() => act(deleteRow(row.id))}>
              Confirm delete
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
      {error ? <p className="error">{error}</p> : null}
    </section>
  );
}
