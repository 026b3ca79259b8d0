import { useEffect, useId, useState } from 'react';
import { listAdapters, type StoredAdapter } from '../../hosts/browser/idb-adapter-store';
import { chooseStartAdapter } from './start-adapter';
import { useRunInputs } from './run-inputs';

/**
 * "Start from adapter": a fresh adapter (none), or one of the PEFT adapters imported on the Export page, whose weights
 * the run trains on. The list is read again whenever the select is opened, so an adapter imported since shows up.
 */
export function StartAdapterPicker({ disabled }: { disabled: boolean }) {
  const chosen = useRunInputs((s) => s.startAdapter);
  const [adapters, setAdapters] = useState<StoredAdapter[]>([]);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const refresh = () =>
    listAdapters().then(
      (list) => {
        setAdapters(list);
        setError(null);
      },
      (e: Error) => setError(`Could not read the imported adapters: ${e.message}`),
    );
  useEffect(() => {
    void refresh();
  }, []);
  // The chosen one stays listed even before the list has been read (e.g. chosen on the Export page).
  const shown: { id: string; label: string; r: number; alpha: number }[] = chosen && !adapters.some((a) => a.id === chosen.id) ? [chosen, ...adapters] : adapters;
  return (
    <div className="field start-adapter">
      <label htmlFor={id}>Start from adapter</label>
      <select
        id={id}
        value={chosen?.id ?? ''}
        disabled={disabled}
        title={chosen ? `${chosen.label} (r ${chosen.r}, alpha ${chosen.alpha})` : undefined}
        onFocus={() => void refresh()}
        onChange={(e) => chooseStartAdapter(adapters.find((a) => a.id === e.target.value) ?? null)}
      >
        <option value="">None (a fresh adapter)</option>
        {shown.map((a) => (
          <option key={a.id} value={a.id}>
            {a.label} (r {a.r}, alpha {a.alpha})
          </option>
        ))}
      </select>
      <span className="muted small">
        {chosen
          ? 'Its weights train on (AdamW starts fresh); its LoRA settings come from its adapter_config.json.'
          : adapters.length === 0
            ? 'Import a PEFT adapter on the Export page to continue training it.'
            : 'Or continue training an imported PEFT adapter.'}
      </span>
      {error ? <span className="error small">{error}</span> : null}
    </div>
  );
}
