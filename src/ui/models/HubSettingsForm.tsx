import { useEffect, useState } from 'react';
import { useModels } from './use-models';

/** Where hub files come from (persisted), the memory budget estimates are checked against, and the cache. */
export function HubSettingsForm() {
  const baseUrl = useModels((s) => s.settings.baseUrl);
  const budgetGiB = useModels((s) => s.settings.budgetGiB);
  const [draft, setDraft] = useState(baseUrl);
  useEffect(() => setDraft(baseUrl), [baseUrl]);
  return (
    <div className="hub-settings">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void useModels.getState().setBaseUrl(draft);
        }}
      >
        <label>
          Hub base URL{' '}
          <input data-testid="hub-base-url" type="url" value={draft} onChange={(e) => setDraft(e.target.value)} size={36} spellCheck={false} />
        </label>
        <button type="submit" disabled={draft.trim() === baseUrl}>
          Use
        </button>
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
