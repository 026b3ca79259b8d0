import { useState } from 'react';
import { useModels } from './use-models';

/** Add any hub id (larger models too): its config.json is read for the estimate before anything big downloads. */
export function AddHubId() {
  const [id, setId] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!id.trim()) return;
        void useModels.getState().addId(id);
        setId('');
      }}
    >
      <label>
        Add a hub id{' '}
        <input data-testid="add-hub-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="google/flan-t5-large" size={30} spellCheck={false} />
      </label>
      <button type="submit" disabled={!id.trim()}>
        Add
      </button>
    </form>
  );
}
