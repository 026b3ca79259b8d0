import { useEffect, useId } from 'react';
import type { PathedFile } from '../../io/browser-files-source';
import { useModels } from '../models/use-models';
import { canPickFolderHandles, pickFolder } from '../../hosts/browser/folder-handles';
import { useRunInputs, type ModelChoice } from './run-inputs';

/** The directory input sets webkitdirectory, which React's input types do not list. */
const DIRECTORY_PICKER = { webkitdirectory: '', directory: '' } as Record<string, string>;

const choiceKey = (c: ModelChoice | null) => (c === null ? '' : c.kind === 'hub' ? `hub:${c.id}` : 'folder');

/**
 * Which checkpoint the run starts from: a hub id from the Models page's list (downloaded once, then read from the
 * cache, also on resume), or a local folder. A folder picked with Chrome's folder picker is remembered for resume.
 */
export function ModelPicker({ disabled }: { disabled: boolean }) {
  const entries = useModels((s) => s.entries);
  const cachedIds = useModels((s) => s.cachedIds);
  const loaded = useModels((s) => s.loaded);
  const model = useRunInputs((s) => s.model);
  const setInputs = useRunInputs((s) => s.set);
  const selectId = useId();

  // Until the person picks: the loaded hub model, else the first cached id, else the first in the list.
  useEffect(() => {
    const auto = model === null || (model.kind === 'hub' && model.auto === true);
    if (!auto || entries.length === 0) return;
    const loadedHub = loaded?.source.kind === 'hub' ? loaded.source.id : null;
    const id = loadedHub ?? entries.find((e) => cachedIds.includes(e.id))?.id ?? entries[0].id;
    if (model?.kind !== 'hub' || model.id !== id) setInputs({ model: { kind: 'hub', id, auto: true } });
  }, [model, entries, cachedIds, loaded, setInputs]);

  const chooseFolder = async () => {
    const handle = await pickFolder();
    if (handle) setInputs({ model: { kind: 'folder-handle', name: handle.name, handle } });
  };
  const onFiles = (files: PathedFile[]) => {
    if (files.length === 0) return;
    const name = files[0].path.includes('/') ? files[0].path.split('/')[0] : 'picked files';
    setInputs({ model: { kind: 'folder-files', name, files } });
  };

  return (
    <fieldset className="model-picker" disabled={disabled}>
      <legend>Model</legend>
      <div className="inline-form">
        <label htmlFor={selectId}>Base model</label>
        <select
          id={selectId}
          value={choiceKey(model)}
          onChange={(e) => {
            if (e.target.value.startsWith('hub:')) setInputs({ model: { kind: 'hub', id: e.target.value.slice(4) } });
          }}
        >
          {entries.map((e) => (
            <option key={e.id} value={`hub:${e.id}`}>
              {e.id}
              {loaded?.source.kind === 'hub' && loaded.source.id === e.id ? ' (loaded)' : ''}
              {cachedIds.includes(e.id) ? ' (cached)' : ' (downloads on start)'}
            </option>
          ))}
          {model && model.kind !== 'hub' ? <option value="folder">folder {model.name}</option> : null}
        </select>
        <span className="muted">or a local folder:</span>
        {canPickFolderHandles() ? (
          <button type="button" onClick={() => void chooseFolder()}>
            Choose folder…
          </button>
        ) : (
          <label className="file-button">
            Choose folder…
            <input
              type="file"
              multiple
              {...DIRECTORY_PICKER}
              onChange={(e) => {
                onFiles(Array.from(e.target.files ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name })));
                e.target.value = '';
              }}
            />
          </label>
        )}
      </div>
      {model?.kind === 'folder-files' ? (
        <p className="warning small">This browser cannot remember a picked folder: to resume this run after a reload, pick the same folder again.</p>
      ) : null}
      {model?.kind === 'folder-handle' ? <p className="muted small">The folder is remembered with the run: a resume after a reload asks for permission to read it again.</p> : null}
      {loaded && loaded.source.kind !== 'hub' && model?.kind === 'hub' ? (
        <p className="muted small">The loaded model ({loaded.label}) came from a folder: choose that folder here to train it.</p>
      ) : null}
      <p className="muted small">Hub ids come from the Models page's list (add one there); each is read from the browser's cache once downloaded.</p>
    </fieldset>
  );
}
