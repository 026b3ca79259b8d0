import { useEffect, useState } from 'react';
import { hubBaseUrlProblem } from '../../settings/hub';
import { useModels } from './use-models';

/** Where hub files come from (persisted), the memory budget estimates are checked against, and the cache. */
export function HubSettingsForm() {
  const baseUrl = useModels((s) => s.settings.baseUrl);
  const budgetGiB = useModels((s) => s.settings.budgetGiB);
  const [draft, setDraft] = useState(baseUrl);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(baseUrl), [baseUrl]);
  return (
    <div className="hub-settings">
      {/* noValidate: the browser's own check shows a bubble that vanishes; ours stays beside the field. */}
      <form
        className="inline-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const why = hubBaseUrlProblem(draft);
          setProblem(why ?? null);
          if (!why) void useModels.getState().setBaseUrl(draft);
        }}
      >
        <label>
          Hub base URL{' '}
          <input
            data-testid="hub-base-url"
            type="url"
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setProblem(null);
            }}
            size={36}
            spellCheck={false}
            aria-invalid={problem !== null}
            aria-describedby={problem ? 'hub-url-problem' : undefined}
          />
        </label>
        <button type="submit" disabled={draft.trim() === baseUrl}>
          Use
        </button>
        {problem ? (
          <span id="hub-url-problem" className="error" role="alert" data-testid="hub-url-problem">
            {problem}
          </span>
        ) : null}
      </form>
      <label>
        Memory budget{' '}
        <input
          data-testid="memory-budget"
          type="number"
          min={0.25}
          step={0.25}
          value={budgetGiB}
          onChange={(e) => useModels.getState().setBudgetGiB(Number(e.target.value))}
        />{' '}
        GiB
      </label>
      <button type="button" data-testid="clear-cache" onClick={() => void useModels.getState().clearCache()}>
        Clear hub cache
      </button>
    </div>
  );
}
